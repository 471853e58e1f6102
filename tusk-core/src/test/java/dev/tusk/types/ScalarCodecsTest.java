package dev.tusk.types;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.UUID;

import static dev.tusk.types.CodecTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ScalarCodecsTest {
    @Test
    void boolBothFormats() {
        assertThat(dumpText(true)).isEqualTo("t");
        assertThat(hex(dump(false, Format.BINARY))).isEqualTo("00");
        assertThat(loadText(16, "f")).isEqualTo(false);
        assertThat(load(16, Format.BINARY, new byte[] {1})).isEqualTo(true);
        assertThat(M.dumperFor(true, null).oid()).isEqualTo(16);
        assertThatThrownBy(() -> loadText(16, "yes")).isInstanceOf(DataException.class);
    }

    @Test
    void integersLayoutAndLimits() {
        assertThat(hex(dump((short) -2, Format.BINARY))).isEqualTo("fffe");
        assertThat(hex(dump(0x01020304, Format.BINARY))).isEqualTo("01020304");
        assertThat(hex(dump(Long.MIN_VALUE, Format.BINARY))).isEqualTo("8000000000000000");
        assertThat(dumpText(Long.MIN_VALUE)).isEqualTo("-9223372036854775808");
        assertThat(loadText(20, "-9223372036854775808")).isEqualTo(Long.MIN_VALUE);
        assertThat(loadText(20, "9223372036854775807")).isEqualTo(Long.MAX_VALUE);
        assertThat(loadText(23, "-2147483648")).isEqualTo(Integer.MIN_VALUE);
        assertThat(loadText(21, "32767")).isEqualTo((short) 32767);
        assertThatThrownBy(() -> loadText(20, "9223372036854775808")).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> loadText(23, "2147483648")).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> loadText(23, "12a")).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> loadText(23, "-")).isInstanceOf(DataException.class);
        assertThat(load(26, Format.BINARY, unhex("ffffffff"))).isEqualTo(4294967295L);
        assertThat(loadText(26, "4294967295")).isEqualTo(4294967295L);
        assertThat(M.dumperFor(1, null).oid()).isEqualTo(23);
        assertThat(M.dumperFor(1L, null).oid()).isEqualTo(20);
        assertThat(M.dumperFor((short) 1, null).oid()).isEqualTo(21);
    }

    @Test
    void integersDumpAsTheirDecimalTextAtEveryLength() {
        java.util.List<Long> values = new java.util.ArrayList<>(java.util.List.of(0L, -1L, Long.MAX_VALUE, Long.MIN_VALUE,
                (long) Integer.MIN_VALUE, (long) Integer.MAX_VALUE));
        for (long p = 1; p > 0 && p <= Long.MAX_VALUE / 10; p *= 10) {
            values.addAll(java.util.List.of(p, p - 1, p * 10 - 1, -p, -(p - 1), -(p * 10 - 1)));
        }
        java.util.Random random = new java.util.Random(42);
        for (int i = 0; i < 1000; i++) {
            values.add(random.nextLong() >> random.nextInt(64));
        }
        for (long v : values) {
            assertThat(dumpText(v)).as("long %d", v).isEqualTo(Long.toString(v));
            if (v == (int) v) {
                assertThat(dumpText((int) v)).as("int %d", v).isEqualTo(Long.toString(v));
            }
            if (v == (short) v) {
                assertThat(dumpText((short) v)).as("short %d", v).isEqualTo(Long.toString(v));
            }
            if (v == (byte) v) {
                assertThat(dumpText((byte) v)).as("byte %d", v).isEqualTo(Long.toString(v));
            }
        }
    }

    @Test
    void primitiveLoadsDoNotNeedBoxing() {
        Loader<?> l = M.loaderFor(23, Format.TEXT);
        assertThat(l.loadInt(ByteBuffer.wrap("-42".getBytes()))).isEqualTo(-42);
        assertThat(l.loadLong(ByteBuffer.wrap("7".getBytes()))).isEqualTo(7L);
        assertThat(M.loaderFor(20, Format.BINARY).loadLong(ByteBuffer.allocate(8).putLong(0, 1L << 40))).isEqualTo(1L << 40);
        assertThatThrownBy(() -> M.loaderFor(20, Format.BINARY).loadInt(ByteBuffer.allocate(8).putLong(0, 1L << 40)))
                .isInstanceOf(DataException.class).hasMessageContaining("getLong");
        assertThat(M.loaderFor(701, Format.BINARY).loadDouble(ByteBuffer.allocate(8).putDouble(0, 1.5))).isEqualTo(1.5);
        assertThat(M.loaderFor(16, Format.TEXT).loadBoolean(ByteBuffer.wrap("t".getBytes()))).isTrue();
        assertThat(M.loaderFor(1700, Format.TEXT).loadDouble(ByteBuffer.wrap("NaN".getBytes()))).isNaN();
    }

    @Test
    void floatsWithSpecialValues() {
        assertThat(hex(dump(1.0, Format.BINARY))).isEqualTo("3ff0000000000000");
        assertThat(hex(dump(1.0f, Format.BINARY))).isEqualTo("3f800000");
        assertThat(dumpText(Double.NaN)).isEqualTo("NaN");
        assertThat(dumpText(Double.NEGATIVE_INFINITY)).isEqualTo("-Infinity");
        assertThat(loadText(701, "Infinity")).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(loadText(701, "-Infinity")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) loadText(701, "NaN")).isNaN();
        assertThat(loadText(701, "1e+100")).isEqualTo(1e100);
        assertThat(loadText(700, "3.4028235e+38")).isEqualTo(Float.MAX_VALUE);
        assertThat(roundTrip(Double.MIN_VALUE, Format.TEXT, 0)).isEqualTo(Double.MIN_VALUE);
        assertThat(roundTrip(-0.1, Format.BINARY, 0)).isEqualTo(-0.1);
    }

    @Test
    void numericBinaryLayoutFollowsNumericSend() {
        // 12345.678: digits 1, 2345, 6780; weight 1; scale 3
        assertThat(hex(dump(new BigDecimal("12345.678"), Format.BINARY)))
                .isEqualTo("0003" + "0001" + "0000" + "0003" + "0001" + "0929" + "1a7c");
        // -0.0001: one digit 1 at weight -1
        assertThat(hex(dump(new BigDecimal("-0.0001"), Format.BINARY))).isEqualTo("0001ffff40000004" + "0001");
        // 10000: one digit 1 at weight 1, trailing zero digit stripped
        assertThat(hex(dump(new BigDecimal("10000"), Format.BINARY))).isEqualTo("0001000100000000" + "0001");
        assertThat(hex(dump(new BigDecimal("0.00"), Format.BINARY))).isEqualTo("0000000000000002");
        assertThat(hex(dump(new BigDecimal("1E+5"), Format.BINARY))).isEqualTo("0001000100000000" + "000a");
        assertThat(load(1700, Format.BINARY, unhex("0003000100000003000109291a7c"))).isEqualTo(new BigDecimal("12345.678"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.000", "1", "-1", "9999", "10000", "12345678901234567890.123456789", "0.0000001",
            "-99999999999999999999999999999999999999.99", "3.14159", "100000000", "1E+20", "123.4500"})
    void numericRoundTripsBothFormats(String s) {
        BigDecimal v = new BigDecimal(s);
        for (Format f : Format.values()) {
            BigDecimal back = (BigDecimal) roundTrip(v, f, 0);
            assertThat(back).isEqualByComparingTo(v);
            assertThat(back.scale()).isEqualTo(Math.max(v.scale(), 0));
        }
    }

    @Test
    void numericSpecialValuesRaiseUnlessOptedIn() {
        assertThatThrownBy(() -> loadText(1700, "NaN")).isInstanceOf(DataException.class)
                .hasMessageContaining("loadSpecialValuesAsDouble");
        assertThatThrownBy(() -> load(1700, Format.BINARY, unhex("000000000000d0000000")))
                .isInstanceOf(DataException.class);
        var m = M.child();
        NumericAdapters.loadSpecialValuesAsDouble(m);
        assertThat(load(m, 1700, Format.BINARY, unhex("00000000f0000000"))).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat((Double) load(m, 1700, Format.TEXT, "NaN".getBytes())).isNaN();
        assertThat(load(m, 1700, Format.TEXT, "1.5".getBytes())).isEqualTo(new BigDecimal("1.5"));
    }

    @Test
    void bigIntegerDumpsAsNumeric() {
        BigInteger v = new BigInteger("-123456789012345678901234567890");
        assertThat(M.dumperFor(v, null).oid()).isEqualTo(1700);
        assertThat(roundTrip(v, Format.BINARY, 0)).isEqualTo(new BigDecimal(v));
    }

    @Test
    void stringsAreUnknownInTextAndTextInBinaryAndRejectNul() {
        assertThat(M.dumperFor("x", null).oid()).isEqualTo(0);
        assertThat(M.dumperFor("x", null).format()).isEqualTo(Format.TEXT);
        assertThat(M.dumperFor("x", Format.BINARY).oid()).isEqualTo(25);
        assertThat(roundTrip("héllo ☃ 𝄞", Format.BINARY, 0)).isEqualTo("héllo ☃ 𝄞");
        assertThat(roundTrip("", Format.TEXT, 25)).isEqualTo("");
        assertThatThrownBy(() -> dump("a\0b", Format.TEXT)).isInstanceOf(DataException.class).hasMessageContaining("NUL");
        assertThatThrownBy(() -> dump("a\0b", Format.BINARY)).isInstanceOf(DataException.class);
        for (int oid : new int[] {25, 1043, 1042, 19, 142, 705}) {
            assertThat(loadText(oid, "abc ")).isEqualTo("abc ");
        }
        assertThat(loadText(18, "\\351")).isEqualTo("\u00e9");
        assertThat(load(18, Format.BINARY, new byte[] {'x'})).isEqualTo("x");
        assertThat(loadText(790, "$1,000.00")).isEqualTo("$1,000.00");
    }

    @Test
    void byteaHexAndEscapeForms() {
        byte[] data = {0, 1, (byte) 0xab, '\\', 'a', (byte) 0xff};
        assertThat(dumpText(data)).isEqualTo("\\x0001ab5c61ff");
        assertThat(loadText(17, "\\x0001AB5c61ff")).isEqualTo(data);
        assertThat(loadText(17, "\\000\\001\\253\\\\a\\377")).isEqualTo(data);
        assertThat(loadText(17, "\\x")).isEqualTo(new byte[0]);
        assertThat(roundTrip(data, Format.BINARY, 0)).isEqualTo(data);
        assertThat(dump(ByteBuffer.wrap(data), Format.BINARY)).isEqualTo(data);
        assertThatThrownBy(() -> loadText(17, "\\x0")).isInstanceOf(DataException.class);
    }

    @Test
    void uuidBothFormats() {
        UUID u = UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(hex(dump(u, Format.BINARY))).isEqualTo("a0eebc999c0b4ef8bb6d6bb9bd380a11");
        assertThat(dumpText(u)).isEqualTo("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11");
        assertThat(roundTrip(u, Format.BINARY, 0)).isEqualTo(u);
        assertThat(loadText(2950, "{a0eebc99-9c0b4ef8-bb6d6bb9-bd380a11}")).isEqualTo(u);
    }
}
