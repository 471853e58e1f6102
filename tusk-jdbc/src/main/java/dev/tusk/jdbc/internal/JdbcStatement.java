package dev.tusk.jdbc.internal;

import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.rows.LiveRows;

import java.sql.BatchUpdateException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@link Statement} over Tusk cursors: plain SQL goes by the simple protocol (several statements allowed), a
 * batch is one pipeline, a fetch size in a transaction streams through a server-side cursor.
 */
public class JdbcStatement implements Statement {
    private static final AtomicInteger CURSOR_IDS = new AtomicInteger();

    final JdbcConnection c;
    final int resultSetType;
    final int holdability;
    private boolean closed;
    private boolean closeOnCompletion;
    boolean escapeProcessing = true;
    private boolean poolable;
    int maxRows;
    int fetchSize;
    int queryTimeout;
    private int maxFieldSize;
    private int fetchDirection = ResultSet.FETCH_FORWARD;
    private SQLWarning warnings;

    /** The last execution's results. */
    private Cursor<Row> cursor;
    /** The cursor live result sets stream from, its row factory, and the adapters (and their version) it was made under. */
    private Cursor<Row> liveCursor;
    private JdbcResultSet.Columns liveColumns;
    private AdaptersMap liveCursorAdapters;
    private int liveCursorVersion;
    private JdbcResultSet current;
    private long updateCount = -1;
    private JdbcResultSet generatedKeys;
    /**
     * The cursor of this statement's last round trip: {@link #cancel()} stops its statement while it is the one the
     * connection runs (Tusk's targeted cancel: dropped once another operation started, which waits for a request
     * already on its way), so a cancel never stops another statement on the connection.
     */
    private volatile Cursor<Row> target;
    private List<String> batch;

    JdbcStatement(JdbcConnection c, int resultSetType, int holdability) {
        this.c = c;
        this.resultSetType = resultSetType;
        this.holdability = holdability;
        this.fetchSize = c.defaultFetchSize;
        c.listenForNotices();
    }

    void checkOpen() throws SQLException {
        if (closed) {
            throw Errors.closed("statement");
        }
        c.checkOpen();
    }

    ExecuteOptions options() {
        java.time.Duration deadline = c.deadline(queryTimeout);
        return deadline == null ? ExecuteOptions.DEFAULT : new ExecuteOptions(null, null, deadline);
    }

    // ------------------------------------------------------------------ execution core

    /**
     * Runs one (rewritten) statement and makes its first result current.
     *
     * @param params null: the simple protocol, as written; otherwise the extended protocol with these values
     * @param keys   generated key columns to ask for with RETURNING, or null
     * @return true when the first result is a result set
     */
    boolean run(SqlRewriter.Result q, List<Object> params, String[] keys) throws SQLException {
        checkOpen();
        closeResults();
        String sql = q.sql();
        boolean wantKeys = false;
        if (keys != null && isDml(q.keyword()) && q.statements() == 1) {
            wantKeys = true;
            if (!q.hasReturning()) {
                sql = stripSemicolon(sql) + " RETURNING " + returningList(keys);
            }
        }
        dev.tusk.Connection<Row> conn = c.tusk(options()); // the CLOSEs queued before it, under its deadline
        if (!wantKeys && streams(q)) {
            return stream(conn, sql, params);
        }
        if (!wantKeys && readsLive(q)) {
            return readLive(conn, sql, params);
        }
        warnings = null;
        c.running(this);
        try {
            cursor = conn.rawCursor();
            executionStarted(cursor);
            if (maxRows > 0 && !wantKeys && q.statements() == 1) {
                // the server stops at maxRows (an Execute with a row count): the extended protocol, even without parameters
                cursor.setMaxRows(maxRows);
                if (params == null) {
                    params = List.of();
                }
            }
            cursor.execute(sql, params, options());
        } catch (TuskException e) {
            throw Errors.of(e);
        } finally {
            c.running(null);
        }
        if (wantKeys) {
            updateCount = Math.max(0, cursor.rowcount());
            generatedKeys = cursor.description() == null ? null : new JdbcResultSet(this, cursor.description(), cursor.fetchall());
            return false;
        }
        return takeResult();
    }

    private static boolean isDml(String keyword) {
        return keyword.equals("INSERT") || keyword.equals("UPDATE") || keyword.equals("DELETE") || keyword.equals("MERGE");
    }

    private static String stripSemicolon(String sql) {
        String s = sql.stripTrailing();
        while (s.endsWith(";")) {
            s = s.substring(0, s.length() - 1).stripTrailing();
        }
        return s;
    }

    private static String returningList(String[] keys) {
        if (keys.length == 1 && keys[0].equals("*")) {
            return "*";
        }
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            if (sb.length() > 0) {
                sb.append(", ");
            }
            // a name already quoted, or with upper case, is kept as written; a plain one is quoted as it folds
            if (k.startsWith("\"")) {
                sb.append(k);
            } else {
                sb.append('"').append(k.replace("\"", "\"\"")).append('"');
            }
        }
        return sb.toString();
    }

    /** A fetch size in a transaction, on a forward-only query: streamed through a server-side cursor (as pgjdbc). */
    private boolean streams(SqlRewriter.Result q) {
        if (fetchSize <= 0 || resultSetType != ResultSet.TYPE_FORWARD_ONLY || q.statements() != 1 || c.conn.autocommit()) {
            return false;
        }
        return q.returnsRows();
    }

    /**
     * A forward-only query in autocommit: its rows are read as the result set reaches them (Tusk's row stream), so
     * executeQuery returns once the first rows are in. Not for a callable statement (its OUT row is read at once).
     */
    boolean readsLive(SqlRewriter.Result q) {
        if (resultSetType != ResultSet.TYPE_FORWARD_ONLY || q.statements() != 1 || !c.conn.autocommit()) {
            return false;
        }
        return q.readsRows(); // not SELECT ... INTO: that makes a table and returns no rows
    }

    /**
     * Starts the statement on a row stream that keeps its rest (another statement on the connection first reads
     * it into memory) and reads its first rows, so that its errors, when it fails at once, come from here.
     */
    private boolean readLive(dev.tusk.Connection<Row> conn, String sql, List<Object> params) throws SQLException {
        warnings = null;
        c.running(this);
        LiveRows<Row> rows = null;
        try {
            Cursor<Row> cur = liveCursor(conn);
            executionStarted(cur);
            JdbcResultSet.Columns columns = liveColumns;
            columns.seen = null;
            if (maxRows > 0 && params == null) {
                params = List.of();
            }
            cur.setMaxRows(maxRows);
            rows = TuskRows.ROWS.stream(cur, sql, params == null ? null : paramArray(params), options(), true);
            rows.hasNext();
            if (columns.seen == null) { // no result with rows after all
                rows.close();
                current = null;
                updateCount = 0;
                return false;
            }
            current = JdbcResultSet.live(this, columns.seen, rows);
            updateCount = -1;
            return true;
        } catch (TuskException e) {
            if (rows != null) {
                try {
                    rows.close();
                } catch (TuskException ignored) {
                    // the statement failed: what ended it is the error raised below
                }
            }
            throw Errors.of(e);
        } finally {
            c.running(null);
        }
    }

    /** {@code params} as an array that the statement reads as it starts (and does not keep). */
    Object[] paramArray(List<Object> params) {
        return params.toArray();
    }

    /**
     * The cursor the live result sets of this statement stream from: made once, and again when the connection's
     * adapters changed since (a cursor sees the registrations made before it, such as the TypedParam dumpers a
     * prepared statement registers, or a loader the application registered on the unwrapped connection).
     */
    private Cursor<Row> liveCursor(dev.tusk.Connection<Row> conn) {
        AdaptersMap adapters = TuskRows.ROWS.adaptersInUse(conn); // a pool lease's adapters() would make its own
        int version = adapters.version();
        Cursor<Row> cur = liveCursor;
        if (cur == null || adapters != liveCursorAdapters || version != liveCursorVersion) {
            liveColumns = new JdbcResultSet.Columns();
            cur = conn.rawCursor(liveColumns);
            liveCursor = cur;
            liveCursorAdapters = adapters;
            liveCursorVersion = version;
        }
        return cur;
    }

    private boolean stream(dev.tusk.Connection<Row> conn, String sql, List<Object> params) throws SQLException {
        String name = "tusk_jdbc_" + CURSOR_IDS.incrementAndGet();
        boolean hold = holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT;
        c.sendCursorClosesFirst();
        try {
            executionStarted(conn.rawCursor()).execute("DECLARE " + name + " NO SCROLL CURSOR" + (hold ? " WITH HOLD" : "")
                    + " FOR " + stripSemicolon(sql), params == null ? List.of() : params, options());
        } catch (TuskException e) {
            throw Errors.of(e);
        }
        current = JdbcResultSet.streaming(this, name, fetchSize, maxRows);
        updateCount = -1;
        return true;
    }

    /** One batch of rows of a streaming result set. */
    Cursor<Row> fetchFrom(String name, int n) throws SQLException {
        try {
            return executionStarted(c.tusk(options()).rawCursor()).execute("FETCH FORWARD " + n + " FROM " + name, List.of(),
                    options());
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    /** Whether this statement's cursors are declared WITH HOLD (they outlive their transaction's commit). */
    boolean holdsCursors() {
        return holdability == ResultSet.HOLD_CURSORS_OVER_COMMIT;
    }

    /**
     * Closes a server-side cursor declared in transaction {@code epoch} (see {@link JdbcConnection#transactionEpoch()})
     * before the connection's next round trip: never waits for the server.
     */
    void closeServerCursor(String name, long epoch) {
        c.closeCursorLater(name, epoch, holdsCursors());
    }

    /** Makes the cursor's current result the statement's: a result set, or an update count. */
    private boolean takeResult() throws SQLException {
        try {
            if (cursor.description() != null) {
                List<Row> rows = maxRows > 0 ? cursor.fetchmany(maxRows) : cursor.fetchall();
                current = new JdbcResultSet(this, cursor.description(), rows);
                updateCount = -1;
                return true;
            }
            current = null;
            updateCount = Math.max(0, cursor.rowcount());
            return false;
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    private void closeResults() throws SQLException {
        if (current != null) {
            current.closeFromStatement();
            current = null;
        }
        generatedKeys = null;
        updateCount = -1;
        cursor = null;
    }

    /** JDBC escapes for a plain statement; its ? are left alone (they are operators there). */
    SqlRewriter.Result plain(String sql) throws SQLException {
        return c.rewritten(sql, false, escapeProcessing);
    }

    // ------------------------------------------------------------------ Statement

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        if (!run(plain(sql), null, null)) {
            throw new SQLException("executeQuery: the statement returned no result set: " + sql, "02000");
        }
        return current;
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        return (int) executeLargeUpdate(sql);
    }

    @Override
    public long executeLargeUpdate(String sql) throws SQLException {
        run(plain(sql), null, null);
        return updateCountOf(sql);
    }

    long updateCountOf(String sql) throws SQLException {
        if (current != null) {
            throw new SQLException("executeUpdate: the statement returned a result set (use executeQuery or execute): " + sql, "0100D");
        }
        return updateCount;
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        return run(plain(sql), null, null);
    }

    @Override
    public int executeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        return (int) executeLargeUpdate(sql, autoGeneratedKeys);
    }

    @Override
    public long executeLargeUpdate(String sql, int autoGeneratedKeys) throws SQLException {
        run(plain(sql), null, autoGeneratedKeys == RETURN_GENERATED_KEYS ? new String[] {"*"} : null);
        return updateCountOf(sql);
    }

    @Override
    public int executeUpdate(String sql, int[] columnIndexes) throws SQLException {
        throw Errors.notSupported("generated keys by column index (use column names)");
    }

    @Override
    public long executeLargeUpdate(String sql, int[] columnIndexes) throws SQLException {
        throw Errors.notSupported("generated keys by column index (use column names)");
    }

    @Override
    public int executeUpdate(String sql, String[] columnNames) throws SQLException {
        return (int) executeLargeUpdate(sql, columnNames);
    }

    @Override
    public long executeLargeUpdate(String sql, String[] columnNames) throws SQLException {
        run(plain(sql), null, columnNames == null || columnNames.length == 0 ? new String[] {"*"} : columnNames);
        return updateCountOf(sql);
    }

    @Override
    public boolean execute(String sql, int autoGeneratedKeys) throws SQLException {
        return run(plain(sql), null, autoGeneratedKeys == RETURN_GENERATED_KEYS ? new String[] {"*"} : null);
    }

    @Override
    public boolean execute(String sql, int[] columnIndexes) throws SQLException {
        throw Errors.notSupported("generated keys by column index (use column names)");
    }

    @Override
    public boolean execute(String sql, String[] columnNames) throws SQLException {
        return run(plain(sql), null, columnNames == null || columnNames.length == 0 ? new String[] {"*"} : columnNames);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        checkOpen();
        return current;
    }

    @Override
    public int getUpdateCount() throws SQLException {
        return (int) Math.min(Integer.MAX_VALUE, getLargeUpdateCount());
    }

    @Override
    public long getLargeUpdateCount() throws SQLException {
        checkOpen();
        return current != null ? -1 : updateCount;
    }

    @Override
    public boolean getMoreResults() throws SQLException {
        return getMoreResults(CLOSE_CURRENT_RESULT);
    }

    @Override
    public boolean getMoreResults(int handling) throws SQLException {
        checkOpen();
        if (handling != CLOSE_CURRENT_RESULT && handling != CLOSE_ALL_RESULTS) {
            throw Errors.notSupported("getMoreResults(KEEP_CURRENT_RESULT)");
        }
        if (current != null) {
            current.closeFromStatement();
            current = null;
        }
        if (cursor != null && cursor.nextset()) {
            return takeResult();
        }
        updateCount = -1;
        return false;
    }

    void setGeneratedKeys(JdbcResultSet keys) {
        generatedKeys = keys;
    }

    @Override
    public ResultSet getGeneratedKeys() throws SQLException {
        checkOpen();
        if (generatedKeys == null) {
            return JdbcResultSet.empty(this);
        }
        return generatedKeys;
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        checkOpen();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(plain(sql).sql());
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch = null;
    }

    @Override
    public int[] executeBatch() throws SQLException {
        long[] l = executeLargeBatch();
        int[] out = new int[l.length];
        for (int i = 0; i < l.length; i++) {
            out[i] = (int) Math.min(Integer.MAX_VALUE, l[i]);
        }
        return out;
    }

    /** The statements of the batch in one pipeline: one round trip; their counts in order. */
    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        closeResults();
        List<String> b = batch == null ? List.of() : batch;
        batch = null;
        if (b.isEmpty()) {
            return new long[0];
        }
        dev.tusk.Connection<Row> conn = c.tusk(options()); // the CLOSEs queued before it, under the batch's deadline
        List<Cursor<Row>> cursors = new ArrayList<>(b.size());
        TuskException failure = null;
        try (Pipeline p = conn.pipeline()) {
            for (String sql : b) {
                Cursor<Row> cur = executionStarted(conn.rawCursor()); // the pipeline's: one operation for them all
                cur.execute(sql, null, options());
                cursors.add(cur);
            }
            p.sync();
        } catch (TuskException e) {
            failure = e;
        }
        long[] counts = new long[cursors.size()];
        int done = 0;
        for (Cursor<Row> cur : cursors) {
            try {
                long n = cur.rowcount();
                if (cur.description() != null) {
                    throw new BatchUpdateException("a statement of the batch returned a result set: "
                            + b.get(done), "0100D", 0, Arrays.copyOf(counts, done), null);
                }
                counts[done++] = Math.max(0, n);
            } catch (TuskException e) {
                failure = failure == null ? e : failure;
                break;
            }
        }
        if (failure != null) {
            SQLException cause = Errors.of(failure);
            long[] partial = Arrays.copyOf(counts, done);
            throw new BatchUpdateException("batch entry " + done + " failed: " + cause.getMessage() + " (statement: "
                    + (done < b.size() ? b.get(done) : "?") + ")", cause.getSQLState(), cause.getErrorCode(), partial, cause);
        }
        return counts;
    }

    /**
     * Stops this statement's last round trip while the connection runs it: a query, a batch, a live result set's rows
     * still arriving (or being read into memory before another statement), a fetch of a streaming result set. Never
     * another statement's: once another operation started on the connection the request is dropped, and an
     * operation starting while it is on its way first waits until the server handled it.
     */
    @Override
    public void cancel() throws SQLException {
        if (closed) {
            return;
        }
        Cursor<Row> t = target;
        if (t == null) {
            return;
        }
        try {
            TuskRows.ROWS.cancel(t); // returns once the server took the request, or at its own deadline
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    /** A round trip of this statement starts on {@code cur}: {@link #cancel()} from now on targets it. */
    Cursor<Row> executionStarted(Cursor<Row> cur) {
        target = cur;
        return cur;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        if (current != null) {
            current.closeFromStatement();
        }
        current = null;
        generatedKeys = null;
        cursor = null;
        closed = true;
        c.forget(this);
    }

    /** A result set of this statement was closed: with closeOnCompletion, the statement goes too. */
    void resultSetClosed() throws SQLException {
        if (closeOnCompletion && !closed) {
            close();
        }
    }

    @Override
    public boolean isClosed() {
        return closed || c.isClosed(); // closed with its connection (closed, aborted or lost)
    }

    @Override
    public java.sql.Connection getConnection() throws SQLException {
        checkOpen();
        return c;
    }

    @Override
    public int getMaxFieldSize() throws SQLException {
        checkOpen();
        return maxFieldSize;
    }

    @Override
    public void setMaxFieldSize(int max) throws SQLException {
        checkOpen();
        if (max < 0) {
            throw new SQLException("max field size must be >= 0", "HY024");
        }
        if (max != 0) {
            throw Errors.notSupported("setMaxFieldSize (values are never truncated)");
        }
        maxFieldSize = max;
    }

    @Override
    public int getMaxRows() throws SQLException {
        checkOpen();
        return maxRows;
    }

    @Override
    public void setMaxRows(int max) throws SQLException {
        checkOpen();
        if (max < 0) {
            throw new SQLException("max rows must be >= 0, got " + max, "HY024");
        }
        maxRows = max;
    }

    @Override
    public long getLargeMaxRows() throws SQLException {
        return getMaxRows();
    }

    @Override
    public void setLargeMaxRows(long max) throws SQLException {
        setMaxRows((int) Math.min(Integer.MAX_VALUE, max));
    }

    @Override
    public void setEscapeProcessing(boolean enable) throws SQLException {
        checkOpen();
        escapeProcessing = enable;
    }

    @Override
    public int getQueryTimeout() throws SQLException {
        checkOpen();
        return queryTimeout;
    }

    @Override
    public void setQueryTimeout(int seconds) throws SQLException {
        checkOpen();
        if (seconds < 0) {
            throw new SQLException("query timeout must be >= 0, got " + seconds, "HY024");
        }
        queryTimeout = seconds;
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return warnings;
    }

    /** A notice the server sent while this statement ran. */
    void addWarning(SQLWarning w) {
        if (warnings == null) {
            warnings = w;
        } else {
            warnings.setNextWarning(w);
        }
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
        warnings = null;
    }

    @Override
    public void setCursorName(String name) throws SQLException {
        throw Errors.notSupported("setCursorName (positioned updates)");
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != ResultSet.FETCH_FORWARD && direction != ResultSet.FETCH_REVERSE && direction != ResultSet.FETCH_UNKNOWN) {
            throw new SQLException("unknown fetch direction " + direction, "HY024");
        }
        fetchDirection = direction;
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return fetchDirection;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("fetch size must be >= 0, got " + rows, "HY024");
        }
        fetchSize = rows;
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    @Override
    public int getResultSetConcurrency() throws SQLException {
        checkOpen();
        return ResultSet.CONCUR_READ_ONLY;
    }

    @Override
    public int getResultSetType() throws SQLException {
        checkOpen();
        return resultSetType;
    }

    @Override
    public int getResultSetHoldability() throws SQLException {
        checkOpen();
        return holdability;
    }

    @Override
    public void setPoolable(boolean poolable) throws SQLException {
        checkOpen();
        this.poolable = poolable;
    }

    @Override
    public boolean isPoolable() throws SQLException {
        checkOpen();
        return poolable;
    }

    @Override
    public void closeOnCompletion() throws SQLException {
        checkOpen();
        closeOnCompletion = true;
    }

    @Override
    public boolean isCloseOnCompletion() throws SQLException {
        checkOpen();
        return closeOnCompletion;
    }

    @Override
    public String enquoteIdentifier(String identifier, boolean alwaysQuote) throws SQLException {
        if (!alwaysQuote && identifier.matches("[a-z_][a-z0-9_$]*") && !identifier.toLowerCase(Locale.ROOT).equals("user")) {
            return identifier;
        }
        return Statement.super.enquoteIdentifier(identifier, true);
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
