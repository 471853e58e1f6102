package dev.tusk.jdbc.internal;

import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;

/**
 * PostgreSQL's {@code 'infinity'} and {@code '-infinity'} dates and timestamps as JDBC code written for pgjdbc sees
 * them: java.time's {@code MAX} and {@code MIN}, and for {@code java.sql.Date} and {@code Timestamp} the milliseconds
 * pgjdbc's {@code PGStatement.DATE_POSITIVE_INFINITY}/{@code DATE_NEGATIVE_INFINITY} hold (jOOQ's PostgreSQL
 * binding and hand-written checks compare against them). Both ways: those exact values are written as infinity.
 * Any other value beyond PostgreSQL's range stays an error (Tusk's adapters refuse it): only these stand for
 * infinity, so no finite value is ever read or written as another.
 */
final class Infinities {
    /** The milliseconds of a {@code java.sql.Date} or {@code Timestamp} standing for {@code 'infinity'}. */
    static final long POSITIVE_MILLIS = 9223372036825200000L;
    /** The milliseconds of a {@code java.sql.Date} or {@code Timestamp} standing for {@code '-infinity'}. */
    static final long NEGATIVE_MILLIS = -9223372036832400000L;

    private Infinities() {
    }

    /** +1 if {@code v} stands for {@code 'infinity'}, -1 for {@code '-infinity'}, 0 for anything else (null too). */
    static int sign(Object v) {
        if (v instanceof LocalDate d) {
            return d.equals(LocalDate.MAX) ? 1 : d.equals(LocalDate.MIN) ? -1 : 0;
        }
        if (v instanceof LocalDateTime t) {
            return t.equals(LocalDateTime.MAX) ? 1 : t.equals(LocalDateTime.MIN) ? -1 : 0;
        }
        if (v instanceof OffsetDateTime t) {
            return t.equals(OffsetDateTime.MAX) ? 1 : t.equals(OffsetDateTime.MIN) ? -1 : 0;
        }
        if (v instanceof java.util.Date d) { // java.sql.Date and Timestamp
            long ms = d.getTime();
            return ms == POSITIVE_MILLIS ? 1 : ms == NEGATIVE_MILLIS ? -1 : 0;
        }
        return 0;
    }

    /**
     * The parameter to send for {@code x} if it stands for an infinity ({@link #sign}), else null: a date for
     * {@code LocalDate} and {@code java.sql.Date}, a timestamp for {@code LocalDateTime}, a timestamptz for
     * {@code OffsetDateTime}, untyped for a {@code Timestamp} (as Tusk sends every Timestamp, fitting both columns).
     */
    static TypedParam param(Object x) {
        int sign = sign(x);
        if (sign == 0) {
            return null;
        }
        int oid = x instanceof LocalDate || x instanceof java.sql.Date ? TypeMap.DATE
                : x instanceof LocalDateTime ? TypeMap.TIMESTAMP
                : x instanceof OffsetDateTime ? TypeMap.TIMESTAMPTZ : 0;
        return new TypedParam(oid, text(sign));
    }

    /**
     * What a value of column type {@code typeOid} whose text is {@code text} reads as when it is an infinity: the
     * type's java.time {@code MAX} or {@code MIN} ({@code LocalDate} for date, {@code LocalDateTime} for timestamp,
     * {@code OffsetDateTime} for timestamptz); null for anything else.
     */
    static Object read(int typeOid, String text) {
        int sign = "infinity".equals(text) ? 1 : "-infinity".equals(text) ? -1 : 0;
        if (sign == 0) {
            return null;
        }
        return switch (typeOid) {
            case TypeMap.DATE -> sign > 0 ? LocalDate.MAX : LocalDate.MIN;
            case TypeMap.TIMESTAMP -> sign > 0 ? LocalDateTime.MAX : LocalDateTime.MIN;
            case TypeMap.TIMESTAMPTZ -> sign > 0 ? OffsetDateTime.MAX : OffsetDateTime.MIN;
            default -> null;
        };
    }

    /**
     * The infinity {@code v} stands for ({@code sign(v) != 0}) as a {@code type}: its {@code MAX}/{@code MIN} for the
     * java.time types that have them ({@code Instant} too), pgjdbc's milliseconds for {@code java.sql.Date} and
     * {@code Timestamp}; null when {@code type} has no way to say infinity (a time of day, {@code ZonedDateTime}).
     */
    static Object as(Object v, Class<?> type) {
        boolean positive = sign(v) > 0;
        if (type == LocalDate.class) {
            return positive ? LocalDate.MAX : LocalDate.MIN;
        }
        if (type == LocalDateTime.class) {
            return positive ? LocalDateTime.MAX : LocalDateTime.MIN;
        }
        if (type == OffsetDateTime.class) {
            return positive ? OffsetDateTime.MAX : OffsetDateTime.MIN;
        }
        if (type == Instant.class) {
            return positive ? Instant.MAX : Instant.MIN;
        }
        if (type == java.sql.Date.class) {
            return new java.sql.Date(positive ? POSITIVE_MILLIS : NEGATIVE_MILLIS);
        }
        if (type == Timestamp.class) {
            return new Timestamp(positive ? POSITIVE_MILLIS : NEGATIVE_MILLIS);
        }
        return null;
    }

    private static String text(int sign) {
        return sign > 0 ? "infinity" : "-infinity";
    }
}
