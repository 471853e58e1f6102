package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.connect.Connector;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.Operation;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.StatementTimer;
import dev.tusk.internal.op.StreamStep;
import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.internal.query.PreparedStatements;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A blocking connection to PostgreSQL: psycopg's {@code Connection}.
 *
 * <p>Thread-safe: operations from several threads are serialised by a lock, as in psycopg. Closing the
 * connection (or leaving a try-with-resources block) ends an open transaction with a rollback: unlike
 * Python's {@code with connect()}, a Java block cannot see whether it ended with an exception, so the
 * safe outcome is chosen. Commit explicitly, or use {@link #transaction}.
 *
 * <pre>{@code
 * try (Connection<Row> conn = Connection.connect("host=localhost dbname=app user=app")) {
 *     conn.execute("INSERT INTO users (name) VALUES (%s)", "Alice");
 *     conn.commit();
 *     for (Row r : conn.execute("SELECT id, name FROM users WHERE name = %s", "Alice")) {
 *         System.out.println(r.getLong("id") + " " + r.getString("name"));
 *     }
 * }
 * }</pre>
 *
 * @param <R> the row type its cursors return
 */
public class Connection<R> extends ConnectionShell<R, Connection<R>, Connection.State<R>>
        implements AutoCloseable, AdaptContext, TypeCatalog<TypeInfo> {
    final ReentrantLock lock;
    private final BlockingDriver driver;
    private final ConnParams params;
    private final Connector.Established established;
    private final Transactions transactions;
    private final Notifications notifications;
    /** Runs the operations on the caller's thread, under the lock and the statement timeout. */
    private final BlockingWaiter waiter;
    /** What a statement timer acts on, made once rather than per statement. */
    private final StatementTimer.Target cancelOnTimeout;
    static {
        PoolAccess.install(new PoolHooks());
    }

    Connection(Connector.Established established, ConnectOptions<R> options) {
        super(new State<>(), options, established.driver().core(), established.observer());
        this.lock = new ReentrantLock();
        this.notifications = new Notifications(this);
        this.cancelOnTimeout = new StatementTimer.Target() {
            @Override
            public void cancel(Duration bound) {
                sendCancel(bound, "statement timeout");
            }

            @Override
            public void abandon() {
                driver.transport().close(); // the blocked read fails, on the statement's thread, which breaks the connection
            }
        };
        this.established = established;
        this.driver = established.driver();
        this.params = established.params();
        this.waiter = new BlockingWaiter(driver, cancelOnTimeout);
        if (established.observer() != null) {
            driver.core().onLost(cause -> observeClosed(cause, CLOSED_BY_USER)); // the listeners hear of a break when it is found
        }
        this.transactions = new Transactions(this, session);
        driver.core().session().notifySink(observed(established.observer(), notifications::received));
        if (options.socketTimeout() != null) {
            driver.socketTimeout((int) Math.max(1, options.socketTimeout().toMillis()));
        }
    }

    /**
     * A pool's lease handle: a connection sharing {@code pooled}'s state (no allocation but the handle) whose
     * every call is refused once the lease ended ({@link #use()}).
     */
    private Connection(Connection<R> pooled) {
        super(pooled);
        this.lock = pooled.lock;
        this.driver = pooled.driver;
        this.params = pooled.params;
        this.established = pooled.established;
        this.transactions = pooled.transactions.forLease(this); // the lease checked under the lock
        this.notifications = pooled.notifications;
        this.waiter = pooled.waiter;
        this.cancelOnTimeout = pooled.cancelOnTimeout;
    }

    @Override
    Connection<R> newLeaseHandle() {
        return new Connection<>(this);
    }

    @Override
    ConnectionInfo newInfo() {
        return new ConnectionInfo(params, established.host(), driver.core().session(), home, session.pipelines());
    }

    @Override
    void notifyHandler(Consumer<Notify> handler, boolean add) {
        if (add) {
            notifications.add(handler);
        } else {
            notifications.remove(handler);
        }
    }

    /** Connects with a conninfo string ({@code key=value} pairs or a {@code postgresql://} URI). */
    public static Connection<Row> connect(String conninfo) {
        return connect(ConnectOptions.of(conninfo));
    }

    /** Connects with the given options. */
    public static <R> Connection<R> connect(ConnectOptions<R> options) {
        ConnParams params = ConnParams.resolve(options.effectiveParams());
        return new Connection<>(Connector.connect(params, observer(options)), options);
    }

    // ---------------------------------------------------------------- executing

    /** A new client-side cursor with the connection's row factory. */
    public Cursor<R> cursor() {
        look();
        checkNotClosed();
        return newCursor(cursorFactory(), rowFactory());
    }

    /** A new client-side cursor with another row factory (of the class {@link #cursorFactory()} names). */
    public <T> Cursor<T> cursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return newCursor(cursorFactory(), rowFactory);
    }

    private <T> Cursor<T> newCursor(CursorFactory kind, RowFactory<T> rowFactory) {
        return switch (kind) {
            case CLIENT_CURSOR -> new ClientCursor<>(this, rowFactory);
            case RAW_CURSOR -> new RawCursor<>(this, rowFactory);
            default -> new Cursor<>(this, rowFactory);
        };
    }

    /** A cursor that merges parameters into the query on the client ({@link ClientCursor}). */
    public ClientCursor<R> clientCursor() {
        look();
        checkNotClosed();
        return new ClientCursor<>(this, rowFactory());
    }

    /** A {@link ClientCursor} with another row factory. */
    public <T> ClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new ClientCursor<>(this, rowFactory);
    }

    /** A cursor for queries with {@code $1}-style placeholders ({@link RawCursor}). */
    public RawCursor<R> rawCursor() {
        look();
        checkNotClosed();
        return new RawCursor<>(this, rowFactory());
    }

    /** A {@link RawCursor} with another row factory. */
    public <T> RawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new RawCursor<>(this, rowFactory);
    }

    /** A server-side cursor named {@code name} (a DECLAREd portal), with the connection's row factory. */
    public ServerCursor<R> cursor(String name) {
        look();
        checkNotClosed();
        return new ServerCursor<>(this, name, rowFactory());
    }

    /** A server-side cursor with another row factory. */
    public <T> ServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new ServerCursor<>(this, name, rowFactory);
    }

    /**
     * A server-side cursor named {@code name} whose query takes PostgreSQL's own {@code $1} placeholders
     * ({@link RawServerCursor}), with the connection's row factory.
     */
    public RawServerCursor<R> rawCursor(String name) {
        look();
        checkNotClosed();
        return new RawServerCursor<>(this, name, options.rowFactory());
    }

    /** A {@link RawServerCursor} with another row factory. */
    public <T> RawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new RawServerCursor<>(this, name, rowFactory);
    }

    /**
     * Runs a step of a server-side cursor ({@code make} builds it for this connection's session, on this thread) to
     * its end and raises its failure; a close first syncs the pipeline the connection is in, if any.
     */
    <O extends ServerCursorStep> O runCursorStep(Function<Session, O> make) {
        use();
        lock.lock();
        try {
            checkUsable();
            O op = make.apply(session);
            if (op.syncsPipelineFirst()) {
                syncPipelineIfAny();
            }
            waiter.run(op);
            return op;
        } finally {
            lock.unlock();
        }
    }

    /** Runs {@code query} as written: no placeholder processing, several statements allowed. */
    public Cursor<R> execute(String query) {
        use();
        return cursor().execute(query);
    }

    /** Runs {@code query} with {@code %s} placeholders; the parameters travel separately from the SQL. */
    public Cursor<R> execute(String query, Object... params) {
        use();
        return cursor().execute(query, params);
    }

    /** Runs {@code query} with {@code %(name)s} placeholders. */
    public Cursor<R> execute(String query, Map<String, ?> params) {
        use();
        return cursor().execute(query, params);
    }

    /** Runs {@code query} with a parameter sequence and per-call options. */
    public Cursor<R> execute(String query, List<?> params, ExecuteOptions options) {
        use();
        return cursor().execute(query, params, options);
    }

    // SQL composition ---------------------------------------------------------------------------
    // A dev.tusk.sql.Composable is rendered for this connection; see Cursor.execute(Composable, Object...).

    /**
     * Runs a composed query: {@code conn.execute(new SQL("SELECT * FROM {}").format(new Identifier("t")))}.
     * With no parameters the text is sent as written (unless it contains Placeholders); otherwise as
     * {@link #execute(String, Object...)}.
     */
    public Cursor<R> execute(Composable query, Object... params) {
        use();
        return cursor().execute(query, params);
    }

    /** Runs a composed query with {@code %(name)s} placeholders ({@code new Placeholder("name")}). */
    public Cursor<R> execute(Composable query, Map<String, ?> params) {
        use();
        return cursor().execute(query, params);
    }

    /** Runs a composed query with a parameter sequence and per-call options. */
    public Cursor<R> execute(Composable query, List<?> params, ExecuteOptions options) {
        use();
        return cursor().execute(query, params, options);
    }
    // end of SQL composition ------------------------------------------------------------------------

    /** Runs a type-catalogue lookup for {@code TypeInfo.fetch(conn, name)} and returns what it found. */
    @Override
    public TypeInfo lookUpType(TypeCatalog.Lookup lookup) {
        use();
        return lookup.result(cursor(Rows.tuple()).execute(lookup.sql(), lookup.param()).fetchone());
    }

    /**
     * Runs one statement for {@code cursor}. {@code params} null means no parameters at all (simple
     * protocol); otherwise an Object[] or a Map.
     */
    void run(Cursor<?> cursor, String query, Object params, ExecuteOptions opts) {
        use();
        Duration timeout = opts.timeout() != null ? opts.timeout() : state.statementTimeout;
        int format = opts.binary() != null ? (opts.binary() ? 1 : 0) : resultFormat(cursor);
        Execute op = cursor.binder().statement(session, query, params, cursor.adaptersInUse(), format, opts.prepare(),
                timeout);
        if (cursor.maxRows() > 0) {
            op.maxRows(cursor.maxRows());
        }
        lock.lock();
        try {
            checkUsable();
            if (session.pipelined()) {
                queuePipelined(cursor, List.of(), (QueryCommand) waiter.queue(op));
                return;
            }
            waiter.run(op);
            cursor.setResults(op.results());
        } finally {
            lock.unlock();
        }
    }

    /**
     * The cursor's choice of result format, else the connection's default: 1 binary, 0 text, or automatic
     * ({@link dev.tusk.internal.query.PreparedStatements#AUTO_FORMAT}) when nothing was chosen.
     */
    private int resultFormat(Cursor<?> cursor) {
        Boolean b = cursor.binary() != null ? cursor.binary() : options.binaryResults();
        return b == null ? PreparedStatements.AUTO_FORMAT : b ? 1 : 0;
    }

    /** executemany: every parameter set in one round trip (see {@link ExecuteMany}). */
    void runMany(Cursor<?> cursor, String query, Iterable<?> paramSets, boolean returning) {
        use();
        ExecuteMany op = cursor.binder().many(session, query, paramSets, cursor.adaptersInUse(),
                resultFormat(cursor), returning, state.statementTimeout);
        if (op == null) {
            cursor.setResults(List.of());
            return;
        }
        lock.lock();
        try {
            checkUsable();
            if (session.pipelined()) {
                QueryCommand last = (QueryCommand) waiter.queue(op);
                List<QueryCommand> all = op.commands();
                queuePipelined(cursor, all.subList(0, all.size() - 1), last);
                return;
            }
            waiter.run(op);
            cursor.setResults(op.results());
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- streaming

    // (the rules are internal.op.StreamStep's; RowStream reads the chunks)

    /** Starts a statement whose rows are read as they are consumed: see {@link Cursor#stream}. */
    <T> RowStream<T> openStream(Cursor<T> cursor, RowFactory<T> factory, String query, Object params) {
        use();
        lock.lock();
        try {
            checkUsable();
            session.pipelines().checkStreamAllowed();
            Binder.Bound st = params == null ? null : cursor.binder().bind(query, params, cursor.adaptersInUse());
            QueryCommand cmd = st == null || st.params() == null ? new SimpleQuery(st == null ? query : st.sql())
                    : new ExtendedQuery(st.sql(), "", true, st.params(), resultFormat(cursor) == 1 ? 1 : 0, true);
            return startStream(cursor, factory, StreamStep.plain(session, cmd));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Starts a statement whose rows are read as they are consumed, prepared and in the result format as
     * {@link #run} would run it (see {@link Cursor#stream(String, List, ExecuteOptions, boolean)}).
     */
    <T> RowStream<T> openStream(Cursor<T> cursor, RowFactory<T> factory, String query, Object params,
                                ExecuteOptions opts, boolean keepRest) {
        use();
        Duration timeout = opts.timeout() != null ? opts.timeout() : state.statementTimeout;
        int format = opts.binary() != null ? (opts.binary() ? 1 : 0) : resultFormat(cursor);
        lock.lock();
        try {
            checkUsable();
            session.pipelines().checkStreamAllowed();
            Execute op = cursor.binder().statement(session, query, params, cursor.adaptersInUse(), format, opts.prepare(),
                    timeout);
            if (cursor.maxRows() > 0) {
                op.maxRows(cursor.maxRows());
            }
            return startStream(cursor, factory, StreamStep.of(session, op, timeout, keepRest));
        } finally {
            lock.unlock();
        }
    }

    /** Sends the statement of {@code step} and makes it the active stream. Lock held. */
    private <T> RowStream<T> startStream(Cursor<T> cursor, RowFactory<T> factory, StreamStep step) {
        QueryCommand cmd = step.start();
        driver.core().send(cmd);
        step.sent(cmd);
        driver.flush();
        RowStream<T> s = new RowStream<>(this, step, cursor.adaptersInUse(), factory);
        s.owner = cursor;
        state.activeStream = s;
        return s;
    }

    /** Closing a stream of an ended lease does nothing (the pool dealt with it). */
    void closeStream(RowStream<?> s) {
        if (leaseOver()) {
            return;
        }
        lock.lock();
        try {
            if (state.activeStream == s && !driver.core().isBroken()) {
                state.activeStream = null;
                s.discard(false);
            }
        } finally {
            lock.unlock();
        }
    }

    RowStream<?> activeStream() {
        return state.activeStream;
    }

    /** Whether a stream {@code cursor} opened still reads its rows from the server (see {@link Cursor#isStreaming()}). */
    boolean streaming(Cursor<?> cursor) {
        look();
        RowStream<?> s = state.activeStream;
        return s != null && s.owner == cursor;
    }

    void streamEnded(RowStream<?> s) {
        if (state.activeStream == s) {
            state.activeStream = null;
        }
    }

    /** A stream left unfinished is drained before anything else runs. Lock held. */
    private void finishActiveStream() {
        RowStream<?> s = state.activeStream;
        if (s != null) {
            state.activeStream = null;
            s.discard(true);
        }
    }

    /**
     * Before another operation: a stream left unfinished is ended, or when it keeps its rest, read to its end
     * into memory. Lock held.
     */
    private void settleActiveStream() {
        RowStream<?> s = state.activeStream;
        if (s != null) {
            state.activeStream = null;
            s.settle();
        }
    }

    /**
     * How long ending a statement whose results nobody will read (a stream or COPY TO closed early) may take:
     * the cancel request and the rest of the results, dropped as they arrive. A server that has not ended the
     * statement by then does not answer, and the connection is broken.
     */
    private static final Duration ABANDON_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Inside a transaction, how much of an abandoned result is read and dropped before the statement is
     * cancelled (a cancel leaves the transaction in error): a short remainder costs less than the transaction.
     */
    private static final long ABANDON_DRAIN_BYTES = 16L << 20;
    /** And for how long at most. */
    private static final Duration ABANDON_DRAIN_TIME = Duration.ofSeconds(2);

    /**
     * Ends a statement whose remaining results are being dropped ({@code cmd} discards them): what already
     * arrived may end it; inside a transaction, up to {@link #ABANDON_DRAIN_BYTES} more are read first (a
     * cancel leaves the transaction in error, as with libpq, and a short remainder is cheaper). Otherwise the
     * server is asked to cancel it if {@code cancel} (its work may be unbounded; not needed after a CopyFail)
     * and the rest is read and dropped, within {@link #ABANDON_TIMEOUT}; a server that does not answer by then
     * breaks the connection. Lock held.
     *
     * @return true when a cancel request was sent (the statement's QueryCanceled error is then expected)
     */
    boolean abandon(Command cmd, String what, boolean cancel) {
        if (cmd.isDone() || driver.core().isBroken()) {
            return false;
        }
        driver.processBuffered();
        if (cmd.isDone()) {
            return false;
        }
        if (cancel && driver.core().session().transactionStatus() == BackendMessage.STATUS_IN_TRANSACTION
                && driver.drainUntil(cmd, ABANDON_DRAIN_BYTES, System.nanoTime() + ABANDON_DRAIN_TIME.toNanos())) {
            return false; // it ended without a cancel: the transaction goes on
        }
        long deadline = System.nanoTime() + ABANDON_TIMEOUT.toNanos();
        if (cancel) {
            try {
                sendCancel(ABANDON_TIMEOUT, "abandoned");
            } catch (TuskException e) {
                // the server could not take the request: the bounded wait below decides
            }
        }
        driver.awaitUntil(cmd, deadline, () -> new OperationalException(what + " did not end within "
                + ABANDON_TIMEOUT.toSeconds() + " s" + (cancel ? " of a cancel request" : "") + ": the server does"
                + " not answer; the connection is broken, open a new one"));
        return cancel;
    }

    // ---------------------------------------------------------------- COPY

    void copyEnded(Copy c) {
        if (state.activeCopy == c) {
            state.activeCopy = null;
        }
    }

    /**
     * Another call wants the connection while a COPY is open (lock held). A COPY FROM is the caller's to end
     * (its data would be committed or lost): refused, as libpq does, and the connection stays as it was. A
     * COPY TO nobody finished is abandoned: cancelled on the server and the rest dropped, in bounded time.
     */
    private void settleActiveCopy() {
        Copy c = state.activeCopy;
        if (c.commandDone()) {
            state.activeCopy = null;
            return;
        }
        if (c.isCopyIn()) {
            throw new ProgrammingException("another command is already in progress: a COPY ... FROM STDIN is open on"
                    + " this connection; end it first with copy.finish() (or copy.abort(reason))");
        }
        state.activeCopy = null;
        c.abandon("another statement ran on the connection");
    }

    /** Starts a COPY statement; returns once the server is ready to send or receive data. */
    Copy startCopy(Cursor<?> cursor, String sql) {
        use();
        lock.lock();
        try {
            checkUsable();
            CopyOperation op = new CopyOperation(session, sql);
            Command cmd = op.start(); // after the BEGIN it queued, if one is needed
            driver.core().send(cmd);
            driver.flush();
            TuskException failed = op.startFailure(awaitTimed(cmd));
            if (failed != null) {
                throw failed;
            }
            Copy copy = new Copy(this, op, cursor.adaptersInUse());
            state.activeCopy = copy;
            return copy;
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- pipeline mode
    // (the rules are internal.op.PipelineState's; this section sends its Syncs and Flushes and waits)

    /**
     * Enters pipeline mode until the returned block is closed; blocks nest (closing an inner one syncs).
     */
    public Pipeline pipeline() {
        use();
        lock.lock();
        try {
            checkUsable();
            PipelineState pipes = session.pipelines();
            PipelineState.Block b = pipes.newBlock();
            pipes.enter(b);
            pipes.observeEnter(b);
            return new Pipeline(this, pipes, b);
        } finally {
            lock.unlock();
        }
    }

    void pipelineEnded(Pipeline p, Pipeline outer) {
        lock.lock();
        try {
            PipelineState pipes = session.pipelines();
            pipes.leave(p.block(), false);
            pipes.observeEnded(pipes.observeLeave(p.block()), null);
        } finally {
            lock.unlock();
        }
    }

    /** True in pipeline mode. */
    boolean inPipeline() {
        lock.lock();
        try {
            return session.pipelines().inPipeline();
        } finally {
            lock.unlock();
        }
    }

    PipelineStatus pipelineStatus() {
        return PipelineStatus.values()[session.pipelines().status()];
    }

    /**
     * In pipeline mode, statements were queued: the cursor waits for them when fetched; past
     * {@link PipelineState#WRITE_OUT_BYTES} of output they are written out. Lock held.
     */
    private void queuePipelined(Cursor<?> cursor, List<QueryCommand> before, QueryCommand last) {
        if (before.isEmpty()) {
            cursor.setPending(last);
        } else {
            cursor.setPending(before, last);
        }
        if (session.pipelines().writeOutDue()) {
            Command previous = session.pipelines().writingOut(last);
            if (previous != null && !previous.isDone()) {
                awaitTimed(previous); // its error is raised by its cursor or the pipeline's sync
            }
            Frontend.flush(driver.core().output());
            driver.flush();
        }
    }

    /** A cursor raised the error of a pipelined statement: the pipeline's sync() does not raise it again. */
    void pipelineErrorRaised(TuskException e) {
        look();
        lock.lock();
        try {
            session.pipelines().raised(e);
        } finally {
            lock.unlock();
        }
    }

    /** A pipelined cursor wants its result: flush and read until it has arrived. */
    void awaitPipelined(QueryCommand cmd) {
        use();
        lock.lock();
        try {
            if (!cmd.isDone()) {
                checkUsable();
                Frontend.flush(driver.core().output());
                driver.flush();
                awaitTimed(cmd); // its error is raised by its cursor or the pipeline's sync
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits for {@code cmd} (sent and flushed) under the connection's statement timeout: every wait of a
     * statement that is not {@link #execute}'s (the driver's own BEGIN/COMMIT/ROLLBACK/SAVEPOINT and CLOSE, the
     * two-phase statements, COPY start, data and end, a pipeline's Sync and results, stream chunks) goes through
     * here, so a frozen server or network ends it as it ends execute(): cancelled, then the socket closed after
     * the grace period, an OperationalException naming the timeout, the connection broken. Without a statement
     * timeout it is a plain wait. Lock held.
     *
     * @return the timeout when it fired and the statement completed all the same (it was cancelled, or
     *         finished just then), else null; raise the command's error with {@link #errorOf(Command, Duration)}
     */
    Duration awaitTimed(Command cmd) {
        return waiter.await(cmd, state.statementTimeout);
    }

    /** As {@link #awaitTimed(Command)} under {@code timeout} (null: none) instead of the statement timeout. Lock held. */
    Duration awaitTimed(Command cmd, Duration timeout) {
        return waiter.await(cmd, timeout);
    }

    /**
     * The error to raise for {@code cmd} after {@link #awaitTimed} returned {@code fired}: its own, or when the
     * statement timeout fired, the QueryCanceled naming the timeout ({@link StatementTimer#timedOut}); null when
     * the command succeeded.
     */
    static TuskException errorOf(Command cmd, Duration fired) {
        TuskException e = cmd.error();
        return e == null || fired == null ? e : StatementTimer.timedOut(fired, e);
    }

    /** Raises {@link #errorOf(Command, Duration)} if there is one. */
    static void throwIfFailed(Command cmd, Duration fired) {
        TuskException e = errorOf(cmd, fired);
        if (e != null) {
            throw e;
        }
    }

    /** Sends {@code cmd} and waits for it as {@link #awaitTimed}. Lock held. */
    Duration runTimed(Command cmd) {
        driver.core().send(cmd);
        driver.flush();
        return awaitTimed(cmd);
    }

    /**
     * The client-side limit of every statement (see {@link ConnectOptions.Builder#statementTimeout});
     * {@link ExecuteOptions#timeout()} overrides it per call. Null: none.
     */
    public Duration statementTimeout() {
        look();
        return state.statementTimeout;
    }

    /** Changes the client-side statement timeout for the statements that follow; null removes it. */
    public void setStatementTimeout(Duration timeout) {
        use();
        state.statementTimeout = timeout;
    }

    /** Changes {@link #prepareThreshold()} for the executions that follow (null: stop preparing automatically). */
    public void setPrepareThreshold(Integer threshold) {
        use();
        session.prepared().threshold(ConnectOptions.checkPrepareThreshold(threshold));
    }
    // (the other settable connection attributes are ConnectionShell's)

    /** A Sync is about to be sent: see {@link Session#syncSent()}. Lock held. */
    void syncSent() {
        session.syncSent();
    }

    /** Pipeline mode: a commit, rollback or savepoint first syncs, raising the pipeline's error. Lock held. */
    void syncPipelineIfAny() {
        if (session.pipelines().inPipeline()) {
            checkUsable();
            Pipeline.sync(this, session.pipelines());
        }
    }

    /** Runs {@code op} to its end on this thread and raises its failure; the lock must be held. */
    void runOperation(Operation op) {
        waiter.run(op);
    }

    /** Runs a statement of the driver's own (BEGIN, COMMIT, SAVEPOINT...) and waits for it; the lock must be held. */
    void runInternal(String sql) {
        SimpleQuery q = new SimpleQuery(sql);
        throwIfFailed(q, runTimed(q));
    }

    void checkUsable() {
        checkUsable(null);
    }

    /** A new cursor of a closed (or broken) connection is refused at once, as psycopg's {@code conn.cursor()}. */
    private void checkNotClosed() {
        if (state.closed || driver.core().isBroken()) {
            TuskException cause = driver.core().brokenBy();
            throw cause != null && cause != CLOSED_BY_USER ? ConnectionErrors.broken(cause) : ConnectionErrors.closed();
        }
    }

    /**
     * As {@link #checkUsable()}, for a call of the COPY in progress itself ({@code by}): another call during an
     * open COPY FROM is refused, and a COPY TO nobody finished is cancelled first (see {@link #settleActiveCopy}).
     */
    void checkUsable(Copy by) {
        EventLoop.checkNotOnEventLoop("a blocking Connection call");
        if (leaseOver()) {
            // under the lock: an object the lease made (a pipeline block) or a call that passed use() just before
            // the lease ended never reaches the session the pool may have lent to the next borrower
            throw endedLease();
        }
        if (state.giveBack != null && !state.lent) {
            throw new InterfaceException("this connection was given back to its pool: lease another one with"
                    + " pool.connection() (a pooled connection must not be used after close())");
        }
        if (state.activeStream != null && !driver.core().isBroken()) {
            settleActiveStream();
        }
        if (state.closed) {
            TuskException cause = driver.core().brokenBy();
            if (cause != null && cause != CLOSED_BY_USER) {
                throw ConnectionErrors.broken(cause);
            }
            throw ConnectionErrors.closed(); // closed by the user: nothing broke
        }
        if (driver.core().isBroken()) {
            state.closed = true;
            throw ConnectionErrors.broken(driver.core().brokenBy());
        }
        if (state.activeCopy != null && state.activeCopy != by) {
            settleActiveCopy();
        }
        if (!session.pipelines().inPipeline() && state.activeStream == null) {
            try {
                driver.readPending();
            } catch (TuskException e) {
                state.closed = true;
                throw e;
            }
        }
    }

    // ---------------------------------------------------------------- transactions

    /** Commits the current transaction; does nothing when none is open. */
    public void commit() {
        use();
        transactions.commit();
    }

    /** Rolls back the current transaction; does nothing when none is open. */
    public void rollback() {
        use();
        transactions.rollback();
    }

    /** Switches autocommit mode; not allowed while a transaction is open. */
    public void setAutocommit(boolean on) {
        use();
        transactions.setAutocommit(on);
    }

    /** The isolation level of the transactions that follow; null: the server default. */
    public void setIsolationLevel(IsolationLevel level) {
        use();
        transactions.setIsolationLevel(level);
    }

    public void setReadOnly(Boolean on) {
        use();
        transactions.setReadOnly(on);
    }

    public void setDeferrable(Boolean on) {
        use();
        transactions.setDeferrable(on);
    }

    // ---------------------------------------------------------------- transaction blocks, two-phase commit
    // (all logic in internal.op.TransactionSteps, run by Transactions; keep this section a thin facade)

    /**
     * Runs {@code body} in a transaction block: commits when it returns, rolls back when it throws (the
     * exception is rethrown unchanged). Nested calls use savepoints, so an inner failure leaves the outer
     * work in place. {@code throw new Rollback()} inside rolls back quietly and makes this call return null.
     * In autocommit mode the block still runs a real transaction. See {@link Transaction}.
     *
     * <pre>{@code
     * long id = conn.transaction(tx -> {
     *     long orderId = conn.execute("INSERT INTO orders (customer) VALUES (%s) RETURNING id", 7)
     *             .fetchone().getLong(0);
     *     conn.execute("INSERT INTO order_lines (order_id, sku) VALUES (%s, %s)", orderId, "A-1");
     *     return orderId;
     * });
     * }</pre>
     */
    public <T, E extends Exception> T transaction(TransactionBody<T, E> body) throws E {
        use();
        return transactions.runBlock(TransactionOptions.DEFAULT, body);
    }

    /** As {@link #transaction(TransactionBody)} with a savepoint name or the outermost block's characteristics. */
    public <T, E extends Exception> T transaction(TransactionOptions opts, TransactionBody<T, E> body) throws E {
        use();
        return transactions.runBlock(opts, body);
    }

    /**
     * Opens a transaction block for try-with-resources: it commits only when {@link Transaction#commit()}
     * is called, and rolls back when closed otherwise.
     *
     * <pre>{@code
     * try (Transaction tx = conn.transaction()) {
     *     conn.execute("DELETE FROM sessions WHERE expires < now()");
     *     tx.commit();
     * }
     * }</pre>
     */
    public Transaction transaction() {
        use();
        return transactions.openBlock(TransactionOptions.DEFAULT);
    }

    /** As {@link #transaction()} with options. */
    public Transaction transaction(TransactionOptions opts) {
        use();
        return transactions.openBlock(opts);
    }

    /**
     * Begins a two-phase commit transaction; only outside a transaction and not in autocommit mode.
     *
     * <pre>{@code
     * conn.tpcBegin(conn.xid(1, "transfer-42", "bank-a"));
     * conn.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1");
     * conn.tpcPrepare();      // phase one: survives crashes and disconnections
     * conn.tpcCommit();       // phase two (or tpcRollback())
     * }</pre>
     */
    public void tpcBegin(Xid xid) {
        use();
        transactions.tpcBegin(xid);
    }

    /** Begins a two-phase transaction with a gid string (parsed as {@link Xid#fromString}). */
    public void tpcBegin(String gtrid) {
        use();
        transactions.tpcBegin(gtrid == null ? null : Xid.fromString(gtrid));
    }

    /** {@code PREPARE TRANSACTION}: after it, only {@link #tpcCommit()} or {@link #tpcRollback()}. */
    public void tpcPrepare() {
        use();
        transactions.tpcPrepare();
    }

    /** Commits the current two-phase transaction: {@code COMMIT PREPARED}, or a one-phase commit if not prepared. */
    public void tpcCommit() {
        use();
        transactions.tpcFinish(true, null);
    }

    /** Commits a prepared transaction by id (recovery, from any connection, outside a transaction). */
    public void tpcCommit(Xid xid) {
        use();
        transactions.tpcFinish(true, requireXid(xid, "tpcCommit"));
    }

    /** Rolls back the current two-phase transaction (prepared or not). */
    public void tpcRollback() {
        use();
        transactions.tpcFinish(false, null);
    }

    /** Rolls back a prepared transaction by id (recovery, from any connection, outside a transaction). */
    public void tpcRollback(Xid xid) {
        use();
        transactions.tpcFinish(false, requireXid(xid, "tpcRollback"));
    }

    /** The transactions prepared on the server ({@code pg_prepared_xacts}, every database), XA ids parsed back. */
    public List<Xid> tpcRecover() {
        use();
        return transactions.tpcRecover();
    }

    private static Xid requireXid(Xid xid, String call) {
        if (xid == null) {
            throw xidNeeded(call);
        }
        return xid;
    }

    // ---------------------------------------------------------------- end of transaction blocks, two-phase commit

    // ---------------------------------------------------------------- state

    /** The server's configuration: typed {@code pg_settings} and {@code set_config}. */
    public ServerSettings settings() {
        use();
        return new ServerSettings(this);
    }

    /** True once closed by {@link #close()} or by a fatal error; for a pool's lease, also once the lease ended. */
    public boolean isClosed() {
        return leaseOver() || state.closed || driver.core().isBroken();
    }

    /** True when the connection was lost (not closed by the user): the server went away or a fatal error. */
    public boolean isBroken() {
        return !leaseOver() && driver.core().isBroken() && driver.core().brokenBy() != CLOSED_BY_USER;
    }

    private static final OperationalException CLOSED_BY_USER = new ConnectionErrors.ClosedByUser(ConnectionErrors.CLOSED);

    /**
     * Closes the connection (idempotent). An open transaction is rolled back by the server. A pool's lease
     * ends instead, giving the connection back to its pool; a second call does nothing.
     */
    @Override
    public void close() {
        if (home != this) {
            endLease();
            return;
        }
        Consumer<? super Connection<R>> pool = state.giveBack;
        if (pool != null) {
            if (state.lent) {
                endUnfinishedWork();
                state.lent = false;
                pool.accept(this);
            }
            return;
        }
        closeConnection();
    }

    /**
     * A lease is closed: a stream its user left open is ended here (cancelled), in bounded time, so the pool gets
     * a connection that is not in the middle of a statement; a COPY left open is only marked ended: the pool sees
     * it still in progress ({@link #leaseLeftovers}) and closes the connection instead of reusing it. An error
     * breaks the connection, which the pool then sees.
     */
    private void endUnfinishedWork() {
        if (state.activeCopy == null && state.activeStream == null) {
            return; // read without the lock: both are set by the lease's user, who is closing it now
        }
        lock.lock();
        try {
            Copy c = state.activeCopy;
            state.activeCopy = null;
            if (c != null && !c.commandDone() && !driver.core().isBroken()) {
                c.abandonForGiveBack();
            }
            if (state.activeStream != null && !driver.core().isBroken()) {
                finishActiveStream();
            }
        } catch (TuskException e) {
            // the connection broke meanwhile: the pool sees it closed and replaces it
        } finally {
            lock.unlock();
        }
    }

    /** See {@link PoolAccess.Hooks#probe}. */
    boolean probe(boolean deep) {
        lock.lock();
        try {
            if (state.closed || driver.core().isBroken()) {
                return false;
            }
            if (driver.probeNow()) {
                return !driver.core().isBroken(); // sees a socket the server closed, without waiting
            }
            if (deep) {
                driver.probe(1);
            } else {
                driver.readPending();
            }
            return !driver.core().isBroken();
        } catch (TuskException e) {
            state.closed = true;
            return false;
        } finally {
            lock.unlock();
        }
    }

    void closeConnection() {
        if (state.closed) {
            return;
        }
        if (!lock.tryLock()) {
            // another thread runs a statement (or waits for the server): closing must not wait for it, so the
            // socket is shut under it; that call fails with "the connection is closed", the server ends the session
            state.closed = true;
            driver.closeUnderRunningCall(CLOSED_BY_USER);
            observeClosed(null, CLOSED_BY_USER);
            return;
        }
        try {
            if (state.closed) {
                return;
            }
            state.closed = true;
            observeClosed(driver.core().brokenBy(), CLOSED_BY_USER);
            if (!driver.core().isBroken()) {
                try {
                    Frontend.terminate(driver.core().output());
                    driver.flush();
                } catch (TuskException ignored) {
                    // the socket is going away anyway
                }
                driver.core().connectionLost(CLOSED_BY_USER);
            }
            driver.close();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- pool leases

    /** What changes on a connection, shared with its lease handles: ConnectionShell's, and the blocking shell's own. */
    static final class State<R> extends ConnectionShell.State<R, Connection<R>> {
        volatile boolean closed;
        /** The stream reading its rows from the server now, or null; read without the lock by {@link #streaming}. */
        volatile RowStream<?> activeStream;
        /** The COPY started and not yet ended through its {@link Copy}; lock held to read or change it. */
        Copy activeCopy;
    }

    /**
     * Why the session cannot be reset for the next borrower, or null when it can: a statement still running
     * (in another thread: never waited for), a pipeline, a stream or COPY in progress, a transaction() block or
     * a two-phase transaction left open, or a closed connection.
     */
    String leaseLeftovers() {
        if (!lock.tryLock()) {
            return "a statement was still running";
        }
        try {
            if (state.closed || driver.core().isBroken()) {
                return "the connection is closed";
            }
            if (session.pipelines().inPipeline()) {
                return "a pipeline was left open";
            }
            if (state.activeStream != null) {
                return "a stream was not read to its end";
            }
            if (driver.core().hasPending()) {
                return "a statement or COPY was in progress";
            }
            if (transactions.inBlock()) {
                return "a transaction() block was left open";
            }
            if (adapters.version() != state.adaptersAtLease) {
                return ADAPTERS_CHANGED;
            }
            try {
                transactions.checkNotInTpc("the pool's reset");
            } catch (ProgrammingException e) {
                return "a two-phase transaction was left open";
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why a connection whose adapters a lease changed is not reused: a registration cannot be undone in place, and
     * the next borrower would read or write its values through it.
     */
    static final String ADAPTERS_CHANGED = "adapters were registered through the lease (register a pool's adapters in"
            + " its configure callback, or on ConnectOptions.context, for every borrower)";

    /**
     * What a pool runs on a connection given back idle after a lease that used it: undoes every session state
     * a borrower can leave behind in one round trip (as DISCARD ALL, but keeping the driver's own prepared
     * statements), and puts the client-side settings back to the connection options' (autocommit, isolation,
     * read-only, deferrable, statement timeout), dropping notifications still queued.
     */
    void resetSession() {
        lock.lock();
        try {
            checkUsable();
            runInternal(RESET_SESSION_SQL);
            transactions.setAutocommit(options.autocommit());
            transactions.setIsolationLevel(null);
            transactions.setReadOnly(null);
            transactions.setDeferrable(null);
            resetAttributes();
            notifications.drain();
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * Asks the server to cancel the statement running on this connection; callable from any thread.
     * The statement fails with {@code QueryCanceled} in its own thread; the connection stays usable.
     * Gives up with an OperationalException if the server has not taken the request within
     * {@code connect_timeout} (10 s without one). Does nothing on a closed connection; refused
     * ({@code ProgrammingException}, as psycopg) while a two-phase transaction is prepared.
     */
    public void cancel() {
        look();
        checkCancelAllowed();
        sendCancel(null, "user");
    }

    /** As {@link #cancel()}, but never blocks longer than {@code timeout} (psycopg 3.2's cancel_safe). */
    public void cancelSafe(Duration timeout) {
        look();
        checkCancelAllowed();
        sendCancel(timeout, "user");
    }

    private void sendCancel(Duration timeout, String reason) {
        if (isClosed()) {
            return;
        }
        requestCancel(established.host(), params, driver.transport().isTls(), timeout, reason);
    }

    // ---------------------------------------------------------------- notifications

    /** Adds a handler called with every notification, when it is read (also in the middle of another query). */
    public void addNotifyHandler(Consumer<Notify> handler) {
        use();
        addNotify(handler);
    }

    /**
     * The notifications received and not yet consumed, including those the socket already holds; never
     * waits. Notifications are queued only while no handler is registered.
     */
    public List<Notify> notifies() {
        use();
        return notifications.drain();
    }

    /**
     * Waits for notifications, as psycopg 3.2's {@code notifies()} generator: the stream ends after
     * {@code timeout}, after {@code stopAfter} notifications, or when the connection closes (either
     * argument may be null: no limit).
     *
     * <pre>{@code
     * conn.setAutocommit(true);
     * conn.execute("LISTEN jobs");
     * conn.notifies(Duration.ofSeconds(5), 10).forEach(n -> System.out.println(n.payload()));
     * }</pre>
     */
    public Stream<Notify> notifies(Duration timeout, Integer stopAfter) {
        use();
        return notifications.stream(home != this ? this : null, timeout == null ? null : timeout.toMillis(), stopAfter);
    }

    /** Reads what the server sent while idle (notifications, notices, parameter changes); waits up to {@code millis}. */
    void pollServer(int millis) {
        lock.lock();
        try {
            if (isClosed() || driver.core().hasPending()) {
                return;
            }
            driver.processBuffered();
            driver.poll(millis);
        } catch (TuskException e) {
            if (!(state.closed && !isBroken())) {
                throw e;
            } // else close() from another thread ended the wait: the caller sees the connection closed
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- notices

    /** Adds a handler for the server's notices (NOTICE, WARNING...); without any, notices go to System.Logger. */
    public void addNoticeHandler(Consumer<Diagnostic> handler) {
        use();
        addNotice(handler);
    }

    BlockingDriver driver() {
        return driver;
    }

    ConnParams params() {
        return params;
    }

    void markClosed() {
        state.closed = true;
    }

}
