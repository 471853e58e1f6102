package dev.tusk.internal.core;

import java.math.BigDecimal;
import java.math.BigInteger;

/**
 * Narrowing of loaded numbers to the Java type a getter asks for: the exact value or an
 * {@link ArithmeticException}, never a wrapped ({@code (int) 3000000000L}) or clamped ({@code (long) 1e19})
 * one (trust #11). Floating-point targets take the nearest value, as PostgreSQL's own casts do, but a finite
 * value that overflows to infinity or a non-zero one that underflows to zero is out of range.
 */
public final class Numbers {
    private static final double TWO_63 = 0x1p63;

    private Numbers() {
    }

    /**
     * {@code n} as {@code target} (a boxed or primitive Long, Integer, Short, Byte, Double, Float, or
     * BigDecimal, BigInteger); null when {@code target} is none of them.
     *
     * @throws ArithmeticException when the value does not fit (or has a fraction, for an integer type)
     */
    public static Object exact(Number n, Class<?> target) {
        if (target == Long.class || target == long.class) {
            return exactLong(n);
        }
        if (target == Integer.class || target == int.class) {
            return (int) inRange(exactLong(n), Integer.MIN_VALUE, Integer.MAX_VALUE, "an int");
        }
        if (target == Short.class || target == short.class) {
            return (short) inRange(exactLong(n), Short.MIN_VALUE, Short.MAX_VALUE, "a short");
        }
        if (target == Byte.class || target == byte.class) {
            return (byte) inRange(exactLong(n), Byte.MIN_VALUE, Byte.MAX_VALUE, "a byte");
        }
        if (target == Double.class || target == double.class) {
            return toDouble(n);
        }
        if (target == Float.class || target == float.class) {
            return toFloat(n instanceof Float f ? f : toDouble(n));
        }
        if (target == BigDecimal.class) {
            return n instanceof BigDecimal b ? b : n instanceof BigInteger b ? new BigDecimal(b) : new BigDecimal(n.toString());
        }
        if (target == BigInteger.class) {
            if (n instanceof Double || n instanceof Float) { // the binary value itself: (float) 2^63 is 2^63, not 9.223372E18
                double d = n.doubleValue();
                if (Double.isNaN(d) || Double.isInfinite(d)) {
                    throw new ArithmeticException(d + " is not an integer");
                }
                return new BigDecimal(d).toBigIntegerExact();
            }
            return n instanceof BigInteger b ? b : (n instanceof BigDecimal b ? b : new BigDecimal(n.toString())).toBigIntegerExact();
        }
        return null;
    }

    /** {@code n} as a long, exactly. */
    public static long exactLong(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (d != Math.rint(d)) { // NaN, infinities and fractions
                throw new ArithmeticException(d + " is not an integer");
            }
            return doubleInLongRange(d);
        }
        if (n instanceof BigInteger b) {
            return b.longValueExact();
        }
        return (n instanceof BigDecimal b ? b : new BigDecimal(n.toString())).longValueExact();
    }

    /**
     * {@code n} as a long with any fraction dropped toward zero (as {@code getLong} of a numeric or float
     * always did), but never clamped: NaN, infinities and values outside the long range are errors.
     */
    public static long truncatedLong(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            if (Double.isNaN(d)) {
                throw new ArithmeticException("NaN is not an integer");
            }
            return doubleInLongRange(d < 0 ? Math.ceil(d) : Math.floor(d));
        }
        if (n instanceof BigDecimal b) {
            return b.toBigInteger().longValueExact();
        }
        return exactLong(n);
    }

    private static long doubleInLongRange(double d) {
        if (!(d >= -TWO_63 && d < TWO_63)) {
            throw new ArithmeticException(d + " is out of range for a long");
        }
        return (long) d;
    }

    private static long inRange(long v, long min, long max, String what) {
        if (v < min || v > max) {
            throw new ArithmeticException(v + " is out of range for " + what);
        }
        return v;
    }

    /** {@code n} as the nearest double; a finite value too large for a double is out of range. */
    public static double toDouble(Number n) {
        double d = n.doubleValue();
        if (n instanceof BigDecimal || n instanceof BigInteger) {
            if (Double.isInfinite(d)) {
                throw new ArithmeticException(n + " is out of range for a double");
            }
            if (d == 0 && (n instanceof BigDecimal b ? b.signum() : ((BigInteger) n).signum()) != 0) {
                throw new ArithmeticException(n + " is too small for a double (underflow)");
            }
        }
        return d;
    }

    /** {@code d} as the nearest float, as PostgreSQL's float8::float4: overflow and underflow are errors. */
    public static float toFloat(double d) {
        float f = (float) d;
        if (Float.isInfinite(f) && !Double.isInfinite(d)) {
            throw new ArithmeticException(d + " is out of range for a float (overflow)");
        }
        if (f == 0 && d != 0) {
            throw new ArithmeticException(d + " is out of range for a float (underflow)");
        }
        return f;
    }
}
