package dev.tusk.internal.rows;

/**
 * How a getter may read each column of a result straight from its bytes, giving what {@code Row}'s getters give
 * through their general path: resolved once per result from its columns and loaders (by dev.tusk, see
 * {@link RowAccess.Hooks#readers}),
 * so that a driver's getter reads a value without a per-value dispatch on its type, format and loader. A reader
 * answers only for the common well-formed values (a getter checks the value's length, and takes the general path
 * for anything else: NULL, an unexpected length, NaN and infinities, a malformed value).
 *
 * <p>Per column: a {@code kind} in the low bits ({@link #kind}), and the {@link #TEXT_BYTES} flag.
 */
public final class ColumnReaders {
    /** No reader: the general path. */
    public static final int GENERAL = 0;
    /** int2, int4 or int8 in binary: a big-endian two's complement integer of the value's length (2, 4, 8). */
    public static final int BINARY_INTEGER = 1;
    /** int2, int4 or int8 in text: an optional sign and decimal digits. */
    public static final int TEXT_INTEGER = 2;
    /** bool in binary: one byte, non-zero for true. */
    public static final int BINARY_BOOL = 3;
    /** bool in text: one byte, {@code t} for true. */
    public static final int TEXT_BOOL = 4;
    /** timestamptz in binary: a big-endian int64 of microseconds since 2000-01-01 UTC (±infinity at the ends). */
    public static final int BINARY_TIMESTAMPTZ = 5;
    /** numeric in binary, read by Tusk's own loader (not one an application registered): {@link RowAccess.Hooks#numeric}. */
    public static final int BINARY_NUMERIC = 6;
    /** Flag: the value's text (what Row.getString returns) is its bytes decoded as UTF-8. */
    public static final int TEXT_BYTES = 0x10;

    private static final int KIND_MASK = 0x0F;

    private ColumnReaders() {
    }

    /** The kind of a column's code ({@link #GENERAL}, {@link #BINARY_INTEGER}, ...). */
    public static int kind(byte code) {
        return code & KIND_MASK;
    }

    /** Whether a column's code has the {@link #TEXT_BYTES} flag. */
    public static boolean textBytes(byte code) {
        return (code & TEXT_BYTES) != 0;
    }
}
