package dev.tusk.internal.connect;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class SaslPrepTest {
    @Test
    void asciiIsUntouched() {
        assertThat(SaslPrep.prepare("p@ss w0rd\t")).isEqualTo("p@ss w0rd\t");
    }

    @Test
    void rfc4013Examples() {
        assertThat(SaslPrep.prepare("I\u00ADX")).isEqualTo("IX");          // soft hyphen mapped to nothing
        assertThat(SaslPrep.prepare("\u00AA")).isEqualTo("a");             // NFKC
        assertThat(SaslPrep.prepare("\u2168")).isEqualTo("IX");            // NFKC
        assertThat(SaslPrep.prepare("\u0007é")).isNull();                  // prohibited control character
        assertThat(SaslPrep.prepare("\u0627\u0031")).isNull();             // bidi: RandAL must end the string
    }

    @Test
    void nonAsciiSpacesBecomeSpaces() {
        assertThat(SaslPrep.prepare("a\u00A0b\u3000c")).isEqualTo("a b c");
    }

    @Test
    void refusedPasswordsAreUsedAsTheirRawBytesAsPostgresDoes() {
        String refused = "\u0007é";
        assertThat(SaslPrep.passwordBytes(refused)).isEqualTo(refused.getBytes(StandardCharsets.UTF_8));
        assertThat(SaslPrep.passwordBytes("I\u00ADX")).isEqualTo("IX".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void unassignedMeansUnassignedInUnicode32AsThePostgresTablesSay() {
        assertThat(SaslPrep.prepare("é\u0221")).as("assigned since Unicode 4.0, unassigned in 3.2").isNull();
        assertThat(SaslPrep.prepare("é\u0220")).isEqualTo("é\u0220");
        assertThat(SaslPrep.prepare("é\uE000")).as("private use").isNull();
        assertThat(SaslPrep.prepare("\u00AD")).as("empty after mapping").isNull();
    }

    @Test
    void bidiRulesAndCodePointsBeyondTheBmp() {
        assertThat(SaslPrep.prepare("\u0627\u0031\u0628")).isEqualTo("\u0627\u0031\u0628");
        assertThat(SaslPrep.prepare("\u0627a\u0628")).as("L inside R").isNull();
        assertThat(SaslPrep.prepare("\uD835\uDC00")).as("MATHEMATICAL BOLD CAPITAL A, NFKC").isEqualTo("A");
        assertThat(SaslPrep.prepare("é\uDB80\uDC00")).as("plane 15 private use").isNull();
        assertThat(SaslPrep.prepare("é\uD800")).as("a lone surrogate").isNull();
    }
}
