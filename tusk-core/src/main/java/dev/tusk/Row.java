package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.Numbers;
import dev.tusk.internal.core.NumericWire;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.rows.ColumnReaders;
import dev.tusk.internal.rows.Conversions;
import dev.tusk.internal.rows.LiveRows;
import dev.tusk.internal.rows.ResultView;
import dev.tusk.internal.rows.RowAccess;
import dev.tusk.internal.rows.WireValues;
import dev.tusk.types.ResultFormats;

import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The default row: a view of one row of a result, decoded only when asked.
 *
 * <p>Values are read by 0-based index or by column name. {@link #get(int)} returns what the adapters
 * load (an {@code Integer} for int4, a {@code String} for text, ...); the typed getters
 * ({@link #getInt}, {@link #getLong}, {@link #getDouble}, {@link #getBoolean}) read the wire bytes
 * directly and never box. A typed getter on SQL NULL throws {@link DataException}: check {@link #isNull}
 * or use {@link #get} when a column can be NULL.
 *
 * <pre>{@code
 * for (Row r : conn.execute("SELECT id, name FROM users")) {
 *     long id = r.getLong(0);
 *     String name = r.getString("name");
 * }
 * }</pre>
 */
public final class Row {
    static {
        RowAccess.install(new Hooks());
    }

    private final ResultView view;
    private final int row;
    /**
     * Where the row's values are, found once: the array holding its bytes, and the block of the result's offset
     * table with its values' offsets from {@code cells[base]} (column 0) on. A result's stored bytes and offsets never
     * move once written (ResultData), so these stay right for the row's life.
     */
    private final byte[] chunk;
    private final int[] cells;
    private final int base;

    Row(ResultView view, int row) {
        this.view = view;
        this.row = row;
        ResultData d = view.data;
        if (d.width() == 0) {
            this.chunk = null;
            this.cells = null;
            this.base = 0;
        } else {
            this.chunk = d.data(row);
            this.cells = d.cells(row);
            this.base = d.cellBase(row);
        }
    }

    /** The number of columns. */
    public int size() {
        return view.data.width();
    }

    public List<Column> columns() {
        return Column.asColumns(view.columns());
    }

    public boolean isNull(int i) {
        return data().length(row, check(i)) < 0;
    }

    public boolean isNull(String name) {
        return isNull(view.index(name));
    }

    /** The value as the adapters load it; null for SQL NULL. */
    public Object get(int i) {
        check(i);
        return view.value(chunk, cells[base + i], i);
    }

    public Object get(String name) {
        return get(view.index(name));
    }

    /**
     * The value converted to {@code type}: boxed primitives and their wrappers, String, BigDecimal,
     * BigInteger, or any class the loaded value is an instance of; and, exact or refused with a
     * {@link DataException}: {@code Instant} and {@code ZonedDateTime} from timestamptz (in the session's {@code TimeZone} the rows came
     * under, as psycopg's datetime; at the value's offset when Java has no zone with that setting's exact rules, such as
     * a POSIX zone with daylight-saving rules), {@code Duration} from an
     * interval without months (a day counts 24 hours), {@code Period} from an interval without a time part,
     * {@code InetAddress} from an inet of one address (full prefix), {@code MacAddress} from macaddr and macaddr8.
     *
     * <pre>{@code
     * Instant at = row.get("created", Instant.class);
     * Duration d = row.get("elapsed", Duration.class);  // '1 mon'::interval is refused: use Interval or Period
     * }</pre>
     */
    public <T> T get(int i, Class<T> type) {
        return convert(view, row, check(i), type);
    }

    /** {@link #get(int, Class)} (static, for the general paths of the getters). */
    private static <T> T convert(ResultView view, int row, int i, Class<T> type) {
        Object v = view.value(row, i);
        if (v == null) {
            return null;
        }
        if (type == ZonedDateTime.class && v instanceof OffsetDateTime t) {
            // psycopg's datetime carries the session's TimeZone: the zone the rows came under, when Java has it exactly
            ZoneId zone = ResultFormats.zone(view.data.timeZone());
            if (zone != null) {
                return type.cast(t.atZoneSameInstant(zone));
            }
        }
        Column c = column(view, i);
        return type.cast(Conversions.convert(v, type, c.name(), c.typeOid()));
    }

    public <T> T get(String name, Class<T> type) {
        return get(view.index(name), type);
    }

    public String getString(int i) {
        byte code = reader(i);
        byte[] a = chunk;
        int off = cells[base + i];
        int len = ResultData.valueLength(a, off);
        if (len >= 0 && ColumnReaders.textBytes(code)) { // the value's text is its bytes
            return new String(a, off, len, StandardCharsets.UTF_8);
        }
        return generalString(view, row, i);
    }

    /** {@link #getString(int)} of any column (static: the row itself stays a value the compiler may take apart). */
    private static String generalString(ResultView view, int row, int i) {
        ResultData d = view.data;
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        if (len < 0) {
            return null;
        }
        Column c = column(view, i);
        if (c.wireFormatCode() == 0 || (c.formatCode() == 0 && ResultFormats.sameBytes(c.typeOid()))) {
            return new String(a, off, len, StandardCharsets.UTF_8);
        }
        if (c.formatCode() == 0) { // received in binary for a statement that asked for text: PostgreSQL's text
            ZoneId zone;
            if (c.typeOid() == TIMESTAMPTZ && (zone = view.zone()) != null) { // the zone looked up once per result
                return ResultFormats.text(c.typeOid(), a, off, len, zone);
            }
            return ResultFormats.text(c.typeOid(), a, off, len, d.timeZone());
        }
        Object v = view.value(row, i);
        return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(v);
    }

    public String getString(String name) {
        return getString(view.index(name));
    }

    /**
     * A copy of the value of column {@code i} as it came from the server, in its {@link Column#wireFormatCode()
     * wire format} (text or binary bytes); null for SQL NULL. For a driver that shows binary values as the server's
     * text ({@link dev.tusk.types.ResultFormats#text(int, byte[], int, int, java.time.ZoneId)}).
     */
    public byte[] wireBytes(int i) {
        check(i);
        ResultData d = data();
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        return len < 0 ? null : Arrays.copyOfRange(a, off, off + len);
    }

    /**
     * The value as a long. A fraction (numeric, float) is dropped toward zero; NaN, an infinity or a value
     * outside long's range is a {@link DataException}, never a clamped value.
     */
    public long getLong(int i) {
        byte code = reader(i);
        byte[] a = chunk;
        int off = cells[base + i];
        if (ColumnReaders.kind(code) == ColumnReaders.BINARY_INTEGER) { // int2, int4, int8 in binary, whatever the loaders
            int len = ResultData.valueLength(a, off);
            if (len == 4) {
                return WireValues.int32(a, off);
            }
            if (len == 8) {
                return WireValues.int64(a, off);
            }
        }
        return otherLong(view, row, i, code);
    }

    /**
     * {@link #getLong(int)} but of a binary int4 or int8: out of line, so that the getter stays small enough to be
     * compiled into its caller's loop (then the row itself is never allocated).
     */
    private static long otherLong(ResultView view, int row, int i, byte code) {
        ResultData d = view.data;
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        if (len >= 0 && ColumnReaders.kind(code) == ColumnReaders.TEXT_INTEGER && WireValues.isTextInteger(a, off, len)) {
            return WireValues.parseTextLong(a, off, len);
        }
        return generalLong(view, row, i);
    }

    /** {@link #getLong(int)} of any column (static: the row itself stays a value the compiler may take apart). */
    private static long generalLong(ResultView view, int row, int i) {
        ResultData d = view.data;
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        if (len < 0) {
            throw nullValue(view, i);
        }
        Column c = column(view, i);
        int wire = c.wireFormatCode();
        if (wire == 1 && c.typeOid() == NUMERIC && view.builtInBinaryNumeric(i)) { // the value itself, as its text would read, without the text
            long v = NumericWire.truncatedLong(a, off, len);
            if (v != NumericWire.NO_LONG) {
                return v;
            }
        }
        if (wire == 1 && c.formatCode() == 0 && !isBinaryInteger(c.typeOid())) { // asked in text: read its text
            a = textOf(c, a, off, len, d.timeZone());
            off = 0;
            len = a.length;
            wire = 0;
        }
        if (wire == 0) {
            if (WireValues.isTextInteger(a, off, len)) {
                return WireValues.parseTextLong(a, off, len);
            }
        } else if (isBinaryInteger(c.typeOid())) {
            return binaryInteger(c.typeOid(), a, off, len);
        }
        Number n = toNumber(view, row, i);
        try { // trust #11: a fraction is dropped as before, but 1e19 or NaN is an error, not Long.MAX_VALUE or 0
            return Numbers.truncatedLong(n);
        } catch (ArithmeticException e) {
            throw new DataException("value " + n + " of column \"" + c.name() + "\" does not fit a long", e);
        }
    }

    public long getLong(String name) {
        return getLong(view.index(name));
    }

    public int getInt(int i) {
        long v = getLong(i);
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw doesNotFit(view, i, v, "an int");
        }
        return (int) v;
    }

    public int getInt(String name) {
        return getInt(view.index(name));
    }

    public short getShort(int i) {
        long v = getLong(i);
        if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
            throw doesNotFit(view, i, v, "a short");
        }
        return (short) v;
    }

    public double getDouble(int i) {
        check(i);
        ResultData d = data();
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        if (len < 0) {
            throw nullValue(view, i);
        }
        Column c = columns().get(i);
        int wire = c.wireFormatCode();
        if (wire == 1 && c.typeOid() == NUMERIC && view.builtInBinaryNumeric(i)) { // the value itself, as its text would read, without the text
            double v = NumericWire.toDouble(a, off, len);
            if (v == v) { // NaN: not one exact operation (or NaN itself), read the general way
                return v;
            }
        }
        if (wire == 1 && c.formatCode() == 0 && !isBinaryInteger(c.typeOid())) { // asked in text: read its text
            a = textOf(c, a, off, len, d.timeZone());
            off = 0;
            len = a.length;
            wire = 0;
        }
        if (wire == 1) {
            switch (c.typeOid()) {
                case 701 -> {
                    return Double.longBitsToDouble(WireValues.binaryLong(a, off, 8));
                }
                case 700 -> {
                    return Float.intBitsToFloat(WireValues.int32(a, off));
                }
                default -> {
                    if (isBinaryInteger(c.typeOid())) {
                        return binaryInteger(c.typeOid(), a, off, len);
                    }
                    if (c.typeOid() == 1700 && len >= 8) { // numeric NaN and infinities: no BigDecimal, but a double
                        int sign = (a[off + 4] & 0xff) << 8 | (a[off + 5] & 0xff);
                        if (sign == 0xC000) {
                            return Double.NaN;
                        } else if (sign == 0xD000) {
                            return Double.POSITIVE_INFINITY;
                        } else if (sign == 0xF000) {
                            return Double.NEGATIVE_INFINITY;
                        }
                    }
                    Number n = toNumber(view, row, i);
                    try {
                        return Numbers.toDouble(n);
                    } catch (ArithmeticException e) {
                        throw new DataException("value " + n + " of column \"" + c.name() + "\" does not fit a double", e);
                    }
                }
            }
        }
        if (WireValues.isTextInteger(a, off, len) && len < 16) {
            long v = WireValues.parseTextLong(a, off, len);
            return v == 0 && a[off] == '-' ? -0.0 : v; // trust #12: a float8 "-0" is negative zero
        }
        String s = new String(a, off, len, StandardCharsets.US_ASCII);
        double v;
        try {
            v = Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw new DataException("value \"" + s + "\" of column \"" + c.name() + "\" is not a number");
        }
        if ((Double.isInfinite(v) && !s.endsWith("Infinity")) || (v == 0 && nonZero(s))) { // a numeric beyond a double (trust #11)
            throw new DataException("value " + s + " of column \"" + c.name() + "\" does not fit a double");
        }
        return v;
    }

    /** Whether a number's text has a non-zero digit before any exponent. */
    private static boolean nonZero(String number) {
        for (int k = 0; k < number.length(); k++) {
            char ch = number.charAt(k);
            if (ch == 'e' || ch == 'E') {
                return false;
            }
            if (ch >= '1' && ch <= '9') {
                return true;
            }
        }
        return false;
    }

    public double getDouble(String name) {
        return getDouble(view.index(name));
    }

    /**
     * The value as the nearest float; a value beyond float's range (overflow, or a non-zero one that would
     * become zero) is a {@link DataException}, as PostgreSQL's float8::float4 cast.
     */
    public float getFloat(int i) {
        double v = getDouble(i);
        try {
            return Numbers.toFloat(v);
        } catch (ArithmeticException e) {
            throw new DataException("value " + v + " of column \"" + columns().get(i).name() + "\" does not fit a float", e);
        }
    }

    public boolean getBoolean(int i) {
        int kind = ColumnReaders.kind(reader(i));
        byte[] a = chunk;
        int off = cells[base + i];
        if (ResultData.valueLength(a, off) == 1) {
            if (kind == ColumnReaders.BINARY_BOOL) {
                return a[off] != 0;
            }
            if (kind == ColumnReaders.TEXT_BOOL) {
                return a[off] == 't';
            }
        }
        return generalBoolean(view, row, i);
    }

    /** {@link #getBoolean(int)} of any column (static: the row itself stays a value the compiler may take apart). */
    private static boolean generalBoolean(ResultView view, int row, int i) {
        ResultData d = view.data;
        byte[] a = d.data(row);
        int off = d.offset(row, i);
        int len = ResultData.valueLength(a, off);
        if (len < 0) {
            throw nullValue(view, i);
        }
        Column c = column(view, i);
        if (c.typeOid() == 16 && len == 1) {
            byte b = a[off];
            return c.wireFormatCode() == 1 ? b != 0 : b == 't';
        }
        Object v = view.value(row, i);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new DataException("column \"" + c.name() + "\" (type oid " + c.typeOid() + ") is not a boolean");
    }

    public boolean getBoolean(String name) {
        return getBoolean(view.index(name));
    }

    public BigDecimal getBigDecimal(int i) {
        if (ColumnReaders.kind(reader(i)) == ColumnReaders.BINARY_NUMERIC) { // Tusk's own binary loader: its value, decoded here without the loader's calls
            byte[] a = chunk;
            int off = cells[base + i];
            BigDecimal v = NumericWire.toBigDecimal(a, off, ResultData.valueLength(a, off));
            if (v != null) { // else NULL, NaN, an infinity or malformed bytes: the loader's answer or error
                return v;
            }
        }
        return generalBigDecimal(view, row, i);
    }

    /** {@link #getBigDecimal(int)} through the loaded value (static: the row itself stays a value the compiler may take apart). */
    private static BigDecimal generalBigDecimal(ResultView view, int row, int i) {
        return convert(view, row, i, BigDecimal.class);
    }

    public BigDecimal getBigDecimal(String name) {
        return getBigDecimal(view.index(name));
    }

    public byte[] getBytes(int i) {
        Object v = get(i);
        if (v == null || v instanceof byte[]) {
            return (byte[]) v;
        }
        throw new DataException("column \"" + columns().get(i).name() + "\" is not bytea");
    }

    /** Every value, loaded, in column order. */
    public List<Object> values() {
        int n = size();
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(get(i));
        }
        return out;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Row(");
        List<Column> cols = columns();
        for (int i = 0; i < cols.size(); i++) {
            if (i > 0) {
                sb.append(", ");
            }
            Object v = get(i);
            sb.append(cols.get(i).name()).append('=');
            sb.append(v instanceof String ? "'" + v + "'" : v instanceof byte[] b ? "<" + b.length + " bytes>" : v);
        }
        return sb.append(')').toString();
    }

    private static Number toNumber(ResultView view, int row, int i) {
        Object v = view.value(row, i);
        if (v instanceof Number n) {
            if (n instanceof BigDecimal bd && bd.scale() > 0 && bd.stripTrailingZeros().scale() > 0) {
                return bd; // caller asked for an integer: longValue() truncates; BigDecimal callers keep it
            }
            return n;
        }
        if (v instanceof String s) {
            try {
                return new BigDecimal(s.trim());
            } catch (NumberFormatException e) {
                throw new DataException("value \"" + s + "\" of column \"" + column(view, i).name() + "\" is not a number");
            }
        }
        throw new DataException("column \"" + column(view, i).name() + "\" holds " + v.getClass().getSimpleName()
                + ", not a number");
    }

    /**
     * The text PostgreSQL would have sent for a value Tusk received in binary for a statement that asked for
     * text (the automatic format): the getters then read it exactly as they read text.
     */
    private static byte[] textOf(Column c, byte[] a, int off, int len, String timeZone) {
        if (ResultFormats.sameBytes(c.typeOid())) {
            byte[] copy = new byte[len];
            System.arraycopy(a, off, copy, 0, len);
            return copy;
        }
        return ResultFormats.text(c.typeOid(), a, off, len, timeZone).getBytes(StandardCharsets.UTF_8);
    }

    private static final int NUMERIC = 1700;
    private static final int TIMESTAMPTZ = 1184;

    private static boolean isBinaryInteger(int oid) {
        return oid == 20 || oid == 21 || oid == 23 || oid == 26;
    }

    /** A binary int2/int4/int8 as its signed value; an oid is unsigned (4294967295 is not -1). */
    private static long binaryInteger(int oid, byte[] a, int off, int len) {
        return oid == 26 && len == 4 ? WireValues.int32(a, off) & 0xffffffffL : WireValues.binaryLong(a, off, len);
    }

    private ResultData data() {
        return view.data;
    }

    private int check(int i) {
        if (i < 0 || i >= view.data.width()) {
            throw outOfRange(view, i);
        }
        return i;
    }

    /**
     * Column {@code i}'s {@link ColumnReaders} code, resolved once per result: how its getters may read its bytes;
     * ProgrammingException outside the row.
     */
    private byte reader(int i) {
        byte[] readers = view.readers();
        if (i < 0 || i >= readers.length) {
            throw outOfRange(view, i);
        }
        return readers[i];
    }

    private static ProgrammingException outOfRange(ResultView view, int i) {
        return new ProgrammingException("column index " + i + " out of range: the row has " + view.data.width() + " columns (0-based)");
    }

    private static Column column(ResultView view, int i) {
        return Column.asColumns(view.columns()).get(i);
    }

    private static DataException doesNotFit(ResultView view, int i, long v, String what) {
        return new DataException("value " + v + " of column \"" + column(view, i).name() + "\" does not fit " + what);
    }

    private static DataException nullValue(ResultView view, int i) {
        return new DataException("column \"" + column(view, i).name() + "\" is NULL: use get() or check isNull() first");
    }

    /** What {@link RowAccess} lets a driver do ({@link RowAccess.Hooks}); installed by this class's initialisation. */
    private static final class Hooks implements RowAccess.Hooks<Row, Cursor<Row>, ExecuteOptions> {
        @Override
        public LiveRows<Row> stream(Cursor<Row> cursor, String query, Object[] params, ExecuteOptions options,
                                    boolean keepRest) {
            return cursor.liveRows(query, params, options, keepRest);
        }

        @Override
        public void cancel(Cursor<Row> cursor) {
            cursor.cancelStatement();
        }

        @Override
        public byte[] chunk(Row row) {
            return row.chunk;
        }

        @Override
        public int offset(Row row, int col) {
            return row.cells[row.base + col];
        }

        @Override
        public byte[] readers(Row row) {
            return row.view.readers();
        }

        @Override
        public BigDecimal numeric(byte[] chunk, int offset, int length) {
            return NumericWire.toBigDecimal(chunk, offset, length);
        }

        @Override
        public String columnName(ResultColumn column) {
            return ((Column) column).name();
        }

        @Override
        public AdaptersMap adaptersInUse(Object connection) {
            return ((ConnectionShell<?, ?, ?>) connection).adaptersInUse();
        }
    }
}
