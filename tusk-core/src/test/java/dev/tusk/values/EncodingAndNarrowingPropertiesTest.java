package dev.tusk.values;

import dev.tusk.errors.DataException;
import dev.tusk.internal.core.Numbers;
import dev.tusk.internal.wire.Utf8;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Client-side properties on the jqwik engine (shrinking on): the UTF-8 encoding agrees with the JDK's strict
 * encoder (trust #9) and number narrowing gives the exact value or an error (trust #11).
 */
class EncodingAndNarrowingPropertiesTest {

    @Provide
    Arbitrary<String> unicodeish() {
        return Strings.withRareLoneSurrogatesAndNul();
    }

    // trust #9
    @Property
    void utf8EncodingIsTheStrictEncodersOrAnError(@ForAll("unicodeish") String s) {
        byte[] strict;
        try {
            ByteBuffer b = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(s));
            strict = Arrays.copyOf(b.array(), b.limit());
        } catch (CharacterCodingException e) {
            strict = null;
        }
        if (strict == null) {
            assertThatThrownBy(() -> Utf8.encode(s, "the value")).isInstanceOf(DataException.class)
                    .hasMessageContaining("not valid Unicode").hasMessageContaining("index " + Utf8.loneSurrogate(s));
        } else {
            assertThat(Utf8.encode(s, "the value")).isEqualTo(strict);
        }
    }

    @Provide
    Arbitrary<Number> edgeNumbers() {
        return NumberCases.anyNumber();
    }

    // trust #11
    @Property
    void narrowingIsExactOrAnError(@ForAll("edgeNumbers") Number n) {
        BigDecimal exact = NumberCases.exactValue(n); // null: NaN or an infinity
        for (Class<?> target : new Class<?>[] {short.class, int.class, long.class, Short.class, Integer.class, Long.class,
                BigInteger.class}) {
            BigDecimal lo = NumberCases.min(target);
            BigDecimal hi = NumberCases.max(target);
            boolean fits = exact != null && exact.signum() == exact.stripTrailingZeros().signum()
                    && exact.stripTrailingZeros().scale() <= 0 && (lo == null || exact.compareTo(lo) >= 0)
                    && (hi == null || exact.compareTo(hi) <= 0);
            if (fits) {
                assertThat(new BigDecimal(Numbers.exact(n, target).toString())).as("%s as %s", n, target).isEqualByComparingTo(exact);
            } else {
                assertThatThrownBy(() -> Numbers.exact(n, target)).as("%s as %s", n, target)
                        .isInstanceOfAny(ArithmeticException.class, NumberFormatException.class);
            }
        }
        if (exact != null) {
            double d = exact.doubleValue();
            if (Double.isInfinite(d) || (d == 0 && exact.signum() != 0)) {
                assertThatThrownBy(() -> Numbers.exact(n, double.class)).isInstanceOf(ArithmeticException.class);
            } else {
                // a floating-point input keeps its own value (its sign of zero too); an exact one is rounded once
                boolean floating = n instanceof Float || n instanceof Double;
                assertThat((Double) Numbers.exact(n, double.class)).isEqualTo(Double.valueOf(floating ? n.doubleValue() : d));
                float f = floating ? (float) n.doubleValue() : (float) d;
                if (Float.isInfinite(f) || (f == 0 && d != 0)) {
                    assertThatThrownBy(() -> Numbers.exact(n, float.class)).isInstanceOf(ArithmeticException.class);
                } else {
                    assertThat((Float) Numbers.exact(n, float.class)).isEqualTo(Float.valueOf(f));
                }
            }
        }
    }
}
