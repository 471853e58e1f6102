package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.zone.ZoneRules;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * date ↔ {@code LocalDate}, time ↔ {@code LocalTime}, timetz ↔ {@code OffsetTime}, timestamp ↔
 * {@code LocalDateTime}, timestamptz ↔ {@code OffsetDateTime} ({@code Instant} and {@code ZonedDateTime}
 * dump as timestamptz too).
 *
 * <p>Binary values count microseconds (days for date) from 2000-01-01 (timestamptz: UTC), as
 * timestamp_send. A text timestamptz carries the session's offset; a binary one is converted to the
 * session time zone given by {@link #useSessionZone} (UTC until then). Text assumes {@code DateStyle=ISO}.
 *
 * <p>PostgreSQL's {@code infinity} and {@code -infinity} have no Java counterpart: loading them raises
 * {@link DataException} unless {@link #mapInfinity} is registered, which loads them as the MIN/MAX of the
 * Java type and dumps MIN/MAX back as {@code -infinity}/{@code infinity}.
 *
 * <pre>{@code
 * DateTimeAdapters.useSessionZone(adapters, () -> ZoneId.of(conn.info().parameterStatus("TimeZone")));
 * DateTimeAdapters.mapInfinity(adapters);
 * }</pre>
 */
public final class DateTimeAdapters {
    private DateTimeAdapters() {
    }

    /** Seconds from 1970-01-01 to PostgreSQL's epoch 2000-01-01. */
    static final long PG_EPOCH_SECONDS = 946_684_800L;
    /** Days from 1970-01-01 to 2000-01-01. */
    static final int PG_EPOCH_DAYS = 10_957;
    static final long MICROS_PER_DAY = 86_400_000_000L;

    /** How a loader treats ±infinity, and which zone binary timestamptz values are shown in. */
    private abstract static class TemporalLoader<T> extends InPlaceLoader<T> {
        final Format format;
        final boolean mapInfinity;
        final Supplier<ZoneId> zone;
        final DayMemo days = new DayMemo();

        TemporalLoader(Format format, boolean mapInfinity, Supplier<ZoneId> zone) {
            this.format = format;
            this.mapInfinity = mapInfinity;
            this.zone = zone;
        }

        @Override
        public Format format() {
            return format;
        }

        abstract TemporalLoader<T> with(boolean mapInfinity, Supplier<ZoneId> zone);

        /** The common text form read straight from the bytes, or null to take the general path. */
        T fastText(byte[] a, int off, int len) {
            return null;
        }

        T infinity(boolean positive, T min, T max, String type) {
            if (!mapInfinity) {
                throw new DataException(type + " " + (positive ? "infinity" : "-infinity")
                        + " has no Java value: filter it in SQL, or call DateTimeAdapters.mapInfinity(adapters) "
                        + "to load it as " + (positive ? "MAX" : "MIN"));
            }
            return positive ? max : min;
        }

        @Override
        public T load(byte[] a, int off, int len) {
            if (format == Format.BINARY) {
                return binary(a, off, len);
            }
            T fast = fastText(a, off, len);
            if (fast != null) {
                return fast;
            }
            CharSequence s = Wire.ascii(a, off, len);
            if ("infinity".contentEquals(s)) {
                return infinity(true);
            }
            if ("-infinity".contentEquals(s)) {
                return infinity(false);
            }
            return text(s);
        }

        abstract T text(CharSequence s);

        /** The binary value in {@code len} bytes of {@code a} from {@code off}. */
        abstract T binary(byte[] a, int off, int len);

        T infinity(boolean positive) {
            throw new IllegalStateException();
        }
    }

    static final class DateLoader extends TemporalLoader<LocalDate> {
        DateLoader(Format f, boolean inf, Supplier<ZoneId> z) {
            super(f, inf, z);
        }

        @Override
        DateLoader with(boolean inf, Supplier<ZoneId> z) {
            return new DateLoader(format, inf, z);
        }

        @Override
        LocalDate text(CharSequence s) {
            return DateTimeText.parseDate(s);
        }

        @Override
        LocalDate infinity(boolean positive) {
            return infinity(positive, LocalDate.MIN, LocalDate.MAX, "date");
        }

        @Override
        LocalDate binary(byte[] a, int off, int len) {
            Wire.expectLength(len, 4, "date");
            int days = Wire.int32(a, off);
            if (days == Integer.MAX_VALUE || days == Integer.MIN_VALUE) {
                return infinity(days == Integer.MAX_VALUE);
            }
            return LocalDate.ofEpochDay((long) days + PG_EPOCH_DAYS);
        }
    }

    static final class TimestampLoader extends TemporalLoader<LocalDateTime> {
        TimestampLoader(Format f, boolean inf, Supplier<ZoneId> z) {
            super(f, inf, z);
        }

        @Override
        TimestampLoader with(boolean inf, Supplier<ZoneId> z) {
            return new TimestampLoader(format, inf, z);
        }

        @Override
        LocalDateTime text(CharSequence s) {
            return DateTimeText.parseTimestamp(s);
        }

        @Override
        LocalDateTime infinity(boolean positive) {
            return infinity(positive, LocalDateTime.MIN, LocalDateTime.MAX, "timestamp");
        }

        @Override
        LocalDateTime binary(byte[] a, int off, int len) {
            Wire.expectLength(len, 8, "timestamp");
            long micros = Wire.int64(a, off);
            if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                return infinity(micros == Long.MAX_VALUE);
            }
            return days.localDateTime(Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS,
                    (int) Math.floorMod(micros, 1_000_000L) * 1000);
        }
    }

    static final class TimestampTzLoader extends TemporalLoader<OffsetDateTime> {
        TimestampTzLoader(Format f, boolean inf, Supplier<ZoneId> z) {
            super(f, inf, z);
        }

        @Override
        TimestampTzLoader with(boolean inf, Supplier<ZoneId> z) {
            return new TimestampTzLoader(format, inf, z);
        }

        @Override
        OffsetDateTime text(CharSequence s) {
            return DateTimeText.parseTimestampTz(s);
        }

        @Override
        OffsetDateTime fastText(byte[] a, int off, int len) {
            return DateTimeText.fastTimestampTz(a, off, len, days);
        }

        @Override
        OffsetDateTime infinity(boolean positive) {
            return infinity(positive, OffsetDateTime.MIN, OffsetDateTime.MAX, "timestamptz");
        }

        @Override
        OffsetDateTime binary(byte[] a, int off, int len) {
            Wire.expectLength(len, 8, "timestamptz");
            long micros = Wire.int64(a, off);
            if (micros == Long.MAX_VALUE || micros == Long.MIN_VALUE) {
                return infinity(micros == Long.MAX_VALUE);
            }
            long seconds = Math.floorDiv(micros, 1_000_000L) + PG_EPOCH_SECONDS;
            int nanos = (int) Math.floorMod(micros, 1_000_000L) * 1000;
            ZoneId z = zone.get();
            ZoneOffset offset = z == null ? ZoneOffset.UTC
                    : z instanceof ZoneOffset o ? o : offsets(z.getRules()).offset(seconds);
            return OffsetDateTime.of(days.localDateTime(seconds + offset.getTotalSeconds(), nanos), offset);
        }

        /** The last zone rules' offsets, remembered by period ({@link OffsetMemo}); racy but safe, as {@link #days}. */
        private OffsetMemo offsets;

        private OffsetMemo offsets(ZoneRules rules) {
            OffsetMemo m = offsets;
            if (m == null || m.rules() != rules) {
                m = new OffsetMemo(rules);
                offsets = m;
            }
            return m;
        }
    }

    static final class TimeLoader extends TemporalLoader<LocalTime> {
        TimeLoader(Format f) {
            super(f, false, null);
        }

        @Override
        TimeLoader with(boolean inf, Supplier<ZoneId> z) {
            return this;
        }

        @Override
        LocalTime text(CharSequence s) {
            return DateTimeText.parseTime(s);
        }

        @Override
        LocalTime binary(byte[] a, int off, int len) {
            Wire.expectLength(len, 8, "time");
            return timeOfMicros(Wire.int64(a, off));
        }
    }

    static final class TimeTzLoader extends TemporalLoader<OffsetTime> {
        TimeTzLoader(Format f) {
            super(f, false, null);
        }

        @Override
        TimeTzLoader with(boolean inf, Supplier<ZoneId> z) {
            return this;
        }

        @Override
        OffsetTime text(CharSequence s) {
            return DateTimeText.parseTimeTz(s);
        }

        @Override
        OffsetTime binary(byte[] a, int off, int len) {
            Wire.expectLength(len, 12, "timetz");
            LocalTime t = timeOfMicros(Wire.int64(a, off));
            int west = Wire.int32(a, off + 8); // timetz_send stores seconds west of UTC
            return OffsetTime.of(t, ZoneOffset.ofTotalSeconds(-west));
        }
    }

    static LocalTime timeOfMicros(long micros) {
        if (micros == MICROS_PER_DAY) {
            return LocalTime.MAX; // 24:00:00
        }
        if (micros < 0 || micros > MICROS_PER_DAY) {
            throw new DataException("binary time value out of range: " + micros + " microseconds");
        }
        return LocalTime.ofNanoOfDay(micros * 1000);
    }

    // ---- dumping ----

    /** Microseconds of {@code nanos}, rounded to nearest as the server rounds text input. */
    static long roundMicros(long seconds, int nanos) {
        try {
            return Math.addExact(Math.multiplyExact(seconds, 1_000_000L), (nanos + 500) / 1000);
        } catch (ArithmeticException e) {
            throw new DataException("timestamp out of range: PostgreSQL's timestamps span 4713 BC to 294276 AD"
                    + " (LocalDateTime.MAX/MIN are infinity only with DateTimeAdapters.mapInfinity)", e);
        }
    }

    /** Days of {@code d} from PostgreSQL's epoch, as date_send counts them. */
    static int pgDays(LocalDate d) {
        long days = d.toEpochDay() - PG_EPOCH_DAYS;
        if (days != (int) days) {
            throw new DataException("date out of range: " + d + " (PostgreSQL's dates span 4713 BC to 5874897 AD;"
                    + " LocalDate.MAX/MIN are infinity only with DateTimeAdapters.mapInfinity)");
        }
        return (int) days;
    }

    static long micros(Instant i) {
        return roundMicros(i.getEpochSecond() - PG_EPOCH_SECONDS, i.getNano());
    }

    static long micros(LocalDateTime t) {
        return roundMicros(t.toEpochSecond(ZoneOffset.UTC) - PG_EPOCH_SECONDS, t.getNano());
    }

    static void register(AdaptersMap m) {
        registerLoaders(m, false, () -> ZoneOffset.UTC);
        m.registerLoader(BuiltinTypes.TIME, new TimeLoader(Format.TEXT));
        m.registerLoader(BuiltinTypes.TIME, new TimeLoader(Format.BINARY));
        m.registerLoader(BuiltinTypes.TIMETZ, new TimeTzLoader(Format.TEXT));
        m.registerLoader(BuiltinTypes.TIMETZ, new TimeTzLoader(Format.BINARY));
        registerDumpers(m, false);
        m.registerDumper(LocalTime.class, Codecs.<LocalTime>textDumper(BuiltinTypes.TIME, DateTimeText::formatTime));
        m.registerDumper(LocalTime.class, DirectDumpers.<LocalTime>binary(BuiltinTypes.TIME, 8,
                t -> (t.toNanoOfDay() + 500) / 1000));
        m.registerDumper(OffsetTime.class, Codecs.<OffsetTime>textDumper(BuiltinTypes.TIMETZ, DateTimeText::formatTimeTz));
        m.registerDumper(OffsetTime.class, Codecs.<OffsetTime>dumper(BuiltinTypes.TIMETZ, Format.BINARY,
                t -> ByteBuffer.allocate(12).putLong(0, (t.toLocalTime().toNanoOfDay() + 500) / 1000)
                        .putInt(8, -t.getOffset().getTotalSeconds())));
    }

    private static void registerLoaders(AdaptersMap m, boolean inf, Supplier<ZoneId> zone) {
        for (Format f : Format.values()) {
            m.registerLoader(BuiltinTypes.DATE, new DateLoader(f, inf, zone));
            m.registerLoader(BuiltinTypes.TIMESTAMP, new TimestampLoader(f, inf, zone));
            m.registerLoader(BuiltinTypes.TIMESTAMPTZ, new TimestampTzLoader(f, inf, zone));
        }
    }

    private static void registerDumpers(AdaptersMap m, boolean inf) {
        m.registerDumper(LocalDate.class, Codecs.<LocalDate>textDumper(BuiltinTypes.DATE, d -> {
            if (inf && (d.equals(LocalDate.MAX) || d.equals(LocalDate.MIN))) {
                return d.equals(LocalDate.MAX) ? "infinity" : "-infinity";
            }
            return DateTimeText.formatDate(d);
        }));
        m.registerDumper(LocalDate.class, DirectDumpers.<LocalDate>binary(BuiltinTypes.DATE, 4, d -> {
            if (inf && d.equals(LocalDate.MAX)) {
                return Integer.MAX_VALUE;
            } else if (inf && d.equals(LocalDate.MIN)) {
                return Integer.MIN_VALUE;
            }
            return pgDays(d);
        }));
        m.registerDumper(LocalDateTime.class, Codecs.<LocalDateTime>textDumper(BuiltinTypes.TIMESTAMP, t -> {
            if (inf && (t.equals(LocalDateTime.MAX) || t.equals(LocalDateTime.MIN))) {
                return t.equals(LocalDateTime.MAX) ? "infinity" : "-infinity";
            }
            return DateTimeText.formatTimestamp(t);
        }));
        m.registerDumper(LocalDateTime.class, DirectDumpers.<LocalDateTime>binary(BuiltinTypes.TIMESTAMP, 8,
                t -> inf && t.equals(LocalDateTime.MAX) ? Long.MAX_VALUE
                        : inf && t.equals(LocalDateTime.MIN) ? Long.MIN_VALUE : micros(t)));
        m.registerDumper(OffsetDateTime.class, Codecs.<OffsetDateTime>textDumper(BuiltinTypes.TIMESTAMPTZ, t -> {
            if (inf && (t.equals(OffsetDateTime.MAX) || t.equals(OffsetDateTime.MIN))) {
                return t.equals(OffsetDateTime.MAX) ? "infinity" : "-infinity";
            }
            return DateTimeText.formatTimestampTz(t);
        }));
        m.registerDumper(OffsetDateTime.class, DirectDumpers.<OffsetDateTime>binary(BuiltinTypes.TIMESTAMPTZ, 8,
                t -> inf && t.equals(OffsetDateTime.MAX) ? Long.MAX_VALUE
                        : inf && t.equals(OffsetDateTime.MIN) ? Long.MIN_VALUE : micros(t.toInstant())));
        m.registerDumper(ZonedDateTime.class, Codecs.<ZonedDateTime>textDumper(BuiltinTypes.TIMESTAMPTZ,
                t -> DateTimeText.formatTimestampTz(t.toOffsetDateTime())));
        m.registerDumper(ZonedDateTime.class, DirectDumpers.<ZonedDateTime>binary(BuiltinTypes.TIMESTAMPTZ, 8,
                t -> micros(t.toInstant())));
        m.registerDumper(Instant.class, Codecs.<Instant>textDumper(BuiltinTypes.TIMESTAMPTZ, i -> {
            if (inf && (i.equals(Instant.MAX) || i.equals(Instant.MIN))) {
                return i.equals(Instant.MAX) ? "infinity" : "-infinity";
            }
            return DateTimeText.formatTimestampTz(i.atOffset(ZoneOffset.UTC));
        }));
        m.registerDumper(Instant.class, DirectDumpers.<Instant>binary(BuiltinTypes.TIMESTAMPTZ, 8,
                i -> inf && i.equals(Instant.MAX) ? Long.MAX_VALUE : inf && i.equals(Instant.MIN) ? Long.MIN_VALUE
                        : micros(i)));
    }

    /**
     * Shows binary timestamptz values in {@code zone} (read at each load, so it can follow the session's
     * {@code TimeZone} parameter) on {@code adapters} and its future children; infinity handling is kept.
     */
    public static void useSessionZone(AdaptersMap adapters, Supplier<ZoneId> zone) {
        for (Format f : Format.values()) {
            TemporalLoader<?> cur = current(adapters, BuiltinTypes.TIMESTAMPTZ, f);
            adapters.registerLoader(BuiltinTypes.TIMESTAMPTZ,
                    new TimestampTzLoader(f, cur != null && cur.mapInfinity, zone));
        }
    }

    /**
     * Opt-in: loads {@code infinity}/{@code -infinity} dates and timestamps as the Java type's MAX/MIN
     * ({@code LocalDate.MAX}, {@code LocalDateTime.MIN}, {@code OffsetDateTime.MAX}) and dumps those
     * values (and {@code Instant.MAX/MIN}) as infinity, instead of raising {@link DataException}.
     */
    public static void mapInfinity(AdaptersMap adapters) {
        for (int oid : new int[] {BuiltinTypes.DATE, BuiltinTypes.TIMESTAMP, BuiltinTypes.TIMESTAMPTZ}) {
            for (Format f : Format.values()) {
                TemporalLoader<?> cur = current(adapters, oid, f);
                if (cur != null) {
                    adapters.registerLoader(oid, cur.with(true, cur.zone));
                }
            }
        }
        registerDumpers(adapters, true);
    }

    private static TemporalLoader<?> current(AdaptersMap adapters, int oid, Format f) {
        Loader<?> l = adapters.loaderFor(oid, f);
        return l instanceof TemporalLoader<?> t ? t : null;
    }

    /** A PostgreSQL {@code TimeZone} setting as a {@code ZoneId}; POSIX forms like {@code <+03>-03} included. */
    public static ZoneId zoneOf(String pgTimeZone) {
        return ZONES.computeIfAbsent(pgTimeZone, DateTimeAdapters::parseZone);
    }

    private static final ConcurrentHashMap<String, ZoneId> ZONES = new ConcurrentHashMap<>();

    private static final Pattern POSIX_FIXED = Pattern.compile("^(?:<[^>]*>|[A-Za-z]+)[+-]?\\d{1,2}(?::\\d{2}){0,2}$");
    private static final ConcurrentHashMap<String, Optional<ZoneId>> EXACT = new ConcurrentHashMap<>();

    /**
     * The ZoneId whose rules are PostgreSQL's for the {@code TimeZone} setting {@code pgTimeZone}, or null when
     * Java has no zone known to follow the same rules: an IANA name Java knows under the same name (not one of
     * Java's three-letter aliases, {@code ZoneId.SHORT_IDS}, such as EST or IST), or a POSIX form of a fixed offset
     * without daylight-saving rules ({@code UTC+3}, {@code <+05:30>-05:30}, hours west of UTC as PostgreSQL reads
     * them). Refused: POSIX forms with daylight-saving rules, names Java does not know, null.
     */
    static ZoneId exactZone(String pgTimeZone) {
        return pgTimeZone == null ? null : EXACT.computeIfAbsent(pgTimeZone, DateTimeAdapters::parseExact).orElse(null);
    }

    private static Optional<ZoneId> parseExact(String pgTimeZone) {
        try {
            if (POSIX_FIXED.matcher(pgTimeZone).matches()) {
                return Optional.of(parseZone(pgTimeZone));
            }
            if (ZoneId.SHORT_IDS.containsKey(pgTimeZone) || !ZoneId.getAvailableZoneIds().contains(pgTimeZone)) {
                return Optional.empty();
            }
            return Optional.of(ZoneId.of(pgTimeZone));
        } catch (DateTimeException | DataException e) {
            return Optional.empty();
        }
    }

    /** Whether {@code text} and {@code binary} are the built-in timestamptz loaders, alike for ±infinity. */
    static boolean timestampTzPair(Loader<?> text, Loader<?> binary) {
        return text instanceof TimestampTzLoader t && t.format == Format.TEXT
                && binary instanceof TimestampTzLoader b && b.format == Format.BINARY && t.mapInfinity == b.mapInfinity;
    }

    /**
     * {@code binary}, a built-in binary timestamptz loader, showing values in {@code zone} whatever its zone
     * supplier says; with a null zone, a loader refusing every value (the session's zone has no exact ZoneId).
     */
    static Loader<?> timestampTzAt(Loader<?> binary, ZoneId zone, String zoneName) {
        if (!(binary instanceof TimestampTzLoader b) || b.format != Format.BINARY) {
            return binary;
        }
        // a zone of one offset for all time (UTC, Etc/GMT+3) as that offset: the loader then makes no Instant per
        // value to ask the zone's rules; the values (OffsetDateTime, which keeps only the offset) are the same
        ZoneId shown = zone != null ? zone.normalized() : null;
        return new TimestampTzLoader(Format.BINARY, b.mapInfinity, shown != null ? () -> shown : () -> {
            throw noExactZone(zoneName);
        });
    }

    static DataException noExactZone(String zoneName) {
        return new DataException("a timestamptz came in binary while the session's TimeZone was \"" + zoneName
                + "\", which has no Java ZoneId known to follow PostgreSQL's rules: run the statement with binary(false)"
                + " or set TimeZone to an IANA name");
    }

    private static ZoneId parseZone(String pgTimeZone) {
        // POSIX "<+03>-03" / "UTC+5" style: the number after the name is hours WEST of UTC
        Matcher m = Pattern
                .compile("^(?:<[^>]*>|[A-Za-z]+)([+-]?)(\\d{1,2})(?::(\\d{2}))?(?::(\\d{2}))?$").matcher(pgTimeZone);
        if (m.matches()) {
            int secs = Integer.parseInt(m.group(2)) * 3600 + (m.group(3) == null ? 0 : Integer.parseInt(m.group(3)) * 60)
                    + (m.group(4) == null ? 0 : Integer.parseInt(m.group(4)));
            return ZoneOffset.ofTotalSeconds("-".equals(m.group(1)) ? secs : -secs);
        }
        try {
            return ZoneId.of(pgTimeZone, ZoneId.SHORT_IDS);
        } catch (DateTimeException e) {
            throw new DataException("unknown session time zone \"" + pgTimeZone + "\": set TimeZone to an IANA name");
        }
    }
}
