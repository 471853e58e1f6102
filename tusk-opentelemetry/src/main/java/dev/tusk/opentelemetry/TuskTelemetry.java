package dev.tusk.opentelemetry;

import dev.tusk.observe.TuskListener;
import io.opentelemetry.api.OpenTelemetry;

import java.util.Objects;

/**
 * OpenTelemetry tracing and metrics for Tusk connections and pools, following OpenTelemetry's semantic conventions
 * for database clients. Depends on the OpenTelemetry API only: the application brings the SDK (or the Java agent)
 * and its exporters.
 *
 * <pre>{@code
 * TuskListener otel = TuskTelemetry.create(openTelemetry).listener();
 * ConnectOptions<Row> options = ConnectOptions.builder().conninfo("dbname=app").listener(otel).build();
 * ConnectionPool<Row> pool = ConnectionPool.builder().options(options).build();   // the pool's metrics too
 * }</pre>
 *
 * <p>What it records:
 * <ul>
 * <li>a span of kind CLIENT per statement (named {@code "{db.operation.name} {db.namespace}"}, e.g.
 * {@code "SELECT app"}) with {@code db.system.name=postgresql}, {@code db.namespace}, {@code db.query.text} (the
 * text with its placeholders, never the parameter values), {@code db.operation.name},
 * {@code db.operation.batch.size} (an executemany of two or more sets), {@code server.address},
 * {@code server.port}, {@code network.peer.address}, and on failure status ERROR, {@code db.response.status_code}
 * (the SQLSTATE) and {@code error.type} (the SQLSTATE, or the exception's class when there is none). The error
 * message is not recorded: PostgreSQL's messages can quote values ({@code invalid input syntax for type
 * integer: "..."}). The parent is the context current on the thread that submits the statement, whichever thread
 * completes it (an {@code AsyncConnection}'s event loop).</li>
 * <li>a {@code PIPELINE} span whose children are the statements queued in it; a {@code COPY} span; a
 * {@code TRANSACTION} span for a transaction block, parent of the statements run in it on the same context, with
 * its outcome ({@code tusk.transaction.outcome}: committed, rolled_back, failed, unknown) and the commit, rollback
 * and two-phase steps as span events;</li>
 * <li>a {@code CONNECT} span per connection attempt (a connection string naming two hosts, the first down, makes
 * two spans, the first with status ERROR);</li>
 * <li>the {@code db.client.operation.duration} histogram (seconds, the conventions' bucket boundaries) and, for
 * pools, {@code db.client.connection.count} ({@code db.client.connection.state} = idle or used),
 * {@code db.client.connection.max}, {@code db.client.connection.idle.min},
 * {@code db.client.connection.pending_requests}, {@code db.client.connection.timeouts},
 * {@code db.client.connection.create_time}, {@code db.client.connection.wait_time} and
 * {@code db.client.connection.use_time}, with {@code db.client.connection.pool.name} (and, on
 * {@code db.client.connection.create_time}, the {@code server.address}, {@code server.port} and
 * {@code db.namespace} of the connection made).</li>
 * </ul>
 *
 * <p>Parameter values never appear, unless the options turn on
 * {@link dev.tusk.ConnectOptions.Builder#observeParameters} and this module's
 * {@link Builder#captureParameters(boolean)}: then they are recorded as {@code db.query.parameter.<index>}.
 */
public final class TuskTelemetry {
    private final OtelListener listener;

    private TuskTelemetry(Builder b) {
        this.listener = new OtelListener(b.openTelemetry, b.captureQueryText, b.captureParameters,
                b.propagateTraceparent);
    }

    /** Tracing and metrics through {@code openTelemetry} with the default settings. */
    public static TuskTelemetry create(OpenTelemetry openTelemetry) {
        return builder(openTelemetry).build();
    }

    /** A builder for the settings. */
    public static Builder builder(OpenTelemetry openTelemetry) {
        return new Builder(Objects.requireNonNull(openTelemetry, "openTelemetry"));
    }

    /**
     * The listener to set on {@link dev.tusk.ConnectOptions.Builder#listener} (pools made from the options use it)
     * or to register for every connection with {@link dev.tusk.observe.TuskListeners#register}.
     */
    public TuskListener listener() {
        return listener;
    }

    /** Settings of {@link TuskTelemetry}. */
    public static final class Builder {
        private final OpenTelemetry openTelemetry;
        private boolean captureQueryText = true;
        private boolean captureParameters;
        private boolean propagateTraceparent;

        private Builder(OpenTelemetry openTelemetry) {
            this.openTelemetry = openTelemetry;
        }

        /**
         * Whether spans carry {@code db.query.text} (default true). The text is the one sent to the server, with
         * its placeholders ({@code $1}...); values given as parameters are never in it. Turn it off when queries
         * are built with literals in their text.
         */
        public Builder captureQueryText(boolean on) {
            this.captureQueryText = on;
            return this;
        }

        /**
         * Whether spans carry the parameter values as {@code db.query.parameter.<index>} (default false). Has an
         * effect only on connections whose options turn on
         * {@link dev.tusk.ConnectOptions.Builder#observeParameters}: both must agree.
         */
        public Builder captureParameters(boolean on) {
            this.captureParameters = on;
            return this;
        }

        /**
         * Whether statements carry their span's trace context to the server as a sqlcommenter comment (default
         * false): {@code SELECT ... /*traceparent='00-<trace id>-<span id>-01'*&#47;}, so that the server's log
         * lines ({@code log_min_duration_statement}, {@code auto_explain}, lock waits) and
         * {@code pg_stat_activity.query} can be matched with the trace. Only a statement sent unprepared carries
         * it: a named prepared statement keeps the text the prepared-statement cache knows (see
         * {@link dev.tusk.observe.TuskListener#statementComment}), and a text with a comment of its own is left
         * alone. {@code pg_stat_statements} ignores comments when it groups statements.
         */
        public Builder propagateTraceparent(boolean on) {
            this.propagateTraceparent = on;
            return this;
        }

        /** The telemetry with these settings. */
        public TuskTelemetry build() {
            return new TuskTelemetry(this);
        }
    }
}
