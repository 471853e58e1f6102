package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.async.AsyncAccess;
import dev.tusk.internal.async.Cancellers;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * The results of {@link AsyncConnection#execute}: psycopg's {@code AsyncCursor}. {@code execute} returns
 * a future that completes once the whole result has arrived; the fetch methods then walk it locally and
 * return plain values, since nothing is left to wait for. Row decoding and navigation are those of the
 * blocking {@link Cursor}.
 *
 * <pre>{@code
 * conn.cursor().execute("SELECT generate_series(1, %s) AS n", 3)
 *     .thenAccept(cur -> {
 *         Row first = cur.fetchone();
 *         List<Row> rest = cur.fetchall();
 *     });
 * }</pre>
 *
 * <p>Run one statement at a time per cursor (each execute replaces the results); for concurrent
 * statements use a cursor each, as {@code conn.execute(...)} does.
 *
 * @param <R> the row type, chosen by the cursor's {@link RowFactory}
 */
public sealed class AsyncCursor<R> implements Iterable<R>, AutoCloseable, AdaptContext permits AsyncClientCursor, AsyncRawCursor {
    static {
        AsyncAccess.install(new Door());
    }

    private final AsyncConnection<?> conn;
    private final Cursor<R> results;
    private volatile Boolean binary;

    AsyncCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory) {
        this(conn, rowFactory, Binder.SERVER);
    }

    /** A cursor of the kind {@code binder} makes it: psycopg's placeholders, raw, or merged on the client. */
    AsyncCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory, Binder binder) {
        this.conn = conn;
        // the connection's adapters as they are now, this cursor's own made on demand (as Cursor's): one map and
        // one automatic-format choice per prepared statement shared by the cursors that register nothing
        this.results = new Cursor<>(conn.adaptersInUse().snapshot(), rowFactory, binder);
    }

    /** How this kind of cursor turns a query and its parameters into what it sends (kept by its results' cursor). */
    final Binder binder() {
        return results.binder();
    }

    /** This cursor's adapters: registrations here affect this cursor only. */
    @Override
    public AdaptersMap adapters() {
        return results.adapters();
    }

    /** The adapters in effect: the cursor's own once it has some, else the connection's as at its making. */
    AdaptersMap adaptersInUse() {
        return results.adaptersInUse();
    }

    public AsyncConnection<?> connection() {
        return conn;
    }

    /** Runs {@code query} as written (simple protocol: no placeholders, several statements allowed). */
    public CompletableFuture<AsyncCursor<R>> execute(String query) {
        results.reset();
        return run(query, null, ExecuteOptions.DEFAULT);
    }

    /** Runs {@code query} with {@code %s} placeholders bound to {@code params}, sent separately from the SQL. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Object... params) {
        results.reset();
        return run(query, params == null ? new Object[] {null} : params, ExecuteOptions.DEFAULT);
    }

    /**
     * {@link #execute(String)} ({@code params} null) or {@link #execute(String, Object...)}, the outcome handed to
     * {@code done} on the loop thread instead of a future: tusk-r2dbc's, through internal.async's AsyncAccess.
     */
    final void execute(String query, Object[] params, BiConsumer<? super AsyncCursor<R>, Throwable> done) {
        results.reset();
        run(query, params, ExecuteOptions.DEFAULT, done);
    }

    /** Runs {@code query} with {@code %(name)s} placeholders bound to {@code params}. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Map<String, ?> params) {
        results.reset();
        return run(query, params, ExecuteOptions.DEFAULT);
    }

    /** Runs {@code query} with the given parameters (a sequence) and options (binary). */
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params, ExecuteOptions options) {
        results.reset();
        return run(query, params == null ? null : params.toArray(), options);
    }

    /**
     * Runs a composed query ({@code dev.tusk.sql}) with {@code %s} placeholders bound to {@code params};
     * without parameters and placeholders it is sent as written, as {@link Cursor#execute(dev.tusk.sql.Composable, Object...)}.
     *
     * <pre>{@code
     * cur.execute(new SQL("SELECT * FROM {} WHERE id = {}").format(new Identifier("users"), new Placeholder()), 42);
     * }</pre>
     */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Object... params) {
        if (params != null && params.length == 0 && !query.hasPlaceholders()) {
            return execute(query.asString(conn));
        }
        return execute(query.asTemplate(conn), params);
    }

    /** Runs a composed query with {@code %(name)s} placeholders ({@code new Placeholder("name")}). */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Map<String, ?> params) {
        return execute(query.asTemplate(conn), params);
    }

    /**
     * Runs {@code query} once per parameter set, all in one round trip, as {@link Cursor#executemany}: each
     * set is an Object[], a List or a Map. With {@code returning} the rows of each execution are kept (walk
     * them with {@link #nextset()}); without, rowcount is the total of rows affected.
     *
     * <pre>{@code
     * cur.executemany("INSERT INTO t (a, b) VALUES (%s, %s)", List.of(List.of(1, "x"), List.of(2, "y")), false)
     *    .thenAccept(c -> System.out.println(c.rowcount()));   // 2
     * }</pre>
     */
    public CompletableFuture<AsyncCursor<R>> executemany(String query, Iterable<?> paramSets, boolean returning) {
        return executemany(query, paramSets, returning, null);
    }

    /** As {@link Cursor#executemany(String, Iterable, boolean, Duration)}: under {@code timeout} (null: the connection's). */
    public CompletableFuture<AsyncCursor<R>> executemany(String query, Iterable<?> paramSets, boolean returning,
                                                         Duration timeout) {
        results.reset();
        return runMany(query, paramSets, returning, timeout);
    }

    /** {@link #executemany(String, Iterable, boolean)} without keeping the rows. */
    public CompletableFuture<AsyncCursor<R>> executemany(String query, Iterable<?> paramSets) {
        return executemany(query, paramSets, false);
    }

    /** {@link #executemany(String, Iterable, boolean)} for a composed query. */
    public CompletableFuture<AsyncCursor<R>> executemany(Composable query, Iterable<?> paramSets, boolean returning) {
        return executemany(query.asTemplate(conn), paramSets, returning);
    }

    /**
     * Starts {@code COPY ... FROM STDIN} or {@code COPY ... TO STDOUT}; the future completes once the server is
     * ready to receive or send the data (see {@link AsyncCopy}).
     *
     * <pre>{@code
     * conn.cursor().copy("COPY t (a, b) FROM STDIN")
     *     .thenCompose(copy -> { copy.writeRow(1, "x"); return copy.finish(); });
     * }</pre>
     */
    public CompletableFuture<AsyncCopy> copy(String statement) {
        return copied(startCopy(statement));
    }

    /**
     * Runs one statement: {@code params} null means the simple protocol, otherwise an Object[] or a Map. Binding
     * happens here, on the caller's thread (a failure fails the future); sending on the loop, through the connection's
     * {@code AsyncOperations}, in order; a pool's lease that ended fails it ({@link ConnectionShell#leaseEnded()}).
     */
    private CompletableFuture<AsyncCursor<R>> run(String query, Object params, ExecuteOptions opts) {
        if (conn.leaseEnded()) {
            return ConnectionShell.refusedLease();
        }
        Execute op;
        try {
            op = bind(query, params, opts);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return conn.operations.submit(conn.lease(), op, o -> {
            setResults(((Execute) o).results());
            return this;
        });
    }

    /** As {@link #run(String, Object, ExecuteOptions)}, the outcome handed to {@code done} (on the loop thread; on this one when refused at once). */
    private void run(String query, Object params, ExecuteOptions opts, BiConsumer<? super AsyncCursor<R>, Throwable> done) {
        if (conn.leaseEnded()) {
            done.accept(null, ConnectionErrors.endedLease());
            return;
        }
        Execute op;
        try {
            op = bind(query, params, opts);
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        conn.operations.submit(conn.lease(), op, o -> {
            setResults(((Execute) o).results());
            return this;
        }, done);
    }

    private Execute bind(String query, Object params, ExecuteOptions opts) {
        return conn.statement(binder(), adaptersInUse(), binary(), 0, query, params, opts);
    }

    /** executemany: every parameter set in one round trip, as on Connection ({@link ExecuteMany}). */
    private CompletableFuture<AsyncCursor<R>> runMany(String query, Iterable<?> paramSets, boolean returning,
                                                      Duration timeout) {
        if (conn.leaseEnded()) {
            return ConnectionShell.refusedLease();
        }
        ExecuteMany op;
        try {
            op = conn.many(binder(), adaptersInUse(), binary(), query, paramSets, returning, timeout);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        if (op == null) {
            setResults(List.of());
            afterMany(returning);
            return CompletableFuture.completedFuture(this);
        }
        return conn.operations.submit(conn.lease(), op, o -> {
            setResults(((ExecuteMany) o).results());
            afterMany(returning);
            return this;
        });
    }

    /** See {@code AsyncOperations#startCopy}. */
    private CompletableFuture<AsyncCopy> startCopy(String sql) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.startCopy(conn.lease(), sql,
                (op, f) -> new AsyncCopy(conn, op, adaptersInUse(), f), AsyncCopy::ended);
    }

    /**
     * A COPY started by this cursor: {@link #description()} gives its columns ({@code column_1}...) and
     * {@link #rowcount()} its rows once it ended, as {@link Cursor#copy(String)}; a COPY that fails to start leaves
     * nothing of the previous results.
     */
    private CompletableFuture<AsyncCopy> copied(CompletableFuture<AsyncCopy> started) {
        results.reset();
        return started.thenApply(c -> {
            results.copyStarted(c.command(), c::rowcount);
            return c;
        });
    }

    /**
     * {@link #copy(String)} with parameters merged into the statement on the client, as psycopg's
     * {@code copy(statement, params)} (COPY takes no server-side parameters).
     */
    public CompletableFuture<AsyncCopy> copy(String statement, Object... params) {
        String sql;
        try {
            sql = ClientMerge.mogrify(statement, params, conn);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return copied(startCopy(sql));
    }

    /**
     * {@link #copy(String)} with named parameters ({@code %(name)s} placeholders) merged into the statement on
     * the client, as psycopg's {@code copy(statement, {"name": value})}.
     */
    public CompletableFuture<AsyncCopy> copy(String statement, Map<String, ?> params) {
        String sql;
        try {
            sql = ClientMerge.merge(statement, params, conn);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return copied(startCopy(sql));
    }

    /**
     * Results in binary format for the statements this cursor runs (null: text). An {@link AsyncClientCursor}
     * refuses true ({@code NotSupportedException}): binary results need the extended protocol.
     */
    public void setBinary(Boolean binary) {
        this.binary = binder().acceptBinary(binary);
    }

    public Boolean binary() {
        return binary;
    }

    /** Called on the event loop when the statement's results are in, before the future completes. */
    void setResults(List<ResultData> data) {
        results.setResults(data);
    }

    void afterMany(boolean returning) {
        results.afterMany(returning);
    }

    /** The next row, or null when there is none. */
    public R fetchone() {
        return results.fetchone();
    }

    /** Up to {@code size} next rows. */
    public List<R> fetchmany(int size) {
        return results.fetchmany(size);
    }

    /** Up to {@link #arraysize()} next rows. */
    public List<R> fetchmany() {
        return results.fetchmany();
    }

    /** Every remaining row. */
    public List<R> fetchall() {
        return results.fetchall();
    }

    @Override
    public Iterator<R> iterator() {
        return results.iterator();
    }

    /** Moves to the next result set (after a multi-statement query); false when there is none. */
    public boolean nextset() {
        return results.nextset();
    }

    /** Moves to result set {@code index} (negative: from the end), as {@link Cursor#setResult}. Returns this. */
    public AsyncCursor<R> setResult(int index) {
        results.setResult(index);
        return this;
    }

    /** Each result set of the statement in turn, from the current one, this cursor moved onto it, as {@link Cursor#results()}. */
    public Iterable<AsyncCursor<R>> results() {
        Iterable<Cursor<R>> each = results.results();
        return () -> {
            Iterator<Cursor<R>> it = each.iterator();
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return it.hasNext();
                }

                @Override
                public AsyncCursor<R> next() {
                    it.next();
                    return AsyncCursor.this;
                }
            };
        };
    }

    /** Moves the position in the current result: {@code mode} "relative" or "absolute". */
    public void scroll(int value, String mode) {
        results.scroll(value, mode);
    }

    /** Rows affected by the last statement, or returned by it; -1 when not known. */
    public long rowcount() {
        return results.rowcount();
    }

    /** The 0-based index of the next row to fetch, or -1 when there is no result. */
    public int rownumber() {
        return results.rownumber();
    }

    /** The columns of the current result, or null when the statement returned no rows. */
    public List<Column> description() {
        return results.description();
    }

    /** The command tag of the current result ("INSERT 0 1", "SELECT 3"), or null. */
    public String statusmessage() {
        return results.statusmessage();
    }

    public int arraysize() {
        return results.arraysize();
    }

    public void setArraysize(int n) {
        results.setArraysize(n);
    }

    public boolean isClosed() {
        return results.isClosed();
    }

    @Override
    public void close() {
        results.close();
    }

    /** What {@link AsyncAccess} lets a driver built on AsyncConnection do; installed by this class's initialisation. */
    private static final class Door implements AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>> {
        /**
         * As {@code conn.cancelSafe(timeout)}: the request is written only if {@code gate} allows it right before the
         * write, and {@code gate} hears whether the server confirmed it. On the connection itself, not a pool's lease
         * handle (whose lease has a gate of its own).
         */
        @Override
        public CompletableFuture<Void> cancel(AsyncConnection<?> conn, Duration timeout, CancelRequester.Gate gate) {
            if (conn.home != conn) {
                return LoopFuture.failed(new IllegalStateException("a gated cancel request is for the connection itself,"
                        + " not a pool's lease handle"));
            }
            return Cancellers.run(() -> conn.requestCancel(timeout, "user", gate));
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void execute(AsyncCursor<?> cursor, String query, Object[] params, BiConsumer<? super AsyncCursor<?>, Throwable> done) {
            ((AsyncCursor) cursor).execute(query, params, (BiConsumer) done);
        }
    }
}
