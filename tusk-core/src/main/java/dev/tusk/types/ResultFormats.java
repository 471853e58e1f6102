package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.UUID;

/**
 * For the driver: which result columns Tusk may receive in binary when a statement asks for text without
 * forcing it (the automatic result format), and the text PostgreSQL would have sent for such a value.
 *
 * <p>A column qualifies when its type is one of those below, both of its loaders (text and binary) are the
 * built-in ones (a loader the application registered for either format keeps the column in text), and the
 * session settings the text depends on make the two agree: the values load to equal Java objects (the type
 * tests check it, edge values included) and {@link #text} gives back PostgreSQL's text byte for byte, so every
 * getter answers as for text. The types: bool, int2, int4, int8, text, varchar, bpchar, name, numeric, uuid, and,
 * while the session's {@code DateStyle} is ISO (the only one Tusk's text loaders read), date, time, timetz,
 * timestamp and timestamptz. A timestamptz's text carries the offset of the session's {@code TimeZone} when the
 * rows were sent, so it qualifies only while that zone has a {@link #zone} (Java rules equal to the server's,
 * given the same tzdata), and the driver shows each binary value in the zone reported before its result's rows
 * ({@link #timestampTzLoader}, {@link #text(int, byte[], int, int, String)}), not in the zone of the moment it
 * is read; it asks for it only outside pipelines, where the server reports a {@code SET TimeZone} at the Sync
 * after the rows. Left out, and why: oid (a binary getLong would sign-extend), float4/float8 (their text depends
 * on {@code extra_float_digits}, which the server does not report), interval ({@code IntervalStyle}), bytea ({@code bytea_output}, not reported), json and
 * jsonb (a registered mapper's object is not its text), arrays, ranges and every other type.
 */
public final class ResultFormats {
    private ResultFormats() {
    }

    private static final int[] ALWAYS = {BuiltinTypes.BOOL, BuiltinTypes.INT2, BuiltinTypes.INT4, BuiltinTypes.INT8,
            BuiltinTypes.TEXT, BuiltinTypes.VARCHAR, BuiltinTypes.BPCHAR, BuiltinTypes.NAME, BuiltinTypes.NUMERIC,
            BuiltinTypes.UUID};
    private static final int[] ISO_DATES = {BuiltinTypes.DATE, BuiltinTypes.TIME, BuiltinTypes.TIMETZ,
            BuiltinTypes.TIMESTAMP};
    /** The built-in map: the loaders a qualifying column must still have, in both formats. */
    private static final AdaptersMap BUILT_IN = BuiltinAdapters.newMap();

    /**
     * Whether a column of type {@code oid} may come in binary when text was asked, with {@code adapters}
     * choosing its loaders; {@code isoDateStyle}: the session's {@code DateStyle} starts with ISO.
     */
    public static boolean binaryReadsAsText(int oid, AdaptersMap adapters, boolean isoDateStyle) {
        return binaryReadsAsText(oid, adapters, isoDateStyle, null);
    }

    /**
     * As {@link #binaryReadsAsText(int, AdaptersMap, boolean)}, timestamptz included when the DateStyle is ISO,
     * the session's {@code TimeZone} parameter {@code timeZone} has a {@link #zone} and both timestamptz
     * loaders of {@code adapters} are built-in ones (whatever zone they were told to show binary values in: the
     * driver shows them in the zone the rows came under, {@link #timestampTzLoader}).
     */
    public static boolean binaryReadsAsText(int oid, AdaptersMap adapters, boolean isoDateStyle, String timeZone) {
        if (oid == BuiltinTypes.TIMESTAMPTZ) {
            return isoDateStyle && zone(timeZone) != null
                    && DateTimeAdapters.timestampTzPair(adapters.loaderFor(oid, Format.TEXT),
                    adapters.loaderFor(oid, Format.BINARY));
        }
        if (!contains(ALWAYS, oid) && !(isoDateStyle && contains(ISO_DATES, oid))) {
            return false;
        }
        return builtIn(oid, Format.TEXT, adapters) && builtIn(oid, Format.BINARY, adapters);
    }

    /**
     * The Java zone with PostgreSQL's rules for the session's {@code TimeZone} parameter {@code timeZone}: an
     * IANA name Java knows by that name (not one of Java's three-letter aliases), or a POSIX fixed offset such as
     * {@code UTC+3} (hours west of UTC) or {@code <+05:30>-05:30}; null for anything else (POSIX forms with
     * daylight-saving rules, names Java does not know), where timestamptz stays in text.
     */
    public static ZoneId zone(String timeZone) {
        return DateTimeAdapters.exactZone(timeZone);
    }

    /**
     * The loader of a timestamptz column received in binary for a statement that asked for text, given the
     * binary loader {@code binary} of the adapters reading it and the {@code TimeZone} the rows came under
     * ({@code timeZone}, as reported before them): the built-in loader showing each value in that zone, as the
     * server's text did, whatever zone the session has when the row is read; a loader that is not the built-in
     * one is returned as is. Without a {@link #zone} for {@code timeZone}, the loader raises DataException.
     */
    public static Loader<?> timestampTzLoader(Loader<?> binary, String timeZone) {
        return DateTimeAdapters.timestampTzAt(binary, zone(timeZone), timeZone);
    }

    /**
     * Tusk's own loader of type {@code oid} in {@code format} (null when there is none): a column read with this
     * very loader, not one an application registered, may be read from its bytes by a getter, as the loader would.
     */
    public static Loader<?> builtInLoader(int oid, Format format) {
        return BUILT_IN.loaderFor(oid, format);
    }

    private static boolean builtIn(int oid, Format f, AdaptersMap adapters) {
        Loader<?> mine = adapters.loaderFor(oid, f);
        return mine != null && mine == BUILT_IN.loaderFor(oid, f);
    }

    private static boolean contains(int[] oids, int oid) {
        for (int o : oids) {
            if (o == oid) {
                return true;
            }
        }
        return false;
    }

    /**
     * The loader for a column received in binary for a statement that asked for text, when {@code adapters}
     * no longer read it with the built-in text loader (one registered after the statement was sent, on a cursor
     * whose pipelined or asynchronous results were still to come): that text loader, given PostgreSQL's text of
     * each value; else null (the binary loader reads it).
     */
    public static Loader<?> textLoaderIfChanged(int oid, AdaptersMap adapters) {
        return textLoaderIfChanged(oid, adapters, null);
    }

    /**
     * As {@link #textLoaderIfChanged(int, AdaptersMap)}, for a result whose rows came under the session's
     * {@code TimeZone} {@code timeZone} (a timestamptz's text carries its offset).
     */
    public static Loader<?> textLoaderIfChanged(int oid, AdaptersMap adapters, String timeZone) {
        Loader<?> text = adapters.loaderFor(oid, Format.TEXT);
        if (text == null || text == BUILT_IN.loaderFor(oid, Format.TEXT)
                || oid == BuiltinTypes.TIMESTAMPTZ && DateTimeAdapters.timestampTzPair(text,
                adapters.loaderFor(oid, Format.BINARY))) {
            return null;
        }
        ZoneId zone = zone(timeZone);
        return new Loader<Object>() {
            @Override
            public Object load(ByteBuffer data) {
                byte[] b = new byte[data.remaining()];
                data.duplicate().get(b);
                return load(b, 0, b.length);
            }

            @Override
            public Object load(byte[] bytes, int offset, int length) {
                byte[] t = text(oid, bytes, offset, length, zone, timeZone).getBytes(StandardCharsets.UTF_8);
                return text.load(t, 0, t.length);
            }

            @Override
            public Format format() {
                return Format.BINARY;
            }
        };
    }

    /** The types whose binary value is the text's own bytes (UTF-8, the only client encoding Tusk allows). */
    public static boolean sameBytes(int oid) {
        return oid == BuiltinTypes.TEXT || oid == BuiltinTypes.VARCHAR || oid == BuiltinTypes.BPCHAR
                || oid == BuiltinTypes.NAME;
    }

    /**
     * PostgreSQL's text output (DateStyle ISO) of the binary value in {@code len} bytes of {@code a} from
     * {@code off}, for a type {@link #binaryReadsAsText(int, AdaptersMap, boolean)} accepts (not timestamptz,
     * whose text needs the session's zone: {@link #text(int, byte[], int, int, String)}).
     */
    public static String text(int oid, byte[] a, int off, int len) {
        return text(oid, a, off, len, null, null);
    }

    /**
     * PostgreSQL's text output (DateStyle ISO) of the binary value in {@code len} bytes of {@code a} from
     * {@code off}, for a type {@link #binaryReadsAsText} accepts, a timestamptz shown in the session's
     * {@code TimeZone} {@code timeZone} the rows came under (as timestamptz_out: the zone's offset at that instant,
     * written +HH, +HH:MM or +HH:MM:SS, microseconds without trailing zeros, BC years).
     */
    public static String text(int oid, byte[] a, int off, int len, String timeZone) {
        return text(oid, a, off, len, oid == BuiltinTypes.TIMESTAMPTZ ? zone(timeZone) : null, timeZone);
    }

    private static String text(int oid, byte[] a, int off, int len, ZoneId zone, String timeZone) {
        switch (oid) {
            case BuiltinTypes.BOOL:
                return a[off] != 0 ? "t" : "f";
            case BuiltinTypes.INT2:
                return Integer.toString(Wire.int16(a, off));
            case BuiltinTypes.INT4:
                return Integer.toString(Wire.int32(a, off));
            case BuiltinTypes.INT8:
                return Long.toString(Wire.int64(a, off));
            case BuiltinTypes.NUMERIC: {
                int sign = NumericBinary.sign(a, off, len);
                if (sign != NumericBinary.POS && sign != NumericBinary.NEG) {
                    return NumericBinary.special(sign);
                }
                return NumericBinary.decode(a, off, len).toPlainString();
            }
            case BuiltinTypes.UUID:
                return new UUID(Wire.int64(a, off), Wire.int64(a, off + 8)).toString();
            case BuiltinTypes.DATE: {
                int days = Wire.int32(a, off);
                if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
                    return days > 0 ? "infinity" : "-infinity";
                }
                return DateTimeText.formatDate(LocalDate.ofEpochDay((long) days + DateTimeAdapters.PG_EPOCH_DAYS));
            }
            case BuiltinTypes.TIME:
                return time(new StringBuilder(16), Wire.int64(a, off)).toString();
            case BuiltinTypes.TIMETZ:
                return offset(time(new StringBuilder(24), Wire.int64(a, off)), -Wire.int32(a, off + 8)).toString();
            case BuiltinTypes.TIMESTAMP: {
                long micros = Wire.int64(a, off);
                if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                    return micros > 0 ? "infinity" : "-infinity";
                }
                long seconds = Math.floorDiv(micros, 1_000_000L) + DateTimeAdapters.PG_EPOCH_SECONDS;
                int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
                return DateTimeText.formatTimestamp(LocalDateTime.ofEpochSecond(seconds, nanos, ZoneOffset.UTC));
            }
            case BuiltinTypes.TIMESTAMPTZ: {
                long micros = Wire.int64(a, off);
                if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                    return micros > 0 ? "infinity" : "-infinity";
                }
                if (zone == null) {
                    throw DateTimeAdapters.noExactZone(timeZone);
                }
                long seconds = Math.floorDiv(micros, 1_000_000L) + DateTimeAdapters.PG_EPOCH_SECONDS;
                int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
                ZoneOffset o = zone.getRules().getOffset(Instant.ofEpochSecond(seconds));
                LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, nanos, o);
                StringBuilder sb = DateTimeText.appendDate(new StringBuilder(40), t.toLocalDate()).append(' ');
                offset(DateTimeText.appendTime(sb, t.toLocalTime()), o.getTotalSeconds());
                return t.getYear() <= 0 ? sb.append(" BC").toString() : sb.toString();
            }
            default:
                if (sameBytes(oid)) {
                    return new String(a, off, len, StandardCharsets.UTF_8);
                }
                throw new IllegalArgumentException("no text form of binary values of type oid " + oid);
        }
    }

    /**
     * Whether {@link #text(int, byte[], int, int, ZoneId)} writes PostgreSQL's text output (DateStyle
     * ISO) of a binary value of type {@code oid}: the types {@link #binaryReadsAsText} may accept, and timestamptz.
     */
    public static boolean hasText(int oid) {
        return contains(ALWAYS, oid) || contains(ISO_DATES, oid) || oid == BuiltinTypes.TIMESTAMPTZ;
    }

    /**
     * As {@link #text(int, byte[], int, int)}, and for a timestamptz, its text in the session time zone
     * {@code zone} (the server writes it at that zone's offset at that moment), for a driver that received binary
     * values it was asked to show as the server's text.
     */
    public static String text(int oid, byte[] a, int off, int len, ZoneId zone) {
        return text(oid, a, off, len, zone, zone == null ? null : zone.getId());
    }

    /** A time of day as time_out writes it; 24:00:00 included. */
    private static StringBuilder time(StringBuilder sb, long micros) {
        if (micros == DateTimeAdapters.MICROS_PER_DAY) {
            return sb.append("24:00:00");
        }
        return DateTimeText.appendTime(sb, DateTimeAdapters.timeOfMicros(micros));
    }

    /** A UTC offset as PostgreSQL writes it: +HH, +HH:MM when minutes, +HH:MM:SS when seconds. */
    private static StringBuilder offset(StringBuilder sb, int totalSeconds) {
        sb.append(totalSeconds < 0 ? '-' : '+');
        int t = Math.abs(totalSeconds);
        int h = t / 3600;
        int m = t / 60 % 60;
        int s = t % 60;
        two(sb, h);
        if (m != 0 || s != 0) {
            two(sb.append(':'), m);
        }
        if (s != 0) {
            two(sb.append(':'), s);
        }
        return sb;
    }

    private static StringBuilder two(StringBuilder sb, int v) {
        if (v < 10) {
            sb.append('0');
        }
        return sb.append(v);
    }
}
