package dev.tusk.jdbc.internal;

import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.BatchUpdateException;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.ParameterMetaData;
import java.sql.PreparedStatement;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLType;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@link PreparedStatement}: its {@code ?} become {@code $n} once, values are bound on the server through Tusk's
 * adapters (Tusk prepares it after the connection's prepareThreshold), and a batch is Tusk's executemany: one round
 * trip for all of its parameter sets.
 */
public class JdbcPreparedStatement extends JdbcStatement implements PreparedStatement {
    /** A single-row INSERT ... VALUES (...) that Tusk may send as multi-row INSERTs. */
    private static final Pattern PLAIN_INSERT = Pattern.compile("(?is)^\\s*insert\\s+into\\s+[^;()]+?(\\([^;()]*\\))?\\s*values\\s*(\\([^;]*\\))\\s*;?\\s*$");

    final String sql;
    final SqlRewriter.Result parsed;
    final String[] keys;
    final Object[] values;
    final boolean[] set;
    /** {@link #values} as a list, made once: Tusk copies the values out of it as each execution starts. */
    private final List<Object> valuesView;
    private List<Object[]> batch;
    /** The parameters' types as the server inferred them: asked once. */
    private JdbcParameterMetaData parameterMetaData;

    JdbcPreparedStatement(JdbcConnection c, String sql, int type, int holdability, String[] keys) throws SQLException {
        super(c, type, holdability);
        c.enableTypedParams();
        this.sql = sql;
        this.parsed = c.rewritten(sql, true, true);
        this.keys = keys;
        this.values = new Object[parsed.parameterCount()];
        this.set = new boolean[values.length];
        this.valuesView = Arrays.asList(values);
    }

    int index(int parameterIndex) throws SQLException {
        checkOpen();
        if (parameterIndex < 1 || parameterIndex > values.length) {
            throw new SQLException("parameter index " + parameterIndex + " is out of range 1.." + values.length
                    + " (the statement has " + values.length + " placeholder" + (values.length == 1 ? "" : "s") + ")", "22023");
        }
        return parameterIndex - 1;
    }

    void bind(int parameterIndex, Object value) throws SQLException {
        int i = index(parameterIndex);
        values[i] = value;
        set[i] = true;
    }

    /**
     * The bound values, all set, as a view of {@link #values} (Tusk copies them as the statement starts; a batch
     * copies them itself).
     */
    List<Object> boundValues() throws SQLException {
        for (int i = 0; i < set.length; i++) {
            if (!set[i]) {
                throw new SQLException("no value specified for parameter " + (i + 1), "22023");
            }
        }
        return valuesView;
    }

    /** The bound values themselves, not a copy: a statement reads them as it starts and keeps nothing of them. */
    @Override
    Object[] paramArray(List<Object> params) {
        return params == valuesView ? values : super.paramArray(params);
    }

    // ------------------------------------------------------------------ execution

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (!run(parsed, boundValues(), null)) {
            throw new SQLException("executeQuery: the statement returned no result set: " + sql, "02000");
        }
        return getResultSet();
    }

    @Override
    public int executeUpdate() throws SQLException {
        return (int) executeLargeUpdate();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        run(parsed, boundValues(), keys);
        return updateCountOf(sql);
    }

    @Override
    public boolean execute() throws SQLException {
        return run(parsed, boundValues(), keys);
    }

    @Override
    public void addBatch() throws SQLException {
        checkOpen();
        boundValues();
        if (batch == null) {
            batch = new ArrayList<>();
        }
        batch.add(values.clone());
    }

    @Override
    public void clearBatch() throws SQLException {
        checkOpen();
        batch = null;
    }

    @Override
    public void addBatch(String sql) throws SQLException {
        throw new SQLException("addBatch(String) cannot be called on a PreparedStatement: use addBatch()", "HY000");
    }

    @Override
    public long[] executeLargeBatch() throws SQLException {
        checkOpen();
        List<Object[]> sets = batch == null ? List.of() : batch;
        batch = null;
        if (sets.isEmpty()) {
            return new long[0];
        }
        long[] counts = new long[sets.size()];
        java.time.Duration deadline = options().timeout(); // the query timeout, else the network timeout, else null
        dev.tusk.Connection<Row> conn = c.tusk(options()); // the CLOSEs queued before it, under its deadline
        String q = parsed.sql();
        boolean wantKeys = keys != null && isDmlKeyword(parsed.keyword());
        if (wantKeys && !parsed.hasReturning()) {
            q = q.stripTrailing().replaceAll(";+$", "") + " RETURNING " + (keys.length == 1 && keys[0].equals("*") ? "*" : quoteAll(keys));
        }
        boolean rewrite = !wantKeys && c.rewriteBatchedInserts && sets.size() > 1 && PLAIN_INSERT.matcher(q).matches();
        Cursor<Row> cur = executionStarted(conn.rawCursor()); // cancel() stops the batch
        try {
            if (rewrite) {
                cur.executemany(q, sets, false, deadline);
                long total = cur.rowcount();
                // each single-row INSERT ... VALUES adds at most one row: a total of n means one each
                Arrays.fill(counts, total == sets.size() ? 1 : SUCCESS_NO_INFO);
                return counts;
            }
            cur.executemany(q, sets, true, deadline);
            List<Row> keyRows = wantKeys ? new ArrayList<>() : null;
            List<dev.tusk.Column> keyColumns = null;
            int i = 0;
            do {
                counts[i++] = Math.max(0, cur.rowcount());
                if (wantKeys && cur.description() != null) {
                    keyColumns = cur.description();
                    keyRows.addAll(cur.fetchall());
                }
            } while (i < counts.length && cur.nextset());
            if (wantKeys && keyColumns != null) {
                setGeneratedKeys(new JdbcResultSet(this, keyColumns, keyRows));
            }
            return counts;
        } catch (TuskException e) {
            SQLException cause = Errors.of(e);
            long[] failed = new long[sets.size()];
            Arrays.fill(failed, EXECUTE_FAILED); // one Sync for the whole batch: none of it took effect
            throw new BatchUpdateException("the batch of " + sets.size() + " failed as a whole (nothing of it was applied): "
                    + cause.getMessage(), cause.getSQLState(), cause.getErrorCode(), failed, cause);
        }
    }

    private static boolean isDmlKeyword(String k) {
        return k.equals("INSERT") || k.equals("UPDATE") || k.equals("DELETE") || k.equals("MERGE");
    }

    private static String quoteAll(String[] keys) {
        StringBuilder sb = new StringBuilder();
        for (String k : keys) {
            sb.append(sb.length() > 0 ? ", " : "").append(k.startsWith("\"") ? k : "\"" + k.replace("\"", "\"\"") + "\"");
        }
        return sb.toString();
    }

    @Override
    public void clearParameters() throws SQLException {
        checkOpen();
        Arrays.fill(values, null);
        Arrays.fill(set, false);
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        ResultSet rs = getResultSet();
        if (rs != null) {
            return rs.getMetaData();
        }
        if (!parsed.keyword().equals("SELECT") && !parsed.keyword().equals("WITH") && !parsed.keyword().equals("VALUES")) {
            return null; // no rows come back
        }
        // the columns without running it: the query inside a LIMIT 0 (parameters as NULLs of unknown type)
        List<Object> nulls = new ArrayList<>(values.length);
        for (int i = 0; i < values.length; i++) {
            nulls.add(set[i] ? values[i] : null);
        }
        try {
            Cursor<Row> cur = c.tusk().rawCursor().execute("SELECT * FROM (" + parsed.sql() + ") AS q LIMIT 0", nulls,
                    ExecuteOptions.DEFAULT);
            return new JdbcResultSetMetaData(c, cur.description());
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    @Override
    public ParameterMetaData getParameterMetaData() throws SQLException {
        checkOpen();
        if (parameterMetaData == null) {
            String k = parsed.keyword();
            if (values.length > 0 && !(k.equals("SELECT") || k.equals("WITH") || k.equals("VALUES") || k.equals("TABLE")
                    || isDmlKeyword(k))) {
                throw Errors.notSupported("ParameterMetaData of a " + k + " statement (the server describes the parameters "
                        + "of SELECT, VALUES, TABLE, WITH, INSERT, UPDATE, DELETE and MERGE)");
            }
            parameterMetaData = JdbcParameterMetaData.describe(c, parsed.sql(), values.length);
        }
        return parameterMetaData;
    }

    // ------------------------------------------------------------------ setters

    @Override
    public void setNull(int i, int sqlType) throws SQLException {
        bind(i, TypedParam.nullOf(TypeMap.oidForSqlType(sqlType)));
    }

    @Override
    public void setNull(int i, int sqlType, String typeName) throws SQLException {
        TypeMap.Type t = TypeMap.byName(typeName);
        bind(i, TypedParam.nullOf(t != null ? t.oid() : TypeMap.oidForSqlType(sqlType)));
    }

    @Override
    public void setBoolean(int i, boolean x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setByte(int i, byte x) throws SQLException {
        bind(i, (short) x);
    }

    @Override
    public void setShort(int i, short x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setInt(int i, int x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setLong(int i, long x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setFloat(int i, float x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setDouble(int i, double x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setBigDecimal(int i, BigDecimal x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.NUMERIC) : x);
    }

    @Override
    public void setString(int i, String x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setNString(int i, String x) throws SQLException {
        bind(i, x);
    }

    @Override
    public void setBytes(int i, byte[] x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.BYTEA) : x);
    }

    @Override
    public void setDate(int i, Date x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.DATE) : Params.date(x, null));
    }

    @Override
    public void setDate(int i, Date x, Calendar cal) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.DATE) : Params.date(x, cal));
    }

    @Override
    public void setTime(int i, Time x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.TIME) : Params.time(x, null));
    }

    @Override
    public void setTime(int i, Time x, Calendar cal) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.TIME) : Params.time(x, cal));
    }

    @Override
    public void setTimestamp(int i, Timestamp x) throws SQLException {
        bind(i, x == null ? null : Params.timestamp(x, null));
    }

    @Override
    public void setTimestamp(int i, Timestamp x, Calendar cal) throws SQLException {
        bind(i, x == null ? null : Params.timestamp(x, cal));
    }

    @Override
    public void setAsciiStream(int i, InputStream x, int length) throws SQLException {
        bind(i, Params.ascii(x, length));
    }

    @Override
    public void setAsciiStream(int i, InputStream x, long length) throws SQLException {
        bind(i, Params.ascii(x, length));
    }

    @Override
    public void setAsciiStream(int i, InputStream x) throws SQLException {
        bind(i, Params.ascii(x, -1));
    }

    @Override
    @Deprecated
    public void setUnicodeStream(int i, InputStream x, int length) throws SQLException {
        throw Errors.notSupported("setUnicodeStream (deprecated: use setCharacterStream)");
    }

    @Override
    public void setBinaryStream(int i, InputStream x, int length) throws SQLException {
        bind(i, Params.bytes(x, length));
    }

    @Override
    public void setBinaryStream(int i, InputStream x, long length) throws SQLException {
        bind(i, Params.bytes(x, length));
    }

    @Override
    public void setBinaryStream(int i, InputStream x) throws SQLException {
        bind(i, Params.bytes(x, -1));
    }

    @Override
    public void setCharacterStream(int i, Reader x, int length) throws SQLException {
        bind(i, Params.string(x, length));
    }

    @Override
    public void setCharacterStream(int i, Reader x, long length) throws SQLException {
        bind(i, Params.string(x, length));
    }

    @Override
    public void setCharacterStream(int i, Reader x) throws SQLException {
        bind(i, Params.string(x, -1));
    }

    @Override
    public void setNCharacterStream(int i, Reader x, long length) throws SQLException {
        bind(i, Params.string(x, length));
    }

    @Override
    public void setNCharacterStream(int i, Reader x) throws SQLException {
        bind(i, Params.string(x, -1));
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType) throws SQLException {
        bind(i, Params.convert(x, targetSqlType, -1));
    }

    @Override
    public void setObject(int i, Object x, int targetSqlType, int scaleOrLength) throws SQLException {
        boolean numeric = targetSqlType == java.sql.Types.NUMERIC || targetSqlType == java.sql.Types.DECIMAL;
        bind(i, Params.convert(x, targetSqlType, numeric ? scaleOrLength : -1));
    }

    @Override
    public void setObject(int i, Object x) throws SQLException {
        bind(i, Params.of(x));
    }

    @Override
    public void setObject(int i, Object x, SQLType targetSqlType, int scaleOrLength) throws SQLException {
        setObject(i, x, vendorCode(targetSqlType), scaleOrLength);
    }

    @Override
    public void setObject(int i, Object x, SQLType targetSqlType) throws SQLException {
        setObject(i, x, vendorCode(targetSqlType));
    }

    private static int vendorCode(SQLType t) throws SQLException {
        if (t == null || t.getVendorTypeNumber() == null) {
            throw Errors.notSupported("SQLType " + t);
        }
        return t.getVendorTypeNumber();
    }

    @Override
    public void setRef(int i, Ref x) throws SQLException {
        throw Errors.notSupported("setRef");
    }

    @Override
    public void setBlob(int i, Blob x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.BYTEA) : Params.of(x));
    }

    @Override
    public void setBlob(int i, InputStream x, long length) throws SQLException {
        bind(i, Params.bytes(x, length));
    }

    @Override
    public void setBlob(int i, InputStream x) throws SQLException {
        bind(i, Params.bytes(x, -1));
    }

    @Override
    public void setClob(int i, Clob x) throws SQLException {
        bind(i, x == null ? null : Params.of(x));
    }

    @Override
    public void setClob(int i, Reader x, long length) throws SQLException {
        bind(i, Params.string(x, length));
    }

    @Override
    public void setClob(int i, Reader x) throws SQLException {
        bind(i, Params.string(x, -1));
    }

    @Override
    public void setNClob(int i, NClob x) throws SQLException {
        bind(i, x == null ? null : Params.of(x));
    }

    @Override
    public void setNClob(int i, Reader x, long length) throws SQLException {
        bind(i, Params.string(x, length));
    }

    @Override
    public void setNClob(int i, Reader x) throws SQLException {
        bind(i, Params.string(x, -1));
    }

    @Override
    public void setArray(int i, Array x) throws SQLException {
        bind(i, Params.of(x));
    }

    @Override
    public void setURL(int i, URL x) throws SQLException {
        bind(i, x == null ? null : x.toString());
    }

    @Override
    public void setRowId(int i, RowId x) throws SQLException {
        throw Errors.notSupported("setRowId (PostgreSQL has no ROWID)");
    }

    @Override
    public void setSQLXML(int i, SQLXML x) throws SQLException {
        bind(i, x == null ? TypedParam.nullOf(TypeMap.XML) : new TypedParam(TypeMap.XML, x.getString()));
    }

    // ------------------------------------------------------------------ Statement's SQL-taking methods refuse

    private static SQLException sqlGiven() {
        return new SQLException("a PreparedStatement runs its own SQL: call execute(), executeQuery() or executeUpdate() "
                + "without arguments", "HY000");
    }

    @Override
    public ResultSet executeQuery(String sql) throws SQLException {
        throw sqlGiven();
    }

    @Override
    public int executeUpdate(String sql) throws SQLException {
        throw sqlGiven();
    }

    @Override
    public boolean execute(String sql) throws SQLException {
        throw sqlGiven();
    }

    @Override
    public String toString() {
        return sql;
    }
}
