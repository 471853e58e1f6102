package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.Diagnostic;
import dev.tusk.internal.blocking.BlockingClose;
import dev.tusk.internal.blocking.BlockingPipelines;
import dev.tusk.internal.blocking.BlockingStatements;
import dev.tusk.internal.blocking.BlockingTransactions;
import dev.tusk.internal.blocking.CancelOnTimeout;
import dev.tusk.internal.blocking.TimedWaits;
import dev.tusk.internal.blocking.Usability;
import dev.tusk.internal.connect.Connector;
import dev.tusk.internal.connect.EstablishedSession;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.notify.HandlerScope;
import dev.tusk.internal.notify.Notifications;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.Liveness;
import dev.tusk.sql.Composable;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
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
public class Connection<R> extends ConnectionShell<R, Connection<R>, ActiveWork.State<R>>
        implements AutoCloseable, AdaptContext, TypeCatalog<TypeInfo> {
    final ReentrantLock lock;
    /** Closes the connection without waiting for the server, and knows whether it is closed. */
    final BlockingClose closing;
    private final EstablishedSession<BlockingDriver> established;
    /** The transaction rules of the session ({@code TransactionSteps}), run under the lock for this handle. */
    final BlockingTransactions transactions;
    /** Pipeline mode: its blocks, Syncs and Flushes. */
    final BlockingPipelines pipelines;
    final BlockingStatements statements; // the cursors' statements, run (or queued) under the lock for this handle
    final Notifications<Notify> notifications;
    /** The waits of the statements that are not an execute, under the statement timeout. */
    final TimedWaits waits;
    static {
        ConnectionHooks.install();
    }

    Connection(EstablishedSession<BlockingDriver> established, ConnectOptions<R> options) {
        super(new ActiveWork.State<>(), options, established);
        BlockingDriver driver = established.driver();
        this.lock = new ReentrantLock();
        BlockingWaiter waiter = new BlockingWaiter(driver, new CancelOnTimeout(driver, this::sendCancel));
        this.closing = new BlockingClose(lock, driver, waiter, state::statementTimeout,
                cause -> observeClosed(cause, BlockingClose.CLOSED_BY_USER), established.observer() != null);
        this.notifications = new Notifications<>(notifyHandlers, lock, driver, this::isClosed,
                () -> closing.closed() && !isBroken());
        this.established = established;
        driver.beforeWrite(state::awaitCancelInFlight);
        this.waits = new TimedWaits(driver, waiter, state::statementTimeout);
        this.pipelines = new BlockingPipelines(lock, session.pipelines(), driver, waits);
        this.transactions = new BlockingTransactions(new BlockingTransactions.Parts(lock, driver, waiter, closing,
                pipelines, this::checkUsable, state::statementTimeout), session);
        this.statements = new BlockingStatements(lock, session, waiter, pipelines, this::checkUsable);
        driver.core().session().notifySink(notifySink(observed(established.observer(), notifications::received)));
        driver.socketTimeout(options.socketTimeout());
    }

    /** A pool's lease handle of {@code pooled} (see {@link ConnectionShell#ConnectionShell(ConnectionShell)}). */
    private Connection(Connection<R> pooled) {
        super(pooled);
        this.lock = pooled.lock;
        this.closing = pooled.closing;
        this.established = pooled.established;
        Runnable usable = new LeaseCheck(this); // one for both; a plain object, not a lambda made per lease
        this.transactions = pooled.transactions.forLease(usable); // the lease checked under the lock
        this.pipelines = pooled.pipelines;
        this.statements = pooled.statements.forLease(usable);
        this.notifications = pooled.notifications;
        this.waits = pooled.waits;
    }

    /** A lease handle's usable check ({@link #checkUsable()}), which its transactions and statements run. */
    private static final class LeaseCheck implements Runnable {
        private final Connection<?> lease;

        LeaseCheck(Connection<?> lease) {
            this.lease = lease;
        }

        @Override
        public void run() {
            lease.checkUsable();
        }
    }

    @Override
    Connection<R> newLeaseHandle() {
        return new Connection<>(this);
    }

    @Override
    ConnectionInfo newInfo() {
        return new ConnectionInfo(server.params(), server.host(), driver().core().session(), home, session.pipelines());
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

    /** A new client-side cursor with the connection's row factory, of the class {@link #cursorFactory()} names. */
    public Cursor<R> cursor() {
        return cursor(rowFactory());
    }

    /** A new client-side cursor with another row factory (of the class {@link #cursorFactory()} names). */
    public <T> Cursor<T> cursor(RowFactory<T> rowFactory) {
        return forNewCursor().cursorFactory().blocking(this, rowFactory);
    }

    /** A cursor that merges parameters into the query on the client ({@link ClientCursor}). */
    public ClientCursor<R> clientCursor() {
        return clientCursor(rowFactory());
    }

    /** A {@link ClientCursor} with another row factory. */
    public <T> ClientCursor<T> clientCursor(RowFactory<T> rowFactory) {
        return new ClientCursor<>(forNewCursor(), rowFactory);
    }

    /** A cursor for queries with {@code $1}-style placeholders ({@link RawCursor}). */
    public RawCursor<R> rawCursor() {
        return rawCursor(rowFactory());
    }

    /** A {@link RawCursor} with another row factory. */
    public <T> RawCursor<T> rawCursor(RowFactory<T> rowFactory) {
        return new RawCursor<>(forNewCursor(), rowFactory);
    }

    /** A server-side cursor named {@code name} (a DECLAREd portal, {@link ServerCursor}), with the connection's row factory. */
    public ServerCursor<R> cursor(String name) {
        return cursor(name, rowFactory());
    }

    /** A server-side cursor with another row factory. */
    public <T> ServerCursor<T> cursor(String name, RowFactory<T> rowFactory) {
        return new ServerCursor<>(forNewCursor(), name, rowFactory, Binder.SERVER);
    }

    /** A server-side cursor whose query takes PostgreSQL's own {@code $1} placeholders ({@link RawServerCursor}). */
    public RawServerCursor<R> rawCursor(String name) {
        return rawCursor(name, rowFactory());
    }

    /** A {@link RawServerCursor} with another row factory. */
    public <T> RawServerCursor<T> rawCursor(String name, RowFactory<T> rowFactory) {
        return new RawServerCursor<>(forNewCursor(), name, rowFactory);
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

    /** Runs a type-catalogue lookup for {@code TypeInfo.fetch(conn, name)} and returns what it found. */
    @Override
    public TypeInfo lookUpType(TypeCatalog.Lookup lookup) {
        use();
        return lookup.result(cursor(Rows.tuple()).execute(lookup.sql(), lookup.param()).fetchone());
    }

    // ---------------------------------------------------------------- pipeline mode

    /**
     * Enters pipeline mode until the returned block is closed; blocks nest (closing an inner one syncs).
     */
    public Pipeline pipeline() {
        use();
        return new Pipeline(this, session.pipelines(), pipelines.open(this::checkUsable));
    }

    /**
     * Refuses a call on a connection that cannot run it (closed, lost, given back, busy with a COPY: {@link Usability#check};
     * made from inside its own notify or notice handler: {@link HandlerScope#check}).
     */
    void checkUsable() {
        checkUsable(null);
    }

    /** As {@link #checkUsable()}, for a call of {@code by}, the work in progress itself (a {@link Copy} writing its rows). */
    void checkUsable(Object by) {
        notices.scope().check();
        Usability.check(leaseOver(), state, closing, driver(), session.pipelines(), by);
    }

    @Override
    Liveness liveness() {
        return closing;
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
        transactions.setWhenIdle("autocommit", () -> session.autocommit(on));
    }

    /** The isolation level of the transactions that follow; null: the server default. */
    public void setIsolationLevel(IsolationLevel level) {
        use();
        transactions.setWhenIdle("isolation_level", () -> session.isolationLevel(level));
    }

    public void setReadOnly(Boolean on) {
        use();
        transactions.setWhenIdle("read_only", () -> session.readOnly(on));
    }

    public void setDeferrable(Boolean on) {
        use();
        transactions.setWhenIdle("deferrable", () -> session.deferrable(on));
    }

    // ---------------------------------------------------------------- transaction blocks, two-phase commit
    // (all logic in internal.op.TransactionSteps, run by internal.blocking.BlockingTransactions; a thin facade)

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
        return Transaction.run(Transaction.open(this, transactions, TransactionOptions.DEFAULT), body);
    }

    /** As {@link #transaction(TransactionBody)} with a savepoint name or the outermost block's characteristics. */
    public <T, E extends Exception> T transaction(TransactionOptions opts, TransactionBody<T, E> body) throws E {
        use();
        return Transaction.run(Transaction.open(this, transactions, opts), body);
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
        return Transaction.open(this, transactions, TransactionOptions.DEFAULT);
    }

    /** As {@link #transaction()} with options. */
    public Transaction transaction(TransactionOptions opts) {
        use();
        return Transaction.open(this, transactions, opts);
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
        transactions.tpcBegin(xid == null ? null : xid.toString());
    }

    /** Begins a two-phase transaction with a gid string (parsed as {@link Xid#fromString}). */
    public void tpcBegin(String gtrid) {
        use();
        transactions.tpcBegin(gtrid == null ? null : Xid.fromString(gtrid).toString());
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
        transactions.tpcFinish(true, requireXid(xid, "tpcCommit").toString());
    }

    /** Rolls back the current two-phase transaction (prepared or not). */
    public void tpcRollback() {
        use();
        transactions.tpcFinish(false, null);
    }

    /** Rolls back a prepared transaction by id (recovery, from any connection, outside a transaction). */
    public void tpcRollback(Xid xid) {
        use();
        transactions.tpcFinish(false, requireXid(xid, "tpcRollback").toString());
    }

    /** The transactions prepared on the server ({@code pg_prepared_xacts}, every database), XA ids parsed back. */
    public List<Xid> tpcRecover() {
        use();
        return transactions.tpcRecover(Xid::recovered);
    }

    // ---------------------------------------------------------------- state

    /** The server's configuration: typed {@code pg_settings} and {@code set_config}. */
    public ServerSettings settings() {
        use();
        return new ServerSettings(this);
    }

    /**
     * Closes the connection (idempotent). An open transaction is rolled back by the server. A pool's lease
     * ends instead, giving the connection back to its pool; a second call does nothing.
     */
    @Override
    public void close() {
        if (!givenBack()) {
            closing.close();
        }
    }

    @Override
    void closeUnpooled() {
        closing.close();
    }

    @Override
    void beforeGiveBack() {
        ActiveWork.endUnfinishedWork(this);
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * Asks the server to cancel the statement running on this connection; callable from any thread.
     * The statement fails with {@code QueryCanceled} in its own thread; the connection stays usable.
     * Gives up with an OperationalException if the server has not taken the request within
     * {@code connect_timeout} (10 s without one). Does nothing on a closed connection; refused
     * ({@code ProgrammingException}, as psycopg) while a two-phase transaction is prepared.
     *
     * <p>Through a pool's lease, the cancel never reaches the next borrower: one whose lease ends before its request
     * is written is dropped (it returns without sending anything), and the lease's end gives the connection back to
     * the pool only once the server handled the requests already written (close() itself does not wait); one the
     * server never confirmed has the connection replaced.
     */
    public void cancel() {
        cancelSafe(null);
    }

    /** As {@link #cancel()}, but never blocks longer than {@code timeout} (psycopg 3.2's cancel_safe). */
    public void cancelSafe(Duration timeout) {
        look();
        checkCancelAllowed();
        sendCancel(timeout, "user");
    }

    void sendCancel(Duration timeout, String reason) {
        if (!isClosed()) {
            requestCancel(timeout, reason);
        }
    }

    // ---------------------------------------------------------------- notifications

    /**
     * Adds a handler called with every notification (after {@code LISTEN}) when it is read, also in the middle of
     * another query; one added through a pool's lease is removed when the lease ends.
     */
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
        return notifications.stream(home != this ? this::isClosed : null, timeout == null ? null : timeout.toMillis(), stopAfter);
    }

    /** Adds a handler for the server's notices (NOTICE, WARNING...); without any, notices go to System.Logger. */
    public void addNoticeHandler(Consumer<Diagnostic> handler) {
        use();
        addNotice(handler);
    }

    BlockingDriver driver() {
        return established.driver();
    }
}
