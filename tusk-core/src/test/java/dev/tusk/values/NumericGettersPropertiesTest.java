package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Property: a numeric read with every getter answers the same in text, in binary and in the automatic format
 * (which receives it in binary and reads its bytes directly, without the text): the same long, int, short,
 * double, float, BigDecimal (scale included), string and loaded value, or the same error. The automatic format
 * answers exactly as text, error messages included; a binary result ({@code binary(true)}) gives the same values
 * and the same error classes (its getString is the BigDecimal's toString, by design). Values are drawn from long and short digit strings, exponents from -400 to 400,
 * typmods, and the edges: NaN, ±Infinity, zeros with scales, negative zero, the ends of long and int, 2^53.
 */
@Timeout(300)
@TuskTest
class NumericGettersPropertiesTest {
    private static final int N = 8;

    private static final List<String> EDGES = List.of("NaN", "Infinity", "-Infinity", "0", "-0", "0.000", "-0.00",
            "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809",
            "9223372036854775807.999", "-9223372036854775808.9", "2147483647.5", "-2147483648.99", "2147483648",
            "32767.9", "-32769", "9007199254740992", "9007199254740993", "-9007199254740993.0", "0.1", "-0.5",
            "1e22", "1e23", "1e-22", "1e-23", "123456789012345678901234567890.123456789", "1e308", "1e309", "-1e309",
            "1e-400", "1e-324", "4.9e-324", "2.5e-324", "1.7976931348623157e308", "1.7976931348623159e308",
            "3.4028235e38", "3.4028236e38", "1e-46", "99999999999999999999", "0.00000000000000000001234");

    private static Arbitrary<String> digits(int max) {
        return Arbitraries.strings().withCharRange('0', '9').ofMinLength(1).ofMaxLength(max);
    }

    /** A numeric literal: sign, digits, a fraction, an exponent, and a cast with a typmod now and then. */
    private static Arbitrary<String> numerics() {
        Arbitrary<String> plain = Combinators.combine(Arbitraries.of("", "-"), digits(45), digits(45).injectNull(0.3),
                Arbitraries.integers().between(-400, 400).injectNull(0.5)).as((s, i, f, e) ->
                s + i + (f == null ? "" : "." + f) + (e == null ? "" : "e" + e));
        Arbitrary<String> small = Combinators.combine(Arbitraries.of("", "-"), digits(6), digits(6).injectNull(0.3),
                Arbitraries.integers().between(-25, 25).injectNull(0.6)).as((s, i, f, e) ->
                s + i + (f == null ? "" : "." + f) + (e == null ? "" : "e" + e));
        return Arbitraries.frequencyOf(Tuple.of(3, plain), Tuple.of(3, small), Tuple.of(2, Arbitraries.of(EDGES)));
    }

    private static String answer(Supplier<Object> getter) {
        try {
            Object v = getter.get();
            return v instanceof BigDecimal b ? "BigDecimal " + b + " (scale " + b.scale() + ")"
                    : v == null ? "null" : v.getClass().getSimpleName() + " " + v;
        } catch (RuntimeException e) {
            return e.getClass().getName() + ": " + e.getMessage();
        }
    }

    private static List<String> answers(Row r, int i, boolean messages) {
        List<String> out = new ArrayList<>();
        out.add(answer(() -> r.getLong(i)));
        out.add(answer(() -> r.getInt(i)));
        out.add(answer(() -> r.getShort(i)));
        out.add(answer(() -> r.getDouble(i)));
        out.add(answer(() -> r.getFloat(i)));
        out.add(answer(() -> r.getBigDecimal(i)));
        out.add(answer(() -> r.getString(i)));
        out.add(answer(() -> r.get(i)));
        out.add(answer(() -> r.get(i, Long.class)));
        out.add(answer(() -> r.get(i, Double.class)));
        if (!messages) { // an error's class only, and no getString (binary(true) shows toString(), not the text)
            out.remove(6);
            out.replaceAll(a -> a.contains("Exception: ") ? a.substring(0, a.indexOf(": ")) : a);
        }
        return out;
    }

    @Test
    void aNumericReadsTheSameInTextBinaryAndAutomatic(TestDatabase db) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true);
        try (Connection<Row> text = Connection.connect(b.binary(false).build());
             Connection<Row> binary = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                     .binary(true).build());
             Connection<Row> auto = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0)
                     .autocommit(true).build())) {
            StringBuilder sb = new StringBuilder("SELECT ");
            for (int i = 0; i < N; i++) {
                sb.append(i == 0 ? "" : ", ").append("%s::text::numeric AS n").append(i);
            }
            StringBuilder typmods = new StringBuilder("SELECT ");
            for (int i = 0; i < N; i++) {
                typmods.append(i == 0 ? "" : ", ").append("round(%s::text::numeric, ").append(i * 3 - 4)
                        .append(")::numeric(1000, ").append(Math.max(i * 3 - 4, 0)).append(") AS n").append(i);
            }
            List<String> queries = List.of(sb.toString(), typmods.toString());
            List<Object> warm = new ArrayList<>(java.util.Collections.nCopies(N, "1"));
            for (String q : queries) {
                auto.execute(q, warm, ExecuteOptions.DEFAULT); // prepared and described: binary from now on
            }
            int[] held = new int[1];
            Props.forAll("numeric getters agree in text, binary and automatic", 150,
                    Combinators.combine(Arbitraries.of(queries), numerics().list().ofSize(N)).as(Tuple::of), c -> {
                        List<Object> params = new ArrayList<>(c.get2());
                        Row t;
                        try {
                            t = text.execute(c.get1(), params, ExecuteOptions.DEFAULT).fetchone();
                        } catch (dev.tusk.errors.DatabaseException e) {
                            return; // out of numeric's range or its typmod's: the server said so
                        }
                        held[0]++;
                        Row bin = binary.execute(c.get1(), params, ExecuteOptions.DEFAULT).fetchone();
                        Row a = auto.execute(c.get1(), params, ExecuteOptions.DEFAULT).fetchone();
                        for (int i = 0; i < N; i++) {
                            assertThat(t.columns().get(i).wireFormatCode()).as("text").isEqualTo(0);
                            assertThat(bin.columns().get(i).wireFormatCode()).as("binary").isEqualTo(1);
                            assertThat(a.columns().get(i).wireFormatCode()).as("automatic: received in binary").isEqualTo(1);
                            String shown = t.getString(i);
                            assertThat(answers(a, i, true)).as("automatic, %s", shown).isEqualTo(answers(t, i, true));
                            assertThat(answers(bin, i, false)).as("binary, %s", shown).isEqualTo(answers(t, i, false));
                        }
                    });
            assertThat(held[0]).as("tries the server held").isGreaterThan(10);
        }
    }
}
