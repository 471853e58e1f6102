package dev.tusk.types;

import dev.tusk.errors.DataException;
import dev.tusk.internal.core.NumericWire;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * numeric's binary form (numeric_send / numeric_recv): int16 ndigits, int16 weight, uint16 sign,
 * int16 dscale, then ndigits base-10000 digits, most significant first; the value is
 * sum(digit[i] * 10000^(weight - i)).
 */
final class NumericBinary {
    static final int POS = 0x0000, NEG = 0x4000, NAN = 0xC000, PINF = 0xD000, NINF = 0xF000;

    private NumericBinary() {
    }

    /** The sign word of a binary numeric: one of POS, NEG, NAN, PINF, NINF. */
    static int sign(ByteBuffer b) {
        return b.hasArray() ? sign(b.array(), b.arrayOffset() + b.position(), b.remaining()) : sign(Wire.bytes(b), 0, b.remaining());
    }

    /** The sign word of the binary numeric in {@code length} bytes of {@code a} from {@code p}. */
    static int sign(byte[] a, int p, int length) {
        if (length < 8) {
            throw new DataException("a binary numeric has at least 8 bytes, got " + length);
        }
        return Wire.int16(a, p + 4) & 0xFFFF;
    }

    /** Decodes a finite numeric; the caller has checked {@link #sign}. */
    static BigDecimal decode(ByteBuffer b) {
        return b.hasArray() ? decode(b.array(), b.arrayOffset() + b.position(), b.remaining()) : decode(Wire.bytes(b), 0, b.remaining());
    }

    /** Decodes the finite numeric in {@code length} bytes of {@code a} from {@code p}; the caller has checked {@link #sign}. */
    static BigDecimal decode(byte[] a, int p, int length) {
        int ndigits = Wire.int16(a, p);
        int weight = Wire.int16(a, p + 2);
        int sign = Wire.int16(a, p + 4) & 0xFFFF;
        int dscale = Wire.int16(a, p + 6);
        if (sign != POS && sign != NEG) {
            throw new DataException("numeric value is " + special(sign) + ", which BigDecimal cannot represent");
        }
        if (length != 8 + 2 * ndigits) {
            throw new DataException("a binary numeric with " + ndigits + " digits has " + (8 + 2 * ndigits)
                    + " bytes, got " + length);
        }
        BigDecimal v = NumericWire.toBigDecimal(a, p, length);
        if (v == null) {
            throw new DataException("malformed binary numeric: a digit outside 0..9999 or a negative scale (" + dscale + ")");
        }
        return v;
    }

    static String special(int sign) {
        return switch (sign) {
            case NAN -> "NaN";
            case PINF -> "Infinity";
            case NINF -> "-Infinity";
            default -> "sign 0x" + Integer.toHexString(sign);
        };
    }

    static ByteBuffer encode(BigDecimal value) {
        int scale = value.scale();
        BigInteger unscaled = value.unscaledValue();
        int sign = unscaled.signum() < 0 ? NEG : POS;
        String digits = unscaled.abs().toString();
        int dscale = Math.max(scale, 0);
        if (scale < 0) {
            digits = digits + "0".repeat(-scale);
            scale = 0;
        }
        if (unscaled.signum() == 0) {
            return header(0, 0, POS, dscale, 0);
        }
        // split into integer and fraction decimal digits, then pad to whole base-10000 groups
        int intLen = digits.length() - scale;
        String intPart = intLen > 0 ? digits.substring(0, intLen) : "";
        String fracPart = intLen > 0 ? digits.substring(intLen) : "0".repeat(-intLen) + digits;
        int intPad = (4 - intPart.length() % 4) % 4;
        int fracPad = (4 - fracPart.length() % 4) % 4;
        String all = "0".repeat(intPad) + intPart + fracPart + "0".repeat(fracPad);
        int groups = all.length() / 4;
        int weight = (intPad + intPart.length()) / 4 - 1;
        short[] g = new short[groups];
        for (int i = 0; i < groups; i++) {
            g[i] = Short.parseShort(all.substring(4 * i, 4 * i + 4));
        }
        int first = 0;
        while (first < groups && g[first] == 0) {
            first++;
            weight--;
        }
        int last = groups - 1;
        while (last > first && g[last] == 0) {
            last--;
        }
        int n = last - first + 1;
        ByteBuffer out = header(n, weight, sign, dscale, n);
        for (int i = 0; i < n; i++) {
            out.putShort(8 + 2 * i, g[first + i]);
        }
        return out;
    }

    static ByteBuffer special(int sign, boolean unused) {
        return header(0, 0, sign, 0, 0);
    }

    private static ByteBuffer header(int ndigits, int weight, int sign, int dscale, int capacityDigits) {
        if (ndigits > 0xFFFF || weight > Short.MAX_VALUE || weight < Short.MIN_VALUE || dscale > 0x3FFF) {
            throw new DataException("numeric value out of PostgreSQL's range (weight " + weight + ", scale " + dscale + ")");
        }
        ByteBuffer out = ByteBuffer.allocate(8 + 2 * capacityDigits);
        out.putShort(0, (short) ndigits).putShort(2, (short) weight).putShort(4, (short) sign).putShort(6, (short) dscale);
        return out;
    }
}
