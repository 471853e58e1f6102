package dev.tusk.jdbc.internal;

import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.net.URL;
import java.sql.Array;
import java.sql.Blob;
import java.sql.CallableStatement;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.RowId;
import java.sql.SQLException;
import java.sql.SQLXML;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.Calendar;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@link CallableStatement} for functions and procedures. {@code {call f(?, ?)}} and {@code {? = call f(?)}} become
 * {@code SELECT * FROM f(...) AS result} (pgjdbc's escapeSyntaxCallMode=select; {@code call} sends {@code CALL}).
 * For a function, a placeholder registered only as OUT is left out of the call (PostgreSQL resolves functions by
 * their IN arguments); for a procedure ({@code CALL}) it is sent as NULL. The OUT values are the columns of the
 * row the call returns, in the order of the OUT parameters.
 */
public final class JdbcCallableStatement extends JdbcPreparedStatement implements CallableStatement {
    /** JDBC index → registered SQL type, for OUT and INOUT parameters. */
    private final TreeMap<Integer, Integer> outs = new TreeMap<>();
    private final boolean callResult;
    private JdbcResultSet outRow;

    JdbcCallableStatement(JdbcConnection c, String sql, int type, int holdability) throws SQLException {
        super(c, sql, type, holdability, null);
        this.callResult = parsed.callResult();
    }

    /** JDBC parameter index → position in {@link #values}; index 1 of {? = call} is the result, not a value. */
    @Override
    int index(int parameterIndex) throws SQLException {
        checkOpen();
        int total = values.length + (callResult ? 1 : 0);
        if (parameterIndex < 1 || parameterIndex > total) {
            throw new SQLException("parameter index " + parameterIndex + " is out of range 1.." + total, "22023");
        }
        if (callResult && parameterIndex == 1) {
            throw new SQLException("parameter 1 of {? = call ...} is the function's result: it is OUT only", "22023");
        }
        return parameterIndex - 1 - (callResult ? 1 : 0);
    }

    private void registerOut(int parameterIndex, int sqlType) throws SQLException {
        checkOpen();
        if (!(callResult && parameterIndex == 1)) {
            index(parameterIndex);
        }
        outs.put(parameterIndex, sqlType);
    }

    private boolean outOnly(int valueIndex) {
        int jdbc = valueIndex + 1 + (callResult ? 1 : 0);
        return outs.containsKey(jdbc) && !set[valueIndex];
    }

    /** The statement to run and its values: OUT-only placeholders dropped from a function call, NULL in a CALL. */
    private boolean runCall() throws SQLException {
        String q = parsed.sql();
        List<Object> vals = new ArrayList<>();
        boolean select = q.startsWith("SELECT * FROM ") && q.endsWith(" AS result");
        if (select && parsed.call()) {
            String target = q.substring("SELECT * FROM ".length(), q.length() - " AS result".length());
            int open = target.indexOf('(');
            String name = target.substring(0, open);
            List<String> args = SqlRewriter.splitArgs(target.substring(open + 1, target.length() - 1));
            Map<Integer, Integer> renumber = new TreeMap<>();
            StringBuilder sb = new StringBuilder("SELECT * FROM ").append(name).append('(');
            boolean first = true;
            for (String a : args) {
                if (a.matches("\\$\\d+")) {
                    int k = Integer.parseInt(a.substring(1)) - 1;
                    if (outOnly(k)) {
                        continue;
                    }
                }
                sb.append(first ? "" : ", ").append(a);
                first = false;
            }
            sb.append(") AS result");
            // renumber the placeholders left, in the order of their values
            String s = sb.toString();
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\$(\\d+)").matcher(s);
            StringBuilder out = new StringBuilder();
            while (m.find()) {
                int k = Integer.parseInt(m.group(1)) - 1;
                Integer n = renumber.get(k);
                if (n == null) {
                    n = renumber.size() + 1;
                    renumber.put(k, n);
                    checkSet(k);
                    vals.add(values[k]);
                }
                m.appendReplacement(out, "\\$" + n);
            }
            m.appendTail(out);
            q = out.toString();
        } else {
            for (int k = 0; k < values.length; k++) {
                if (outOnly(k)) {
                    vals.add(null);
                } else {
                    checkSet(k);
                    vals.add(values[k]);
                }
            }
        }
        outRow = null;
        boolean rows = run(new SqlRewriter.Result(q, vals.size(), SqlRewriter.firstKeyword(q), false, 1, false, false), vals, null);
        if (!outs.isEmpty()) {
            if (!rows) {
                throw new SQLException("the call returned no row, so its OUT parameters have no values", "02000");
            }
            JdbcResultSet rs = (JdbcResultSet) getResultSet();
            if (!rs.next()) {
                throw new SQLException("the call returned no row, so its OUT parameters have no values", "02000");
            }
            if (rs.columns().size() < outs.size()) {
                throw new SQLException("the call returned " + rs.columns().size() + " columns for " + outs.size()
                        + " OUT parameters", "42P13");
            }
            outRow = rs;
            return false;
        }
        return rows;
    }

    /** A call's rows are read at once: its OUT parameters are in the first. */
    @Override
    boolean readsLive(SqlRewriter.Result q) {
        return false;
    }

    private void checkSet(int k) throws SQLException {
        if (!set[k]) {
            throw new SQLException("no value specified for parameter " + (k + 1 + (callResult ? 1 : 0))
                    + " (register it with registerOutParameter if it is OUT)", "22023");
        }
    }

    @Override
    public boolean execute() throws SQLException {
        return runCall();
    }

    @Override
    public ResultSet executeQuery() throws SQLException {
        if (!runCall() && outRow == null) {
            throw new SQLException("executeQuery: the call returned no result set", "02000");
        }
        return outRow != null ? outRow : getResultSet();
    }

    @Override
    public long executeLargeUpdate() throws SQLException {
        runCall();
        return Math.max(0, getLargeUpdateCount());
    }

    @Override
    public void addBatch() throws SQLException {
        throw Errors.notSupported("batches of a CallableStatement");
    }

    private JdbcResultSet outs() throws SQLException {
        checkOpen();
        if (outRow == null) {
            throw new SQLException("no OUT values: register OUT parameters and execute the call first", "24000");
        }
        return outRow;
    }

    /** The result column of OUT parameter {@code parameterIndex}. */
    private int outColumn(int parameterIndex) throws SQLException {
        if (!outs.containsKey(parameterIndex)) {
            throw new SQLException("parameter " + parameterIndex + " was not registered as an OUT parameter", "22023");
        }
        return outs.headMap(parameterIndex).size() + 1;
    }

    @Override
    public boolean wasNull() throws SQLException {
        return outs().wasNull();
    }

    @Override
    public void registerOutParameter(int a0, int a1) throws SQLException {
        registerOut(a0, a1);
    }

    @Override
    public void registerOutParameter(int a0, int a1, int a2) throws SQLException {
        registerOut(a0, a1);
    }


    @Override
    public java.lang.String getString(int a0) throws SQLException {
        return outs().getString(outColumn(a0));
    }

    @Override
    public boolean getBoolean(int a0) throws SQLException {
        return outs().getBoolean(outColumn(a0));
    }

    @Override
    public byte getByte(int a0) throws SQLException {
        return outs().getByte(outColumn(a0));
    }

    @Override
    public short getShort(int a0) throws SQLException {
        return outs().getShort(outColumn(a0));
    }

    @Override
    public int getInt(int a0) throws SQLException {
        return outs().getInt(outColumn(a0));
    }

    @Override
    public long getLong(int a0) throws SQLException {
        return outs().getLong(outColumn(a0));
    }

    @Override
    public float getFloat(int a0) throws SQLException {
        return outs().getFloat(outColumn(a0));
    }

    @Override
    public double getDouble(int a0) throws SQLException {
        return outs().getDouble(outColumn(a0));
    }

    @Override
    @Deprecated
    public java.math.BigDecimal getBigDecimal(int a0, int a1) throws SQLException {
        return outs().getBigDecimal(outColumn(a0), a1);
    }

    @Override
    public byte[] getBytes(int a0) throws SQLException {
        return outs().getBytes(outColumn(a0));
    }

    @Override
    public java.sql.Date getDate(int a0) throws SQLException {
        return outs().getDate(outColumn(a0));
    }

    @Override
    public java.sql.Time getTime(int a0) throws SQLException {
        return outs().getTime(outColumn(a0));
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0) throws SQLException {
        return outs().getTimestamp(outColumn(a0));
    }

    @Override
    public java.lang.Object getObject(int a0) throws SQLException {
        return outs().getObject(outColumn(a0));
    }

    @Override
    public java.math.BigDecimal getBigDecimal(int a0) throws SQLException {
        return outs().getBigDecimal(outColumn(a0));
    }

    @Override
    public java.lang.Object getObject(int a0, java.util.Map<String, Class<?>> a1) throws SQLException {
        return outs().getObject(outColumn(a0), a1);
    }

    @Override
    public java.sql.Ref getRef(int a0) throws SQLException {
        return outs().getRef(outColumn(a0));
    }

    @Override
    public java.sql.Blob getBlob(int a0) throws SQLException {
        return outs().getBlob(outColumn(a0));
    }

    @Override
    public java.sql.Clob getClob(int a0) throws SQLException {
        return outs().getClob(outColumn(a0));
    }

    @Override
    public java.sql.Array getArray(int a0) throws SQLException {
        return outs().getArray(outColumn(a0));
    }

    @Override
    public java.sql.Date getDate(int a0, java.util.Calendar a1) throws SQLException {
        return outs().getDate(outColumn(a0), a1);
    }

    @Override
    public java.sql.Time getTime(int a0, java.util.Calendar a1) throws SQLException {
        return outs().getTime(outColumn(a0), a1);
    }

    @Override
    public java.sql.Timestamp getTimestamp(int a0, java.util.Calendar a1) throws SQLException {
        return outs().getTimestamp(outColumn(a0), a1);
    }

    @Override
    public void registerOutParameter(int a0, int a1, java.lang.String a2) throws SQLException {
        registerOut(a0, a1);
    }

    @Override
    public void registerOutParameter(java.lang.String a0, int a1) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    @Override
    public void registerOutParameter(java.lang.String a0, int a1, int a2) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    @Override
    public void registerOutParameter(java.lang.String a0, int a1, java.lang.String a2) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    @Override
    public java.net.URL getURL(int a0) throws SQLException {
        return outs().getURL(outColumn(a0));
    }

    @Override
    public void setURL(java.lang.String a0, java.net.URL a1) throws SQLException {
        throw namedParameter("setURL");
    }

    @Override
    public void setNull(java.lang.String a0, int a1) throws SQLException {
        throw namedParameter("setNull");
    }

    @Override
    public void setBoolean(java.lang.String a0, boolean a1) throws SQLException {
        throw namedParameter("setBoolean");
    }

    @Override
    public void setByte(java.lang.String a0, byte a1) throws SQLException {
        throw namedParameter("setByte");
    }

    @Override
    public void setShort(java.lang.String a0, short a1) throws SQLException {
        throw namedParameter("setShort");
    }

    @Override
    public void setInt(java.lang.String a0, int a1) throws SQLException {
        throw namedParameter("setInt");
    }

    @Override
    public void setLong(java.lang.String a0, long a1) throws SQLException {
        throw namedParameter("setLong");
    }

    @Override
    public void setFloat(java.lang.String a0, float a1) throws SQLException {
        throw namedParameter("setFloat");
    }

    @Override
    public void setDouble(java.lang.String a0, double a1) throws SQLException {
        throw namedParameter("setDouble");
    }

    @Override
    public void setBigDecimal(java.lang.String a0, java.math.BigDecimal a1) throws SQLException {
        throw namedParameter("setBigDecimal");
    }

    @Override
    public void setString(java.lang.String a0, java.lang.String a1) throws SQLException {
        throw namedParameter("setString");
    }

    @Override
    public void setBytes(java.lang.String a0, byte[] a1) throws SQLException {
        throw namedParameter("setBytes");
    }

    @Override
    public void setDate(java.lang.String a0, java.sql.Date a1) throws SQLException {
        throw namedParameter("setDate");
    }

    @Override
    public void setTime(java.lang.String a0, java.sql.Time a1) throws SQLException {
        throw namedParameter("setTime");
    }

    @Override
    public void setTimestamp(java.lang.String a0, java.sql.Timestamp a1) throws SQLException {
        throw namedParameter("setTimestamp");
    }

    @Override
    public void setAsciiStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw namedParameter("setAsciiStream");
    }

    @Override
    public void setBinaryStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw namedParameter("setBinaryStream");
    }

    @Override
    public void setObject(java.lang.String a0, java.lang.Object a1, int a2, int a3) throws SQLException {
        throw namedParameter("setObject");
    }

    @Override
    public void setObject(java.lang.String a0, java.lang.Object a1, int a2) throws SQLException {
        throw namedParameter("setObject");
    }

    @Override
    public void setObject(java.lang.String a0, java.lang.Object a1) throws SQLException {
        throw namedParameter("setObject");
    }

    @Override
    public void setCharacterStream(java.lang.String a0, java.io.Reader a1, int a2) throws SQLException {
        throw namedParameter("setCharacterStream");
    }

    @Override
    public void setDate(java.lang.String a0, java.sql.Date a1, java.util.Calendar a2) throws SQLException {
        throw namedParameter("setDate");
    }

    @Override
    public void setTime(java.lang.String a0, java.sql.Time a1, java.util.Calendar a2) throws SQLException {
        throw namedParameter("setTime");
    }

    @Override
    public void setTimestamp(java.lang.String a0, java.sql.Timestamp a1, java.util.Calendar a2) throws SQLException {
        throw namedParameter("setTimestamp");
    }

    @Override
    public void setNull(java.lang.String a0, int a1, java.lang.String a2) throws SQLException {
        throw namedParameter("setNull");
    }

    @Override
    public java.lang.String getString(java.lang.String a0) throws SQLException {
        throw namedParameter("getString");
    }

    @Override
    public boolean getBoolean(java.lang.String a0) throws SQLException {
        throw namedParameter("getBoolean");
    }

    @Override
    public byte getByte(java.lang.String a0) throws SQLException {
        throw namedParameter("getByte");
    }

    @Override
    public short getShort(java.lang.String a0) throws SQLException {
        throw namedParameter("getShort");
    }

    @Override
    public int getInt(java.lang.String a0) throws SQLException {
        throw namedParameter("getInt");
    }

    @Override
    public long getLong(java.lang.String a0) throws SQLException {
        throw namedParameter("getLong");
    }

    @Override
    public float getFloat(java.lang.String a0) throws SQLException {
        throw namedParameter("getFloat");
    }

    @Override
    public double getDouble(java.lang.String a0) throws SQLException {
        throw namedParameter("getDouble");
    }

    @Override
    public byte[] getBytes(java.lang.String a0) throws SQLException {
        throw namedParameter("getBytes");
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0) throws SQLException {
        throw namedParameter("getDate");
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0) throws SQLException {
        throw namedParameter("getTime");
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0) throws SQLException {
        throw namedParameter("getTimestamp");
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0) throws SQLException {
        throw namedParameter("getObject");
    }

    @Override
    public java.math.BigDecimal getBigDecimal(java.lang.String a0) throws SQLException {
        throw namedParameter("getBigDecimal");
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0, java.util.Map<String, Class<?>> a1) throws SQLException {
        throw namedParameter("getObject");
    }

    @Override
    public java.sql.Ref getRef(java.lang.String a0) throws SQLException {
        throw namedParameter("getRef");
    }

    @Override
    public java.sql.Blob getBlob(java.lang.String a0) throws SQLException {
        throw namedParameter("getBlob");
    }

    @Override
    public java.sql.Clob getClob(java.lang.String a0) throws SQLException {
        throw namedParameter("getClob");
    }

    @Override
    public java.sql.Array getArray(java.lang.String a0) throws SQLException {
        throw namedParameter("getArray");
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        throw namedParameter("getDate");
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        throw namedParameter("getTime");
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        throw namedParameter("getTimestamp");
    }

    @Override
    public java.net.URL getURL(java.lang.String a0) throws SQLException {
        throw namedParameter("getURL");
    }

    @Override
    public java.sql.RowId getRowId(int a0) throws SQLException {
        return outs().getRowId(outColumn(a0));
    }

    @Override
    public java.sql.RowId getRowId(java.lang.String a0) throws SQLException {
        throw namedParameter("getRowId");
    }

    @Override
    public void setRowId(java.lang.String a0, java.sql.RowId a1) throws SQLException {
        throw namedParameter("setRowId");
    }

    @Override
    public void setNString(java.lang.String a0, java.lang.String a1) throws SQLException {
        throw namedParameter("setNString");
    }

    @Override
    public void setNCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw namedParameter("setNCharacterStream");
    }

    @Override
    public void setNClob(java.lang.String a0, java.sql.NClob a1) throws SQLException {
        throw namedParameter("setNClob");
    }

    @Override
    public void setClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw namedParameter("setClob");
    }

    @Override
    public void setBlob(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw namedParameter("setBlob");
    }

    @Override
    public void setNClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw namedParameter("setNClob");
    }

    @Override
    public java.sql.NClob getNClob(int a0) throws SQLException {
        return outs().getNClob(outColumn(a0));
    }

    @Override
    public java.sql.NClob getNClob(java.lang.String a0) throws SQLException {
        throw namedParameter("getNClob");
    }

    @Override
    public void setSQLXML(java.lang.String a0, java.sql.SQLXML a1) throws SQLException {
        throw namedParameter("setSQLXML");
    }

    @Override
    public java.sql.SQLXML getSQLXML(int a0) throws SQLException {
        return outs().getSQLXML(outColumn(a0));
    }

    @Override
    public java.sql.SQLXML getSQLXML(java.lang.String a0) throws SQLException {
        throw namedParameter("getSQLXML");
    }

    @Override
    public java.lang.String getNString(int a0) throws SQLException {
        return outs().getNString(outColumn(a0));
    }

    @Override
    public java.lang.String getNString(java.lang.String a0) throws SQLException {
        throw namedParameter("getNString");
    }

    @Override
    public java.io.Reader getNCharacterStream(int a0) throws SQLException {
        return outs().getNCharacterStream(outColumn(a0));
    }

    @Override
    public java.io.Reader getNCharacterStream(java.lang.String a0) throws SQLException {
        throw namedParameter("getNCharacterStream");
    }

    @Override
    public java.io.Reader getCharacterStream(int a0) throws SQLException {
        return outs().getCharacterStream(outColumn(a0));
    }

    @Override
    public java.io.Reader getCharacterStream(java.lang.String a0) throws SQLException {
        throw namedParameter("getCharacterStream");
    }

    @Override
    public void setBlob(java.lang.String a0, java.sql.Blob a1) throws SQLException {
        throw namedParameter("setBlob");
    }

    @Override
    public void setClob(java.lang.String a0, java.sql.Clob a1) throws SQLException {
        throw namedParameter("setClob");
    }

    @Override
    public void setAsciiStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw namedParameter("setAsciiStream");
    }

    @Override
    public void setBinaryStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw namedParameter("setBinaryStream");
    }

    @Override
    public void setCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw namedParameter("setCharacterStream");
    }

    @Override
    public void setAsciiStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw namedParameter("setAsciiStream");
    }

    @Override
    public void setBinaryStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw namedParameter("setBinaryStream");
    }

    @Override
    public void setCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw namedParameter("setCharacterStream");
    }

    @Override
    public void setNCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw namedParameter("setNCharacterStream");
    }

    @Override
    public void setClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw namedParameter("setClob");
    }

    @Override
    public void setBlob(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw namedParameter("setBlob");
    }

    @Override
    public void setNClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw namedParameter("setNClob");
    }

    @Override
    public <T> T getObject(int a0, Class<T> a1) throws SQLException {
        return outs().getObject(outColumn(a0), a1);
    }

    @Override
    public <T> T getObject(java.lang.String a0, Class<T> a1) throws SQLException {
        throw namedParameter("getObject");
    }

    @Override
    public void setObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws SQLException {
        throw namedParameter("setObject");
    }

    @Override
    public void setObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2) throws SQLException {
        throw namedParameter("setObject");
    }

    @Override
    public void registerOutParameter(int a0, java.sql.SQLType a1) throws SQLException {
        registerOut(a0, a1.getVendorTypeNumber());
    }

    @Override
    public void registerOutParameter(int a0, java.sql.SQLType a1, int a2) throws SQLException {
        registerOut(a0, a1.getVendorTypeNumber());
    }

    @Override
    public void registerOutParameter(int a0, java.sql.SQLType a1, java.lang.String a2) throws SQLException {
        registerOut(a0, a1.getVendorTypeNumber());
    }

    @Override
    public void registerOutParameter(java.lang.String a0, java.sql.SQLType a1) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    @Override
    public void registerOutParameter(java.lang.String a0, java.sql.SQLType a1, int a2) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    @Override
    public void registerOutParameter(java.lang.String a0, java.sql.SQLType a1, java.lang.String a2) throws SQLException {
        throw namedParameter("registerOutParameter");
    }

    /** Every by-name accessor: PostgreSQL functions are called with positional parameters here. */
    private static java.sql.SQLFeatureNotSupportedException namedParameter(String method) {
        return Errors.notSupported("named parameters (CallableStatement." + method + "(String, ...)): use parameter indexes");
    }
}
