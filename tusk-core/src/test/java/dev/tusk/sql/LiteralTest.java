package dev.tusk.sql;

import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LiteralTest {
    private static String lit(Object v) {
        return new Literal(v).asString();
    }

    @Test
    void nullAndBooleans() {
        assertThat(lit(null)).isEqualTo("NULL");
        assertThat(lit(true)).isEqualTo("true");
        assertThat(lit(false)).isEqualTo("false");
    }

    @Test
    void integersArePlainAndNegativesGetASpace() {
        assertThat(lit(42)).isEqualTo("42");
        assertThat(lit(42L)).isEqualTo("42");
        assertThat(lit((short) 7)).isEqualTo("7");
        assertThat(lit((byte) -3)).isEqualTo(" -3");
        assertThat(lit(Long.MIN_VALUE)).isEqualTo(" -9223372036854775808");
        assertThat(lit(new BigInteger("123456789012345678901234567890"))).isEqualTo("123456789012345678901234567890");
        // the space keeps "5-{}" from turning into the comment "5--1"
        assertThat(new SQL("SELECT 5-{}").format(-1).asString()).isEqualTo("SELECT 5- -1");
    }

    @Test
    void decimalsAndFloats() {
        assertThat(lit(new BigDecimal("1.50"))).isEqualTo("1.50");
        assertThat(lit(new BigDecimal("-0.001"))).isEqualTo(" -0.001");
        assertThat(lit(new BigDecimal("1E+3"))).isEqualTo("1E+3");
        assertThat(lit(1.5)).isEqualTo("1.5");
        assertThat(lit(1e20)).isEqualTo("1.0E20");
        assertThat(lit(-2.5f)).isEqualTo(" -2.5");
        assertThat(lit(Double.NaN)).isEqualTo("'NaN'::float8");
        assertThat(lit(Double.POSITIVE_INFINITY)).isEqualTo("'Infinity'::float8");
        assertThat(lit(Double.NEGATIVE_INFINITY)).isEqualTo("'-Infinity'::float8");
        assertThat(lit(Float.NaN)).isEqualTo("'NaN'::float4");
        assertThat(lit(Float.NEGATIVE_INFINITY)).isEqualTo("'-Infinity'::float4");
    }

    @Test
    void stringsDoubleTheirQuotes() {
        assertThat(lit("hello")).isEqualTo("'hello'");
        assertThat(lit("")).isEqualTo("''");
        assertThat(lit("it's")).isEqualTo("'it''s'");
        assertThat(lit("''")).isEqualTo("''''''");
        assertThat(lit("say \"hi\"")).isEqualTo("'say \"hi\"'");
        assertThat(lit('x')).isEqualTo("'x'");
        assertThat(lit(new StringBuilder("a'b"))).isEqualTo("'a''b'");
    }

    @Test
    void backslashesUseTheEscapeStringFormWithBackslashesDoubled() {
        assertThat(lit("C:\\dir")).isEqualTo(" E'C:\\\\dir'");
        assertThat(lit("\\'")).isEqualTo(" E'\\\\'''");
        assertThat(lit("\\")).isEqualTo(" E'\\\\'");
    }

    @Test
    void unicodeIsKeptAsIs() {
        assertThat(lit("naïve ☃ 𝄞 ’quoted’ “x”")).isEqualTo("'naïve ☃ 𝄞 ’quoted’ “x”'");
    }

    @Test
    void nulIsRejectedWithAClearMessage() {
        assertThatThrownBy(() -> lit("a\0b"))
                .isInstanceOf(DataException.class)
                .hasMessageContaining("NUL")
                .hasMessageContaining("index 1")
                .hasMessageContaining("bytea");
    }

    @Test
    void byteArraysAreHexBytea() {
        assertThat(lit(new byte[] {0, 1, (byte) 0xff, 0x7f})).isEqualTo(" E'\\\\x0001ff7f'::bytea");
        assertThat(lit(new byte[0])).isEqualTo(" E'\\\\x'::bytea");
    }

    @Test
    void listsAndArraysBecomeArrayConstructors() {
        assertThat(lit(List.of(1, 2, 3))).isEqualTo("ARRAY[1, 2, 3]");
        assertThat(lit(Arrays.asList("a'b", null))).isEqualTo("ARRAY['a''b', NULL]");
        assertThat(lit(new int[] {-1, 2})).isEqualTo("ARRAY[ -1, 2]");
        assertThat(lit(new String[][] {{"a"}, {"b"}})).isEqualTo("ARRAY[ARRAY['a'], ARRAY['b']]");
        assertThat(lit(List.of())).isEqualTo("'{}'");
    }

    @Test
    void otherTypesGoThroughTheAdaptersAndUnknownOnesAreRefused() {
        UUID u = UUID.fromString("0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f");
        assertThat(lit(u)).startsWith("'0b5e3d0c-7a1e-4c3b-9f4e-1a2b3c4d5e6f'");
        Object hostile = new Object() {
            @Override
            public String toString() {
                return "x'); DROP TABLE t; --";
            }
        };
        assertThatThrownBy(() -> lit(hostile)).as("no dumper: refused, never quoted through toString()")
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("registerDumper");
    }

    @Test
    void aComposableCannotBeWrapped() {
        assertThatThrownBy(() -> new Literal(new SQL("x"))).isInstanceOf(ProgrammingException.class);
        assertThatThrownBy(() -> lit(List.of(new Identifier("x")))).isInstanceOf(ProgrammingException.class);
    }

    @Test
    void percentIsDoubledOnlyInTheTemplateForm() {
        Literal l = new Literal("100% %s");
        assertThat(l.asString()).isEqualTo("'100% %s'");
        assertThat(l.asTemplate()).isEqualTo("'100%% %%s'");
    }

    @Test
    void quoteHelperAndValueSemantics() {
        assertThat(Literal.quote("O'Reilly", null)).isEqualTo("'O''Reilly'");
        assertThat(new Literal(new byte[] {1, 2})).isEqualTo(new Literal(new byte[] {1, 2}))
                .hasSameHashCodeAs(new Literal(new byte[] {1, 2}));
        assertThat(new Literal(1)).isNotEqualTo(new Literal(1L));
        assertThat(new Literal("a\"b")).hasToString("Literal(\"a\\\"b\")");
    }
}
