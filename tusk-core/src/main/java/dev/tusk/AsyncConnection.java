package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.async.AsyncErrors;
import dev.tusk.internal.async.AsyncOperations;
import dev.tusk.internal.async.AsyncTransactions;
import dev.tusk.internal.async.Cancellers;
import dev.tusk.internal.async.AsyncClose;
import dev.tusk.internal.connect.AsyncConnector;
import dev.tusk.internal.connect.EstablishedSession;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.EventLoopGroup;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.io.ReadTimeout;
import dev.tusk.internal.notify.AsyncNotifications;
import dev.tusk.internal.op.AsyncStatementTimer;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.Liveness;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
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

    private final EventLoopDriver driver;
    /** The transaction rules of the session (internal.op.TransactionSteps), run in order on the event loop. */
    final AsyncTransactions transactions;
    private final AsyncNotifications<Notify> notifications;
    /** close(), which does not wait for the server. */
    private final AsyncClose closing;
    /** What the calls fail with when the connection cannot run them. */
    final AsyncErrors errors;
    /** Runs the operations on the event loop (or the submitting thread of an idle connection). */
    final AsyncWaiter waiter;
    /** The operations and the calls around them, pipelines included ({@link AsyncOperations}). */
    final AsyncOperations operations;

    private AsyncConnection(EstablishedSession<EventLoopDriver> established, ConnectOptions<R> options) {
        super(new State<>(), options, established);
        this.notifications = new AsyncNotifications<>(notifyHandlers);
        this.driver = established.driver();
        this.closing = new AsyncClose(driver);
        this.errors = new AsyncErrors(state, closing, driver, notifications);
        this.waiter = new AsyncWaiter(driver, new AsyncStatementTimer(driver,
                () -> cancelSafe(Duration.ofSeconds(10), "statement timeout")),
                errors);
        this.operations = new AsyncOperations(session, state::statementTimeout, driver, waiter, errors);
        this.transactions = new AsyncTransactions(operations, session, state::statementTimeout, this::isClosed);
        Consumer<Notify> deliver = observed(established.observer(), notifications::received);
        driver.core().session().notifySink(notifySink(n -> driver.execute(() -> deliver.accept(n))));
        ReadTimeout.install(driver, options.socketTimeout());
        driver.onClose(() -> {
            observeClosed(driver.failure(), closing.closedByUser());
            errors.connectionClosed();
        });
    }

    /**
     * A pool's lease handle of {@code pooled} (see {@link ConnectionShell#ConnectionShell(ConnectionShell)}), also
     * allocating its transactions view; its calls are checked again when its work runs on the event loop.
     */
    private AsyncConnection(AsyncConnection<R> pooled) {
        super(pooled);
        this.notifications = pooled.notifications;
        this.closing = pooled.closing;
        this.errors = pooled.errors;
        this.driver = pooled.driver;
        this.waiter = pooled.waiter;
        this.operations = pooled.operations;
        this.transactions = pooled.transactions.forLease(this, this::leaseEnded); // checked on the loop for this lease
    }

    @Override
    AsyncConnection<R> newLeaseHandle() {
        return new AsyncConnection<>(this);
    }

    @Override
    ConnectionInfo newInfo() {
        return new ConnectionInfo(server.params(), server.host(), driver.core().session(), home, session.pipelines());
    }

    /** As {@link Connection#connect(String)}, without waiting: the future completes with the connection. */
    public static CompletableFuture<AsyncConnection<Row>> connect(String conninfo) {
        return connect(ConnectOptions.of(conninfo));
    }

    /**
     * Connects with the given options. The future fails with an {@link OperationalException} when no host
     * accepts the connection.
     */
    public static <R> CompletableFuture<AsyncConnection<R>> connect(ConnectOptions<R> options) {
        try { // bad options fail the future
            return AsyncConnector.connect(ConnParams.resolve(options.effectiveParams()), EventLoopGroup.shared().next(),
                    observer(options)).thenApply(est -> new AsyncConnection<>(est, options));
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
    }

    // ---------------------------------------------------------------- executing

    /** As {@link Connection#cursor()}: a cursor of the class {@link #cursorFactory()} names. */
    public AsyncCursor<R> cursor() {
        return cursor(rowFactory());
    }

    /** As {@link Connection#cursor(RowFactory)}: a cursor of the class {@link #cursorFactory()} names. */
    public <T> AsyncCursor<T> cursor(RowFactory<T> rowFactory) {
        return forNewCursor().cursorFactory().async(this, rowFactory);
    }

    /** A cursor that merges parameters into the query on the client ({@link AsyncClientCursor}). */
    public AsyncClientCursor<R> clientCursor() {
        return clientCursor(rowFactory());
    }

    /** An {@link AsyncClientCursor} with another row factory. */
    public <T> AsyncClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        return new AsyncClientCursor<>(forNewCursor(), rowFactory);
    }

    /** A cursor for queries with {@code $1}-style placeholders ({@link AsyncRawCursor}). */
    public AsyncRawCursor<R> rawCursor() {
        return rawCursor(rowFactory());
    }

    /** An {@link AsyncRawCursor} with another row factory. */
    public <T> AsyncRawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        return new AsyncRawCursor<>(forNewCursor(), rowFactory);
    }

    /** As {@link Connection#cursor(String)}: an {@link AsyncServerCursor}, its rows fetched from the server in chunks. */
    public AsyncServerCursor<R> cursor(String name) {
        return cursor(name, rowFactory());
    }

    /** An {@link AsyncServerCursor} with another row factory. */
    public <T> AsyncServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        return new AsyncServerCursor<>(forNewCursor(), name, rowFactory, Binder.SERVER);
    }

    /** A server-side cursor whose query takes PostgreSQL's own {@code $1} placeholders ({@link AsyncRawServerCursor}). */
    public AsyncRawServerCursor<R> rawCursor(String name) {
        return rawCursor(name, rowFactory());
    }

    /** An {@link AsyncRawServerCursor} with another row factory. */
    public <T> AsyncRawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        return new AsyncRawServerCursor<>(forNewCursor(), name, rowFactory);
    }

    // (execute's cursor is of the class cursorFactory() names; a closed connection fails its future, not the call)

    /** As {@link Connection#execute(String)}: the future completes with the cursor once the results are in. */
    public CompletableFuture<AsyncCursor<R>> execute(String query) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query);
    }

    /** As {@link Connection#execute(String, Object...)}. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Object... params) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query, params);
    }

    /** As {@link Connection#execute(String, Map)}. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, Map<String, ?> params) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query, params);
    }

    /** As {@link Connection#execute(String, List, ExecuteOptions)}. */
    public CompletableFuture<AsyncCursor<R>> execute(String query, List<?> params, ExecuteOptions options) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query, params, options);
    }

    /** As {@link Connection#execute(Composable, Object...)}. */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Object... params) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query, params);
    }

    /** As {@link Connection#execute(Composable, Map)}. */
    public CompletableFuture<AsyncCursor<R>> execute(Composable query, Map<String, ?> params) {
        return leaseEnded() ? refusedLease() : cursorFactory().async(this, rowFactory()).execute(query, params);
    }

    /** Runs a type-catalogue lookup for {@code TypeInfo.fetch(conn, name)}: the future completes with what it found. */
    @Override
    public CompletableFuture<TypeInfo> lookUpType(TypeCatalog.Lookup lookup) {
        return leaseEnded() ? refusedLease()
                : newCursor(Rows.tuple()).execute(lookup.sql(), lookup.param()).thenApply(cur -> lookup.result(cur.fetchone()));
    }

    // ---------------------------------------------------------------- pipeline mode

    /**
     * The non-blocking {@link Connection#pipeline()}: the statements submitted until the block is closed share one
     * Sync, so an error fails those after it up to {@link AsyncPipeline#sync()} with {@code PipelineAborted}, and
     * in autocommit mode they commit together at the Sync. Statements outside a block are pipelined anyway, each
     * with its own Sync (see the class comment): use a block when statements must succeed or fail together.
     */
    public AsyncPipeline pipeline() {
        use();
        return AsyncPipeline.open(this);
    }

    /** A cursor for the connection's own calls, whose futures report a closed connection instead. */
    <T> AsyncCursor<T> newCursor(RowFactory<T> rowFactory) {
        look();
        return new AsyncCursor<>(this, rowFactory);
    }

    /**
     * The rows of {@code query} as a {@link java.util.concurrent.Flow.Publisher} with back-pressure: they
     * are fetched from a server-side cursor only as the subscriber requests them (at most 500 at a time),
     * so a huge result never sits in memory. Outside a transaction the publisher opens one for the cursor
     * and ends it when the rows run out or the subscription is cancelled. Signals arrive on the event loop. When the
     * connection is closed or lost, or the pool lease it was made through ends, the subscriber is told so with
     * {@code onError} even if it asks for nothing more.
     *
     * <pre>{@code
     * conn.stream("SELECT * FROM big WHERE kind = %s", "x").subscribe(subscriber);   // rows as it requests them
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

    // ---------------------------------------------------------------- transactions

    /**
     * The non-blocking {@link Connection#transaction(TransactionBody)}: the block commits when the body's future
     * completes and rolls back when it fails (or the body throws), the future failing with the body's exception
     * unchanged; {@link Rollback} (thrown or as the failure) works as there. The body receives the block.
     *
     * <pre>{@code
     * conn.transaction(tx -> conn.execute("INSERT INTO t VALUES (1)")).join();
     * }</pre>
     */
    public <T> CompletableFuture<T> transaction(Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        return leaseEnded() ? refusedLease() : transaction(TransactionOptions.DEFAULT, body);
    }

    /** As {@link #transaction(Function)} with {@link TransactionOptions}. */
    public <T> CompletableFuture<T> transaction(TransactionOptions options,
                                                Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        return leaseEnded() ? refusedLease() : AsyncTransaction.run(this, transactions, options, body);
    }

    /** As {@link Connection#commit()}, once the statements submitted before have run. */
    public CompletableFuture<Void> commit() {
        return leaseEnded() ? refusedLease() : transactions.end(true);
    }

    /** As {@link Connection#rollback()}, once the statements submitted before have run. */
    public CompletableFuture<Void> rollback() {
        return leaseEnded() ? refusedLease() : transactions.end(false);
    }

    /** As {@link Connection#setAutocommit(boolean)}, in order with the statements submitted before. */
    public CompletableFuture<Void> setAutocommit(boolean on) {
        return leaseEnded() ? refusedLease() : transactions.setWhenIdle("autocommit", () -> session.autocommit(on));
    }

    /** As {@link Connection#setIsolationLevel(IsolationLevel)}, in order with the statements submitted before. */
    public CompletableFuture<Void> setIsolationLevel(IsolationLevel level) {
        return leaseEnded() ? refusedLease() : transactions.setWhenIdle("isolation_level", () -> session.isolationLevel(level));
    }

    public CompletableFuture<Void> setReadOnly(Boolean on) {
        return leaseEnded() ? refusedLease() : transactions.setWhenIdle("read_only", () -> session.readOnly(on));
    }

    public CompletableFuture<Void> setDeferrable(Boolean on) {
        return leaseEnded() ? refusedLease() : transactions.setWhenIdle("deferrable", () -> session.deferrable(on));
    }

    // ---------------------------------------------------------------- two-phase commit
    // (the non-blocking forms of Connection's: the rules are checked in order with the statements submitted before,
    // so the calls may be chained or pipelined; a refusal fails the future)

    /** As {@link Connection#tpcBegin(Xid)}. */
    public CompletableFuture<Void> tpcBegin(Xid xid) {
        return leaseEnded() ? refusedLease() : transactions.tpcBegin(xid == null ? null : xid.toString());
    }

    /** As {@link Connection#tpcBegin(String)}. */
    public CompletableFuture<Void> tpcBegin(String gtrid) {
        return leaseEnded() ? refusedLease() : transactions.tpcBegin(gtrid == null ? null : Xid.fromString(gtrid).toString());
    }

    /** As {@link Connection#tpcPrepare()}. */
    public CompletableFuture<Void> tpcPrepare() {
        return leaseEnded() ? refusedLease() : transactions.tpcPrepare();
    }

    /** As {@link Connection#tpcCommit()}. */
    public CompletableFuture<Void> tpcCommit() {
        return leaseEnded() ? refusedLease() : transactions.tpcFinish(true, null);
    }

    /** As {@link Connection#tpcCommit(Xid)}. */
    public CompletableFuture<Void> tpcCommit(Xid xid) {
        return leaseEnded() ? refusedLease() : transactions.tpcFinishById(true, xid == null ? null : xid.toString());
    }

    /** As {@link Connection#tpcRollback()}. */
    public CompletableFuture<Void> tpcRollback() {
        return leaseEnded() ? refusedLease() : transactions.tpcFinish(false, null);
    }

    /** As {@link Connection#tpcRollback(Xid)}. */
    public CompletableFuture<Void> tpcRollback(Xid xid) {
        return leaseEnded() ? refusedLease() : transactions.tpcFinishById(false, xid == null ? null : xid.toString());
    }

    /** As {@link Connection#tpcRecover()}. */
    public CompletableFuture<List<Xid>> tpcRecover() {
        return leaseEnded() ? refusedLease() : transactions.tpcRecover(Xid::recovered);
    }

    // ---------------------------------------------------------------- state

    /** The non-blocking {@link Connection#settings()}. */
    public AsyncServerSettings settings() {
        use();
        return new AsyncServerSettings(this);
    }

    /** The driver: its event loop runs tasks acting for the connection, in order ({@code execute}). */
    EventLoopDriver driver() {
        return driver;
    }

    @Override
    Liveness liveness() {
        return errors;
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
        return givenBack() ? CompletableFuture.completedFuture(null) : closing.close();
    }

    @Override
    void closeUnpooled() {
        closing.close();
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * The non-blocking {@link Connection#cancel()}: the CancelRequest travels on a separate connection, opened off
     * the event loop; the future completes once the server has taken the request, and fails where the blocking call
     * throws. Through a pool's lease it never reaches the next borrower, as the blocking one.
     */
    public CompletableFuture<Void> cancel() {
        return cancelSafe(null);
    }

    /** As {@link Connection#cancelSafe(Duration)}: {@link #cancel()}, failing if not taken within {@code timeout}. */
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
        return Cancellers.run(() -> requestCancel(timeout, reason));
    }

    // ---------------------------------------------------------------- notifications

    /** As {@link Connection#addNotifyHandler}; handlers run on the event loop: they must not block, and may submit statements. */
    public void addNotifyHandler(Consumer<Notify> handler) {
        use();
        addNotify(handler);
    }

    /**
     * The notifications as a {@link java.util.concurrent.Flow.Publisher} with back-pressure: a subscriber
     * receives every notification that arrives after it subscribed, in order, as many as it requested
     * (the others wait in its buffer). It completes when the connection is closed and fails when it is lost;
     * made through a pool's lease, it also completes when the lease ends.
     *
     * <pre>{@code
     * conn.execute("LISTEN jobs").join();
     * conn.notifications().subscribe(subscriber);   // every notification from now on, as it requests them
     * }</pre>
     */
    public Flow.Publisher<Notify> notifications() {
        use();
        // through a pool's lease: its subscriptions complete when the lease ends, never hearing the next borrower's
        return home == this ? notifications : notifications.limited(driver, null, null, this::leaseOver, this::endsWithLease);
    }

    /**
     * {@link Connection#notifies(Duration, Integer)} as a publisher: each subscriber receives the notifications that
     * arrive after it subscribed (as {@link #notifications()}) and completes at those limits or when the connection
     * is closed; it fails when the connection is lost. A timeout of zero still delivers what the socket already
     * holds: the deadline is checked only after the event loop has read it.
     *
     * <pre>{@code
     * conn.notifies(Duration.ofSeconds(5), 10).subscribe(subscriber);   // completes after 5 s or 10 notifications
     * }</pre>
     *
     * @throws ProgrammingException for a negative timeout or stopAfter
     */
    public Flow.Publisher<Notify> notifies(Duration timeout, Integer stopAfter) {
        use();
        return home == this ? notifications.limited(driver, timeout, stopAfter, null, null)
                : notifications.limited(driver, timeout, stopAfter, this::leaseOver, this::endsWithLease);
    }

    /** As {@link Connection#addNoticeHandler}; handlers run on the event loop and must not block. */
    public void addNoticeHandler(Consumer<Diagnostic> handler) {
        use();
        addNotice(handler);
    }
}
