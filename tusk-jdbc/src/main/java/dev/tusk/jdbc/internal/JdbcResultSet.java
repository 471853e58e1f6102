package dev.tusk.jdbc.internal;

import dev.tusk.Column;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.RowFactory;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.rows.ColumnReaders;
import dev.tusk.internal.rows.LiveRows;
import dev.tusk.internal.rows.RowAccess;
import dev.tusk.internal.rows.RowsNotKept;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringReader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.Date;
import java.sql.NClob;
import java.sql.Ref;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.RowId;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLWarning;
import java.sql.SQLXML;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.Calendar;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * {@link ResultSet} over rows Tusk fetched: all of them (forward-only or scrollable, read-only), or batch by batch
 * from a server-side cursor when the statement has a fetch size in a transaction. Values are read through Tusk's
 * {@link Row}; the JDBC conversions (java.sql and java.time types, JDBC 4.2's getObject(i, Class)) are here.
 */
public final class JdbcResultSet implements ResultSet {
    private final JdbcStatement statement;
    private final List<Column> columns;
    private List<Row> rows;
    /** 0: before the first row; rows.size() + 1: after the last (in-memory); index of the row in {@link #rows} + 1. */
    private int pos;
    private boolean closed;
    private boolean wasNull;
    private Map<String, Integer> byName;
    private int fetchSize;
    /** The server-side cursor the rows come from batch by batch, or null (most result sets: kept out of them). */
    private final ServerCursor serverCursor;
    private long rowNumber;
    // read live: rows as Tusk's row stream brings them (forward-only, autocommit)
    private final boolean readsLive;
    /** The stream's rows, closed with the result set. */
    private LiveRows<Row> liveStream;
    /** The stream ended (read to its end, failed or closed): {@link #liveStream} has no more rows for next(). */
    private boolean liveOver;
    private Row liveRow;
    private boolean afterLast;

    /**
     * A row factory that tells the columns of the result (a stream's rows are Tusk's rows as they are). The result
     * set reads the row {@link #next()} took last only, so the stream may write new rows over passed ones
     * ({@link dev.tusk.internal.rows.RowsNotKept}).
     */
    static final class Columns implements RowFactory<Row>, RowsNotKept {
        private static final RowMaker<Row> SAME = r -> r;
        List<Column> seen;

        @Override
        public RowMaker<Row> maker(List<Column> columns) {
            seen = columns;
            return SAME;
        }
    }

    /**
     * A server-side cursor's state: its name, the transaction it was declared in (see
     * {@link JdbcConnection#transactionEpoch()}), the rows it may give at most (0: all), and whether it has no more.
     */
    private static final class ServerCursor {
        final String name;
        final int maxRows;
        long epoch;
        boolean exhausted = true;

        ServerCursor(String name, int maxRows) {
            this.name = name;
            this.maxRows = maxRows;
        }
    }

    JdbcResultSet(JdbcStatement statement, List<Column> columns, List<Row> rows) {
        this(statement, columns, rows, null);
    }

    private JdbcResultSet(JdbcStatement statement, List<Column> columns, List<Row> rows, ServerCursor serverCursor) {
        this.statement = statement;
        this.columns = columns == null ? List.of() : columns;
        this.rows = rows;
        this.serverCursor = serverCursor;
        this.readsLive = false;
    }

    private JdbcResultSet(JdbcStatement statement, List<Column> columns, LiveRows<Row> stream) {
        this.statement = statement;
        this.columns = columns;
        this.rows = List.of();
        this.serverCursor = null;
        this.readsLive = true;
        this.liveStream = stream;
    }

    /**
     * Rows read as {@link #next()} reaches them from a stream whose first rows are in: another statement on the
     * connection first reads the rest into memory (the stream keeps it), closing early ends the statement
     * (cancelled unless its rows had all arrived).
     */
    static JdbcResultSet live(JdbcStatement st, List<Column> columns, LiveRows<Row> stream) {
        return new JdbcResultSet(st, columns, stream);
    }

    /** Whether the stream has another row; ends it (its error raised) when it has none. */
    private boolean liveHasNext() throws SQLException {
        if (liveOver) {
            return false;
        }
        try {
            if (liveStream.hasNext()) {
                return true;
            }
        } catch (TuskException e) {
            liveOver = true;
            throw Errors.of(e);
        }
        liveOver = true;
        return false;
    }

    /** The first batch of a server-side cursor's rows, the rest fetched as {@link #next()} reaches them. */
    static JdbcResultSet streaming(JdbcStatement st, String name, int fetchSize, int maxRows) throws SQLException {
        int n = maxRows > 0 ? Math.min(fetchSize, maxRows) : fetchSize;
        Cursor<Row> first = st.fetchFrom(name, n);
        List<Row> rows = first.fetchall();
        ServerCursor sc = new ServerCursor(name, maxRows);
        JdbcResultSet rs = new JdbcResultSet(st, first.description(), rows, sc);
        rs.fetchSize = fetchSize;
        sc.exhausted = rows.size() < n;
        sc.epoch = st.c.transactionEpoch();
        if (sc.exhausted) {
            st.closeServerCursor(name, sc.epoch);
        }
        return rs;
    }

    /** A result set with no columns and no rows (getGeneratedKeys when nothing was asked). */
    static JdbcResultSet empty(JdbcStatement st) {
        return new JdbcResultSet(st, List.of(), List.of());
    }

    List<Column> columns() {
        return columns;
    }

    private void checkOpen() throws SQLException {
        if (closed) {
            throw Errors.closed("result set");
        }
    }

    private boolean scrollable() {
        return statement == null || statement.resultSetType != TYPE_FORWARD_ONLY;
    }

    private void checkScrollable(String what) throws SQLException {
        checkOpen();
        if (!scrollable()) {
            throw new SQLException(what + " needs a scrollable result set: create the statement with TYPE_SCROLL_INSENSITIVE", "24000");
        }
    }

    private Row row() throws SQLException {
        checkOpen();
        if (readsLive) {
            if (liveRow == null) {
                throw new SQLException(afterLast ? "the result set is after its last row"
                        : "the result set is before its first row: call next() first", "24000");
            }
            return liveRow;
        }
        if (pos < 1 || pos > rows.size()) {
            throw new SQLException(pos < 1 ? "the result set is before its first row: call next() first"
                    : "the result set is after its last row", "24000");
        }
        return rows.get(pos - 1);
    }

    private int col(int index) throws SQLException {
        if (index < 1 || index > columns.size()) {
            throw new SQLException("column index " + index + " is out of range 1.." + columns.size(), "22023");
        }
        return index - 1;
    }

    /**
     * False: every getter takes its general path, through the row's getters and loaders (tests compare both paths;
     * measurements too, in one JVM).
     */
    private static boolean readsBytes = !"false".equals(System.getProperty("dev.tusk.jdbc.readBytes"));

    /** Turns reading values from their bytes on (the default) or off (tests and measurements compare both paths). */
    public static void readBytes(boolean on) {
        readsBytes = on;
    }

    /**
     * Per column of the row's result, how a getter may read the value's bytes ({@link ColumnReaders}); read only.
     * With {@link #readsBytes} off, none (made per call: that mode is for tests and measurements, and every result
     * set is smaller without a field for it).
     */
    private byte[] readers(Row r) {
        if (readsBytes) {
            return TuskRows.ROWS.readers(r);
        }
        return new byte[columns.size()];
    }

    /** The 0-based index of a value that is not null; -1 (and wasNull) for SQL NULL. */
    private int value(Row r, int index) throws SQLException {
        int i = col(index);
        wasNull = r.isNull(i);
        return wasNull ? -1 : i;
    }

    /**
     * The value's text as the server writes it, whether the column came in text (or in binary, read as text: Tusk's
     * automatic format) or in binary that was asked for (binaryTransfer=true, see {@link BinaryResults}).
     */
    private String text(Row r, int i) throws SQLException {
        Column c = columns.get(i);
        if (c.formatCode() == 0) {
            return r.getString(i);
        }
        try {
            return BinaryResults.text(r, i, c, c.typeOid() == TypeMap.TIMESTAMPTZ ? sessionZone() : null);
        } catch (TuskException e) {
            throw conversion(c, "String", e);
        }
    }

    /** The session's TimeZone, in which the server writes a timestamptz's text. */
    private ZoneId sessionZone() {
        return statement == null ? ZoneOffset.UTC : statement.c.conn.info().timezone();
    }

    /** Whether the values of column {@code index} (1-based) came in binary format. */
    public boolean binary(int index) throws SQLException {
        return columns.get(col(index)).wireFormatCode() != 0;
    }

    private static SQLException conversion(Column c, String to, Throwable e) {
        return new SQLDataException("cannot convert column \"" + c.name() + "\" (type " + typeName(c.typeOid()) + ") to "
                + to + (e == null || e.getMessage() == null ? "" : ": " + e.getMessage()), "22018", e);
    }

    private static String typeName(int oid) {
        String n = TypeMap.name(oid);
        return n == null ? "oid " + oid : n;
    }

    // ------------------------------------------------------------------ cursor movement

    @Override
    public boolean next() throws SQLException {
        checkOpen();
        if (statement != null && statement.c.isClosed()) {
            throw Errors.closed("result set (its connection is closed)");
        }
        if (readsLive) {
            if (liveHasNext()) {
                liveRow = liveStream.next();
                rowNumber++;
                return true;
            }
            liveRow = null;
            afterLast = true;
            return false;
        }
        if (pos < rows.size()) {
            pos++;
            rowNumber++;
            return true;
        }
        ServerCursor sc = serverCursor;
        if (sc != null && !sc.exhausted) {
            if (!statement.holdsCursors() && statement.c.transactionEpoch() != sc.epoch) {
                // FETCH would fail on the server and with it the transaction the application is in now
                throw new SQLException("the result set's server-side cursor ended with the transaction it was opened in"
                        + " (commit or rollback): read it before the transaction ends, or create the statement with"
                        + " HOLD_CURSORS_OVER_COMMIT", "34000");
            }
            int n = fetchSize;
            if (sc.maxRows > 0) {
                n = (int) Math.min(n, sc.maxRows - rowNumber);
            }
            if (n > 0) {
                Cursor<Row> more = statement.fetchFrom(sc.name, n);
                rows = more.fetchall();
                sc.exhausted = rows.size() < n;
                if (sc.exhausted) {
                    statement.closeServerCursor(sc.name, sc.epoch);
                }
                if (!rows.isEmpty()) {
                    pos = 1;
                    rowNumber++;
                    return true;
                }
            } else {
                sc.exhausted = true;
                statement.closeServerCursor(sc.name, sc.epoch);
            }
        }
        if (serverCursor != null) {
            rows = List.of();
            pos = 1; // after the last
            return false;
        }
        pos = rows.size() + 1;
        return false;
    }

    @Override
    public void close() throws SQLException {
        if (closed) {
            return;
        }
        closeFromStatement();
        if (statement != null) {
            statement.resultSetClosed();
        }
    }

    void closeFromStatement() {
        if (closed) {
            return;
        }
        closed = true;
        ServerCursor sc = serverCursor;
        if (sc != null && !sc.exhausted) {
            statement.closeServerCursor(sc.name, sc.epoch);
        }
        if (liveStream != null) {
            liveOver = true;
            liveRow = null;
            try {
                if (!statement.c.closing()) { // else the connection's close ends the statement without waiting
                    liveStream.close(); // the rest dropped as it arrives; cancelled unless it had all arrived
                }
            } catch (TuskException e) {
                // the connection broke ending it: it tells so itself (isClosed, the next statement's error)
            }
            liveStream = null;
        }
        rows = List.of();
    }

    @Override
    public boolean wasNull() throws SQLException {
        checkOpen();
        return wasNull;
    }

    @Override
    public boolean isBeforeFirst() throws SQLException {
        checkOpen();
        if (readsLive) {
            return rowNumber == 0 && liveHasNext();
        }
        return pos == 0 && !rows.isEmpty();
    }

    @Override
    public boolean isAfterLast() throws SQLException {
        checkOpen();
        if (readsLive) {
            return afterLast && rowNumber > 0;
        }
        return serverCursor == null ? pos > rows.size() && !rows.isEmpty() : rowNumber > 0 && pos > rows.size();
    }

    @Override
    public boolean isFirst() throws SQLException {
        checkOpen();
        if (readsLive) {
            return rowNumber == 1 && liveRow != null;
        }
        return serverCursor == null ? pos == 1 && !rows.isEmpty() : rowNumber == 1;
    }

    @Override
    public boolean isLast() throws SQLException {
        if (readsLive) { // as pgjdbc on a forward-only result: whether a row follows this one (it may wait for it)
            checkOpen();
            return liveRow != null && !liveHasNext();
        }
        checkScrollable("isLast");
        return pos == rows.size() && !rows.isEmpty();
    }

    @Override
    public void beforeFirst() throws SQLException {
        checkScrollable("beforeFirst");
        pos = 0;
    }

    @Override
    public void afterLast() throws SQLException {
        checkScrollable("afterLast");
        pos = rows.size() + 1;
    }

    @Override
    public boolean first() throws SQLException {
        return absolute(1);
    }

    @Override
    public boolean last() throws SQLException {
        return absolute(-1);
    }

    @Override
    public int getRow() throws SQLException {
        checkOpen();
        if (readsLive) {
            return liveRow != null ? (int) rowNumber : 0;
        }
        if (serverCursor != null) {
            return pos >= 1 && pos <= rows.size() ? (int) rowNumber : 0;
        }
        return pos >= 1 && pos <= rows.size() ? pos : 0;
    }

    @Override
    public boolean absolute(int row) throws SQLException {
        checkScrollable("absolute");
        int n = rows.size();
        int target = row >= 0 ? row : n + 1 + row;
        if (target < 1) {
            pos = 0;
            return false;
        }
        if (target > n) {
            pos = n + 1;
            return false;
        }
        pos = target;
        return true;
    }

    @Override
    public boolean relative(int delta) throws SQLException {
        checkScrollable("relative");
        return absolute(Math.max(0, pos + delta) == 0 ? 0 : pos + delta);
    }

    @Override
    public boolean previous() throws SQLException {
        checkScrollable("previous");
        if (pos > 0) {
            pos--;
        }
        return pos >= 1 && pos <= rows.size();
    }

    @Override
    public void setFetchDirection(int direction) throws SQLException {
        checkOpen();
        if (direction != FETCH_FORWARD && !scrollable()) {
            throw new SQLException("a forward-only result set can only be fetched forward", "24000");
        }
    }

    @Override
    public int getFetchDirection() throws SQLException {
        checkOpen();
        return FETCH_FORWARD;
    }

    @Override
    public void setFetchSize(int rows) throws SQLException {
        checkOpen();
        if (rows < 0) {
            throw new SQLException("fetch size must be >= 0", "HY024");
        }
        if (rows > 0) {
            fetchSize = rows;
        }
    }

    @Override
    public int getFetchSize() throws SQLException {
        checkOpen();
        return fetchSize;
    }

    @Override
    public int getType() throws SQLException {
        checkOpen();
        return scrollable() ? TYPE_SCROLL_INSENSITIVE : TYPE_FORWARD_ONLY;
    }

    @Override
    public int getConcurrency() throws SQLException {
        checkOpen();
        return CONCUR_READ_ONLY;
    }

    @Override
    public int getHoldability() throws SQLException {
        checkOpen();
        return statement == null ? HOLD_CURSORS_OVER_COMMIT : statement.holdability;
    }

    @Override
    public boolean isClosed() {
        return closed || statement != null && statement.c.isClosed(); // closed with its connection
    }

    @Override
    public Statement getStatement() throws SQLException {
        checkOpen();
        return statement;
    }

    @Override
    public SQLWarning getWarnings() throws SQLException {
        checkOpen();
        return null;
    }

    @Override
    public void clearWarnings() throws SQLException {
        checkOpen();
    }

    @Override
    public String getCursorName() throws SQLException {
        throw Errors.notSupported("getCursorName (positioned updates)");
    }

    @Override
    public ResultSetMetaData getMetaData() throws SQLException {
        checkOpen();
        return new JdbcResultSetMetaData(statement == null ? null : statement.c, columns);
    }

    @Override
    public int findColumn(String label) throws SQLException {
        checkOpen();
        Map<String, Integer> m = byName;
        if (m == null) {
            m = new HashMap<>();
            for (int i = columns.size() - 1; i >= 0; i--) { // the first of duplicate names wins
                m.put(columns.get(i).name(), i + 1);
            }
            for (int i = columns.size() - 1; i >= 0; i--) {
                m.putIfAbsent("\0" + columns.get(i).name().toLowerCase(Locale.ROOT), i + 1);
            }
            byName = m;
        }
        Integer i = m.get(label);
        if (i == null && label != null) {
            i = m.get("\0" + label.toLowerCase(Locale.ROOT));
        }
        if (i == null) {
            throw new SQLException("no column named \"" + label + "\" in this result set", "42703");
        }
        return i;
    }

    // ------------------------------------------------------------------ getters by index

    @Override
    public String getString(int index) throws SQLException {
        Row r = row();
        int col = col(index);
        if (ColumnReaders.textBytes(readers(r)[col])) { // the value's text is its bytes
            byte[] a = TuskRows.ROWS.chunk(r);
            int off = TuskRows.ROWS.offset(r, col);
            int len = RowAccess.length(a, off);
            wasNull = len < 0;
            return len < 0 ? null : new String(a, off, len, StandardCharsets.UTF_8);
        }
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        try {
            return text(r, i);
        } catch (TuskException e) {
            throw conversion(columns.get(i), "String", e);
        }
    }

    @Override
    public boolean getBoolean(int index) throws SQLException {
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return false;
        }
        Column c = columns.get(i);
        if (c.typeOid() == TypeMap.BOOL) {
            int kind = ColumnReaders.kind(readers(r)[i]);
            if (kind == ColumnReaders.BINARY_BOOL || kind == ColumnReaders.TEXT_BOOL) {
                byte[] a = TuskRows.ROWS.chunk(r);
                int off = TuskRows.ROWS.offset(r, i);
                if (RowAccess.length(a, off) == 1) {
                    return kind == ColumnReaders.BINARY_BOOL ? a[off] != 0 : a[off] == 't';
                }
            }
            return r.getBoolean(i);
        }
        String s = text(r, i).trim().toLowerCase(Locale.ROOT);
        switch (s) {
            case "t", "true", "y", "yes", "on", "1" -> {
                return true;
            }
            case "f", "false", "n", "no", "off", "0" -> {
                return false;
            }
            default -> {
                try {
                    return new BigDecimal(s).signum() != 0;
                } catch (NumberFormatException e) {
                    throw conversion(c, "boolean", null);
                }
            }
        }
    }

    private long integral(int index, long min, long max, String type) throws SQLException {
        Row r = row();
        int col = col(index);
        int kind = ColumnReaders.kind(readers(r)[col]);
        if (kind == ColumnReaders.BINARY_INTEGER || kind == ColumnReaders.TEXT_INTEGER) { // an integer type's bytes
            byte[] a = TuskRows.ROWS.chunk(r);
            int off = TuskRows.ROWS.offset(r, col);
            int len = RowAccess.length(a, off);
            if (len < 0) {
                wasNull = true;
                return 0;
            }
            boolean binary = kind == ColumnReaders.BINARY_INTEGER;
            if (ValueBytes.readsInteger(binary, a, off, len)) {
                wasNull = false;
                return inRange(ValueBytes.integer(binary, a, off, len), col, min, max, type);
            }
        }
        int i = value(r, index);
        if (i < 0) {
            return 0;
        }
        Column c = columns.get(i);
        long v;
        try {
            if (c.typeOid() == TypeMap.BOOL) {
                v = r.getBoolean(i) ? 1 : 0;
            } else {
                v = r.getLong(i);
            }
        } catch (TuskException e) {
            try {
                v = new BigDecimal(text(r, i).trim()).setScale(0, RoundingMode.DOWN).longValueExact();
            } catch (RuntimeException e2) {
                throw conversion(c, type, e);
            }
        }
        return inRange(v, i, min, max, type);
    }

    private long inRange(long v, int i, long min, long max, String type) throws SQLException {
        if (v < min || v > max) {
            throw new SQLDataException("value " + v + " of column \"" + columns.get(i).name() + "\" is out of range for "
                    + type, "22003");
        }
        return v;
    }

    @Override
    public byte getByte(int index) throws SQLException {
        return (byte) integral(index, Byte.MIN_VALUE, Byte.MAX_VALUE, "byte");
    }

    @Override
    public short getShort(int index) throws SQLException {
        return (short) integral(index, Short.MIN_VALUE, Short.MAX_VALUE, "short");
    }

    @Override
    public int getInt(int index) throws SQLException {
        return (int) integral(index, Integer.MIN_VALUE, Integer.MAX_VALUE, "int");
    }

    @Override
    public long getLong(int index) throws SQLException {
        return integral(index, Long.MIN_VALUE, Long.MAX_VALUE, "long");
    }

    @Override
    public float getFloat(int index) throws SQLException {
        return (float) getDouble(index);
    }

    @Override
    public double getDouble(int index) throws SQLException {
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return 0;
        }
        try {
            if (columns.get(i).typeOid() == TypeMap.BOOL) {
                return r.getBoolean(i) ? 1 : 0;
            }
            return r.getDouble(i);
        } catch (TuskException e) {
            throw conversion(columns.get(i), "double", e);
        }
    }

    @Override
    @Deprecated
    public BigDecimal getBigDecimal(int index, int scale) throws SQLException {
        BigDecimal v = getBigDecimal(index);
        return v == null ? null : v.setScale(scale, RoundingMode.HALF_UP);
    }

    @Override
    public BigDecimal getBigDecimal(int index) throws SQLException {
        Row r = row();
        int col = col(index);
        if (ColumnReaders.kind(readers(r)[col]) == ColumnReaders.BINARY_NUMERIC) { // Tusk's own loader's value
            byte[] a = TuskRows.ROWS.chunk(r);
            int off = TuskRows.ROWS.offset(r, col);
            int len = RowAccess.length(a, off);
            if (len < 0) {
                wasNull = true;
                return null;
            }
            BigDecimal v = TuskRows.ROWS.numeric(a, off, len);
            if (v != null) {
                wasNull = false;
                return v;
            }
        }
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        try {
            return r.getBigDecimal(i);
        } catch (TuskException | ArithmeticException | NumberFormatException e) {
            try {
                return new BigDecimal(text(r, i).trim());
            } catch (NumberFormatException e2) {
                throw conversion(columns.get(i), "BigDecimal", e);
            }
        }
    }

    @Override
    public byte[] getBytes(int index) throws SQLException {
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        if (columns.get(i).typeOid() == TypeMap.BYTEA) {
            return r.getBytes(i);
        }
        return text(r, i).getBytes(StandardCharsets.UTF_8);
    }

    private Object loaded(int index) throws SQLException {
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        try {
            return r.get(i);
        } catch (TuskException e) {
            Object infinity = Infinities.read(columns.get(i).typeOid(), text(r, i));
            if (infinity != null) {
                return infinity; // Tusk's adapters refuse it; JDBC code reads it as pgjdbc shows it
            }
            throw conversion(columns.get(i), "a Java value", e);
        }
    }

    /** {@code v} (an infinity: {@link Infinities#sign} is not 0) as a {@code type}, or a conversion error. */
    private Object infinityAs(int index, Object v, Class<?> type) throws SQLException {
        Object out = Infinities.as(v, type);
        if (out == null) {
            throw conversion(columns.get(index - 1), type.getName() + " (the value is " + v + ", standing for "
                    + (Infinities.sign(v) > 0 ? "'infinity'" : "'-infinity'") + ")", null);
        }
        return out;
    }

    private static ZoneId zone(Calendar cal) {
        return cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId();
    }

    @Override
    public Date getDate(int index) throws SQLException {
        return getDate(index, null);
    }

    @Override
    public Date getDate(int index, Calendar cal) throws SQLException {
        Object v = loaded(index);
        LocalDate d;
        if (v == null) {
            return null;
        } else if (Infinities.sign(v) != 0) {
            return (Date) infinityAs(index, v, Date.class);
        } else if (v instanceof LocalDate ld) {
            d = ld;
        } else if (v instanceof LocalDateTime ldt) {
            d = ldt.toLocalDate();
        } else if (v instanceof OffsetDateTime odt) {
            d = odt.atZoneSameInstant(zone(cal)).toLocalDate();
        } else {
            throw conversion(columns.get(index - 1), "java.sql.Date", null);
        }
        if (cal == null) {
            return Date.valueOf(d);
        }
        return new Date(d.atStartOfDay(zone(cal)).toInstant().toEpochMilli());
    }

    @Override
    public Time getTime(int index) throws SQLException {
        return getTime(index, null);
    }

    @Override
    public Time getTime(int index, Calendar cal) throws SQLException {
        Object v = loaded(index);
        LocalTime t;
        if (v == null) {
            return null;
        } else if (Infinities.sign(v) != 0) {
            return (Time) infinityAs(index, v, Time.class);
        } else if (v instanceof LocalTime lt) {
            t = lt;
        } else if (v instanceof OffsetTime ot) {
            return new Time(ot.atDate(LocalDate.of(1970, 1, 1)).toInstant().toEpochMilli());
        } else if (v instanceof LocalDateTime ldt) {
            t = ldt.toLocalTime();
        } else if (v instanceof OffsetDateTime odt) {
            t = odt.atZoneSameInstant(zone(cal)).toLocalTime();
        } else {
            throw conversion(columns.get(index - 1), "java.sql.Time", null);
        }
        long millis = t.atDate(LocalDate.of(1970, 1, 1)).atZone(zone(cal)).toInstant().toEpochMilli();
        return new Time(millis);
    }

    @Override
    public Timestamp getTimestamp(int index) throws SQLException {
        return getTimestamp(index, null);
    }

    @Override
    public Timestamp getTimestamp(int index, Calendar cal) throws SQLException {
        Timestamp fast = binaryTimestampTz(index);
        if (fast != null) {
            return fast;
        }
        Object v = loaded(index);
        if (v == null) {
            return null;
        } else if (Infinities.sign(v) != 0) {
            return (Timestamp) infinityAs(index, v, Timestamp.class);
        } else if (v instanceof LocalDateTime ldt) {
            return cal == null ? Timestamp.valueOf(ldt) : Timestamp.from(ldt.atZone(zone(cal)).toInstant());
        } else if (v instanceof OffsetDateTime odt) {
            return Timestamp.from(odt.toInstant());
        } else if (v instanceof LocalDate ld) {
            return cal == null ? Timestamp.valueOf(ld.atStartOfDay()) : Timestamp.from(ld.atStartOfDay(zone(cal)).toInstant());
        } else if (v instanceof LocalTime lt) {
            return Timestamp.valueOf(lt.atDate(LocalDate.of(1970, 1, 1)));
        }
        throw conversion(columns.get(index - 1), "java.sql.Timestamp", null);
    }

    /**
     * The Timestamp of a finite timestamptz that came in binary, made from its microseconds without the
     * OffsetDateTime Tusk's loader builds (a Timestamp is an instant: the session's and the calendar's zones do not
     * change it); null for anything else (another type, text, SQL NULL, ±infinity), read the general way.
     */
    private Timestamp binaryTimestampTz(int index) throws SQLException {
        Row r = row();
        int i = col(index);
        if (ColumnReaders.kind(readers(r)[i]) != ColumnReaders.BINARY_TIMESTAMPTZ) {
            return null;
        }
        byte[] a = TuskRows.ROWS.chunk(r);
        int off = TuskRows.ROWS.offset(r, i);
        if (RowAccess.length(a, off) != 8) { // NULL, or not a timestamptz's 8 bytes: the general way
            return null;
        }
        Timestamp t = ValueBytes.timestampTz(a, off);
        if (t != null) {
            wasNull = false;
        }
        return t;
    }

    @Override
    public InputStream getAsciiStream(int index) throws SQLException {
        String s = getString(index);
        return s == null ? null : new ByteArrayInputStream(s.getBytes(StandardCharsets.US_ASCII));
    }

    @Override
    @Deprecated
    public InputStream getUnicodeStream(int index) throws SQLException {
        throw Errors.notSupported("getUnicodeStream (deprecated: use getCharacterStream)");
    }

    @Override
    public InputStream getBinaryStream(int index) throws SQLException {
        byte[] b = getBytes(index);
        return b == null ? null : new ByteArrayInputStream(b);
    }

    @Override
    public Reader getCharacterStream(int index) throws SQLException {
        String s = getString(index);
        return s == null ? null : new StringReader(s);
    }

    @Override
    public Reader getNCharacterStream(int index) throws SQLException {
        return getCharacterStream(index);
    }

    @Override
    public String getNString(int index) throws SQLException {
        return getString(index);
    }

    @Override
    public Object getObject(int index) throws SQLException {
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        Column c = columns.get(i);
        switch (c.typeOid()) {
            case TypeMap.DATE:
                return getDate(index);
            case TypeMap.TIME:
            case TypeMap.TIMETZ:
                return getTime(index);
            case TypeMap.TIMESTAMP:
            case TypeMap.TIMESTAMPTZ:
                return getTimestamp(index);
            case TypeMap.INT2:
                return getInt(index);
            case TypeMap.JSON:
            case TypeMap.JSONB:
            case TypeMap.INTERVAL:
            case TypeMap.XML:
            case TypeMap.VARBIT:
            case TypeMap.MONEY:
            case 869:
            case 650:
            case 829:
                return text(r, i);
            default:
                break;
        }
        Object v;
        try {
            v = r.get(i);
        } catch (TuskException e) {
            return text(r, i);
        }
        if (v instanceof List<?> list) {
            return new JdbcArray(JdbcArray.elementTypeName(c.typeOid()), list.toArray());
        }
        if (v instanceof Short s) {
            return s.intValue();
        }
        if (v instanceof Integer || v instanceof Long || v instanceof String || v instanceof Boolean || v instanceof BigDecimal
                || v instanceof Double || v instanceof Float || v instanceof byte[] || v instanceof UUID) {
            return v;
        }
        return text(r, i); // Tusk's own types (ranges, enums, composites...): their text, as pgjdbc's PGobject value
    }

    @Override
    public Object getObject(int index, Map<String, Class<?>> map) throws SQLException {
        if (map != null && !map.isEmpty()) {
            throw Errors.notSupported("getObject with a custom type map");
        }
        return getObject(index);
    }

    @Override
    public <T> T getObject(int index, Class<T> type) throws SQLException {
        if (type == null) {
            throw new SQLException("getObject needs a class", "HY009");
        }
        Row r = row();
        int i = value(r, index);
        if (i < 0) {
            return null;
        }
        Column c = columns.get(i);
        Object out;
        if (type == String.class) {
            out = getString(index);
        } else if (type == Integer.class || type == int.class) {
            out = getInt(index);
        } else if (type == Long.class || type == long.class) {
            out = getLong(index);
        } else if (type == Short.class || type == short.class) {
            out = getShort(index);
        } else if (type == Byte.class || type == byte.class) {
            out = getByte(index);
        } else if (type == Double.class || type == double.class) {
            out = getDouble(index);
        } else if (type == Float.class || type == float.class) {
            out = getFloat(index);
        } else if (type == Boolean.class || type == boolean.class) {
            out = getBoolean(index);
        } else if (type == BigDecimal.class) {
            out = getBigDecimal(index);
        } else if (type == BigInteger.class) {
            out = getBigDecimal(index).toBigIntegerExact();
        } else if (type == byte[].class) {
            out = getBytes(index);
        } else if (type == Date.class) {
            out = getDate(index);
        } else if (type == Time.class) {
            out = getTime(index);
        } else if (type == Timestamp.class || type == java.util.Date.class) {
            out = getTimestamp(index);
        } else if (type == Array.class) {
            out = getArray(index);
        } else if (type == Object.class) {
            out = getObject(index);
        } else if (type == UUID.class) {
            Object v = loaded(index);
            out = v instanceof UUID u ? u : UUID.fromString(text(r, i));
        } else if (type == LocalDate.class || type == LocalDateTime.class || type == LocalTime.class
                || type == OffsetDateTime.class || type == OffsetTime.class || type == Instant.class
                || type == ZonedDateTime.class) {
            Object v = loaded(index);
            out = Infinities.sign(v) != 0 ? infinityAs(index, v, type) : javaTime(c, v, type);
        } else {
            Object v = loaded(index);
            if (type.isInstance(v)) {
                out = v;
            } else {
                try {
                    out = r.get(i, type);
                } catch (TuskException | ClassCastException e) {
                    throw conversion(c, type.getName(), e);
                }
            }
        }
        return type.isPrimitive() ? (T) out : type.cast(out);
    }

    /** JDBC 4.2's java.time mapping: DATE, TIME, TIMESTAMP, TIMESTAMPTZ (as OffsetDateTime in UTC, as pgjdbc). */
    private static Object javaTime(Column c, Object v, Class<?> type) throws SQLException {
        if (type.isInstance(v)) {
            if (v instanceof OffsetDateTime odt && type == OffsetDateTime.class) {
                return odt.withOffsetSameInstant(ZoneOffset.UTC);
            }
            return v;
        }
        if (v instanceof OffsetDateTime odt) {
            if (type == Instant.class) {
                return odt.toInstant();
            }
            if (type == ZonedDateTime.class) {
                return odt.toZonedDateTime();
            }
            if (type == LocalDateTime.class) {
                return odt.atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime();
            }
            if (type == LocalDate.class) {
                return odt.atZoneSameInstant(ZoneId.systemDefault()).toLocalDate();
            }
        }
        if (v instanceof LocalDateTime ldt) {
            if (type == LocalDate.class) {
                return ldt.toLocalDate();
            }
            if (type == LocalTime.class) {
                return ldt.toLocalTime();
            }
            if (type == OffsetDateTime.class) {
                return ldt.atOffset(ZoneOffset.UTC);
            }
            if (type == Instant.class) {
                return ldt.toInstant(ZoneOffset.UTC);
            }
        }
        if (v instanceof LocalDate ld && type == LocalDateTime.class) {
            return ld.atStartOfDay();
        }
        if (v instanceof OffsetTime ot && type == LocalTime.class) {
            return ot.toLocalTime();
        }
        if (v instanceof LocalTime lt && type == OffsetTime.class) {
            return lt.atOffset(ZoneOffset.UTC);
        }
        throw conversion(c, type.getName(), null);
    }

    @Override
    public Array getArray(int index) throws SQLException {
        Object v = loaded(index);
        if (v == null) {
            return null;
        }
        if (v instanceof List<?> list) {
            return new JdbcArray(JdbcArray.elementTypeName(columns.get(index - 1).typeOid()), list.toArray());
        }
        throw conversion(columns.get(index - 1), "java.sql.Array", null);
    }

    @Override
    public URL getURL(int index) throws SQLException {
        String s = getString(index);
        try {
            return s == null ? null : new URL(s);
        } catch (MalformedURLException e) {
            throw new SQLDataException("not a URL: " + s, "22000", e);
        }
    }

    @Override
    public Ref getRef(int index) throws SQLException {
        throw Errors.notSupported("getRef");
    }

    @Override
    public Blob getBlob(int index) throws SQLException {
        throw Errors.notSupported("getBlob (large objects; use getBytes on bytea columns)");
    }

    @Override
    public Clob getClob(int index) throws SQLException {
        throw Errors.notSupported("getClob (large objects; use getString on text columns)");
    }

    @Override
    public NClob getNClob(int index) throws SQLException {
        throw Errors.notSupported("getNClob (use getString)");
    }

    @Override
    public SQLXML getSQLXML(int index) throws SQLException {
        throw Errors.notSupported("getSQLXML (use getString on xml columns)");
    }

    @Override
    public RowId getRowId(int index) throws SQLException {
        throw Errors.notSupported("getRowId (PostgreSQL has no ROWID)");
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

    // ------------------------------------------------------------------ getters by label
    @Override
    public java.lang.String getString(java.lang.String a0) throws SQLException {
        return getString(findColumn(a0));
    }

    @Override
    public boolean getBoolean(java.lang.String a0) throws SQLException {
        return getBoolean(findColumn(a0));
    }

    @Override
    public byte getByte(java.lang.String a0) throws SQLException {
        return getByte(findColumn(a0));
    }

    @Override
    public short getShort(java.lang.String a0) throws SQLException {
        return getShort(findColumn(a0));
    }

    @Override
    public int getInt(java.lang.String a0) throws SQLException {
        return getInt(findColumn(a0));
    }

    @Override
    public long getLong(java.lang.String a0) throws SQLException {
        return getLong(findColumn(a0));
    }

    @Override
    public float getFloat(java.lang.String a0) throws SQLException {
        return getFloat(findColumn(a0));
    }

    @Override
    public double getDouble(java.lang.String a0) throws SQLException {
        return getDouble(findColumn(a0));
    }

    @Override
    @Deprecated
    public java.math.BigDecimal getBigDecimal(java.lang.String a0, int a1) throws SQLException {
        return getBigDecimal(findColumn(a0), a1);
    }

    @Override
    public byte[] getBytes(java.lang.String a0) throws SQLException {
        return getBytes(findColumn(a0));
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0) throws SQLException {
        return getDate(findColumn(a0));
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0) throws SQLException {
        return getTime(findColumn(a0));
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0) throws SQLException {
        return getTimestamp(findColumn(a0));
    }

    @Override
    public java.io.InputStream getAsciiStream(java.lang.String a0) throws SQLException {
        return getAsciiStream(findColumn(a0));
    }

    @Override
    @Deprecated
    public java.io.InputStream getUnicodeStream(java.lang.String a0) throws SQLException {
        return getUnicodeStream(findColumn(a0));
    }

    @Override
    public java.io.InputStream getBinaryStream(java.lang.String a0) throws SQLException {
        return getBinaryStream(findColumn(a0));
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0) throws SQLException {
        return getObject(findColumn(a0));
    }

    @Override
    public java.io.Reader getCharacterStream(java.lang.String a0) throws SQLException {
        return getCharacterStream(findColumn(a0));
    }

    @Override
    public java.math.BigDecimal getBigDecimal(java.lang.String a0) throws SQLException {
        return getBigDecimal(findColumn(a0));
    }

    @Override
    public java.lang.Object getObject(java.lang.String a0, java.util.Map<String, Class<?>> a1) throws SQLException {
        return getObject(findColumn(a0), a1);
    }

    @Override
    public java.sql.Ref getRef(java.lang.String a0) throws SQLException {
        return getRef(findColumn(a0));
    }

    @Override
    public java.sql.Blob getBlob(java.lang.String a0) throws SQLException {
        return getBlob(findColumn(a0));
    }

    @Override
    public java.sql.Clob getClob(java.lang.String a0) throws SQLException {
        return getClob(findColumn(a0));
    }

    @Override
    public java.sql.Array getArray(java.lang.String a0) throws SQLException {
        return getArray(findColumn(a0));
    }

    @Override
    public java.sql.Date getDate(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return getDate(findColumn(a0), a1);
    }

    @Override
    public java.sql.Time getTime(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return getTime(findColumn(a0), a1);
    }

    @Override
    public java.sql.Timestamp getTimestamp(java.lang.String a0, java.util.Calendar a1) throws SQLException {
        return getTimestamp(findColumn(a0), a1);
    }

    @Override
    public java.net.URL getURL(java.lang.String a0) throws SQLException {
        return getURL(findColumn(a0));
    }

    @Override
    public java.sql.RowId getRowId(java.lang.String a0) throws SQLException {
        return getRowId(findColumn(a0));
    }

    @Override
    public java.sql.NClob getNClob(java.lang.String a0) throws SQLException {
        return getNClob(findColumn(a0));
    }

    @Override
    public java.sql.SQLXML getSQLXML(java.lang.String a0) throws SQLException {
        return getSQLXML(findColumn(a0));
    }

    @Override
    public java.lang.String getNString(java.lang.String a0) throws SQLException {
        return getNString(findColumn(a0));
    }

    @Override
    public java.io.Reader getNCharacterStream(java.lang.String a0) throws SQLException {
        return getNCharacterStream(findColumn(a0));
    }

    @Override
    public <T> T getObject(java.lang.String a0, Class<T> a1) throws SQLException {
        return getObject(findColumn(a0), a1);
    }

    // ------------------------------------------------------------------ updates: read-only
    @Override
    public boolean rowUpdated() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowInserted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public boolean rowDeleted() throws SQLException {
        checkOpen();
        return false;
    }

    @Override
    public void updateNull(int a0) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNull (result sets are read-only)");
    }

    @Override
    public void updateBoolean(int a0, boolean a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBoolean (result sets are read-only)");
    }

    @Override
    public void updateByte(int a0, byte a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateByte (result sets are read-only)");
    }

    @Override
    public void updateShort(int a0, short a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateShort (result sets are read-only)");
    }

    @Override
    public void updateInt(int a0, int a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateInt (result sets are read-only)");
    }

    @Override
    public void updateLong(int a0, long a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateLong (result sets are read-only)");
    }

    @Override
    public void updateFloat(int a0, float a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateFloat (result sets are read-only)");
    }

    @Override
    public void updateDouble(int a0, double a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateDouble (result sets are read-only)");
    }

    @Override
    public void updateBigDecimal(int a0, java.math.BigDecimal a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBigDecimal (result sets are read-only)");
    }

    @Override
    public void updateString(int a0, java.lang.String a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateString (result sets are read-only)");
    }

    @Override
    public void updateBytes(int a0, byte[] a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBytes (result sets are read-only)");
    }

    @Override
    public void updateDate(int a0, java.sql.Date a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateDate (result sets are read-only)");
    }

    @Override
    public void updateTime(int a0, java.sql.Time a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateTime (result sets are read-only)");
    }

    @Override
    public void updateTimestamp(int a0, java.sql.Timestamp a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateTimestamp (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateNull(java.lang.String a0) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNull (result sets are read-only)");
    }

    @Override
    public void updateBoolean(java.lang.String a0, boolean a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBoolean (result sets are read-only)");
    }

    @Override
    public void updateByte(java.lang.String a0, byte a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateByte (result sets are read-only)");
    }

    @Override
    public void updateShort(java.lang.String a0, short a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateShort (result sets are read-only)");
    }

    @Override
    public void updateInt(java.lang.String a0, int a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateInt (result sets are read-only)");
    }

    @Override
    public void updateLong(java.lang.String a0, long a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateLong (result sets are read-only)");
    }

    @Override
    public void updateFloat(java.lang.String a0, float a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateFloat (result sets are read-only)");
    }

    @Override
    public void updateDouble(java.lang.String a0, double a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateDouble (result sets are read-only)");
    }

    @Override
    public void updateBigDecimal(java.lang.String a0, java.math.BigDecimal a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBigDecimal (result sets are read-only)");
    }

    @Override
    public void updateString(java.lang.String a0, java.lang.String a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateString (result sets are read-only)");
    }

    @Override
    public void updateBytes(java.lang.String a0, byte[] a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBytes (result sets are read-only)");
    }

    @Override
    public void updateDate(java.lang.String a0, java.sql.Date a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateDate (result sets are read-only)");
    }

    @Override
    public void updateTime(java.lang.String a0, java.sql.Time a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateTime (result sets are read-only)");
    }

    @Override
    public void updateTimestamp(java.lang.String a0, java.sql.Timestamp a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateTimestamp (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, int a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void insertRow() throws SQLException {
        throw Errors.notSupported("ResultSet.insertRow (result sets are read-only)");
    }

    @Override
    public void updateRow() throws SQLException {
        throw Errors.notSupported("ResultSet.updateRow (result sets are read-only)");
    }

    @Override
    public void deleteRow() throws SQLException {
        throw Errors.notSupported("ResultSet.deleteRow (result sets are read-only)");
    }

    @Override
    public void refreshRow() throws SQLException {
        throw Errors.notSupported("ResultSet.refreshRow (result sets are read-only)");
    }

    @Override
    public void cancelRowUpdates() throws SQLException {
        throw Errors.notSupported("ResultSet.cancelRowUpdates (result sets are read-only)");
    }

    @Override
    public void moveToInsertRow() throws SQLException {
        throw Errors.notSupported("ResultSet.moveToInsertRow (result sets are read-only)");
    }

    @Override
    public void moveToCurrentRow() throws SQLException {
        checkOpen();
    }

    @Override
    public void updateRef(int a0, java.sql.Ref a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateRef (result sets are read-only)");
    }

    @Override
    public void updateRef(java.lang.String a0, java.sql.Ref a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateRef (result sets are read-only)");
    }

    @Override
    public void updateBlob(int a0, java.sql.Blob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateBlob(java.lang.String a0, java.sql.Blob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateClob(int a0, java.sql.Clob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateClob(java.lang.String a0, java.sql.Clob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateArray(int a0, java.sql.Array a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateArray (result sets are read-only)");
    }

    @Override
    public void updateArray(java.lang.String a0, java.sql.Array a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateArray (result sets are read-only)");
    }

    @Override
    public void updateRowId(int a0, java.sql.RowId a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateRowId (result sets are read-only)");
    }

    @Override
    public void updateRowId(java.lang.String a0, java.sql.RowId a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateRowId (result sets are read-only)");
    }

    @Override
    public void updateNString(int a0, java.lang.String a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNString (result sets are read-only)");
    }

    @Override
    public void updateNString(java.lang.String a0, java.lang.String a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNString (result sets are read-only)");
    }

    @Override
    public void updateNClob(int a0, java.sql.NClob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateNClob(java.lang.String a0, java.sql.NClob a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateSQLXML(int a0, java.sql.SQLXML a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateSQLXML (result sets are read-only)");
    }

    @Override
    public void updateSQLXML(java.lang.String a0, java.sql.SQLXML a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateSQLXML (result sets are read-only)");
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateNCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateBlob(java.lang.String a0, java.io.InputStream a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateNClob(java.lang.String a0, java.io.Reader a1, long a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateNCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateNCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(int a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(int a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(int a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateAsciiStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateAsciiStream (result sets are read-only)");
    }

    @Override
    public void updateBinaryStream(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBinaryStream (result sets are read-only)");
    }

    @Override
    public void updateCharacterStream(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateCharacterStream (result sets are read-only)");
    }

    @Override
    public void updateBlob(int a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateBlob(java.lang.String a0, java.io.InputStream a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateBlob (result sets are read-only)");
    }

    @Override
    public void updateClob(int a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateClob (result sets are read-only)");
    }

    @Override
    public void updateNClob(int a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateNClob(java.lang.String a0, java.io.Reader a1) throws SQLException {
        throw Errors.notSupported("ResultSet.updateNClob (result sets are read-only)");
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2, int a3) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateObject(int a0, java.lang.Object a1, java.sql.SQLType a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

    @Override
    public void updateObject(java.lang.String a0, java.lang.Object a1, java.sql.SQLType a2) throws SQLException {
        throw Errors.notSupported("ResultSet.updateObject (result sets are read-only)");
    }

}
