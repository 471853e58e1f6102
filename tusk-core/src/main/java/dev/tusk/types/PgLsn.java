package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;

import java.nio.ByteBuffer;

/**
 * A PostgreSQL {@code pg_lsn}, a position in the write-ahead log: an unsigned 64-bit number written
 * {@code X/Y} (the high and low 32 bits in hexadecimal, {@code 16/B374D848}). Ordered as the server orders
 * them (unsigned); loaded from pg_lsn in text and binary and dumped as pg_lsn.
 *
 * <pre>{@code
 * PgLsn lsn = conn.execute("SELECT pg_current_wal_lsn()").fetchone().get(0, PgLsn.class);
 * PgLsn later = PgLsn.parse("16/B374D848");
 * lsn.compareTo(later);   // < 0 when lsn is earlier in the log
 * }</pre>
 *
 * @param value the 64-bit position, compared as unsigned
 */
public record PgLsn(long value) implements Comparable<PgLsn> {
    /** {@code 0/0}, the invalid LSN. */
    public static final PgLsn INVALID = new PgLsn(0);

    /** Parses {@code X/Y}, each part 1 to 8 hexadecimal digits. */
    public static PgLsn parse(String text) {
        String s = text.trim();
        int slash = s.indexOf('/');
        if (slash < 1 || slash > 8 || s.length() - slash - 1 < 1 || s.length() - slash - 1 > 8) {
            throw Wire.bad("pg_lsn", text);
        }
        try {
            long hi = Long.parseLong(s.substring(0, slash), 16);
            long lo = Long.parseLong(s.substring(slash + 1), 16);
            if (s.charAt(0) == '-' || s.charAt(0) == '+' || s.charAt(slash + 1) == '-' || s.charAt(slash + 1) == '+') {
                throw Wire.bad("pg_lsn", text);
            }
            return new PgLsn(hi << 32 | lo);
        } catch (NumberFormatException e) {
            throw Wire.bad("pg_lsn", text, e);
        }
    }

    /** This position plus {@code bytes} (negative: minus), wrapping as the unsigned 64-bit number it is. */
    public PgLsn plus(long bytes) {
        return new PgLsn(value + bytes);
    }

    /** Unsigned order: the position earlier in the log is smaller. */
    @Override
    public int compareTo(PgLsn o) {
        return Long.compareUnsigned(value, o.value);
    }

    /** {@code X/Y}, as the server writes it. */
    @Override
    public String toString() {
        return Long.toHexString(value >>> 32).toUpperCase() + "/" + Long.toHexString(value & 0xFFFFFFFFL).toUpperCase();
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.PG_LSN, Codecs.textLoader(PgLsn::parse));
        m.registerLoader(BuiltinTypes.PG_LSN, Codecs.binaryLoader(b -> {
            Wire.expectLength(b, 8, "pg_lsn");
            return new PgLsn(b.getLong(b.position()));
        }));
        m.registerDumper(PgLsn.class, Codecs.<PgLsn>textDumper(BuiltinTypes.PG_LSN, PgLsn::toString));
        m.registerDumper(PgLsn.class, Codecs.<PgLsn>dumper(BuiltinTypes.PG_LSN, Format.BINARY,
                l -> ByteBuffer.allocate(8).putLong(0, l.value())));
    }
}
