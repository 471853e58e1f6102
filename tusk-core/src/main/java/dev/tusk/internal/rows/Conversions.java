package dev.tusk.internal.rows;

import dev.tusk.errors.DataException;
import dev.tusk.internal.core.Numbers;
import dev.tusk.types.Inet;
import dev.tusk.types.Interval;
import dev.tusk.types.JavaArrays;
import dev.tusk.types.MacAddress;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * The conversions {@code Row.get(int, Class)} allows between a loaded value and the class asked for; {@code column}
 * and {@code typeOid} are the value's column (its name for the errors, its type for macaddr).
 */
public final class Conversions {
    private Conversions() {
    }

    public static Object convert(Object v, Class<?> type, String column, int typeOid) {
        if (type.isInstance(v)) {
            return v;
        }
        try {
            if (type == String.class) {
                return v.toString();
            }
            if (type.isArray() && v instanceof List<?> list) {
                return JavaArrays.toArray(list, type);
            }
            if (v instanceof Number n) {
                // trust #11: the exact value or an error, never a wrapped or clamped one
                Object exact = Numbers.exact(n, type);
                if (exact != null) {
                    return exact;
                }
            }
            Object temporal = javaTime(v, type, column);
            if (temporal != null) {
                return temporal;
            }
            if (v instanceof String s) {
                if (type == MacAddress.class && (typeOid == 829 || typeOid == 774)) {
                    return MacAddress.parse(s);
                }
                if (type == Long.class) return Long.parseLong(s.trim());
                if (type == Integer.class) return Integer.parseInt(s.trim());
                if (type == Short.class) return Short.parseShort(s.trim());
                if (type == Double.class) return Double.parseDouble(s.trim());
                if (type == Float.class) return Numbers.toFloat(Double.parseDouble(s.trim()));
                if (type == BigDecimal.class) return new BigDecimal(s.trim());
                if (type == BigInteger.class) return new BigInteger(s.trim());
                if (type == Boolean.class) {
                    if (s.equals("t") || s.equals("true")) return Boolean.TRUE;
                    if (s.equals("f") || s.equals("false")) return Boolean.FALSE;
                }
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new DataException("cannot convert value " + v + " of column \"" + column + "\" to "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        throw new DataException("cannot convert " + v.getClass().getName() + " of column \"" + column + "\" to "
                + type.getName());
    }

    /**
     * The java.time and java.net views of timestamptz, interval and inet values, exact or refused: null when
     * {@code v} and {@code type} are not such a pair.
     */
    private static Object javaTime(Object v, Class<?> type, String column) {
        if (v instanceof OffsetDateTime t) {
            if (type == Instant.class) {
                return t.toInstant();
            }
            if (type == ZonedDateTime.class) {
                return t.toZonedDateTime();
            }
        } else if (v instanceof Interval i) {
            if (type == Duration.class) {
                if (i.months() != 0) { // a month has no fixed length: 28 to 31 days
                    throw new DataException("the interval " + i.toPeriod() + " " + i.timePart() + " of column \""
                            + column + "\" has months, which have no fixed length, so it is no exact Duration: get it"
                            + " as Interval (and Interval.toDuration() for PostgreSQL's 30-day months) or as Period");
                }
                return Duration.ofDays(i.days()).plus(i.timePart()); // a day as 24 hours, as psycopg's timedelta
            }
            if (type == Period.class) {
                if (i.microseconds() != 0) {
                    throw new DataException("the interval " + i.toPeriod() + " " + i.timePart() + " of column \""
                            + column + "\" has a time part, which a Period cannot hold: get it as Interval or Duration");
                }
                return i.toPeriod();
            }
        } else if (v instanceof Inet n && type == InetAddress.class) {
            int full = n.address() instanceof Inet4Address ? 32 : 128;
            if (n.prefix() != full) {
                throw new DataException("the value " + n + " of column \"" + column + "\" is a network (prefix /"
                        + n.prefix() + "), not one address: get it as Inet");
            }
            return n.address();
        }
        return null;
    }
}
