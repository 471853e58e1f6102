package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.util.Arrays;
import java.util.BitSet;

/**
 * A bit or varbit value: {@code length} bits, the first one the most significant bit of {@code bytes[0]}.
 *
 * <pre>{@code
 * BitString b = BitString.parse("10110");   // b.get(0) == true, b.length() == 5
 * }</pre>
 */
public final class BitString {
    private final byte[] bytes;
    private final int length;

    private BitString(byte[] bytes, int length) {
        this.bytes = bytes;
        this.length = length;
    }

    /** Bits from their packed form, as bit_send writes them; bits past {@code length} are cleared. */
    public static BitString of(byte[] packed, int length) {
        if (length < 0 || packed.length != (length + 7) / 8) {
            throw new DataException("a bit string of " + length + " bits needs " + (length + 7) / 8 + " bytes, got " + packed.length);
        }
        byte[] copy = packed.clone();
        if (length % 8 != 0) {
            copy[copy.length - 1] &= (byte) (0xFF << (8 - length % 8));
        }
        return new BitString(copy, length);
    }

    /** Parses a string of '0' and '1'. */
    public static BitString parse(String s) {
        byte[] b = new byte[(s.length() + 7) / 8];
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '1') {
                b[i / 8] |= (byte) (0x80 >>> (i % 8));
            } else if (c != '0') {
                throw Wire.bad("bit", s);
            }
        }
        return new BitString(b, s.length());
    }

    /** The first {@code length} bits of {@code set}, bit 0 first. */
    public static BitString of(BitSet set, int length) {
        byte[] b = new byte[(length + 7) / 8];
        for (int i = set.nextSetBit(0); i >= 0 && i < length; i = set.nextSetBit(i + 1)) {
            b[i / 8] |= (byte) (0x80 >>> (i % 8));
        }
        return new BitString(b, length);
    }

    public int length() {
        return length;
    }

    public boolean get(int i) {
        if (i < 0 || i >= length) {
            throw new IndexOutOfBoundsException("bit " + i + " of " + length);
        }
        return (bytes[i / 8] & (0x80 >>> (i % 8))) != 0;
    }

    /** The packed bits, most significant first. */
    public byte[] toByteArray() {
        return bytes.clone();
    }

    public BitSet toBitSet() {
        BitSet s = new BitSet(length);
        for (int i = 0; i < length; i++) {
            if (get(i)) {
                s.set(i);
            }
        }
        return s;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof BitString b && b.length == length && Arrays.equals(b.bytes, bytes);
    }

    @Override
    public int hashCode() {
        return 31 * length + Arrays.hashCode(bytes);
    }

    /** The bits as '0'/'1' characters, PostgreSQL's text form. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            sb.append(get(i) ? '1' : '0');
        }
        return sb.toString();
    }
}
