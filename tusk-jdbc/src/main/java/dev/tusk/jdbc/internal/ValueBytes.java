package dev.tusk.jdbc.internal;

import java.sql.Timestamp;

/**
 * Values read straight from the bytes they arrived in, for the result set's getters (see
 * dev.tusk.internal.rows.ColumnReaders): each answers only where its answer is the one the general path gives,
 * and says so otherwise, so that the getter takes that path (and raises its errors).
 */
final class ValueBytes {
    /** {@link #binaryInteger} and {@link #textInteger}'s answer when they have none. */
    static final long NO_INTEGER = Long.MIN_VALUE;
    /** Seconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC). */
    private static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** Digits a long holds whatever they are. */
    private static final int SAFE_DIGITS = 18;

    private ValueBytes() {
    }

    /** A binary int2, int4 or int8 (its length 2, 4 or 8); {@link #NO_INTEGER} for another length. */
    static long binaryInteger(byte[] a, int off, int len) {
        return switch (len) {
            case 2 -> (short) ((a[off] & 0xff) << 8 | (a[off + 1] & 0xff));
            case 4 -> int32(a, off);
            case 8 -> (long) int32(a, off) << 32 | (int32(a, off + 4) & 0xffffffffL);
            default -> NO_INTEGER;
        };
    }

    private static int int32(byte[] a, int off) {
        return (a[off] & 0xff) << 24 | (a[off + 1] & 0xff) << 16 | (a[off + 2] & 0xff) << 8 | (a[off + 3] & 0xff);
    }

    /**
     * An integer's text: an optional sign and 1 to 18 decimal digits; {@link #NO_INTEGER} for anything else
     * (longer, or not an integer's text).
     */
    static long textInteger(byte[] a, int off, int len) {
        int i = off;
        int end = off + len;
        boolean negative = false;
        if (i < end && (a[i] == '-' || a[i] == '+')) {
            negative = a[i] == '-';
            i++;
        }
        if (i == end || end - i > SAFE_DIGITS) {
            return NO_INTEGER;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = a[i] - '0';
            if (d < 0 || d > 9) {
                return NO_INTEGER;
            }
            v = v * 10 + d;
        }
        return negative ? -v : v;
    }

    /**
     * The Timestamp of the 8 bytes of a binary timestamptz (microseconds since 2000-01-01 UTC), null for ±infinity.
     */
    static Timestamp timestampTz(byte[] a, int off) {
        long micros = (long) int32(a, off) << 32 | (int32(a, off + 4) & 0xffffffffL);
        if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
            return null;
        }
        long seconds = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
        Timestamp t = new Timestamp(seconds * 1000);
        t.setNanos((int) Math.floorMod(micros, 1_000_000L) * 1000);
        return t;
    }
}
