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
}
