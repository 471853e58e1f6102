package dev.tusk.internal.core;

import org.junit.jupiter.api.Test;

import java.math.BigDecimal;

import static org.assertj.core.api.Assertions.assertThat;

/** numeric_send's bytes read by {@link NumericWire#toBigDecimal}: the value numeric_out's text gives, or null. */
class NumericWireTest {
    /** A binary numeric: ndigits, weight, sign, dscale, then the base-10000 digits, after {@code pad} bytes. */
    private static byte[] numeric(int pad, int weight, int sign, int dscale, int... digits) {
        BackendBytes.Body b = new BackendBytes.Body();
        for (int i = 0; i < pad; i++) {
            b.b(0x55);
        }
        b.i16(digits.length).i16(weight).i16(sign).i16(dscale);
        for (int d : digits) {
            b.i16(d);
        }
        return b.bytes();
    }

    private static BigDecimal read(byte[] a, int pad) {
        return NumericWire.toBigDecimal(a, pad, a.length - pad);
    }

    @Test
    void wellFormedValuesReadAsTheirText() {
        assertThat(read(numeric(3, 1, 0x0000, 2, 1, 2345, 2500), 3)).isEqualTo(new BigDecimal("12345.25"));
        assertThat(read(numeric(0, 1, 0x4000, 2, 1, 2345, 2500), 0)).isEqualTo(new BigDecimal("-12345.25"));
        assertThat(read(numeric(1, -1, 0x0000, 3, 10), 1)).isEqualTo(new BigDecimal("0.001"));
        assertThat(read(numeric(0, 0, 0x0000, 2), 0)).isEqualTo(new BigDecimal("0.00"));
        assertThat(read(numeric(0, 0, 0x0000, 1, 1, 2345), 0)).isEqualTo(new BigDecimal("1.2")); // beyond dscale: dropped
        assertThat(read(numeric(2, 5, 0x4000, 0, 12, 3456, 7890, 1234, 5678, 9012), 2))
                .isEqualTo(new BigDecimal("-1234567890123456789012"));
    }

    @Test
    void digitsBeyondDscaleAreDroppedTowardZeroWhateverHowMany() {
        for (int dscale = 0; dscale <= 12; dscale++) { // 1.2345 6789 (scale 8): 8 - dscale digits dropped, or zeros added
            for (int sign : new int[] {0x0000, 0x4000}) {
                BigDecimal exact = new BigDecimal(sign == 0x4000 ? "-1.23456789" : "1.23456789");
                assertThat(read(numeric(1, 0, sign, dscale, 1, 2345, 6789), 1)).as("dscale %d sign %x", dscale, sign)
                        .isEqualTo(exact.setScale(dscale, java.math.RoundingMode.DOWN));
            }
        }
        assertThat(read(numeric(0, 0, 0x0000, 22, 9999, 9999), 0)) // beyond a long once scaled: the general way
                .isEqualTo(new BigDecimal("9999.9999000000000000000000"));
    }

    @Test
    void aDigitOutsideBase10000OrABadHeaderIsNoValue() {
        assertThat(read(numeric(0, 0, 0x0000, 0, 10000), 0)).isNull();
        assertThat(read(numeric(0, 1, 0x0000, 2, 1, -1, 2500), 0)).isNull();
        assertThat(read(numeric(0, 5, 0x0000, 0, 1, 2, 3, 4, 5, 10000), 0)).isNull();
        assertThat(read(numeric(0, 0, 0xC000, 0), 0)).isNull(); // NaN
        assertThat(read(numeric(0, 0, 0x0000, -1, 1), 0)).isNull(); // negative dscale
        byte[] cut = numeric(0, 1, 0x0000, 2, 1, 2345, 2500);
        assertThat(NumericWire.toBigDecimal(cut, 0, cut.length - 2)).isNull(); // fewer bytes than its digits
    }
}
