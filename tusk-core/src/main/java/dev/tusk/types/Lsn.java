package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.util.Locale;

/**
 * A position in the write-ahead log (PostgreSQL's {@code pg_lsn}): an unsigned 64-bit byte offset, written
 * {@code X/Y} with the high and low 32 bits in hexadecimal ({@code 16/B374D848}).
 *
 * <p>Ordered as unsigned numbers; {@link #plus(long)} and {@link #minus(Lsn)} do byte arithmetic as
 * {@code pg_lsn + numeric} and {@code pg_lsn - pg_lsn} do. {@link #INVALID} ({@code 0/0}) is PostgreSQL's
 * {@code InvalidXLogRecPtr}: "no position" (for {@code START_REPLICATION}, "where the slot stands").
 *
 * <p>pg_lsn columns load as {@code Lsn} (text and binary) and an {@code Lsn} parameter is sent as pg_lsn; the
 * replication stream ({@code dev.tusk.replication}) reports its positions with it.
 *
 * <pre>{@code
 * Lsn lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone().get(0, Lsn.class);
 * Lsn.parse("16/B374D848").compareTo(lsn);   // < 0 when the first is earlier in the log
 * }</pre>
 *
 * @param value the position as an unsigned 64-bit number
 */
public record Lsn(long value) implements Comparable<Lsn> {
    /** {@code 0/0}: no position. */
    public static final Lsn INVALID = new Lsn(0);

    /** The position of {@code value}, an unsigned 64-bit number. */
    public static Lsn of(long value) {
        return value == 0 ? INVALID : new Lsn(value);
    }

    /**
     * Parses {@code X/Y} (each part 1 to 8 hexadecimal digits, either case, as PostgreSQL prints and reads
     * them).
     *
     * @throws DataException when {@code text} is not an LSN
     */
    public static Lsn parse(String text) {
        int slash = text == null ? -1 : text.indexOf('/');
        if (slash < 1 || slash > 8 || text.length() - slash - 1 < 1 || text.length() - slash - 1 > 8) {
            throw invalid(text);
        }
        long hi = hex(text, 0, slash);
        long lo = hex(text, slash + 1, text.length());
        return of(hi << 32 | lo);
    }

    private static long hex(String text, int from, int to) {
        long v = 0;
        for (int i = from; i < to; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                throw invalid(text);
            }
            v = v << 4 | d;
        }
        return v;
    }

    private static DataException invalid(String text) {
        return new DataException("invalid LSN " + (text == null ? "null" : "\"" + text + "\"")
                + ": expected two hexadecimal numbers of at most 8 digits separated by '/', such as 16/B374D848");
    }

    /** Whether this is a real position (not {@link #INVALID}). */
    public boolean isValid() {
        return value != 0;
    }

    /** This position moved {@code bytes} forward (backward when negative). */
    public Lsn plus(long bytes) {
        long r = value + bytes;
        boolean wrapped = bytes >= 0 ? Long.compareUnsigned(r, value) < 0 : Long.compareUnsigned(r, value) > 0;
        if (wrapped) {
            throw new DataException("LSN out of range: " + this + (bytes >= 0 ? " + " : " - ") + Math.abs(bytes)
                    + " bytes leaves the 64-bit range of pg_lsn");
        }
        return of(r);
    }

    /** This position moved {@code bytes} backward. */
    public Lsn minus(long bytes) {
        if (bytes == Long.MIN_VALUE) {
            throw new DataException("LSN out of range: cannot subtract " + bytes + " bytes");
        }
        return plus(-bytes);
    }

    /**
     * The distance in bytes from {@code other} to this position (negative when {@code other} is ahead), as
     * {@code pg_lsn - pg_lsn}.
     *
     * @throws ArithmeticException when the distance does not fit a long (positions more than 2^63 bytes apart)
     */
    public long minus(Lsn other) {
        long d = value - other.value;
        boolean ahead = Long.compareUnsigned(value, other.value) >= 0;
        if (ahead != (d >= 0) && d != 0) {
            throw new ArithmeticException("the distance between " + this + " and " + other + " does not fit a long");
        }
        return d;
    }

    /** Whether this position is after {@code other}. */
    public boolean isAfter(Lsn other) {
        return compareTo(other) > 0;
    }

    /** Whether this position is before {@code other}. */
    public boolean isBefore(Lsn other) {
        return compareTo(other) < 0;
    }

    /** The later of two positions. */
    public static Lsn max(Lsn a, Lsn b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** The earlier of two positions. */
    public static Lsn min(Lsn a, Lsn b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    @Override
    public int compareTo(Lsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    /** {@code X/Y} in upper-case hexadecimal without leading zeros, as PostgreSQL prints a {@code pg_lsn}. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase(Locale.ROOT) + "/"
                + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase(Locale.ROOT);
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.PG_LSN, Codecs.textLoader(Lsn::parse));
        m.registerLoader(BuiltinTypes.PG_LSN, Codecs.binaryLoader(b -> {
            Wire.expectLength(b, 8, "pg_lsn");
            return of(b.getLong(b.position()));
        }));
        m.registerDumper(Lsn.class, Codecs.<Lsn>textDumper(BuiltinTypes.PG_LSN, Lsn::toString));
        m.registerDumper(Lsn.class, Codecs.<Lsn>dumper(BuiltinTypes.PG_LSN, Format.BINARY,
                l -> ByteBuffer.allocate(8).putLong(0, l.value())));
    }
}
