package dev.tusk.jdbc.internal;

import dev.tusk.internal.rows.WireValues;

import java.sql.Timestamp;

/**
 * Values read straight from the bytes they arrived in, for the result set's getters (see
 * dev.tusk.internal.rows.ColumnReaders): each answers only where its answer is the one the general path gives,
 * and says so otherwise, so that the getter takes that path (and raises its errors).
 */
final class ValueBytes {
    /** Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC). */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** The longest integer text read here: 18 characters cannot overflow a long. */
    private static final int SAFE_CHARS = 18;

    private ValueBytes() {
    }

    /**
     * Whether an integer column's value (read as {@code binary} or text) is one {@link WireValues} reads without an
     * error: a binary int2, int4 or int8 of its length, or the text of at most 18 characters of an optional sign and
     * digits. For anything else the getter takes the general path (and raises its errors).
     */
    static boolean readsInteger(boolean binary, byte[] a, int off, int len) {
        return binary ? len == 2 || len == 4 || len == 8 : len <= SAFE_CHARS && WireValues.isTextInteger(a, off, len);
    }

    /** The value of an integer column that {@link #readsInteger} accepted. */
    static long integer(boolean binary, byte[] a, int off, int len) {
        return binary ? WireValues.binaryLong(a, off, len) : WireValues.parseTextLong(a, off, len);
    }

    /**
     * The Timestamp of the 8 bytes of a binary timestamptz (microseconds since 2000-01-01 UTC), null for ±infinity.
     */
    static Timestamp timestampTz(byte[] a, int off) {
        long micros = WireValues.binaryLong(a, off, 8);
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return null;
        }
        long seconds = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
        Timestamp t = new Timestamp(seconds * 1000);
        t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
        return t;
    }
}
