package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.AsyncPipelines;
import dev.tusk.internal.async.Cancellers;
import dev.tusk.internal.async.AsyncClose;
import dev.tusk.internal.async.LeaseSubscriptions;
import dev.tusk.internal.async.LoopCalls;
import dev.tusk.internal.async.NotifyDeadline;
import dev.tusk.internal.connect.AsyncConnector;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.EventLoopGroup;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.io.ReadTimeout;
import dev.tusk.internal.op.AsyncStatementTimer;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A non-blocking connection to PostgreSQL: psycopg's {@code AsyncConnection}. Every operation returns a
 * {@link CompletableFuture} at once; the work happens on an event-loop thread that serves many
 * connections (see {@link dev.tusk.internal.io.EventLoopGroup}: one loop per core by default, system
 * property {@code tusk.eventLoopThreads}).
 *
 * <p><b>Automatic pipelining.</b> Statements submitted while earlier ones are still running are written
 * at once, without waiting for the earlier results, and their futures complete in submission order. Each
 * statement carries its own Sync: in autocommit mode it runs in its own implicit transaction, and an
 * error fails its own future only. Outside autocommit the first statement opens a transaction (BEGIN, as
 * {@link Connection} does) and an error aborts that transaction, as on the server.
 *
 * <p><b>Callbacks run on the event loop.</b> Stages attached to these futures ({@code thenApply},
 * {@code thenAccept}...) run on the loop thread when the result arrives, so they must not block. Waiting
 * there ({@code join()} or {@code get()} on an unfinished future, or any blocking {@link Connection}
 * call) is refused with an {@link dev.tusk.errors.InterfaceException} instead of freezing the loop; use
 * {@code thenCompose} to chain statements, or the {@code *Async} variants to move work elsewhere. No
 * thread but the loop ever waits for a connection while its futures complete.
 *
 * <p><b>Sending.</b> A statement submitted while nothing else is in flight leaves from the submitting
 * thread, without a hand-off to the loop (one wake-up of the loop thread fewer per round trip); statements
 * submitted while others are in flight are queued for the loop, which writes them together.
 *
 * <pre>{@code
 * AsyncConnection<Row> conn = AsyncConnection.connect("host=localhost dbname=app user=app").join();
 * conn.setAutocommit(true)
 *     .thenCompose(v -> conn.execute("SELECT id, name FROM users WHERE name = %s", "Alice"))
 *     .thenAccept(cur -> cur.fetchall().forEach(r -> System.out.println(r.getString("name"))))
 *     .whenComplete((v, e) -> conn.close());
 * }</pre>
 *
 * @param <R> the row type its cursors return
 */
public class AsyncConnection<R> extends ConnectionShell<R, AsyncConnection<R>, ConnectionShell.State<R, AsyncConnection<R>>>
        implements AutoCloseable, AdaptContext, TypeCatalog<CompletableFuture<TypeInfo>> {

    private final AsyncConnector.Established established;
    private final EventLoopDriver driver;
    /** A lease handle's notifications subscriptions, ended with the lease; null: none. */
    private volatile LeaseSubscriptions leaseSubscriptions;
    private static final AtomicReferenceFieldUpdater<AsyncConnection, LeaseSubscriptions> LEASE_SUBSCRIPTIONS =
            AtomicReferenceFieldUpdater.newUpdater(AsyncConnection.class, LeaseSubscriptions.class, "leaseSubscriptions");
    /** The transaction rules of the session ({@link TransactionSteps}), run in order on the event loop. */
    private final AsyncTransactions<R> transactions;
    private final AsyncNotifications notifications;
    /** close(), which does not wait for the server. */
    private final AsyncClose closing;
    /** What the calls fail with when the connection cannot run them. */
    private final AsyncErrors errors;
    /** Runs the operations on the event loop (or the submitting thread of an idle connection). */
    private final AsyncWaiter waiter;
    /** Runs the calls that are not plain operations in order on the loop ({@link LoopCalls}). */
    private final LoopCalls calls;
    private final AsyncPipelines pipelines;
    /** The operations and the calls around them ({@link AsyncOperations}). */
    private final AsyncOperations operations;

    private AsyncConnection(AsyncConnector.Established established, ConnectOptions<R> options) {
        super(new State<>(), options, established.driver().core(), established.observer());
        this.notifications = new AsyncNotifications();
        this.established = established;
        this.driver = established.driver();
        OperationalException closedByUser = new ConnectionErrors.ClosedByUser(
                "the connection was closed (close() was called) before the statement completed");
        this.closing = new AsyncClose(driver, closedByUser);
        this.errors = new AsyncErrors(state, closing, driver, notifications);
        this.transactions = new AsyncTransactions<>(this, session);
        this.waiter = new AsyncWaiter(driver, new AsyncStatementTimer(driver,
                () -> cancelSafe(Duration.ofSeconds(10), "statement timeout")),
                errors);
        this.calls = new LoopCalls(driver, waiter, errors);
        this.pipelines = new AsyncPipelines(session.pipelines(), driver, waiter, calls);
        this.operations = new AsyncOperations(session, state, options, driver, waiter, calls, errors, pipelines);
        Consumer<Notify> deliver = observed(established.observer(), notifications::received);
        driver.core().session().notifySink(n -> driver.execute(() -> deliver.accept(n)));
        ReadTimeout.install(driver, options.socketTimeout());
        driver.onClose(() -> {
            TuskException f = driver.failure();
            observeClosed(f, closedByUser);
            notifications.end(f == null || f == closedByUser ? null : errors.brokenError(f));
        });
    }

    /**
     * A pool's lease handle: a connection sharing {@code pooled}'s state (allocating only the handle and its
     * transactions view) whose every call is refused once the lease ended ({@link #leaseEnded()}), on the caller's
     * thread and again when its work runs on the event loop.
     */
    private AsyncConnection(AsyncConnection<R> pooled) {
        super(pooled);
        this.notifications = pooled.notifications;
        this.closing = pooled.closing;
        this.errors = pooled.errors;
        this.established = pooled.established;
        this.driver = pooled.driver;
        this.waiter = pooled.waiter;
        this.calls = pooled.calls;
        this.pipelines = pooled.pipelines;
        this.operations = pooled.operations;
        this.transactions = pooled.transactions.forLease(this); // its steps checked on the loop for this lease
    }

    @Override
    AsyncConnection<R> newLeaseHandle() {
        return new AsyncConnection<>(this);
    }

    @Override
    ConnectionInfo newInfo() {
        return new ConnectionInfo(established.params(), established.host(), driver.core().session(), home,
                session.pipelines());
    }

    @Override
    void notifyHandler(Consumer<Notify> handler, boolean add) {
        if (add) {
            notifications.addHandler(handler);
        } else {
            notifications.removeHandler(handler);
        }
    }

    /** Connects with a conninfo string ({@code key=value} pairs or a {@code postgresql://} URI). */
    public static CompletableFuture<AsyncConnection<Row>> connect(String conninfo) {
        return connect(ConnectOptions.of(conninfo));
    }

    /**
     * Connects with the given options. The future fails with an {@link OperationalException} when no host
     * accepts the connection.
     */
    public static <R> CompletableFuture<AsyncConnection<R>> connect(ConnectOptions<R> options) {
        ConnParams params;
        try {
            params = ConnParams.resolve(options.effectiveParams());
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return AsyncConnector.connect(params, EventLoopGroup.shared().next(), observer(options))
                .thenApply(est -> new AsyncConnection<>(est, options));
    }

    // ---------------------------------------------------------------- executing

    /** A new client-side cursor with the connection's row factory. */
    public AsyncCursor<R> cursor() {
        look();
        checkNotClosed();
        return kindOfCursor(cursorFactory(), rowFactory());
    }

    /** A new client-side cursor with another row factory (of the class {@link #cursorFactory()} names). */
    public <T> AsyncCursor<T> cursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return kindOfCursor(cursorFactory(), rowFactory);
    }

    private <T> AsyncCursor<T> kindOfCursor(CursorFactory kind, RowFactory<T> rowFactory) {
        return switch (kind) {
            case CLIENT_CURSOR -> new AsyncClientCursor<>(this, rowFactory);
            case RAW_CURSOR -> new AsyncRawCursor<>(this, rowFactory);
            default -> new AsyncCursor<>(this, rowFactory);
        };
    }

    /** The cursor of {@code conn.execute}: the connection's row factory and class, a closed connection failing the future. */
    private AsyncCursor<R> executeCursor() {
        return kindOfCursor(cursorFactory(), rowFactory());
    }

    /** A cursor that merges parameters into the query on the client ({@link AsyncClientCursor}). */
    public AsyncClientCursor<R> clientCursor() {
        look();
        checkNotClosed();
        return new AsyncClientCursor<>(this, rowFactory());
    }

    /** An {@link AsyncClientCursor} with another row factory. */
    public <T> AsyncClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new AsyncClientCursor<>(this, rowFactory);
    }

    /** A cursor for queries with {@code $1}-style placeholders ({@link AsyncRawCursor}). */
    public AsyncRawCursor<R> rawCursor() {
        look();
        checkNotClosed();
        return new AsyncRawCursor<>(this, rowFactory());
    }

    /** An {@link AsyncRawCursor} with another row factory. */
    public <T> AsyncRawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new AsyncRawCursor<>(this, rowFactory);
    }

    /**
     * A server-side (named) cursor with the connection's row factory: its rows stay on the server and are
     * fetched in chunks ({@link AsyncServerCursor}). Fails with ProgrammingException for an empty name.
     *
     * <pre>{@code
     * AsyncServerCursor<Row> cur = conn.cursor("orders");
     * cur.execute("SELECT * FROM orders")
     *    .thenCompose(c -> c.fetchmany(100))
     *    .thenAccept(rows -> rows.forEach(System.out::println))
     *    .thenCompose(v -> cur.closeAsync());
     * }</pre>
     */
    public AsyncServerCursor<R> cursor(String name) {
        look();
        checkNotClosed();
        return new AsyncServerCursor<>(this, name, rowFactory());
    }

    /** A server-side cursor with another row factory. */
    public <T> AsyncServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new AsyncServerCursor<>(this, name, rowFactory);
    }

    /**
     * A server-side cursor named {@code name} whose query takes PostgreSQL's own {@code $1} placeholders
     * ({@link AsyncRawServerCursor}), with the connection's row factory.
     */
    public AsyncRawServerCursor<R> rawCursor(String name) {
        look();
        checkNotClosed();
        return new AsyncRawServerCursor<>(this, name, options.rowFactory());
    }

    /** An {@link AsyncRawServerCursor} with another row factory. */
    public <T> AsyncRawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        look();
        checkNotClosed();
        return new AsyncRawServerCursor<>(this, name, rowFactory);
    }

    /** See {@link AsyncOperations#runCursorStep}. */
    <O extends ServerCursorStep, T> CompletableFuture<T> runCursorStep(Function<Session, O> make, Function<O, T> outcome) {
        return leaseEnded() ? refusedLease() : operations.runCursorStep(lease(), make, outcome);
    }

    /** Runs {@code query} as written: no placeholder processing, several statements allowed. */
    public CompletableFuture<AsyncCursor<R>> execute(String query) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query);
    }

    /** Runs {@code query} with {@code %s} placeholders; the parameters travel separately from the SQL. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Object... params) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query, params);
    }

    /** Runs {@code query} with {@code %(name)s} placeholders. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Map<String, ?> params) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query, params);
    }

    /** Runs {@code query} with a parameter sequence and per-call options. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params, ExecuteOptions options) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query, params, options);
    }

    /** Runs a composed query ({@code dev.tusk.sql}) with {@code %s} placeholders bound to {@code params}. */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Object... params) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query, params);
    }

    /** Runs a composed query with {@code %(name)s} placeholders. */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Map<String, ?> params) {
        return leaseEnded() ? refusedLease() : executeCursor().execute(query, params);
    }

    /** Runs a type-catalogue lookup for {@code TypeInfo.fetch(conn, name)}: the future completes with what it found. */
    @Override
    public CompletableFuture<TypeInfo> lookUpType(TypeCatalog.Lookup lookup) {
        if (leaseEnded()) {
            return refusedLease();
        }
        return newCursor(Rows.tuple()).execute(lookup.sql(), lookup.param()).thenApply(cur -> lookup.result(cur.fetchone()));
    }

    /** See {@link AsyncOperations#run}. */
    <T> CompletableFuture<AsyncCursor<T>> run(AsyncCursor<T> cursor, String query, Object params, ExecuteOptions opts) {
        return leaseEnded() ? refusedLease() : operations.run(lease(), cursor, query, params, opts);
    }


    /** See {@link AsyncOperations#runMany}. */
    <T> CompletableFuture<AsyncCursor<T>> runMany(AsyncCursor<T> cursor, String query, Iterable<?> paramSets,
                                                   boolean returning) {
        return leaseEnded() ? refusedLease() : operations.runMany(lease(), cursor, query, paramSets, returning);
    }

    /** The COPY gives the outgoing stream back: the tasks held back run in order. Acting thread only. */
    void releaseHeldBack() {
        waiter.releaseHeldBack();
    }

    // ---------------------------------------------------------------- pipeline mode

    /**
     * Enters pipeline mode until the returned block is closed, as {@link Connection#pipeline()}: the statements
     * submitted from now on share one Sync, so an error aborts those after it up to {@link AsyncPipeline#sync()}
     * (their futures fail with {@code PipelineAborted}), and in autocommit mode they commit together at the
     * Sync. Blocks nest; closing one syncs. Statements outside a pipeline are pipelined anyway, each with its
     * own Sync (see the class comment): use this block when statements must succeed or fail together.
     *
     * <pre>{@code
     * AsyncPipeline p = conn.pipeline();
     * conn.execute("INSERT INTO t VALUES (1)");
     * CompletableFuture<AsyncCursor<Row>> count = conn.execute("SELECT count(*) FROM t");
     * p.closeAsync().join();                // Sync: every result before it is in
     * }</pre>
     */
    public AsyncPipeline pipeline() {
        use();
        AsyncPipeline p = new AsyncPipeline(this, session.pipelines().newBlock());
        pipelines.enter(p.block(), lease());
        return p;
    }

    /**
     * Sends a Sync for the pipeline {@code p} belongs to, and leaves {@code p} when {@code leave}; the future
     * completes when every result before the Sync is in, failing with the first error among them.
     */
    CompletableFuture<Void> pipelineSync(AsyncPipeline p, boolean leave) {
        if (leaseOver()) {
            return refusedLease();
        }
        return pipelines.sync(p.block(), leave, errors.closingError(), lease(), () -> state.statementTimeout);
    }

    /** ON, ABORTED (a statement failed since the last Sync) or OFF, as {@link ConnectionInfo#pipelineStatus()}. */
    PipelineStatus pipelineStatus() {
        look();
        return PipelineStatus.values()[session.pipelines().status()];
    }

    // ---------------------------------------------------------------- COPY

    /** See {@link AsyncOperations#startCopy}. */
    CompletableFuture<AsyncCopy> startCopy(AsyncCursor<?> cursor, String sql) {
        return leaseEnded() ? refusedLease() : operations.startCopy(lease(), this, cursor, sql);
    }

    /** See {@link AsyncOperations#startCopyBoth}. */
    void startCopyBoth(CopyBothCommand cmd, Consumer<TuskException> ended) {
        operations.startCopyBoth(cmd, ended);
    }

    /** Runs {@code action} on the loop thread with the connection known usable; else fails the future. */
    CompletableFuture<Void> onLoop(Consumer<LoopFuture<Void>> action) {
        return calls.uncounted(errors.closingError(), lease(), action::accept);
    }

    /** A new cursor of a closed (or broken) connection is refused at once, as psycopg's {@code conn.cursor()}. */
    private void checkNotClosed() {
        if (isClosed()) {
            throw errors.closedError();
        }
    }

    /** A cursor for the connection's own calls, whose futures report a closed connection instead. */
    <T> AsyncCursor<T> newCursor(RowFactory<T> rowFactory) {
        look();
        return new AsyncCursor<>(this, rowFactory);
    }

    // ---------------------------------------------------------------- transactions

    /**
     * The rows of {@code query} as a {@link java.util.concurrent.Flow.Publisher} with back-pressure: they
     * are fetched from a server-side cursor only as the subscriber requests them (at most 500 at a time),
     * so a huge result never sits in memory. Outside a transaction the publisher opens one for the cursor
     * and ends it when the rows run out or the subscription is cancelled. Signals arrive on the event loop.
     *
     * <pre>{@code
     * conn.stream("SELECT * FROM big WHERE kind = %s", "x").subscribe(new Flow.Subscriber<Row>() {
     *     Flow.Subscription s;
     *     public void onSubscribe(Flow.Subscription s) { this.s = s; s.request(100); }
     *     public void onNext(Row r) { process(r); s.request(1); }
     *     public void onError(Throwable t) { }
     *     public void onComplete() { }
     * });
     * }</pre>
     */
    public Flow.Publisher<R> stream(String query, Object... params) {
        use();
        return new AsyncRowPublisher<>(this, query, params == null ? new Object[] {null} : params);
    }

    /**
     * {@link #stream(String, Object...)} for a composed query ({@code dev.tusk.sql}), as psycopg's
     * {@code stream(Composable)}; its {@code %s} placeholders ({@code new Placeholder()}) are bound to {@code params}.
     * psycopg's {@code size=} is the subscriber's {@code request(n)} here.
     */
    public Flow.Publisher<R> stream(Composable query, Object... params) {
        use();
        return stream(query.asTemplate(this), params);
    }

    /** A statement of the driver's own, and the transaction status it leaves (null: as the server says). */
    record OwnStatement(String sql, TransactionStatus statusAfter) {
    }

    /**
     * Sends a statement of the driver's own, chosen on the loop thread knowing whether a transaction is
     * open ({@code idle} true when none is), in order with everything submitted before.
     */
    CompletableFuture<Void> runOwn(Function<Boolean, OwnStatement> choose) {
        return leaseEnded() ? refusedLease() : runOwnForTag(choose).thenApply(tag -> null);
    }

    /** As {@link #runOwn}; the future completes with the command tag of the statement's last result (null: none sent). */
    CompletableFuture<String> runOwnForTag(Function<Boolean, OwnStatement> choose) {
        if (leaseEnded()) {
            return refusedLease();
        }
        return operations.runOwnFor(lease(), choose, c -> c.results().isEmpty() ? null : c.results().get(c.results().size() - 1).commandTag());
    }


    /**
     * Runs {@code body} in a transaction block, as {@link Connection#transaction(TransactionBody)}: BEGIN (a
     * SAVEPOINT when a transaction is already open), then COMMIT (RELEASE) when the body's future completes,
     * or ROLLBACK (to the savepoint) when it fails, with the body's exception unchanged. Throwing or
     * failing with {@code new Rollback()} rolls the block back quietly, {@code new Rollback(tx)} every block up
     * to {@code tx}. The body receives the block ({@link AsyncTransaction}); its connection is this one.
     *
     * <pre>{@code
     * conn.transaction(tx -> conn.execute("INSERT INTO t VALUES (1)")
     *         .thenCompose(cur -> conn.transaction(inner -> conn.execute("INSERT INTO t VALUES (2)"))))
     *     .join();
     * }</pre>
     */
    public <T> CompletableFuture<T> transaction(Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        return leaseEnded() ? refusedLease() : transaction(TransactionOptions.DEFAULT, body);
    }

    /** As {@link #transaction(Function)} with options (isolation level, read only, deferrable, savepoint name). */
    public <T> CompletableFuture<T> transaction(TransactionOptions options,
                                                Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        return leaseEnded() ? refusedLease() : transactions.run(options, body);
    }

    /** Commits the current transaction once the statements submitted before have run; nothing when none is open. */
    public CompletableFuture<Void> commit() {
        return leaseEnded() ? refusedLease() : transactions.end(true);
    }

    /** Rolls back the current transaction once the statements submitted before have run; nothing when none is open. */
    public CompletableFuture<Void> rollback() {
        return leaseEnded() ? refusedLease() : transactions.end(false);
    }

    /** See {@link AsyncOperations#runStep}. */
    <T> CompletableFuture<T> runStep(TransactionOp step, Function<TransactionOp, T> outcome) {
        return leaseEnded() ? refusedLease() : operations.runStep(lease(), step, outcome);
    }

    /** Switches autocommit mode; fails with ProgrammingException while a transaction is open. */
    public CompletableFuture<Void> setAutocommit(boolean on) {
        return leaseEnded() ? refusedLease() : setWhenIdle("autocommit", () -> session.autocommit(on));
    }

    /** The isolation level of the transactions that follow; null: the server default. */
    public CompletableFuture<Void> setIsolationLevel(IsolationLevel level) {
        return leaseEnded() ? refusedLease() : setWhenIdle("isolation_level", () -> session.isolationLevel(level));
    }

    public CompletableFuture<Void> setReadOnly(Boolean on) {
        return leaseEnded() ? refusedLease() : setWhenIdle("read_only", () -> session.readOnly(on));
    }

    public CompletableFuture<Void> setDeferrable(Boolean on) {
        return leaseEnded() ? refusedLease() : setWhenIdle("deferrable", () -> session.deferrable(on));
    }

    /** Applies a transaction characteristic on the loop, in order with the statements submitted before. */
    private CompletableFuture<Void> setWhenIdle(String attribute, Runnable set) {
        return onLoop(f -> {
            transactions.checkIdle(attribute);
            set.run();
            f.complete(null);
        });
    }

    /**
     * The client-side limit of every statement (see {@link ConnectOptions.Builder#statementTimeout});
     * {@link ExecuteOptions#timeout()} overrides it per call. Null: none. A statement's clock starts when it
     * reaches the head of the pipeline; when it runs out the driver sends a cancel request and the future
     * fails with {@code QueryCanceled} naming the timeout. If the server then stays silent for as long
     * again (at least 1 s, at most 10 s) the connection is broken with an OperationalException. The server
     * cancels whatever the connection runs when the request arrives: with statements pipelined behind the
     * late one, the cancel may reach the next of them instead, if the late one finished meanwhile.
     *
     * <pre>{@code
     * conn.execute("SELECT slow()", List.of(), ExecuteOptions.builder().timeout(Duration.ofSeconds(2)).build())
     *     .exceptionally(e -> null);   // QueryCanceled: "statement timeout: the statement ran longer than 2000 ms ..."
     * }</pre>
     */
    public Duration statementTimeout() {
        look();
        return state.statementTimeout;
    }

    /** Changes the client-side statement timeout for the statements submitted after; null removes it. */
    public void setStatementTimeout(Duration timeout) {
        use();
        state.statementTimeout = timeout;
    }

    /** Changes {@link #prepareThreshold()} for the statements submitted after (null: stop preparing automatically). */
    public void setPrepareThreshold(Integer threshold) {
        use();
        session.prepared().threshold(ConnectOptions.checkPrepareThreshold(threshold));
    }
    // (the other settable connection attributes are ConnectionShell's)

    // ---------------------------------------------------------------- two-phase commit
    // (all logic in internal.op.TransactionSteps, shared with Connection; keep this section a thin facade)

    /**
     * Begins a two-phase commit transaction, as {@link Connection#tpcBegin(Xid)}: only outside a transaction
     * and not in autocommit mode (else the future fails with a ProgrammingException). The rules are checked
     * in order with the statements submitted before, so the calls may be chained or pipelined.
     *
     * <pre>{@code
     * Xid xid = conn.xid(1, "transfer-42", "bank-a");
     * conn.tpcBegin(xid)
     *     .thenCompose(v -> conn.execute("UPDATE accounts SET balance = balance - 10 WHERE id = 1"))
     *     .thenCompose(cur -> conn.tpcPrepare())   // phase one: survives crashes and disconnections
     *     .thenCompose(v -> conn.tpcCommit())      // phase two (or tpcRollback())
     *     .join();
     * }</pre>
     */
    public CompletableFuture<Void> tpcBegin(Xid xid) {
        return leaseEnded() ? refusedLease() : transactions.tpcBegin(xid);
    }

    /** Begins a two-phase transaction with a gid string (parsed as {@link Xid#fromString}). */
    public CompletableFuture<Void> tpcBegin(String gtrid) {
        if (leaseEnded()) {
            return refusedLease();
        }
        return transactions.tpcBegin(gtrid == null ? null : Xid.fromString(gtrid));
    }

    /** {@code PREPARE TRANSACTION}: after it, only {@link #tpcCommit()} or {@link #tpcRollback()}. */
    public CompletableFuture<Void> tpcPrepare() {
        return leaseEnded() ? refusedLease() : transactions.tpcPrepare();
    }

    /** Commits the current two-phase transaction: {@code COMMIT PREPARED}, or a one-phase commit if not prepared. */
    public CompletableFuture<Void> tpcCommit() {
        return leaseEnded() ? refusedLease() : transactions.tpcFinish(true, null);
    }

    /** Commits a prepared transaction by id (recovery, from any connection, outside a transaction). */
    public CompletableFuture<Void> tpcCommit(Xid xid) {
        if (leaseEnded()) {
            return refusedLease();
        }
        return xid == null ? LoopFuture.failed(xidNeeded("tpcCommit")) : transactions.tpcFinish(true, xid);
    }

    /** Rolls back the current two-phase transaction (prepared or not). */
    public CompletableFuture<Void> tpcRollback() {
        return leaseEnded() ? refusedLease() : transactions.tpcFinish(false, null);
    }

    /** Rolls back a prepared transaction by id (recovery, from any connection, outside a transaction). */
    public CompletableFuture<Void> tpcRollback(Xid xid) {
        if (leaseEnded()) {
            return refusedLease();
        }
        return xid == null ? LoopFuture.failed(xidNeeded("tpcRollback")) : transactions.tpcFinish(false, xid);
    }

    /** The transactions prepared on the server ({@code pg_prepared_xacts}, every database), XA ids parsed back. */
    public CompletableFuture<List<Xid>> tpcRecover() {
        return leaseEnded() ? refusedLease() : transactions.tpcRecover();
    }

    /**
     * Runs tasks on this connection's event loop, acting for the connection, in order with its statements'
     * completions and after the statements submitted before.
     */
    Executor loopExecutor() {
        return driver::execute;
    }

    // ---------------------------------------------------------------- state

    /** The server's configuration: typed {@code pg_settings} and {@code set_config} (see {@link ServerSettings}). */
    public AsyncServerSettings settings() {
        use();
        return new AsyncServerSettings(this);
    }

    /** The driver (tests: socket options). */
    EventLoopDriver driver() {
        return driver;
    }

    /** Statements submitted whose results have not arrived yet. */
    int inFlight() {
        return waiter.inFlight();
    }

    /** True once {@link #close()} was called or the connection was lost. */
    public boolean isClosed() {
        return leaseOver() || closing.started() || driver.failure() != null;
    }

    /** True when the connection was lost (not closed by the user): the server went away or a fatal error. */
    public boolean isBroken() {
        TuskException f = driver.failure();
        return f != null && f != closing.closedByUser() && !leaseOver();
    }

    /**
     * Starts closing and returns at once (idempotent): it does not wait for the server. What was already
     * sent still reaches the server, which runs it before it sees the end of the connection, but the replies
     * are not read: a statement sent in autocommit mode outside a transaction, or a COMMIT, fails with
     * {@link dev.tusk.errors.TransactionResolutionUnknown} (it may have committed); a statement inside a
     * transaction fails with an {@link OperationalException} (the server rolls the transaction back); one not
     * yet sent fails saying it did not run. {@link #isBroken()} stays false.
     */
    @Override
    public void close() {
        closeAsync();
    }

    /**
     * As {@link #close()}; the future completes once the socket is closed. A connection lent by an
     * {@code AsyncConnectionPool} goes back to the pool instead.
     */
    public CompletableFuture<Void> closeAsync() {
        if (home != this) {
            endLease();
            return CompletableFuture.completedFuture(null);
        }
        Consumer<? super AsyncConnection<R>> pool = state.giveBack;
        if (pool != null) {
            if (state.lent) {
                state.lent = false;
                pool.accept(this);
            }
            return CompletableFuture.completedFuture(null);
        }
        return closeNow();
    }

    /** Closes the connection, pooled or not. */
    CompletableFuture<Void> closeNow() {
        if (home != this) {
            return closeAsync(); // a lease is not closed for real: it is given back
        }
        return closing.close();
    }

    // ---------------------------------------------------------------- pool leases

    /**
     * What the event loop checks again before it runs this handle's work ({@link AsyncErrors#leaseEnded}): the
     * handle of a pool's lease, or null for the connection itself (nothing to check).
     */
    private Object lease() {
        return home == this ? null : this;
    }

    /** The refusal of a call returning a future on a lease that ended. */
    private static <T> CompletableFuture<T> refusedLease() {
        return LoopFuture.failed(endedLease());
    }

    /** A lease's notifications subscriptions end with it, before the pool may lend the connection again. */
    @Override
    void leaseEnding() {
        LeaseSubscriptions subs = leaseSubscriptions;
        if (subs != null) {
            subs.endAll();
        }
    }

    String leaseLeftovers() {
        if (isClosed()) {
            return "the connection is closed";
        }
        if (session.pipelines().inPipeline()) {
            return "a pipeline was left open";
        }
        if (waiter.inFlight() > 0) {
            return "a statement, COPY or stream was still in progress";
        }
        if (transactions.inBlock()) {
            return "a transaction() block was left open";
        }
        if (adapters.version() != state.adaptersAtLease) {
            return Connection.ADAPTERS_CHANGED;
        }
        return null;
    }

    /**
     * As {@code Connection}'s reset for a pool: one round trip undoing the session state a borrower may leave
     * (see {@link #RESET_SESSION_SQL}), then the client-side settings of the connection options.
     */
    CompletableFuture<Void> resetSession() {
        return runOwn(idle -> new OwnStatement(RESET_SESSION_SQL, null)).thenCompose(v -> onLoop(f -> {
            if (session.expected() != TransactionStatus.IDLE) {
                throw new ProgrammingException("a two-phase or other transaction is still open");
            }
            session.autocommit(options.autocommit());
            session.isolationLevel(null);
            session.readOnly(null);
            session.deferrable(null);
            resetAttributes();
            f.complete(null);
        }));
    }

    /**
     * A pool's look at this idle connection before it lends it: what the socket holds now is read at once (the end
     * of a backend that exited while idle closes the connection; see {@link EventLoopDriver#readPendingHere}), where
     * the loop might not have got to it yet. False when the connection is closed or lost.
     */
    boolean probeIdle() {
        driver.readPendingHere();
        // the loop may have read the backend's FATAL already, its end of stream not yet
        return !driver.isClosed() && !isClosed() && driver.core().fatalWhileIdle() == null;
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * Asks the server to cancel the statement running now: it fails with {@code QueryCanceled} and the
     * connection stays usable. The CancelRequest travels on a separate connection, opened off the event
     * loop; the future completes once the server has taken the request (or fails if it could not be sent).
     * It fails with an OperationalException if the server has not taken the request within
     * {@code connect_timeout} (10 s without one), and with a ProgrammingException (as psycopg's refusal) while
     * a two-phase transaction is prepared.
     */
    public CompletableFuture<Void> cancel() {
        if (leaseOver()) {
            return refusedLease();
        }
        return cancelSafe(null);
    }

    /**
     * As {@link #cancel()}, the future failing if the server has not taken the request within {@code timeout}
     * (null: {@code connect_timeout}, else 10 s).
     */
    public CompletableFuture<Void> cancelSafe(Duration timeout) {
        if (leaseOver()) {
            return refusedLease();
        }
        try {
            checkCancelAllowed(); // psycopg: refused while a two-phase transaction is prepared
        } catch (ProgrammingException e) {
            return LoopFuture.failed(e);
        }
        return cancelSafe(timeout, "user");
    }

    private CompletableFuture<Void> cancelSafe(Duration timeout, String reason) {
        return Cancellers.run(() -> requestCancel(established.host(), established.params(), driver.isTls(),
                timeout, reason));
    }

    // ---------------------------------------------------------------- notifications

    /**
     * Adds a handler called with every notification (after {@code LISTEN}), on the event loop: it must not
     * block, and it may submit statements.
     */
    public void addNotifyHandler(Consumer<Notify> handler) {
        use();
        addNotify(handler);
    }

    /**
     * The notifications as a {@link java.util.concurrent.Flow.Publisher} with back-pressure: a subscriber
     * receives every notification that arrives after it subscribed, in order, as many as it requested
     * (the others wait in its buffer). It completes when the connection is closed and fails when it is lost.
     *
     * <pre>{@code
     * conn.execute("LISTEN jobs").join();
     * conn.notifications().subscribe(new Flow.Subscriber<Notify>() {
     *     public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
     *     public void onNext(Notify n) { System.out.println(n.payload()); }
     *     public void onError(Throwable t) { }
     *     public void onComplete() { }
     * });
     * }</pre>
     */
    public Flow.Publisher<Notify> notifications() {
        use();
        return notifications;
    }

    /**
     * psycopg 3.2's {@code notifies(timeout=, stop_after=)} generator, as a publisher: each subscriber receives the
     * notifications that arrive after it subscribed (as {@link #notifications()}), and completes after
     * {@code stopAfter} of them, once {@code timeout} has passed, or when the connection is closed; it fails
     * when the connection is lost. Either argument may be null: no limit. A timeout of zero still delivers what
     * the socket already holds: the deadline is checked only after the event loop has read it.
     *
     * <pre>{@code
     * conn.execute("LISTEN jobs").join();
     * conn.notifies(Duration.ofSeconds(5), 10).subscribe(new Flow.Subscriber<Notify>() {
     *     public void onSubscribe(Flow.Subscription s) { s.request(Long.MAX_VALUE); }
     *     public void onNext(Notify n) { System.out.println(n.payload()); }
     *     public void onError(Throwable t) { }
     *     public void onComplete() { System.out.println("5 s or 10 notifications"); }
     * });
     * }</pre>
     *
     * @throws ProgrammingException for a negative timeout or stopAfter
     */
    public Flow.Publisher<Notify> notifies(Duration timeout, Integer stopAfter) {
        use();
        if (timeout != null && timeout.isNegative()) {
            throw new ProgrammingException("notifies: the timeout must not be negative (null: none), got " + timeout);
        }
        if (stopAfter != null && stopAfter < 0) {
            throw new ProgrammingException("notifies: stopAfter must not be negative (null: no limit), got " + stopAfter);
        }
        Function<Runnable, Runnable> deadline = NotifyDeadline.of(driver, timeout);
        if (home == this) {
            return subscriber -> notifications.subscribe(subscriber, stopAfter, deadline);
        }
        return subscriber -> {
            if (leaseOver()) { // made after the lease ended: completes at once, whatever became of the connection since
                notifications.subscribe(subscriber, 0, null);
                return;
            }
            notifications.subscribe(subscriber, stopAfter, end -> endsWithLease(end, deadline));
        };
    }

    /**
     * A lease handle's notifications subscription ({@code end} completes it): it ends with the lease, before the
     * pool may lend the connection again, so it never hears the next borrower's notifications; one made after the
     * lease ended completes at once. Returns what cancels that and {@code deadline}'s end, if any.
     */
    private Runnable endsWithLease(Runnable end, Function<Runnable, Runnable> deadline) {
        if (leaseSubscriptions == null) {
            LEASE_SUBSCRIPTIONS.compareAndSet(this, null, new LeaseSubscriptions());
        }
        return leaseSubscriptions.add(end, this::leaseOver, deadline);
    }

    // ---------------------------------------------------------------- notices

    /**
     * Adds a handler for the server's notices (NOTICE, WARNING...); without any, notices go to
     * System.Logger. Handlers run on the event loop and must not block.
     */
    public void addNoticeHandler(Consumer<Diagnostic> handler) {
        use();
        addNotice(handler);
    }
}
