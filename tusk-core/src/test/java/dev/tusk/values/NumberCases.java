package dev.tusk.values;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

import java.math.BigDecimal;
import java.math.BigInteger;

/** Numbers at the edges of Java's and PostgreSQL's numeric types, for the narrowing properties (trust #11). */
final class NumberCases {
    private NumberCases() {
    }

    /** Integral values at and around every type's bounds, and a few classics. */
    static final long[] EDGES = {0, 1, -1, Short.MAX_VALUE, Short.MAX_VALUE + 1L, Short.MIN_VALUE, Short.MIN_VALUE - 1L,
            Integer.MAX_VALUE, Integer.MAX_VALUE + 1L, Integer.MIN_VALUE, Integer.MIN_VALUE - 1L, 70_000, 3_000_000_000L,
            Long.MAX_VALUE, Long.MIN_VALUE, 1L << 53, (1L << 53) + 1, 1L << 24, (1L << 24) + 1};

    static final double[] DOUBLE_EDGES = {0x1p63, -0x1p63, Math.nextDown(0x1p63), Math.nextUp(-0x1p63), 1e19, -1e19, 3e9,
            70000.0, 1.5, -2.5, 0.1, -0.0, 1e300, 1e-300, Float.MAX_VALUE, Math.nextUp((double) Float.MAX_VALUE),
            Float.MIN_VALUE, Double.MAX_VALUE, Double.MIN_VALUE, 1e-46, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY, 32767.5, -32768.5, 2147483647.75};

    static Arbitrary<Long> edgeLongs() {
        java.util.List<Long> edges = java.util.Arrays.stream(EDGES).boxed().toList();
        return Arbitraries.oneOf(Arbitraries.of(edges),
                Arbitraries.of(edges).flatMap(v -> Arbitraries.longs().between(-3, 3).map(d -> v + d)),
                Arbitraries.longs());
    }

    static Arbitrary<Double> edgeDoubles() {
        return Arbitraries.oneOf(Arbitraries.of(java.util.Arrays.stream(DOUBLE_EDGES).boxed().toList()), Arbitraries.doubles(),
                edgeLongs().map(v -> (double) v), Arbitraries.doubles().between(-1e6, 1e6).ofScale(2));
    }

    static Arbitrary<BigDecimal> edgeDecimals() {
        return Arbitraries.oneOf(edgeLongs().map(BigDecimal::valueOf),
                edgeLongs().map(v -> BigDecimal.valueOf(v).multiply(BigDecimal.TEN).add(BigDecimal.valueOf(7))),
                Arbitraries.bigDecimals().between(new BigDecimal("-1e25"), new BigDecimal("1e25")).ofScale(2),
                Arbitraries.of(new BigDecimal("1e400"), new BigDecimal("-1e400"), new BigDecimal("1e-400"), new BigDecimal("0.5")));
    }

    /** Any Java number a loader could produce or a user could pass. */
    static Arbitrary<Number> anyNumber() {
        return Arbitraries.oneOf(edgeLongs().map(v -> (Number) v), edgeDoubles().map(v -> (Number) v),
                edgeDoubles().map(v -> (Number) (float) (double) v), edgeDecimals().map(v -> (Number) v),
                edgeLongs().map(v -> (Number) (int) (long) v), edgeLongs().map(v -> (Number) (short) (long) v),
                edgeDecimals().map(v -> (Number) v.toBigInteger()));
    }

    /** The number's exact value; null for NaN and infinities. */
    static BigDecimal exactValue(Number n) {
        if (n instanceof Double || n instanceof Float) {
            double d = n.doubleValue();
            return Double.isNaN(d) || Double.isInfinite(d) ? null : new BigDecimal(d);
        }
        if (n instanceof BigDecimal b) {
            return b;
        }
        if (n instanceof BigInteger b) {
            return new BigDecimal(b);
        }
        return BigDecimal.valueOf(n.longValue());
    }

    static BigDecimal min(Class<?> integral) {
        if (integral == short.class || integral == Short.class) return BigDecimal.valueOf(Short.MIN_VALUE);
        if (integral == int.class || integral == Integer.class) return BigDecimal.valueOf(Integer.MIN_VALUE);
        if (integral == long.class || integral == Long.class) return BigDecimal.valueOf(Long.MIN_VALUE);
        return null;
    }

    static BigDecimal max(Class<?> integral) {
        if (integral == short.class || integral == Short.class) return BigDecimal.valueOf(Short.MAX_VALUE);
        if (integral == int.class || integral == Integer.class) return BigDecimal.valueOf(Integer.MAX_VALUE);
        if (integral == long.class || integral == Long.class) return BigDecimal.valueOf(Long.MAX_VALUE);
        return null;
    }

    /** Whether {@code exact} is an integer. */
    static boolean integral(BigDecimal exact) {
        return exact.signum() == 0 || exact.stripTrailingZeros().scale() <= 0;
    }
}
