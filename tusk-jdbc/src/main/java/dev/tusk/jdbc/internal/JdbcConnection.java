package dev.tusk.jdbc.internal;

import dev.tusk.ExecuteOptions;
import dev.tusk.IsolationLevel;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.layer.LayerAccess;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.DatabaseMetaData;
import java.sql.NClob;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLClientInfoException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Struct;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * {@link java.sql.Connection} over one Tusk {@link dev.tusk.Connection}: the same session, reachable with
 * {@code unwrap(dev.tusk.Connection.class)}. Autocommit is on when it starts (JDBC's rule).
 */
public final class JdbcConnection implements java.sql.Connection {
    final dev.tusk.Connection<Row> conn;
    final String url;
    /** The user it connected as, or null when not known yet ({@link #user()} asks the session). */
    private final String user;
    final String callMode;
    final boolean rewriteBatchedInserts;
    final int defaultFetchSize;
    private final Runnable onClose;
    private volatile boolean closed;
    /** Open statements, closed with the connection; made with the first statement (a bare lease needs none). */
    private Set<JdbcStatement> statements;
    private boolean typedParams;
    private volatile boolean listening;
    /** The last savepoint id given out (counted atomically through {@link #SAVEPOINT_IDS}: no object per lease). */
    private volatile int savepointIds;
    private int holdability = ResultSet.CLOSE_CURSORS_AT_COMMIT;
    /** Counted by {@link #transactionEpoch()}. */
    private long transactionEpoch;
    private volatile int networkTimeoutMillis;
    /**
     * The Tusk connection's own statement timeout before {@link #setNetworkTimeout} (what its options said): a network
     * timeout also bounds the driver's own round trips (commit, rollback, savepoints, SET) through that timeout, and
     * taking it off puts this one back.
     */
    private final Duration baseStatementTimeout;
    private SQLWarning warnings;
    private String applicationName;
    /** The statement running now: the server's notices become its warnings (else the connection's). */
    private volatile JdbcStatement running;
    /** Turns the server's notices into warnings: made with the first statement ({@link #listenForNotices}). */
    private Consumer<Diagnostic> notices;

    /**
     * @param onClose what closing does besides closing the statements; null: close the Tusk connection
     */
    public JdbcConnection(dev.tusk.Connection<Row> conn, String url, String user, JdbcConfig config, Runnable onClose)
            throws SQLException {
        this(conn, url, user, JdbcSettings.of(config), onClose, true);
    }

    /**
     * A connection with settings read before ({@link JdbcSettings#forLeases}: a pooled DataSource's lease).
     *
     * @param user the user it connected as; null: asked of the session when wanted ({@link #user()})
     */
    public JdbcConnection(dev.tusk.Connection<Row> conn, String url, String user, JdbcSettings settings,
                          Runnable onClose) throws SQLException {
        this(conn, url, user, settings, onClose, true);
    }

    /** @param autocommitOn switch autocommit on (JDBC's default); false for a handle on a connection in an XA branch */
    JdbcConnection(dev.tusk.Connection<Row> conn, String url, String user, JdbcSettings settings, Runnable onClose,
                   boolean autocommitOn) throws SQLException {
        this.conn = conn;
        this.url = url;
        this.user = user;
        this.callMode = settings.callMode;
        this.rewriteBatchedInserts = settings.rewriteBatchedInserts;
        this.defaultFetchSize = settings.defaultFetchSize;
        this.networkTimeoutMillis = settings.socketTimeoutMillis;
        this.rewrites = settings.rewrites();
        this.onClose = onClose;
        this.baseStatementTimeout = conn.statementTimeout();
        try {
            if (autocommitOn && !conn.autocommit()) {
                conn.setAutocommit(true);
            }
            if (settings.readOnly) {
                conn.setReadOnly(true);
            }
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    /**
     * Statements rewritten for this connection, by their JDBC text: prepared ones, plain ones with escapes, without
     * (shared by the leases of a pooled DataSource: see {@link JdbcSettings}).
     */
    private final RewriteCache rewrites;

    /** The user it connected as. */
    String user() {
        return user != null ? user : conn.info().user();
    }

    /**
     * {@code sql} as {@link SqlRewriter#rewrite} turns it into PostgreSQL's with this connection's call mode, rewritten
     * once per text (a statement prepared again, a plain statement run again) while it is among the last ones used.
     */
    SqlRewriter.Result rewritten(String sql, boolean placeholders, boolean escapes) throws SQLException {
        int kind = placeholders ? 0 : escapes ? 1 : 2;
        SqlRewriter.Result r = rewrites.get(kind, sql);
        if (r == null) {
            r = SqlRewriter.rewrite(sql, placeholders, escapes, callMode);
            rewrites.put(kind, sql, r);
        }
        return r;
    }

    /** The Tusk connection (for statements of this package), the CLOSE of cursors left over sent first. */
    dev.tusk.Connection<Row> tusk() throws SQLException {
        return tusk(ExecuteOptions.DEFAULT);
    }

    /** As {@link #tusk()}, the CLOSEs under the deadline of {@code opts}, the statement's that comes next. */
    dev.tusk.Connection<Row> tusk(ExecuteOptions opts) throws SQLException {
        checkOpen();
        sendCursorCloses(opts);
        transactionEpoch();
        return conn;
    }

    /** A server-side cursor whose result set was closed, declared in transaction {@code epoch}. */
    private record CursorClose(String name, long epoch, boolean hold) {
    }

    /**
     * Server-side cursors whose result sets were closed and which are still open on the server: closed before the
     * driver's next round trip on the connection ({@link #sendCursorCloses}), so that a result set's close never
     * waits for the server (it may be frozen, or busy with another thread's statement).
     */
    private volatile Queue<CursorClose> cursorCloses;

    private static final VarHandle CURSOR_CLOSES;
    private static final VarHandle SAVEPOINT_IDS;

    static {
        try {
            CURSOR_CLOSES = MethodHandles.lookup().findVarHandle(JdbcConnection.class, "cursorCloses", Queue.class);
            SAVEPOINT_IDS = MethodHandles.lookup().findVarHandle(JdbcConnection.class, "savepointIds", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** The result set of server-side cursor {@code name} (declared in transaction {@code epoch}) was closed. */
    void closeCursorLater(String name, long epoch, boolean hold) {
        if (!closed) { // a closed connection's cursors end with its session, or with the pool's reset (CLOSE ALL)
            Queue<CursorClose> q = cursorCloses;
            if (q == null) { // the first: made here, by one thread if two race (a lease that declares none has none)
                CURSOR_CLOSES.compareAndSet(this, null, new ConcurrentLinkedQueue<CursorClose>());
                q = cursorCloses;
            }
            q.add(new CursorClose(name, epoch, hold));
        }
    }

    /** Whether the queued CLOSEs go before every statement of the session ({@link #sendCursorClosesFirst}). */
    private volatile boolean closesFirst;

    /**
     * Makes the queued CLOSEs go before every statement of the session, not only this driver's: those of the Tusk
     * connection {@link #unwrap} hands out too (an execute, a stream, a COPY, a server-side cursor, commit and
     * rollback), through the Tusk connection's prelude ({@link LayerAccess}). Called before the first server-side
     * cursor is declared (waiting for the connection's lock as that DECLARE does); connections that never declare
     * one pay nothing. The prelude outlives this connection on a pooled session: once this connection is closed it
     * takes itself off at the next statement (never waiting, as a close must, for a lock another thread may hold).
     */
    void sendCursorClosesFirst() {
        if (closesFirst) {
            return;
        }
        closesFirst = true;
        LayerAccess.<dev.tusk.Connection<Row>>hooks().prelude(conn, this::prelude);
    }

    /**
     * The session's prelude: the queued CLOSEs under the timeout of the statement they go before (null: the
     * connection's), or (once this connection is closed) taking itself off.
     */
    private void prelude(Duration timeout) {
        if (closed) {
            LayerAccess.<dev.tusk.Connection<Row>>hooks().prelude(conn, null);
            return;
        }
        transactionEpoch(); // a transaction ended through the Tusk connection is counted (see transactionEpoch())
        sendCursorCloses(timeout == null ? ExecuteOptions.DEFAULT : new ExecuteOptions(null, null, timeout));
    }

    /** {@link #sendCursorCloses(ExecuteOptions)} under the connection's own deadline (its network timeout, if any). */
    private void sendCursorCloses() {
        sendCursorCloses(ExecuteOptions.DEFAULT);
    }

    /**
     * Sends the CLOSE of the cursors whose result sets were closed since the last round trip, in one round trip
     * before the next one (as pgjdbc queues a portal's close before its next statement): only those that still exist,
     * in the transaction they were declared in while it has not failed (a cursor whose transaction ended went with it,
     * and one of a failed transaction goes with its rollback), or WITH HOLD, inside a transaction or not (in a failed
     * one it waits for the rollback, which it outlives once committed). {@code opts}: the deadline of the round trip.
     */
    private void sendCursorCloses(ExecuteOptions opts) {
        Queue<CursorClose> queue = cursorCloses;
        if (queue == null || queue.isEmpty()) {
            return;
        }
        StringBuilder sql = new StringBuilder();
        List<CursorClose> later = null;
        TransactionStatus status = conn.info().transactionStatus();
        CursorClose c;
        while ((c = queue.poll()) != null) {
            if (c.hold() && status == TransactionStatus.INERROR) {
                (later == null ? later = new ArrayList<>() : later).add(c); // after the rollback: it outlives it
            } else if (c.hold() ? status != TransactionStatus.INERROR
                    : transactionEpoch() == c.epoch() && status == TransactionStatus.INTRANS) {
                sql.append("CLOSE ").append(c.name()).append(';');
            }
        }
        if (later != null) {
            queue.addAll(later);
        }
        if (sql.length() > 0 && !conn.isClosed()) {
            try {
                conn.rawCursor().execute(sql.toString(), null, opts);
            } catch (TuskException ignored) {
                // the connection broke: the statement about to run says so
            }
        }
    }

    /**
     * Which transaction the session is in, as a count that moves on whenever the session is seen between
     * transactions. It is sampled before each of this driver's round trips (statements, its own SQL, isValid), so a
     * transaction that ended (commit, rollback, an autocommit statement, a COMMIT the application ran) is counted
     * before the next one starts: a server-side cursor belongs to the epoch it was declared in, and closing it in
     * a later transaction (where it no longer exists) would fail that transaction.
     */
    long transactionEpoch() {
        if (conn.info().transactionStatus() == TransactionStatus.IDLE) {
            transactionEpoch++;
        }
        return transactionEpoch;
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw Errors.closed("connection");
        }
        if (conn.isClosed()) {
            closed = true;
            throw Errors.closed("connection");
        }
    }

    /** The client-side deadline of a statement: its query timeout, or the network timeout, or none. */
    Duration deadline(int queryTimeoutSeconds) {
        long ms = queryTimeoutSeconds > 0 ? queryTimeoutSeconds * 1000L : 0;
        int net = networkTimeoutMillis;
        if (net > 0 && (ms == 0 || net < ms)) {
            ms = net;
        }
        return ms == 0 ? null : Duration.ofMillis(ms);
    }

    private void notice(Diagnostic d) {
        String state = d.sqlstate() == null ? "01000" : d.sqlstate();
        SQLWarning w = new SQLWarning(d.messagePrimary(), state);
        JdbcStatement s = running;
        if (s != null) {
            s.addWarning(w);
        } else {
            addWarning(w);
        }
    }

    void running(JdbcStatement s) {
        running = s;
    }

    void forget(JdbcStatement s) {
        Set<JdbcStatement> set = statements;
        if (set != null) {
            set.remove(s);
        }
    }

    private <S extends JdbcStatement> S track(S s) {
        Set<JdbcStatement> set = statements;
        if (set == null) {
            statements = set = ConcurrentHashMap.newKeySet();
        }
        set.add(s);
        return s;
    }

    static {
        TypedParam.registerGlobally();
    }

    /**
     * Makes the session's adapters able to send {@link TypedParam}s (before the first prepared statement binds one):
     * nothing to do for a connection made after this class was loaded ({@link TypedParam#registerGlobally}).
     */
    void enableTypedParams() {
        if (!typedParams) {
            if (!TypedParam.registeredOn(TuskRows.ROWS.adaptersInUse(conn))) { // a lease's adapters() makes its own map
                TypedParam.register(conn.adapters());
            }
            typedParams = true;
        }
    }

    /** Starts turning the server's notices into warnings (with the first statement: a bare lease skips it). */
    void listenForNotices() {
        if (!listening) {
            notices = this::notice;
            listening = true;
            conn.addNoticeHandler(notices);
        }
    }

    private static void checkResultSetType(int type, int concurrency) throws SQLException {
        if (type != ResultSet.TYPE_FORWARD_ONLY && type != ResultSet.TYPE_SCROLL_INSENSITIVE
                && type != ResultSet.TYPE_SCROLL_SENSITIVE) {
            throw new SQLException("unknown result set type " + type, "HY024");
        }
        if (concurrency != ResultSet.CONCUR_READ_ONLY) {
            throw Errors.notSupported("an updatable result set (CONCUR_UPDATABLE)");
        }
    }

    private int downgrade(int type) {
        if (type == ResultSet.TYPE_SCROLL_SENSITIVE) {
            addWarning(new SQLWarning("TYPE_SCROLL_SENSITIVE is not supported: TYPE_SCROLL_INSENSITIVE is used", "01000"));
            return ResultSet.TYPE_SCROLL_INSENSITIVE;
        }
        return type;
    }

    void addWarning(SQLWarning w) {
        if (warnings == null) {
            warnings = w;
        } else {
            warnings.setNextWarning(w);
        }
    }

    // ------------------------------------------------------------------ statements

    @Override
    public Statement createStatement() throws SQLException {
        return createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, holdability);
    }

    @Override
    public Statement createStatement(int type, int concurrency) throws SQLException {
        return createStatement(type, concurrency, holdability);
    }

    @Override
    public Statement createStatement(int type, int concurrency, int holdability) throws SQLException {
        checkOpen();
        checkResultSetType(type, concurrency);
        return track(new JdbcStatement(this, downgrade(type), holdability));
    }

    @Override
    public PreparedStatement prepareStatement(String sql) throws SQLException {
        return prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, holdability);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency) throws SQLException {
        return prepareStatement(sql, type, concurrency, holdability);
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int type, int concurrency, int holdability) throws SQLException {
        checkOpen();
        checkResultSetType(type, concurrency);
        return track(new JdbcPreparedStatement(this, sql, downgrade(type), holdability, null));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int autoGeneratedKeys) throws SQLException {
        checkOpen();
        if (autoGeneratedKeys != Statement.RETURN_GENERATED_KEYS && autoGeneratedKeys != Statement.NO_GENERATED_KEYS) {
            throw new SQLException("autoGeneratedKeys must be RETURN_GENERATED_KEYS or NO_GENERATED_KEYS, got " + autoGeneratedKeys, "HY024");
        }
        return track(new JdbcPreparedStatement(this, sql, ResultSet.TYPE_FORWARD_ONLY, holdability,
                autoGeneratedKeys == Statement.RETURN_GENERATED_KEYS ? new String[] {"*"} : null));
    }

    @Override
    public PreparedStatement prepareStatement(String sql, int[] columnIndexes) throws SQLException {
        if (columnIndexes == null || columnIndexes.length == 0) {
            return prepareStatement(sql);
        }
        throw Errors.notSupported("generated keys by column index (PostgreSQL's RETURNING needs names: "
                + "use prepareStatement(sql, String[] columnNames))");
    }

    @Override
    public PreparedStatement prepareStatement(String sql, String[] columnNames) throws SQLException {
        checkOpen();
        return track(new JdbcPreparedStatement(this, sql, ResultSet.TYPE_FORWARD_ONLY, holdability,
                columnNames == null || columnNames.length == 0 ? new String[] {"*"} : columnNames));
    }

    @Override
    public CallableStatement prepareCall(String sql) throws SQLException {
        return prepareCall(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, holdability);
    }

    @Override
    public CallableStatement prepareCall(String sql, int type, int concurrency) throws SQLException {
        return prepareCall(sql, type, concurrency, holdability);
    }

    @Override
    public CallableStatement prepareCall(String sql, int type, int concurrency, int holdability) throws SQLException {
        checkOpen();
        checkResultSetType(type, concurrency);
        return track(new JdbcCallableStatement(this, sql, downgrade(type), holdability));
    }

    @Override
    public String nativeSQL(String sql) throws SQLException {
        return SqlRewriter.rewrite(sql, true, true, callMode).sql();
    }

    // ------------------------------------------------------------------ transactions

    @Override
    public void setAutoCommit(boolean autoCommit) throws SQLException {
        checkOpen();
        try {
            if (conn.autocommit() == autoCommit) {
                return;
            }
            if (autoCommit && conn.info().transactionStatus() != TransactionStatus.IDLE) {
                sendCursorCloses();
                conn.commit(); // JDBC: switching autocommit on commits the open transaction
            }
            conn.setAutocommit(autoCommit);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public boolean getAutoCommit() throws SQLException {
        checkOpen();
        return conn.autocommit();
    }

    @Override
    public void commit() throws SQLException {
        checkOpen();
        if (conn.autocommit()) {
            throw new SQLException("commit() in autocommit mode: call setAutoCommit(false) first", "25000");
        }
        boolean failed;
        sendCursorCloses(); // a cursor WITH HOLD would outlive the commit
        try {
            failed = conn.info().transactionStatus() == TransactionStatus.INERROR;
            conn.commit();
        } catch (TuskException e) {
            throw Errors.of(e);
        }
        if (failed) {
            throw new java.sql.SQLTransactionRollbackException(
                    "the transaction was rolled back, not committed: a statement in it had failed", "40000");
        }
    }

    @Override
    public void rollback() throws SQLException {
        checkOpen();
        if (conn.autocommit()) {
            throw new SQLException("rollback() in autocommit mode: call setAutoCommit(false) first", "25000");
        }
        try {
            conn.rollback();
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public Savepoint setSavepoint() throws SQLException {
        int id = (int) SAVEPOINT_IDS.getAndAdd(this, 1) + 1;
        return savepoint(new JdbcSavepoint(id, null));
    }

    @Override
    public Savepoint setSavepoint(String name) throws SQLException {
        if (name == null) {
            throw new SQLException("a savepoint name cannot be null", "3B000");
        }
        return savepoint(new JdbcSavepoint(0, name));
    }

    private Savepoint savepoint(JdbcSavepoint sp) throws SQLException {
        checkOpen();
        if (conn.autocommit()) {
            throw new SQLException("savepoints need a transaction: call setAutoCommit(false) first", "3B000");
        }
        runInternal("SAVEPOINT " + sp.sqlName());
        return sp;
    }

    @Override
    public void rollback(Savepoint savepoint) throws SQLException {
        checkOpen();
        runInternal("ROLLBACK TO SAVEPOINT " + JdbcSavepoint.of(savepoint).sqlName());
    }

    @Override
    public void releaseSavepoint(Savepoint savepoint) throws SQLException {
        checkOpen();
        runInternal("RELEASE SAVEPOINT " + JdbcSavepoint.of(savepoint).sqlName());
    }

    /** Runs a statement of the driver's own (no parameters, no results). */
    void runInternal(String sql) throws SQLException {
        sendCursorCloses(); // before a ROLLBACK TO SAVEPOINT that may end the cursors (a CLOSE then would fail)
        transactionEpoch();
        try {
            conn.rawCursor().execute(sql);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    /** One value of a driver's own query with parameters (as text), or null. */
    String queryString(String sql, Object... params) throws SQLException {
        checkOpen();
        sendCursorCloses();
        transactionEpoch();
        try {
            Row r = conn.rawCursor().execute(sql, List.of(params), ExecuteOptions.DEFAULT).fetchone();
            return r == null ? null : r.getString(0);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public void setTransactionIsolation(int level) throws SQLException {
        checkOpen();
        IsolationLevel l = switch (level) {
            case TRANSACTION_READ_UNCOMMITTED -> IsolationLevel.READ_UNCOMMITTED;
            case TRANSACTION_READ_COMMITTED -> IsolationLevel.READ_COMMITTED;
            case TRANSACTION_REPEATABLE_READ -> IsolationLevel.REPEATABLE_READ;
            case TRANSACTION_SERIALIZABLE -> IsolationLevel.SERIALIZABLE;
            case TRANSACTION_NONE -> throw Errors.notSupported("TRANSACTION_NONE (PostgreSQL always has transactions)");
            default -> throw new SQLException("unknown transaction isolation level " + level, "HY024");
        };
        try {
            if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                throw new SQLException("cannot change the isolation level inside a transaction: commit or roll back first", "25001");
            }
            conn.setIsolationLevel(l);
            if (conn.autocommit()) {
                // autocommit statements run in their own transactions: the session default is what applies to them
                runInternal("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + l.name().replace('_', ' '));
            }
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public int getTransactionIsolation() throws SQLException {
        checkOpen();
        IsolationLevel l = conn.isolationLevel();
        String name;
        if (l != null) {
            name = l.name().replace('_', ' ');
        } else {
            name = queryString("SELECT current_setting('transaction_isolation')");
        }
        return switch (name.toUpperCase(java.util.Locale.ROOT)) {
            case "READ UNCOMMITTED" -> TRANSACTION_READ_UNCOMMITTED;
            case "REPEATABLE READ" -> TRANSACTION_REPEATABLE_READ;
            case "SERIALIZABLE" -> TRANSACTION_SERIALIZABLE;
            default -> TRANSACTION_READ_COMMITTED;
        };
    }

    @Override
    public void setReadOnly(boolean readOnly) throws SQLException {
        checkOpen();
        try {
            if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                throw new SQLException("cannot change read-only mode inside a transaction: commit or roll back first", "25001");
            }
            conn.setReadOnly(readOnly ? Boolean.TRUE : null);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public boolean isReadOnly() throws SQLException {
        checkOpen();
        return Boolean.TRUE.equals(conn.readOnly());
    }

    @Override
    public void setHoldability(int holdability) throws SQLException {
        checkOpen();
        if (holdability != ResultSet.CLOSE_CURSORS_AT_COMMIT && holdability != ResultSet.HOLD_CURSORS_OVER_COMMIT) {
            throw new SQLException("unknown holdability " + holdability, "HY024");
        }
        this.holdability = holdability;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return holdability;
    }

    // ------------------------------------------------------------------ session

    @Override
    public DatabaseMetaData getMetaData() throws SQLException {
        checkOpen();
        return new JdbcDatabaseMetaData(this);
    }

    @Override
    public void setCatalog(String catalog) throws SQLException {
        checkOpen();
        if (catalog != null && !catalog.equals(conn.info().dbname())) {
            throw Errors.notSupported("switching to another database (catalog " + catalog + ") on an open connection");
        }
    }

    @Override
    public String getCatalog() throws SQLException {
        checkOpen();
        return conn.info().dbname();
    }

    @Override
    public void setSchema(String schema) throws SQLException {
        checkOpen();
        queryString("SELECT set_config('search_path', quote_ident($1), false)", schema);
    }

    @Override
    public String getSchema() throws SQLException {
        return queryString("SELECT current_schema()");
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return warnings;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        warnings = null;
    }

    @Override
    public Map<String, Class<?>> getTypeMap() throws SQLException {
        checkOpen();
        return new java.util.HashMap<>();
    }

    @Override
    public void setTypeMap(Map<String, Class<?>> map) throws SQLException {
        checkOpen();
        if (map != null && !map.isEmpty()) {
            throw Errors.notSupported("a custom type map (setTypeMap)");
        }
    }

    @Override
    public boolean isValid(int timeout) throws SQLException {
        if (timeout < 0) {
            throw new SQLException("isValid timeout must be >= 0, got " + timeout, "HY024");
        }
        if (closed || conn.isClosed() || conn.isBroken()) {
            return false;
        }
        transactionEpoch();
        // with autocommit off and no transaction open, the check must not open one (as any statement would): it
        // runs as an autocommit statement, which changes nothing on the client but this flag, put back after
        boolean noBegin = !conn.autocommit() && conn.info().transactionStatus() == TransactionStatus.IDLE;
        ExecuteOptions within = new ExecuteOptions(null, null, timeout == 0 ? deadline(0) : Duration.ofSeconds(timeout));
        try {
            if (noBegin) {
                conn.setAutocommit(true);
            }
            sendCursorCloses(within); // within the check's deadline, and without opening a transaction either
            if (conn.isBroken()) {
                return false; // the CLOSEs timed out (or the connection broke): no second wait as long
            }
            // an empty query on the simple protocol (null parameters): the server answers it inside a failed
            // transaction too, where SELECT 1 (or a Bind of any statement) fails with 25P02
            conn.rawCursor().execute("", null, within);
            return true;
        } catch (TuskException e) {
            return false;
        } finally {
            if (noBegin && !conn.isClosed()) {
                conn.setAutocommit(false);
            }
        }
    }

    @Override
    public void setClientInfo(String name, String value) throws SQLClientInfoException {
        if (!"ApplicationName".equals(name)) {
            throw new SQLClientInfoException("unknown client info property \"" + name + "\": Tusk supports ApplicationName",
                    Map.of(name, java.sql.ClientInfoStatus.REASON_UNKNOWN_PROPERTY));
        }
        try {
            queryString("SELECT set_config('application_name', $1, false)", value == null ? "" : value);
            applicationName = value;
        } catch (SQLException e) {
            throw new SQLClientInfoException(e.getMessage(), e.getSQLState(), 0,
                    Map.of(name, java.sql.ClientInfoStatus.REASON_VALUE_INVALID), e);
        }
    }

    @Override
    public void setClientInfo(Properties properties) throws SQLClientInfoException {
        for (String name : properties.stringPropertyNames()) {
            setClientInfo(name, properties.getProperty(name));
        }
    }

    @Override
    public String getClientInfo(String name) throws SQLException {
        checkOpen();
        if (!"ApplicationName".equals(name)) {
            return null;
        }
        return applicationName != null ? applicationName : queryString("SELECT current_setting('application_name')");
    }

    @Override
    public Properties getClientInfo() throws SQLException {
        Properties p = new Properties();
        String app = getClientInfo("ApplicationName");
        if (app != null) {
            p.setProperty("ApplicationName", app);
        }
        return p;
    }

    @Override
    public Array createArrayOf(String typeName, Object[] elements) throws SQLException {
        checkOpen();
        return new JdbcArray(typeName, elements);
    }

    @Override
    public Struct createStruct(String typeName, Object[] attributes) throws SQLException {
        throw Errors.notSupported("createStruct (use unwrap(dev.tusk.Connection.class) and CompositeInfo)");
    }

    @Override
    public Clob createClob() throws SQLException {
        throw Errors.notSupported("createClob (use setString on text columns)");
    }

    @Override
    public Blob createBlob() throws SQLException {
        throw Errors.notSupported("createBlob (use setBytes on bytea columns)");
    }

    @Override
    public NClob createNClob() throws SQLException {
        throw Errors.notSupported("createNClob (use setString on text columns)");
    }

    @Override
    public SQLXML createSQLXML() throws SQLException {
        throw Errors.notSupported("createSQLXML (use setString on xml columns)");
    }

    @Override
    public void abort(Executor executor) throws SQLException {
        if (executor == null) {
            throw new SQLException("abort needs an executor", "HY009");
        }
        if (closed) {
            return;
        }
        closed = true;
        if (listening) {
            conn.removeNoticeHandler(notices);
        }
        executor.execute(() -> {
            conn.close(); // never waits for the server
            if (onClose != null) {
                onClose.run();
            }
        });
    }

    @Override
    public void setNetworkTimeout(Executor executor, int milliseconds) throws SQLException {
        checkOpen();
        if (milliseconds < 0) {
            throw new SQLException("network timeout must be >= 0, got " + milliseconds, "HY024");
        }
        networkTimeoutMillis = milliseconds;
        // statements pass their deadline (see deadline()); commit, rollback and the driver's own SQL wait this long
        conn.setStatementTimeout(milliseconds == 0 ? baseStatementTimeout : Duration.ofMillis(milliseconds));
    }

    @Override
    public int getNetworkTimeout() throws SQLException {
        checkOpen();
        return networkTimeoutMillis;
    }

    @Override
    public boolean isClosed() {
        return closed || conn.isClosed();
    }

    /** Closed or closing: the Tusk connection's own close (or the pool's lease end) ends what is still running. */
    boolean closing() {
        return closed;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closed = true;
        if (statements != null) {
            for (JdbcStatement s : List.copyOf(statements)) {
                try {
                    s.close();
                } catch (SQLException ignored) {
                    // closing anyway
                }
            }
        }
        Queue<CursorClose> closes = cursorCloses;
        if (closes != null) {
            closes.clear(); // they end with the session, or with a pool's reset (CLOSE ALL)
        }
        if (listening) {
            conn.removeNoticeHandler(notices);
        }
        if (onClose != null) {
            onClose.run();
        } else {
            conn.close();
        }
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(conn)) {
            return iface.cast(conn);
        }
        throw new SQLException("not a wrapper for " + iface.getName() + ": unwrap to java.sql.Connection or dev.tusk.Connection", "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || iface.isInstance(conn);
    }

    @Override
    public String toString() {
        return "TuskJdbcConnection[" + url + (closed ? ", closed" : "") + "]";
    }
}
