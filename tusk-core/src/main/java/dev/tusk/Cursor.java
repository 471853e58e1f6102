package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.blocking.BlockingStatements;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ClientMerge;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.rows.ResultView;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The results of {@code execute}, and the means to run more statements: psycopg's client-side cursor.
 * The whole result is received by {@code execute}; {@code fetch*} then walk it.
 *
 * <pre>{@code
 * try (Cursor<Row> cur = conn.cursor()) {
 *     cur.execute("SELECT generate_series(1, %s)", 3);
 *     Row first = cur.fetchone();
 *     List<Row> rest = cur.fetchall();
 * }
 * }</pre>
 *
 * @param <R> the row type, chosen by the cursor's {@link RowFactory}
 */
public class Cursor<R> implements Iterable<R>, AutoCloseable, AdaptContext {
    private final Connection<?> conn;
    /**
     * The connection's adapters as they were when this cursor was made (psycopg's copy-on-write: a registration on
     * the connection made later does not reach this cursor), until this cursor gets its own (on the first call to
     * adapters()).
     */
    private final Supplier<AdaptersMap> inherited;
    private AdaptersMap adapters;
    private final RowFactory<R> rowFactory;
    /** How this kind of cursor turns a query and its parameters into what it sends. */
    private final Binder binder;
    private List<ResultView> results = List.of();
    private List<String> tags = List.of();
    private int resultIndex;
    private ResultView current;
    /**
     * The version of this cursor's own {@link #adapters} the {@link #results} were read with, or -1 when they were
     * read with the connection's: a loader registered on the cursor later makes them read again (psycopg 3.3).
     */
    private int viewsVersion = -1;
    private RowFactory.RowMaker<R> maker;
    private int pos;
    private long rowcount = -1;
    /** {@link #rowcount} not worked out yet from the current result. */
    private static final long ROWCOUNT_FROM_RESULT = Long.MIN_VALUE;
    /** Where the connection's {@link BlockingStatements} hands a statement's results, or its pending commands. */
    private static final BlockingStatements.Outcome<Cursor<?>> OUTCOME = new BlockingStatements.Outcome<>() {
        @Override
        public void started(Cursor<?> cursor) {
            cursor.operation = cursor.conn.state.operations; // what a targeted cancel of this statement checks
        }

        @Override
        public void completed(Cursor<?> cursor, QueryCommand command) {
            cursor.setResults(command);
        }

        @Override
        public void results(Cursor<?> cursor, List<ResultData> results) {
            cursor.setResults(results);
        }

        @Override
        public void pending(Cursor<?> cursor, List<QueryCommand> before, QueryCommand last) {
            cursor.setPending(before, last);
        }
    };
    private int arraysize = 1;
    /** During and after a COPY run by this cursor: its columns as psycopg describes them ({@code column_1}...), else null. */
    private List<Column> copyColumns;
    /** During and after a COPY run by this cursor: its row count (-1 until it ended), else null. */
    private LongSupplier copyRows;
    private Boolean binary;
    private int maxRows;
    private boolean closed;
    /**
     * The loaders and readers of the last result a {@link RowStream} of this cursor chose them for, over no rows
     * ({@link ResultView#shape}): the next stream of a result alike (a prepared statement run again) takes them
     * instead of choosing them again. Read and set by the stream's consumer thread only.
     */
    ResultView streamShape;
    /**
     * The last {@link #liveRows} stream of this cursor, once its consumer closed it after its statement ended
     * ({@link RowStream#reusableAfterClose()}): the next one reuses it instead of making another. Read and set
     * under the connection's lock.
     */
    RowStream<R> closedStream;
    /**
     * The count of the connection's operations ({@code ActiveWork.State#operations}) when this cursor's last
     * statement started: while it is still the last, that statement is the one a targeted cancel may stop
     * ({@link #cancelStatement}). Written under the connection's lock.
     */
    volatile long operation = -1;

    Cursor(Connection<?> conn, RowFactory<R> rowFactory) {
        this(conn, rowFactory, Binder.SERVER);
    }

    /** A cursor of the kind {@code binder} makes it: psycopg's placeholders, raw, or merged on the client. */
    Cursor(Connection<?> conn, RowFactory<R> rowFactory, Binder binder) {
        this.conn = conn;
        this.inherited = conn.adaptersInUse().snapshot(); // forNewCursor() checked the lease
        this.rowFactory = rowFactory;
        this.binder = binder;
    }

    /**
     * A cursor that only holds results another driver fetched (an {@link AsyncCursor}'s, whose adapters are this
     * cursor's: {@code inherited} until it gets its own); it cannot execute.
     */
    Cursor(Supplier<AdaptersMap> inherited, RowFactory<R> rowFactory, Binder binder) {
        this.conn = null;
        this.inherited = inherited;
        this.rowFactory = rowFactory;
        this.binder = binder;
    }

    /**
     * Asks the server to cancel the statement this cursor started last, only while it is the one the connection
     * runs (a stream of it reading its rows, or being read to its end into memory before the next statement): the
     * request is dropped once another operation started, and an operation starting while the request is on its way
     * waits until the server handled it (bounded by the request's own deadline), so it never stops another statement.
     * Callable from any thread; for a driver's per-statement cancel (tusk-jdbc's Statement.cancel). Nothing for a
     * cursor that cannot execute.
     */
    void cancelStatement() {
        if (conn == null) {
            return;
        }
        conn.look();
        conn.checkCancelAllowed();
        if (!conn.isClosed()) {
            conn.requestCancel(null, "user", conn.state.targeting(this, conn.leaseGate()));
        }
    }

    /** This cursor's adapters: registrations here affect this cursor only. */
    @Override
    public AdaptersMap adapters() {
        if (adapters == null) {
            adapters = inherited.get().child(); // made on demand: most cursors never register anything
        }
        return adapters;
    }

    /** How this kind of cursor turns a query and its parameters into what it sends. */
    final Binder binder() {
        return binder;
    }

    /** The adapters in effect: the cursor's own once it has some, else the connection's. */
    AdaptersMap adaptersInUse() {
        return adapters != null ? adapters : inherited.get();
    }

    public Connection<?> connection() {
        return conn;
    }

    /** Runs {@code query} as written (simple protocol: no placeholders, several statements allowed). */
    public Cursor<R> execute(String query) {
        checkOpen();
        reset();
        run(query, null, ExecuteOptions.DEFAULT);
        return this;
    }

    /** Runs {@code query} with {@code %s} placeholders bound to {@code params}, sent separately from the SQL. */
    public Cursor<R> execute(String query, Object... params) {
        checkOpen();
        reset();
        run(query, params == null ? new Object[] {null} : params, ExecuteOptions.DEFAULT);
        return this;
    }

    /** Runs {@code query} with {@code %(name)s} placeholders bound to {@code params}. */
    public Cursor<R> execute(String query, Map<String, ?> params) {
        checkOpen();
        reset();
        run(query, params, ExecuteOptions.DEFAULT);
        return this;
    }

    /** Runs {@code query} with the given parameters (a sequence) and options (prepare, binary). */
    public Cursor<R> execute(String query, List<?> params, ExecuteOptions options) {
        checkOpen();
        reset();
        run(query, params == null ? null : params.toArray(), options);
        return this;
    }

    /** Runs one statement; {@code params} null means no parameters at all (simple protocol), else an Object[] or a Map. */
    private void run(String query, Object params, ExecuteOptions opts) {
        conn.use();
        conn.statements.run(conn.statement(binder(), adaptersInUse(), binary(), maxRows(), query, params, opts), this,
                OUTCOME);
    }

    // SQL composition ---------------------------------------------------------------------------
    // A composed query is rendered with the connection (its adapters write Literals of other types).
    // Without parameters it is sent as written, like a String query: psycopg sends a Composable with no
    // params as-is. The exception is a query containing Placeholders, which goes through placeholder
    // processing so that the missing parameters are reported instead of a bare '%s' reaching the server.
    // With parameters the asTemplate() text is used: a '%' inside an Identifier or a Literal is doubled
    // there, so values such as '100%' or '%s' are not taken for placeholders.

    /**
     * Runs a composed query ({@code dev.tusk.sql}), with {@code %s} placeholders bound to {@code params}.
     *
     * <pre>{@code
     * cur.execute(new SQL("SELECT * FROM {} WHERE id = {}").format(new Identifier("app", "users"), new Placeholder()), 42);
     * }</pre>
     */
    public Cursor<R> execute(Composable query, Object... params) {
        if (params != null && params.length == 0 && !query.hasPlaceholders()) {
            return execute(query.asString(conn));
        }
        return execute(query.asTemplate(conn), params);
    }

    /** Runs a composed query with {@code %(name)s} placeholders ({@code new Placeholder("name")}). */
    public Cursor<R> execute(Composable query, Map<String, ?> params) {
        return execute(query.asTemplate(conn), params);
    }

    /** Runs a composed query with a parameter sequence and options; a null {@code params}: sent as written. */
    public Cursor<R> execute(Composable query, List<?> params, ExecuteOptions options) {
        return execute(params == null ? query.asString(conn) : query.asTemplate(conn), params, options);
    }

    /** {@link #executemany(String, Iterable, boolean)} for a composed query. */
    public Cursor<R> executemany(Composable query, Iterable<?> paramSets, boolean returning) {
        return executemany(query.asTemplate(conn), paramSets, returning);
    }

    /** {@link #executemany(String, Iterable)} for a composed query. */
    public Cursor<R> executemany(Composable query, Iterable<?> paramSets) {
        return executemany(query.asTemplate(conn), paramSets, false);
    }
    // end of SQL composition ------------------------------------------------------------------------

    /**
     * Runs {@code query} once per parameter set, all in one round trip. With {@code returning} the rows
     * of each execution are kept: walk them with {@link #nextset()}. Each set is an Object[], a List or
     * a Map (named placeholders); any other object is the single parameter.
     *
     * <pre>{@code
     * cur.executemany("INSERT INTO t (a, b) VALUES (%s, %s)", List.of(List.of(1, "x"), List.of(2, "y")), false);
     * }</pre>
     */
    public Cursor<R> executemany(String query, Iterable<?> paramSets, boolean returning) {
        return executemany(query, paramSets, returning, null);
    }

    /**
     * As {@link #executemany(String, Iterable, boolean)}, under {@code timeout} instead of the connection's statement
     * timeout (null: the connection's): the write of every set and the wait for their results, as
     * {@link ExecuteOptions#timeout()} bounds an execute.
     */
    public Cursor<R> executemany(String query, Iterable<?> paramSets, boolean returning, Duration timeout) {
        checkOpen();
        reset();
        conn.use();
        ExecuteMany op = conn.many(binder(), adaptersInUse(), binary(), query, paramSets, returning, timeout);
        if (op == null) {
            setResults(List.of());
        } else {
            conn.statements.runMany(op, this, OUTCOME);
        }
        if (pending != null) {
            pendingManyWithoutRows = !returning; // pipeline mode: applied once the results are in
        } else {
            afterMany(returning);
        }
        return this;
    }

    /**
     * After executemany: with {@code returning} the results stay for {@link #nextset()}; without, they
     * are dropped and rowcount is the total of rows affected, as psycopg reports it.
     */
    void afterMany(boolean returning) {
        if (returning) {
            return;
        }
        long total = 0;
        for (String tag : tags) {
            total += Math.max(0, ResultData.affectedRows(tag));
        }
        results = List.of();
        current = null;
        rowcount = total;
    }

    /** {@link #executemany(String, Iterable, boolean)} without keeping the rows. */
    public Cursor<R> executemany(String query, Iterable<?> paramSets) {
        return executemany(query, paramSets, false);
    }

    /**
     * Runs {@code query} and returns its rows as they arrive, in bounded memory whatever the size of the
     * result, in autocommit mode too. Close the stream (or consume it) before using the connection
     * again: another statement on the connection first ends it.
     *
     * <p>A stream closed (or abandoned) before its end ends its statement in bounded time and memory, as
     * psycopg: the rows still arriving are dropped, never collected, and the server is asked to cancel the
     * statement. Inside a transaction, where a cancel leaves the transaction in error (roll back), up to 16 MB
     * of the remainder are first read and dropped, so a short remainder costs no cancel.
     *
     * <pre>{@code
     * try (Stream<Row> rows = conn.cursor().stream("SELECT * FROM big_table WHERE kind = %s", "x")) {
     *     rows.forEach(r -> process(r));
     * }
     * }</pre>
     */
    public Stream<R> stream(String query, Object... params) {
        checkOpen();
        return toStream(ActiveWork.openStream(conn, this, rowFactory, query, params == null ? new Object[] {null} : params));
    }

    /** {@link #stream(String, Object...)} for a query without parameters (simple protocol). */
    public Stream<R> stream(String query) {
        checkOpen();
        return toStream(ActiveWork.openStream(conn, this, rowFactory, query, null));
    }

    /**
     * As {@link #stream(String, Object...)}, with the parameters as a sequence and per-call options, the
     * statement prepared and its result format chosen as {@link #execute(String, List, ExecuteOptions)} does
     * (Tusk's automatic format included), and this cursor's {@link #setMaxRows max rows}. The timeout bounds
     * the time spent waiting for the server over all the stream's reads (not the time the consumer takes):
     * when it passes, the statement is cancelled and the next read raises {@code QueryCanceled}.
     *
     * <p>With {@code keepRest}, another operation on the connection before the stream was read to its end does
     * not end it: the rest of its rows is first read into memory (within the timeout) and the stream goes on
     * from there, as a JDBC result set must; an error of the statement is raised after the rows that came
     * before it. Without it, the stream ends as {@link #stream(String, Object...)}'s does.
     *
     * @param params null: no parameters (the simple protocol, several statements allowed)
     */
    public Stream<R> stream(String query, List<?> params, ExecuteOptions options, boolean keepRest) {
        return toStream(openStream(query, params == null ? null : params.toArray(), options, keepRest, false));
    }

    /**
     * {@link #stream(String, List, ExecuteOptions, boolean)}'s rows, without the Stream (internal.rows.RowAccess):
     * a driver's, never used again once closed, so that this cursor's next such stream reuses it. {@code params}
     * (null: none) are read as the statement starts, not kept.
     */
    RowStream<R> liveRows(String query, Object[] params, ExecuteOptions options, boolean keepRest) {
        return openStream(query, params, options, keepRest, true);
    }

    private RowStream<R> openStream(String query, Object[] params, ExecuteOptions options, boolean keepRest,
                                    boolean reusable) {
        checkOpen();
        return ActiveWork.openStream(conn, this, rowFactory, query, params,
                options == null ? ExecuteOptions.DEFAULT : options, keepRest, reusable);
    }

    /**
     * {@link #stream(String, Object...)} with the parameters as a sequence and the rows read from the server
     * {@code size} at a time, as psycopg's {@code stream(query, params, size=)}: the same rows whatever the size, which
     * only bounds what is held in memory between two reads (by default 256).
     *
     * <pre>{@code
     * try (Stream<Row> rows = cur.stream("SELECT * FROM big WHERE kind = %s", List.of("x"), 1000)) { ... }
     * }</pre>
     *
     * @param params null: no parameters (the simple protocol, several statements allowed)
     * @throws IllegalArgumentException when {@code size} is below 1 (psycopg's ValueError)
     */
    public Stream<R> stream(String query, List<?> params, int size) {
        if (size < 1) {
            throw new IllegalArgumentException("size must be >= 1, got " + size);
        }
        checkOpen();
        RowStream<R> it = ActiveWork.openStream(conn, this, rowFactory, query, params == null ? null : params.toArray());
        it.chunkRows(size);
        return toStream(it);
    }

    /**
     * {@link #stream(String, Object...)} for a composed query ({@code dev.tusk.sql}), rendered as
     * {@link #execute(dev.tusk.sql.Composable, Object...)} renders it: without parameters nor placeholders it is sent
     * as written.
     */
    public Stream<R> stream(Composable query, Object... params) {
        if (params != null && params.length == 0 && !query.hasPlaceholders()) {
            return stream(query.asString(conn));
        }
        return stream(query.asTemplate(conn), params);
    }

    /** {@link #stream(String, List, int)} for a composed query; a null {@code params}: sent as written. */
    public Stream<R> stream(Composable query, List<?> params, int size) {
        return stream(params == null ? query.asString(conn) : query.asTemplate(conn), params, size);
    }

    /**
     * Whether a {@link #stream} of this cursor still reads its rows from the server: false once it ended, was closed,
     * or was read to its end into memory because another statement ran on the connection. A connection-level
     * {@link Connection#cancel()} meant for such a stream only reaches it while this is true; after, it would stop
     * whatever else runs on the connection.
     */
    public boolean isStreaming() {
        return ActiveWork.streaming(conn, this);
    }

    private Stream<R> toStream(RowStream<R> it) {
        var split = Spliterators.spliteratorUnknownSize(it, Spliterator.ORDERED);
        return StreamSupport.stream(split, false).onClose(() -> ActiveWork.closeStream(conn, it));
    }

    /**
     * Starts {@code COPY ... FROM STDIN} or {@code COPY ... TO STDOUT}; see {@link Copy}.
     */
    public Copy copy(String statement) {
        checkOpen();
        reset(); // a COPY that fails to start leaves nothing of the previous results either
        return copied(ActiveWork.startCopy(conn, this, statement));
    }

    /**
     * A COPY started by this cursor: until its next statement, {@link #description()} gives the COPY's columns
     * ({@code column_1}, ... of type oid 0, as libpq describes a COPY) and {@link #rowcount()} its rows once it
     * ended (-1 before, or when it failed), as psycopg's cursor during and after {@code copy()}.
     */
    private Copy copied(Copy copy) {
        copyStarted(copy.command(), copy::rowcount);
        return copy;
    }

    /** See {@link #copied}: also for an {@link AsyncCursor}'s COPY. */
    void copyStarted(CopyCommand cmd, LongSupplier rows) {
        reset();
        int n = cmd.columns();
        Column[] cols = new Column[n];
        for (int i = 0; i < n; i++) {
            cols[i] = new Column("column_" + (i + 1), 0, 0, 0, -1, -1, cmd.format());
        }
        copyColumns = List.of(cols);
        copyRows = rows;
    }

    /**
     * {@link #copy(String)} with parameters, as psycopg's {@code copy(statement, params)}: COPY takes no
     * server-side parameters, so they are merged into the statement on the client, quoted by the adapters.
     *
     * <pre>{@code
     * try (Copy copy = cur.copy("COPY (SELECT * FROM t WHERE day = %s) TO STDOUT", LocalDate.now())) { ... }
     * }</pre>
     */
    public Copy copy(String statement, Object... params) {
        checkOpen();
        reset(); // a COPY that fails to start leaves nothing of the previous results either
        return copied(ActiveWork.startCopy(conn, this, ClientMerge.mogrify(statement, params, conn)));
    }

    /**
     * {@link #copy(String)} with named parameters ({@code %(name)s} placeholders), merged into the statement on
     * the client as {@link #copy(String, Object...)} does, as psycopg's {@code copy(statement, {"name": value})}.
     */
    public Copy copy(String statement, Map<String, ?> params) {
        checkOpen();
        reset(); // a COPY that fails to start leaves nothing of the previous results either
        return copied(ActiveWork.startCopy(conn, this, ClientMerge.merge(statement, params, conn)));
    }

    /**
     * Results in binary format for the statements this cursor runs (null: the connection's default, text). A
     * {@link ClientCursor} refuses true ({@code NotSupportedException}): binary results need the extended protocol.
     */
    public void setBinary(Boolean binary) {
        this.binary = binder.acceptBinary(binary);
    }

    public Boolean binary() {
        return binary;
    }

    /**
     * At most {@code rows} rows of each statement this cursor runs with parameters ({@code 0}, the default: all):
     * the server stops there (an Execute with a row count, as JDBC's {@code setMaxRows}), so the rest of the
     * result is neither produced nor sent, and the connection is ready for the next statement at once. A statement
     * without parameters (simple protocol) and statements in pipeline mode are not limited; pass an empty
     * parameter list to run a single statement with the extended protocol.
     */
    public void setMaxRows(int rows) {
        if (rows < 0) {
            throw new IllegalArgumentException("maxRows must be >= 0, got " + rows);
        }
        this.maxRows = rows;
    }

    /** The row limit of {@link #setMaxRows}; 0: none. */
    public int maxRows() {
        return maxRows;
    }

    private QueryCommand pending;
    /** Pipeline mode: the commands sent before {@link #pending} whose results belong to this cursor too, or null. */
    private List<QueryCommand> pendingBefore;
    /** Pipeline mode: the pending results are an executemany's without returning (only the rowcount is kept). */
    private boolean pendingManyWithoutRows;

    /** Pipeline mode: the results will come with {@code cmd}. */
    void setPending(QueryCommand cmd) {
        setPending(null, cmd);
    }

    /**
     * Pipeline mode: the results will come with {@code before} (null or commands sent earlier, in order) and
     * {@code last}, the last one sent.
     */
    void setPending(List<QueryCommand> before, QueryCommand last) {
        this.pending = last;
        this.pendingBefore = before;
        this.pendingManyWithoutRows = false;
        this.results = List.of();
        this.tags = List.of();
        this.current = null;
        this.rowcount = -1;
    }

    private void resolvePending() {
        QueryCommand cmd = pending;
        if (cmd == null) {
            return;
        }
        conn.use();
        conn.pipelines.await(cmd, conn::checkUsable); // the ones before it complete first
        List<QueryCommand> before = pendingBefore;
        pending = null;
        pendingBefore = null;
        List<ResultData> data = cmd.results();
        if (before != null) {
            data = new ArrayList<>();
            for (QueryCommand c : before) {
                throwIfFailed(c);
                data.addAll(c.results());
            }
            data.addAll(cmd.results());
        }
        throwIfFailed(cmd);
        boolean manyWithoutRows = pendingManyWithoutRows;
        setResults(data);
        if (manyWithoutRows) {
            afterMany(false);
        }
    }

    /** Whether a pipelined statement of this cursor failed: its error is for a fetch or the pipeline's sync to raise. */
    private boolean pendingFailed() {
        if (pending.error() != null) {
            return true;
        }
        if (pendingBefore != null) {
            for (QueryCommand c : pendingBefore) {
                if (c.error() != null) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Raises a pipelined statement's error, telling the pipeline that the user has seen it. */
    private void throwIfFailed(QueryCommand cmd) {
        if (cmd.error() != null) {
            conn.look();
            throw conn.pipelines.errorRaised(cmd.error());
        }
    }

    /**
     * The results of {@code cmd}, a statement's command that completed: as {@code setResults(cmd.results())}, without
     * making the command's list of results when there is one (the usual case).
     */
    void setResults(QueryCommand cmd) {
        if (cmd.resultCount() == 1) {
            setResult(cmd.result(0));
        } else {
            setResults(cmd.results());
        }
    }

    /** The cursor's state of a new statement's results, before they are set. */
    private AdaptersMap newResults() {
        copyColumns = null;
        copyRows = null;
        pending = null; // results of a statement run since: those of an earlier pipelined one no longer apply
        pendingBefore = null;
        pendingManyWithoutRows = false;
        viewsVersion = adapters != null ? adapters.version() : -1;
        return adaptersInUse();
    }

    /** A statement's only result (the usual case: no list to grow, no iterator). */
    private void setResult(ResultData d) {
        AdaptersMap a = newResults();
        this.results = List.of(new ResultView(d, a));
        this.tags = Collections.singletonList(d.commandTag());
        select(0);
    }

    void setResults(List<ResultData> data) {
        if (data.size() == 1) {
            setResult(data.get(0));
            return;
        }
        AdaptersMap a = newResults();
        List<ResultView> views = new ArrayList<>(data.size());
        List<String> t = new ArrayList<>(data.size());
        for (int i = 0; i < data.size(); i++) {
            ResultData d = data.get(i);
            views.add(new ResultView(d, a));
            t.add(d.commandTag());
        }
        this.results = views;
        this.tags = t;
        select(0);
    }

    /**
     * The results read again with this cursor's adapters when a registration on them came after the results did,
     * as psycopg 3.3's cursors do: the rows fetched from now on, of the current result and of the others, go through
     * the new loaders; the position does not move. One null check when the cursor has no adapters of its own.
     */
    private void reloadIfAdaptersChanged() {
        AdaptersMap a = adapters;
        if (a == null || a.version() == viewsVersion || results.isEmpty()) {
            return;
        }
        viewsVersion = a.version();
        List<ResultView> views = new ArrayList<>(results.size());
        for (ResultView v : results) {
            views.add(new ResultView(v.data, a));
        }
        results = views;
        current = resultIndex < views.size() ? views.get(resultIndex) : null;
    }

    /**
     * Forgets the results of the previous statement, as psycopg does when a statement starts: if the new one
     * fails, nothing of the old one (rows, rowcount, statusmessage) is left to be taken for its results.
     */
    void reset() {
        pending = null;
        pendingBefore = null;
        pendingManyWithoutRows = false;
        results = List.of();
        tags = List.of();
        resultIndex = 0;
        current = null;
        maker = null;
        pos = 0;
        rowcount = -1;
        copyColumns = null;
        copyRows = null;
    }

    private void select(int index) {
        resultIndex = index;
        pos = 0;
        if (index < results.size()) {
            current = results.get(index);
            maker = current.data.returnsRows() ? rowFactory.maker(Column.asColumns(current.columns())) : null;
            rowcount = ROWCOUNT_FROM_RESULT; // the command tag is parsed only if asked
        } else {
            current = null;
            maker = null;
            rowcount = -1;
        }
    }

    /** Moves to the next result set (after a multi-statement query); false when there is none. */
    public boolean nextset() {
        if (resultIndex + 1 < results.size()) {
            select(resultIndex + 1);
            return true;
        }
        return false;
    }

    /**
     * Moves to result set {@code index} of the last statement (a negative index counts from the end), as psycopg's
     * {@code set_result}; fails with IndexOutOfBoundsException (psycopg's IndexError) outside them. Returns this.
     */
    public Cursor<R> setResult(int index) {
        checkOpen();
        resolvePending();
        int n = results.size();
        int i = index < 0 ? n + index : index;
        if (i < 0 || i >= n) {
            throw new IndexOutOfBoundsException("result " + index + " out of range: the last statement gave " + n
                    + " result set(s)");
        }
        select(i);
        return this;
    }

    /**
     * Each result set of the last statement in turn, from the current one, this cursor moved onto it (psycopg's
     * {@code results()}): several after a multi-statement query or {@code executemany(..., true)}, none when there is
     * no result. Walk it once, fetching from the cursor each step returns.
     *
     * <pre>{@code
     * for (Cursor<Row> res : cur.execute("SELECT 1; SELECT 2").results()) { res.fetchall(); }
     * }</pre>
     */
    public Iterable<Cursor<R>> results() {
        return () -> new Iterator<>() {
            private boolean started;
            private boolean ready;
            private boolean done;

            @Override
            public boolean hasNext() {
                if (ready || done) {
                    return ready;
                }
                if (!started) {
                    started = true;
                    checkOpen();
                    resolvePending();
                    ready = current != null;
                } else {
                    ready = nextset();
                }
                done = !ready;
                return ready;
            }

            @Override
            public Cursor<R> next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ready = false;
                return Cursor.this;
            }
        };
    }

    /** The next row, or null when there is none. */
    public R fetchone() {
        checkResult();
        if (pos >= current.data.rowCount()) {
            return null;
        }
        return maker.make(new Row(current, pos++));
    }

    /** Up to {@code size} next rows. */
    public List<R> fetchmany(int size) {
        checkResult();
        int n = Math.max(0, Math.min(size, current.data.rowCount() - pos));
        List<R> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(maker.make(new Row(current, pos++)));
        }
        return out;
    }

    /** Up to {@link #arraysize()} next rows. */
    public List<R> fetchmany() {
        return fetchmany(arraysize);
    }

    /** Every remaining row. */
    public List<R> fetchall() {
        checkResult();
        return fetchmany(current.data.rowCount() - pos);
    }

    @Override
    public Iterator<R> iterator() {
        checkResult();
        return new Iterator<>() {
            @Override
            public boolean hasNext() {
                return current != null && pos < current.data.rowCount();
            }

            @Override
            public R next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                reloadIfAdaptersChanged();
                return maker.make(new Row(current, pos++));
            }
        };
    }

    /**
     * Moves the position in the current result: {@code mode} "relative" (default) or "absolute". A target outside
     * the rows (below 0, or at or past the row count) throws IndexOutOfBoundsException (psycopg's IndexError) and
     * leaves the position unchanged.
     */
    public void scroll(int value, String mode) {
        checkResult();
        int target = switch (mode) {
            case "relative" -> pos + value;
            case "absolute" -> value;
            default -> throw new ProgrammingException("scroll mode must be 'relative' or 'absolute', got '" + mode + "'");
        };
        if (target < 0 || target >= current.data.rowCount()) { // one past the last row is refused too, as psycopg
            throw new IndexOutOfBoundsException("scroll target " + target + " out of the result's range 0.."
                    + (current.data.rowCount() - 1) + ": the position is unchanged");
        }
        pos = target;
    }

    /** Rows affected by the last statement, or returned by it; -1 when not known. */
    public long rowcount() {
        if (pending != null && pending.isDone()) {
            resolvePending();
        }
        if (copyRows != null) {
            return copyRows.getAsLong();
        }
        if (rowcount == ROWCOUNT_FROM_RESULT) {
            long affected = current.data.affectedRows();
            rowcount = affected >= 0 ? affected : current.data.returnsRows() ? current.data.rowCount() : -1;
        }
        return rowcount;
    }

    /** The 0-based index of the next row to fetch, or -1 when there is no result. */
    public int rownumber() {
        return current == null || maker == null ? -1 : pos;
    }

    /**
     * The columns of the current result, or null when the statement returned no rows (as DB-API). A result of
     * rows without columns ({@code SELECT;}) has an empty description, and its rows are empty.
     */
    public List<Column> description() {
        if (copyColumns != null) {
            return copyColumns;
        }
        return current == null || !current.data.returnsRows() ? null : Column.asColumns(current.columns());
    }

    /**
     * The command tag of the current result ("INSERT 0 1", "SELECT 3"), or null. In pipeline mode it is known once
     * the statement's result has arrived (at the pipeline's sync, as psycopg), without a fetch.
     */
    public String statusmessage() {
        if (pending != null && pending.isDone() && !pendingFailed()) {
            resolvePending();
        }
        return resultIndex < tags.size() ? tags.get(resultIndex) : null;
    }

    public int arraysize() {
        return arraysize;
    }

    public void setArraysize(int n) {
        this.arraysize = n;
    }

    public boolean isClosed() {
        return closed;
    }

    @Override
    public void close() {
        closed = true;
        results = List.of();
        current = null;
    }

    private void checkOpen() {
        if (closed) {
            throw new InterfaceException("the cursor is closed");
        }
    }

    private void checkResult() {
        checkOpen();
        resolvePending();
        if (current == null) {
            throw new ProgrammingException("no result available: execute a query first");
        }
        reloadIfAdaptersChanged();
        if (maker == null) {
            throw new ProgrammingException("the last statement (" + statusmessage() + ") did not return rows");
        }
    }
}
