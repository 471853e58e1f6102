package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.errors.DatabaseException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.reflect.Array;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/**
 * trust #11, property: numbers at the edges of every numeric type, read through every getter and array getter,
 * in text and binary: the exact value (the nearest one for float and double) or a DataException, never a
 * wrapped or clamped one.
 */
@Timeout(300)
@TuskTest
class GetterNarrowingPropertiesTest {
    private static final String[] TYPES = {"int2", "int4", "int8", "float4", "float8", "numeric"};

    record Case(String type, Number value) {
    }

    private static Arbitrary<Case> cases() {
        return Combinators.combine(Arbitraries.of(TYPES), NumberCases.anyNumber()).as(Case::new);
    }

    private static String text(Number n) {
        BigDecimal exact = NumberCases.exactValue(n);
        if (exact != null) {
            return exact.toPlainString();
        }
        double d = n.doubleValue();
        return Double.isNaN(d) ? "NaN" : d > 0 ? "Infinity" : "-Infinity";
    }

    // trust #11
    @Test
    void everyGetterGivesTheExactValueOrADataException(TestDatabase db) {
        try (Connection<Row> text = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
             Connection<Row> binary = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).binary(true).build())) {
            AtomicInteger held = new AtomicInteger();
            int tries = Props.forAll("getters at type edges", 200, cases(), c -> {
                String cast = c.type().startsWith("int") ? "::numeric::" + c.type() : "::" + c.type();
                String sql = "SELECT x, ARRAY[x] FROM (SELECT %s::text" + cast + " AS x) q";
                Row t;
                try {
                    t = text.execute(sql, text(c.value())).fetchone();
                } catch (DatabaseException e) {
                    return; // the type cannot hold the value (the server said so): nothing to read
                }
                held.incrementAndGet();
                Row b = binary.execute(sql, text(c.value())).fetchone();
                String shown = t.getString(0);
                for (Row r : new Row[] {t, b}) {
                    checkRow(c.type(), shown, r, r == b);
                }
            });
            System.err.println("[props] getters at type edges: " + held.get() + " of " + tries + " values held by their type and read");
        }
    }

    private static void checkRow(String type, String shown, Row r, boolean binary) {
        boolean isFloat = type.startsWith("float");
        Double special = switch (shown) {
            case "NaN" -> Double.NaN;
            case "Infinity" -> Double.POSITIVE_INFINITY;
            case "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> null;
        };
        BigDecimal exact = special != null ? null
                : type.equals("float8") ? new BigDecimal(Double.parseDouble(shown))
                : type.equals("float4") ? new BigDecimal(Float.parseFloat(shown)) : new BigDecimal(shown);
        String what = type + " " + shown + (binary ? " (binary)" : " (text)");

        // integers: getShort/getInt/getLong drop a fraction; get(X.class) and arrays take integers only
        BigDecimal truncated = exact == null ? null : exact.setScale(0, RoundingMode.DOWN);
        expect(what + " getShort", () -> r.getShort(0), fit(truncated, Short.MIN_VALUE, Short.MAX_VALUE));
        expect(what + " getInt", () -> r.getInt(0), fit(truncated, Integer.MIN_VALUE, Integer.MAX_VALUE));
        expect(what + " getLong", () -> r.getLong(0), fit(truncated, Long.MIN_VALUE, Long.MAX_VALUE));
        BigDecimal whole = exact != null && NumberCases.integral(exact) ? exact : null;
        Object[][] integral = {{Short.class, short[].class, Short[].class, fit(whole, Short.MIN_VALUE, Short.MAX_VALUE)},
                {Integer.class, int[].class, Integer[].class, fit(whole, Integer.MIN_VALUE, Integer.MAX_VALUE)},
                {Long.class, long[].class, Long[].class, fit(whole, Long.MIN_VALUE, Long.MAX_VALUE)},
                {BigInteger.class, null, BigInteger[].class, whole}};
        for (Object[] k : integral) {
            BigDecimal e = (BigDecimal) k[3];
            expect(what + " get " + k[0], () -> r.get(0, (Class<?>) k[0]), e);
            for (int a = 1; a <= 2; a++) {
                Class<?> arrayType = (Class<?>) k[a];
                if (arrayType != null) {
                    expect(what + " get " + arrayType.getSimpleName(), () -> Array.get(r.get(1, arrayType), 0), e);
                }
            }
        }

        // floating point: the nearest value; overflow and underflow are errors
        Double d;
        if (exact == null) {
            d = special;
        } else {
            double v = exact.doubleValue();
            d = Double.isInfinite(v) || (v == 0 && exact.signum() != 0) ? null : v;
        }
        Float f = d == null ? null : nearFloat(d);
        if (type.equals("float4") && !binary && d != null && !Double.isNaN(d)) {
            // text float4 "0.1" read as a double is 0.1, the float's shortest decimal: also right
            double parsed = Double.parseDouble(shown);
            double got = r.getDouble(0);
            assertThat(got == d || got == parsed).as(what + " getDouble " + got).isTrue();
        } else {
            expect(what + " getDouble", () -> r.getDouble(0), d == null ? null : new BigDecimalOrSpecial(d));
        }
        // a numeric NaN or infinity does not load (as a BigDecimal) unless asked: get() may refuse it, getDouble may not
        boolean mayRefuse = type.equals("numeric") && special != null;
        expect(what + " get Double", () -> r.get(0, Double.class), d == null ? null : new BigDecimalOrSpecial(d), mayRefuse);
        expect(what + " get double[]", () -> Array.get(r.get(1, double[].class), 0), d == null ? null : new BigDecimalOrSpecial(d), mayRefuse);
        expect(what + " getFloat", () -> r.getFloat(0), f == null ? null : new BigDecimalOrSpecial(f));
        expect(what + " get Float", () -> r.get(0, Float.class), f == null ? null : new BigDecimalOrSpecial(f), mayRefuse);
        expect(what + " get float[]", () -> Array.get(r.get(1, float[].class), 0), f == null ? null : new BigDecimalOrSpecial(f), mayRefuse);

        // BigDecimal: the value, as the server wrote it for floats
        BigDecimal dec = exact == null ? null : isFloat ? new BigDecimal(type.equals("float8")
                ? Double.toString(Double.parseDouble(shown)) : Float.toString(Float.parseFloat(shown))) : exact;
        expect(what + " get BigDecimal", () -> r.get(0, BigDecimal.class), dec);
    }

    /** A float or double expectation: equal as numbers (0.0 == -0.0), NaN equal to NaN. */
    private record BigDecimalOrSpecial(double v) {
    }

    private static Float nearFloat(double d) {
        float f = (float) d;
        return (Float.isInfinite(f) && !Double.isInfinite(d)) || (f == 0 && d != 0) ? null : f;
    }

    private static BigDecimal fit(BigDecimal v, long min, long max) {
        return v != null && v.compareTo(BigDecimal.valueOf(min)) >= 0 && v.compareTo(BigDecimal.valueOf(max)) <= 0 ? v : null;
    }

    /** {@code expected} null: a DataException. */
    private static void expect(String what, Supplier<Object> actual, Object expected) {
        expect(what, actual, expected, false);
    }

    /** {@code mayRefuse}: a DataException is right too. */
    private static void expect(String what, Supplier<Object> actual, Object expected, boolean mayRefuse) {
        if (mayRefuse) {
            try {
                actual.get();
            } catch (DataException e) {
                return;
            }
        }
        if (expected == null) {
            assertThatThrownBy(actual::get).as(what).isInstanceOf(DataException.class);
            return;
        }
        Object got;
        try {
            got = actual.get();
        } catch (DataException e) {
            fail(what + ": expected " + expected + ", got " + e);
            return;
        }
        if (expected instanceof BigDecimalOrSpecial s) {
            double g = ((Number) got).doubleValue();
            assertThat(g == s.v() || (Double.isNaN(g) && Double.isNaN(s.v()))).as(what + ": expected " + s.v() + ", got " + got).isTrue();
        } else {
            assertThat(new BigDecimal(got.toString())).as(what).isEqualByComparingTo((BigDecimal) expected);
        }
    }
}
