package dev.tusk.jdbc.internal;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.Blob;
import java.sql.Clob;
import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.Time;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.OffsetDateTime;
import java.time.OffsetTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Calendar;

/**
 * JDBC parameter values as Tusk sends them: java.sql date/time types become java.time (a {@code Timestamp} goes
 * untyped with the JVM zone's offset, as pgjdbc sends it, so it fits timestamp and timestamptz columns alike),
 * streams are read, {@code setObject(x, targetSqlType)} converts as JDBC's table B-5 says.
 */
final class Params {
    private Params() {
    }

    static Object of(Object x) throws SQLException {
        if (x == null) {
            return null;
        }
        TypedParam infinity = Infinities.param(x);
        if (infinity != null) {
            return infinity;
        }
        if (x instanceof java.sql.Date d) {
            return d.toLocalDate();
        }
        if (x instanceof Time t) {
            return time(t, null);
        }
        if (x instanceof Timestamp ts) {
            return timestamp(ts, null);
        }
        if (x instanceof java.util.Date d) {
            return timestamp(new Timestamp(d.getTime()), null);
        }
        if (x instanceof Calendar cal) {
            return timestamp(new Timestamp(cal.getTimeInMillis()), cal);
        }
        if (x instanceof JdbcArray a) {
            return a.toParameter();
        }
        if (x instanceof Array a) {
            return Arrays.asList((Object[]) a.getArray());
        }
        if (x instanceof Character ch) {
            return ch.toString();
        }
        if (x instanceof BigInteger bi) {
            return new BigDecimal(bi);
        }
        if (x instanceof InputStream in) {
            return bytes(in, -1);
        }
        if (x instanceof Reader r) {
            return string(r, -1);
        }
        if (x instanceof Blob b) {
            return b.getBytes(1, (int) b.length());
        }
        if (x instanceof Clob c) {
            return c.getSubString(1, (int) c.length());
        }
        if (x instanceof java.net.URL u) {
            return u.toString();
        }
        if (x instanceof Enum<?> e) {
            return e.name();
        }
        return x;
    }

    /** A Timestamp as pgjdbc sends it: wall-clock time in {@code cal}'s zone (the JVM's), with that offset, untyped. */
    static TypedParam timestamp(Timestamp ts, Calendar cal) {
        TypedParam infinity = Infinities.param(ts);
        if (infinity != null) {
            return infinity;
        }
        ZoneId z = cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId();
        OffsetDateTime odt = ts.toInstant().atZone(z).toOffsetDateTime();
        return new TypedParam(0, odt.toLocalDateTime() + odt.getOffset().getId().replace("Z", "+00:00"));
    }

    static Object date(java.sql.Date d, Calendar cal) {
        TypedParam infinity = Infinities.param(d);
        if (infinity != null) {
            return infinity;
        }
        if (cal == null) {
            return d.toLocalDate();
        }
        return java.time.Instant.ofEpochMilli(d.getTime()).atZone(cal.getTimeZone().toZoneId()).toLocalDate();
    }

    static LocalTime time(Time t, Calendar cal) {
        ZoneId z = cal == null ? ZoneId.systemDefault() : cal.getTimeZone().toZoneId();
        return java.time.Instant.ofEpochMilli(t.getTime()).atZone(z).toLocalTime();
    }

    static byte[] bytes(InputStream in, long length) throws SQLException {
        if (in == null) {
            return null;
        }
        try {
            if (length < 0) {
                return in.readAllBytes();
            }
            byte[] b = in.readNBytes((int) length);
            if (b.length < length) {
                throw new SQLDataException("the stream ended after " + b.length + " of the " + length + " bytes announced", "22000");
            }
            return b;
        } catch (IOException e) {
            throw new SQLException("reading the parameter's stream failed: " + e.getMessage(), "HY000", e);
        }
    }

    static String string(Reader r, long length) throws SQLException {
        if (r == null) {
            return null;
        }
        try {
            StringBuilder sb = new StringBuilder();
            char[] buf = new char[8192];
            long left = length < 0 ? Long.MAX_VALUE : length;
            int n;
            while (left > 0 && (n = r.read(buf, 0, (int) Math.min(buf.length, left))) > 0) {
                sb.append(buf, 0, n);
                left -= n;
            }
            return sb.toString();
        } catch (IOException e) {
            throw new SQLException("reading the parameter's reader failed: " + e.getMessage(), "HY000", e);
        }
    }

    static String ascii(InputStream in, long length) throws SQLException {
        byte[] b = bytes(in, length);
        return b == null ? null : new String(b, StandardCharsets.US_ASCII);
    }

    /** {@code setObject(x, targetSqlType, scale)}: x converted to the Java type of the target. */
    static Object convert(Object x, int target, int scale) throws SQLException {
        if (x == null) {
            return TypedParam.nullOf(TypeMap.oidForSqlType(target));
        }
        try {
            switch (target) {
                case Types.CHAR, Types.VARCHAR, Types.LONGVARCHAR, Types.NCHAR, Types.NVARCHAR, Types.LONGNVARCHAR, Types.CLOB,
                        Types.NCLOB -> {
                    Object v = of(x);
                    if (v instanceof TypedParam p) {
                        return new TypedParam(TypeMap.VARCHAR, p.text());
                    }
                    return v instanceof String ? v : String.valueOf(v);
                }
                case Types.BIT, Types.BOOLEAN -> {
                    if (x instanceof Boolean) {
                        return x;
                    }
                    if (x instanceof Number n) {
                        return new BigDecimal(n.toString()).signum() != 0;
                    }
                    return new TypedParam(TypeMap.BOOL, x.toString().trim());
                }
                case Types.TINYINT, Types.SMALLINT -> {
                    return x instanceof Number n ? (Object) (short) n.intValue() : x instanceof Boolean b ? (short) (b ? 1 : 0)
                            : new TypedParam(TypeMap.INT2, x.toString().trim());
                }
                case Types.INTEGER -> {
                    return x instanceof Number n ? (Object) n.intValue() : x instanceof Boolean b ? (b ? 1 : 0)
                            : new TypedParam(TypeMap.INT4, x.toString().trim());
                }
                case Types.BIGINT -> {
                    return x instanceof Number n ? (Object) n.longValue() : x instanceof Boolean b ? (b ? 1L : 0L)
                            : new TypedParam(TypeMap.INT8, x.toString().trim());
                }
                case Types.REAL -> {
                    return x instanceof Number n ? (Object) n.floatValue() : new TypedParam(TypeMap.FLOAT4, x.toString().trim());
                }
                case Types.FLOAT, Types.DOUBLE -> {
                    return x instanceof Number n ? (Object) n.doubleValue() : new TypedParam(TypeMap.FLOAT8, x.toString().trim());
                }
                case Types.NUMERIC, Types.DECIMAL -> {
                    BigDecimal d = x instanceof BigDecimal b ? b : x instanceof Boolean b ? (b ? BigDecimal.ONE : BigDecimal.ZERO)
                            : new BigDecimal(x.toString().trim());
                    return scale >= 0 ? d.setScale(scale, RoundingMode.HALF_UP) : d;
                }
                case Types.DATE, Types.TIME, Types.TIME_WITH_TIMEZONE, Types.TIMESTAMP, Types.TIMESTAMP_WITH_TIMEZONE -> {
                    if (x instanceof String s) {
                        return new TypedParam(TypeMap.oidForSqlType(target), s);
                    }
                    Object v = of(x);
                    if (v instanceof TypedParam p && Infinities.sign(x) != 0) {
                        return new TypedParam(TypeMap.oidForSqlType(target), p.text());
                    }
                    if (target == Types.DATE && v instanceof TypedParam) {
                        return ((Timestamp) x).toLocalDateTime().toLocalDate();
                    }
                    if (target == Types.TIMESTAMP && x instanceof OffsetDateTime odt) {
                        return odt.atZoneSameInstant(ZoneId.systemDefault()).toLocalDateTime();
                    }
                    if (target == Types.TIMESTAMP_WITH_TIMEZONE && v instanceof LocalDateTime ldt) {
                        return ldt.atZone(ZoneId.systemDefault()).toOffsetDateTime();
                    }
                    if (target == Types.TIME_WITH_TIMEZONE && v instanceof LocalTime lt) {
                        return lt.atOffset(ZoneOffset.UTC);
                    }
                    if (target == Types.TIME && v instanceof OffsetTime ot) {
                        return ot.toLocalTime();
                    }
                    return v;
                }
                case Types.BINARY, Types.VARBINARY, Types.LONGVARBINARY, Types.BLOB -> {
                    return of(x);
                }
                case Types.OTHER, Types.JAVA_OBJECT, Types.NULL -> {
                    Object v = of(x);
                    return v instanceof String s ? new TypedParam(0, s) : v;
                }
                case Types.ARRAY -> {
                    return of(x);
                }
                case Types.SQLXML -> {
                    return new TypedParam(TypeMap.XML, x.toString());
                }
                default -> throw Errors.notSupported("setObject with target SQL type " + target);
            }
        } catch (NumberFormatException e) {
            throw new SQLDataException("cannot convert " + x + " to SQL type " + target + ": " + e.getMessage(), "22018", e);
        }
    }
}
