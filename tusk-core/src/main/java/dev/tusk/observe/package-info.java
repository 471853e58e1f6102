/**
 * Observing Tusk: a listener SPI with no dependencies, for tracing, metrics and logging. The
 * {@code tusk-opentelemetry} and {@code tusk-micrometer} modules are built on it; a listener of your own is a
 * few lines.
 *
 * <p>A {@link dev.tusk.observe.TuskListener} receives small immutable events: connect attempts
 * ({@link dev.tusk.observe.ConnectAttempt}), statements ({@link dev.tusk.observe.StatementStart},
 * {@link dev.tusk.observe.StatementEnd}), pipelines, COPY, transaction blocks and steps (with an
 * {@link dev.tusk.observe.TransactionOutcome#UNKNOWN UNKNOWN} outcome when the connection was lost in doubt),
 * notifications, cancel requests, and the pools' leases and connections. Set it on the options of the
 * connections (pools made from them inherit it) or register it for every connection:
 *
 * <pre>{@code
 * import dev.tusk.*;
 * import dev.tusk.observe.*;
 *
 * public class SlowQueries {
 *     public static void main(String[] args) {
 *         TuskListener timing = new TuskListener() {
 *             @Override
 *             public void statementEnded(StatementEnd end, Object context) {
 *                 System.out.printf("%s %s: %d us, %d rows%s%n", end.start().facts().database(),
 *                         end.start().operation(), end.durationNanos() / 1000, end.rows(),
 *                         end.failed() ? " SQLSTATE " + end.sqlstate() : "");
 *             }
 *         };
 *         try (Connection<Row> conn = Connection.connect(ConnectOptions.builder()
 *                 .conninfo(args[0]).listener(timing).build())) {
 *             conn.execute("SELECT %s::int + 1", 41).fetchone();
 *         }
 *         // or, for every connection made from now on:
 *         TuskListeners.register(timing);
 *     }
 * }
 * }</pre>
 *
 * <p>Without any listener nothing is measured and nothing allocated. Parameter values never appear in events
 * or logs unless {@link dev.tusk.ConnectOptions.Builder#observeParameters} is on; passwords never do.
 *
 * <p>Statements are also logged through {@link System.Logger} (logger {@code dev.tusk.statement}): every one at
 * DEBUG when that level is enabled as a connection is made, and those slower than
 * {@link dev.tusk.ConnectOptions.Builder#slowStatementThreshold} at WARNING.
 */
package dev.tusk.observe;
