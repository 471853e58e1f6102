package dev.tusk.internal.rows;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.ResultColumn;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.ValueLoading;
import dev.tusk.types.BuiltinTypes;
import dev.tusk.types.ResultFormats;

import java.nio.charset.StandardCharsets;
import java.time.ZoneId;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One result set seen through the adapters of the cursor that fetched it: the loaders, chosen once. Made and read by
 * {@code dev.tusk}'s cursors and rows; its columns are {@code dev.tusk.Column}s, held as {@link ResultColumn}s (their
 * names come through {@link RowAccess}).
 */
public final class ResultView {
    /** Set once, but for a view {@link #reusedFor reused} by a stream's next statement (as all the fields below). */
    public ResultData data;
    private Loader<?>[] loaders;
    private Map<String, Integer> byName;
    /** The adapters the loaders were chosen from, their version then, and the TimeZone the rows came under. */
    private AdaptersMap adapters;
    private int adaptersVersion;
    private String timeZone;

    public ResultView(ResultData data, AdaptersMap adapters) {
        this.data = data;
        this.adapters = adapters;
        this.adaptersVersion = adapters.version(); // before the loaders: a change meanwhile makes fits() false
        this.timeZone = data.timeZone();
        this.loaders = readAsText(columns(), adapters, adapters.loadersFor(data.columns()), timeZone); // shared: read only
    }

    /**
     * {@code loaders}, except for a column received in binary for a statement that asked for text whose text
     * loader changed since the statement was sent: that one reads the value's text with the new loader; and a
     * timestamptz received so is shown in the session's {@code TimeZone} the rows came under ({@code timeZone}).
     */
    private static Loader<?>[] readAsText(List<? extends ResultColumn> columns, AdaptersMap adapters,
                                          Loader<?>[] loaders, String timeZone) {
        Loader<?>[] out = loaders;
        for (int i = 0; i < loaders.length; i++) {
            ResultColumn c = columns.get(i);
            if (c.formatCode() == 0 && c.wireFormatCode() == 1) {
                Loader<?> l = ResultFormats.textLoaderIfChanged(c.typeOid(), adapters, timeZone);
                if (l == null && c.typeOid() == BuiltinTypes.TIMESTAMPTZ) {
                    l = ResultFormats.timestampTzLoader(loaders[i], timeZone);
                }
                if (l != null) {
                    if (out == loaders) {
                        out = loaders.clone();
                    }
                    out[i] = l;
                }
            }
        }
        return out;
    }

    /**
     * A view of the next chunk of a streamed result (or of a result {@link #fits} says may be read alike), reusing
     * the loaders.
     */
    public ResultView(ResultData data, ResultView previous) {
        this(data, previous, data.timeZone());
    }

    /** A view of {@code data} with {@code previous}'s loaders, for rows that came under {@code timeZone}. */
    private ResultView(ResultData data, ResultView previous, String timeZone) {
        take(data, previous, timeZone);
    }

    /**
     * This view, whose rows nobody reads again (a driver's stream closed after its statement ended: its consumer
     * never reads a row of it again), made what {@code new ResultView(data, previous)} would be: every field is
     * set again, nothing of the result it showed before is kept. Returns this.
     */
    public ResultView reusedFor(ResultData data, ResultView previous) {
        take(data, previous, data.timeZone());
        return this;
    }

    private void take(ResultData data, ResultView previous, String timeZone) {
        this.data = data;
        this.adapters = previous.adapters;
        this.adaptersVersion = previous.adaptersVersion;
        this.timeZone = timeZone;
        this.loaders = previous.loaders;
        this.byName = previous.byName;
        this.readers = previous.readers;
        this.zone = Objects.equals(timeZone, previous.timeZone) ? previous.zone : null;
    }

    /**
     * Whether {@code next}, a result read through {@code adapters}, is read exactly as this view reads its own: the
     * same columns (the same list: a prepared statement's columns as its cache knows them), the same adapters
     * unchanged since this view chose its loaders, and the same session TimeZone (a timestamptz received in binary
     * for a statement that asked for text is shown in it). Then a view of it may take this one's loaders and readers
     * instead of choosing them again.
     */
    public boolean fits(ResultData next, AdaptersMap adapters) {
        return next.columns() == data.columns() && adapters == this.adapters && adapters.version() == adaptersVersion
                && Objects.equals(next.timeZone(), timeZone);
    }

    /**
     * This view's loaders and readers over no rows (an empty result of the same columns), for a later result that
     * {@link #fits}: a stream's cursor keeps it without keeping these rows.
     */
    public ResultView shape() {
        readers(); // resolved once here rather than for each result that fits
        byName();
        return new ResultView(new ResultData(data.columns()), this, timeZone);
    }

    /** The Java zone of the session's TimeZone the rows came under, once looked up; null until then. */
    private ZoneId zone;

    /**
     * The Java zone with PostgreSQL's rules for the TimeZone the rows came under ({@link ResultData#timeZone()}),
     * looked up once per result, not per value; null when that zone has none ({@link ResultFormats#zone}).
     */
    public ZoneId zone() {
        ZoneId z = zone;
        if (z == null) {
            z = ResultFormats.zone(data.timeZone());
            zone = z;
        }
        return z;
    }

    /**
     * Whether column {@code col} is a numeric read with Tusk's own binary loader (received in binary, and not
     * read as text with a loader the application registered since): a getter may decode its bytes itself.
     */
    public boolean builtInBinaryNumeric(int col) {
        return loaders[col] == BUILT_IN_NUMERIC;
    }

    private static final Loader<?> BUILT_IN_NUMERIC = ResultFormats.builtInLoader(
            BuiltinTypes.NUMERIC, Format.BINARY);

    /** The columns of the result ({@code dev.tusk.Column}s: the same list as {@link ResultData#columns()}). */
    public List<? extends ResultColumn> columns() {
        return data.columns();
    }

    /**
     * Per column, how a getter may read its bytes ({@link ColumnReaders}), resolved on first use; read only.
     * Rows of one result may be read on several threads: one that sees the array before its codes sees zeros there,
     * {@link ColumnReaders#GENERAL}, the general path, which is always right.
     */
    private byte[] readers;

    public byte[] readers() {
        byte[] r = readers;
        if (r == null) {
            r = readers(columns(), loaders);
            readers = r;
        }
        return r;
    }

    /** The {@link ColumnReaders} code of each column, read with {@code loaders} (one per column, null for none). */
    private static byte[] readers(List<? extends ResultColumn> columns, Loader<?>[] loaders) {
        byte[] out = new byte[columns.size()];
        for (int i = 0; i < out.length; i++) {
            ResultColumn c = columns.get(i);
            int oid = c.typeOid();
            boolean binary = c.wireFormatCode() != 0;
            int code = readerKind(oid, binary, loaders[i]);
            if (c.formatCode() == 0 && (!binary || ResultFormats.sameBytes(oid))) { // Row.getString's test
                code |= ColumnReaders.TEXT_BYTES;
            }
            out[i] = (byte) code;
        }
        return out;
    }

    private static int readerKind(int oid, boolean binary, Loader<?> loader) {
        switch (oid) {
            case BuiltinTypes.INT2, BuiltinTypes.INT4, BuiltinTypes.INT8 -> {
                return binary ? ColumnReaders.BINARY_INTEGER : ColumnReaders.TEXT_INTEGER;
            }
            case BuiltinTypes.BOOL -> {
                return binary ? ColumnReaders.BINARY_BOOL : ColumnReaders.TEXT_BOOL;
            }
            case BuiltinTypes.TIMESTAMPTZ -> {
                return binary ? ColumnReaders.BINARY_TIMESTAMPTZ : ColumnReaders.GENERAL;
            }
            case BuiltinTypes.NUMERIC -> {
                return binary && loader == BUILT_IN_NUMERIC ? ColumnReaders.BINARY_NUMERIC : ColumnReaders.GENERAL;
            }
            default -> {
                return ColumnReaders.GENERAL;
            }
        }
    }

    public Object value(int row, int col) {
        return value(data.data(row), data.offset(row, col), col);
    }

    /** The value of column {@code col} at {@code off} of {@code a} (a row's {@link ResultData#data} and {@link ResultData#offset}). */
    public Object value(byte[] a, int off, int col) {
        int len = ResultData.valueLength(a, off);
        if (len < 0) {
            return null;
        }
        Loader<?> l = loaders[col];
        if (l != null) {
            return ValueLoading.load(l, a, off, len, data.columns().get(col).typeOid());
        }
        if (data.columns().get(col).wireFormatCode() == 0) {
            return new String(a, off, len, StandardCharsets.UTF_8);
        }
        byte[] raw = new byte[len];
        System.arraycopy(a, off, raw, 0, len);
        return raw;
    }

    /** Column index by name, made on first use. */
    private Map<String, Integer> byName() {
        Map<String, Integer> m = byName;
        if (m == null) {
            m = new HashMap<>();
            RowAccess.Hooks<?, ?, ?> names = RowAccess.hooks();
            List<? extends ResultColumn> cols = columns();
            for (int i = cols.size() - 1; i >= 0; i--) { // the first of duplicate names wins
                m.put(names.columnName(cols.get(i)), i);
            }
            byName = m;
        }
        return m;
    }

    /** The index of the first column named {@code name}; ProgrammingException when none is. */
    public int index(String name) {
        Integer i = byName().get(name);
        if (i == null) {
            RowAccess.Hooks<?, ?, ?> names = RowAccess.hooks();
            throw new ProgrammingException("no column named \"" + name + "\" in the result; columns are "
                    + columns().stream().map(names::columnName).toList());
        }
        return i;
    }
}
