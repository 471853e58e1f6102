package dev.tusk.internal.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.RoundingMode;
import java.nio.ByteOrder;

/**
 * Reads numeric's binary form (numeric_send: int16 ndigits, int16 weight, uint16 sign, int16 dscale, then
 * ndigits base-10000 digits, most significant first; the value is sum(digit[i] × 10000^(weight - i)) with the
 * digits beyond dscale dropped, as numeric_out drops them) straight into a long, a double or a BigDecimal,
 * without the text the server would have sent. Each answer is the one the text would have given: the long and
 * double readers answer only where that is exact and cheap (no allocation), and say so with a sentinel
 * otherwise, so that the caller takes its general path (and its errors) for NaN, infinities, out-of-range values
 * and malformed bytes.
 */
public final class NumericWire {
    /** {@link #truncatedLong}'s answer when it has none: the caller reads the value the general way. */
    public static final long NO_LONG = Long.MIN_VALUE;

    private static final int POS = 0x0000, NEG = 0x4000;
    private static final long[] TEN = new long[19];
    /** Powers of ten a double holds exactly. */
    private static final double[] TEN_D = new double[23];
    private static final long TWO_53 = 1L << 53;
    private static final long ACC_LIMIT = (Long.MAX_VALUE - 9999) / 10000;

    static {
        TEN[0] = 1;
        for (int i = 1; i < TEN.length; i++) {
            TEN[i] = TEN[i - 1] * 10;
        }
        for (int i = 0; i < TEN_D.length; i++) {
            TEN_D[i] = Double.parseDouble("1e" + i);
        }
    }

    private NumericWire() {
    }

    /** A big-endian int16 in one load. */
    private static final VarHandle INT16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private static int int16(byte[] a, int p) {
        return (short) INT16.get(a, p);
    }

    /**
     * Whether the {@code len} bytes at {@code off} are a well-formed finite numeric (sign POS or NEG, the length
     * its digit count says, every digit 0..9999, dscale not negative); its digit count then is {@code int16(off)}.
     */
    private static boolean finite(byte[] a, int off, int len) {
        if (!finiteHeader(a, off, len)) {
            return false;
        }
        int nd = int16(a, off);
        for (int i = 0, p = off + 8; i < nd; i++, p += 2) {
            int d = int16(a, p);
            if (d < 0 || d > 9999) {
                return false;
            }
        }
        return true;
    }

    /** {@link #finite}'s checks but that of each digit (the caller checks the digits as it reads them). */
    private static boolean finiteHeader(byte[] a, int off, int len) {
        if (len < 8) {
            return false;
        }
        int nd = int16(a, off);
        int sign = int16(a, off + 4) & 0xFFFF;
        return (sign == POS || sign == NEG) && nd >= 0 && len == 8 + 2 * nd && int16(a, off + 6) >= 0;
    }

    /**
     * The binary numeric's value with its fraction dropped toward zero, as a long; {@link #NO_LONG} when it has
     * none without error or doubt: NaN, an infinity, a value outside (Long.MIN_VALUE, Long.MAX_VALUE], malformed bytes.
     */
    public static long truncatedLong(byte[] a, int off, int len) {
        if (!finite(a, off, len)) {
            return NO_LONG;
        }
        int nd = int16(a, off);
        int weight = int16(a, off + 2);
        if (nd == 0 || weight < 0) {
            return 0;
        }
        int intDigits = Math.min(nd, weight + 1);
        long mag = 0;
        for (int i = 0; i < intDigits; i++) {
            if (mag > ACC_LIMIT) {
                return NO_LONG;
            }
            mag = mag * 10000 + int16(a, off + 8 + 2 * i);
        }
        if (mag != 0) {
            for (int i = intDigits; i <= weight; i++) {
                if (mag > ACC_LIMIT) {
                    return NO_LONG;
                }
                mag *= 10000;
            }
        }
        return (int16(a, off + 4) & 0xFFFF) == NEG ? -mag : mag;
    }

    /**
     * The double nearest the binary numeric's value (as parsing its text gives), when that is one exact operation
     * (Clinger's fast path: at most 2^53 as an integer, times or divided by a power of ten up to 10^22);
     * {@code NaN} otherwise (the caller reads it the general way): NaN, infinities, longer or farther values,
     * malformed bytes. A zero is positive zero, as its text ({@code 0.00}) reads.
     */
    public static double toDouble(byte[] a, int off, int len) {
        if (!finite(a, off, len)) {
            return Double.NaN;
        }
        int nd = int16(a, off);
        int weight = int16(a, off + 2);
        int dscale = int16(a, off + 6);
        long mag = 0;
        for (int i = 0; i < nd; i++) {
            if (mag > ACC_LIMIT) {
                return Double.NaN;
            }
            mag = mag * 10000 + int16(a, off + 8 + 2 * i);
        }
        int e = 4 * (weight - nd + 1); // value = mag × 10^e
        if (e < -dscale) { // digits beyond dscale: numeric_out drops them
            int drop = -dscale - e;
            mag = drop >= TEN.length ? 0 : mag / TEN[drop];
            e = -dscale;
        }
        if (mag == 0) {
            return 0.0;
        }
        if (mag > TWO_53) {
            return Double.NaN;
        }
        double v;
        if (e >= 0) {
            if (e >= TEN_D.length) {
                return Double.NaN;
            }
            v = mag * TEN_D[e];
        } else {
            if (-e >= TEN_D.length) {
                return Double.NaN;
            }
            v = mag / TEN_D[-e];
        }
        return (int16(a, off + 4) & 0xFFFF) == NEG ? -v : v;
    }

    /**
     * The finite binary numeric's value at its dscale (the digits beyond it dropped, as numeric_out drops them),
     * built from its base-10000 digits (a long when they fit, else a magnitude eight decimal digits at a time);
     * null when the bytes are not a well-formed finite numeric (the caller raises its error).
     */
    public static BigDecimal toBigDecimal(byte[] a, int off, int len) {
        if (!finiteHeader(a, off, len)) {
            return null;
        }
        int nd = int16(a, off);
        int weight = int16(a, off + 2);
        boolean negative = (int16(a, off + 4) & 0xFFFF) == NEG;
        int dscale = int16(a, off + 6);
        if (nd == 0) {
            return BigDecimal.valueOf(0, dscale);
        }
        int scale = 4 * (nd - 1 - weight); // value = unscaled × 10^-scale
        if (nd > 4) {
            return wide(a, off, len, nd, negative, scale, dscale);
        }
        long acc = 0; // one pass: each digit checked as it is read
        for (int i = 0; i < nd; i++) {
            int d = int16(a, off + 8 + 2 * i);
            if (d < 0 || d > 9999) {
                return null;
            }
            acc = acc * 10000 + d;
        }
        BigDecimal compact = compact(negative ? -acc : acc, scale, dscale);
        return compact != null ? compact : uncompact(negative ? -acc : acc, scale, dscale);
    }

    /** {@code unscaled × 10^-scale} at scale {@code dscale}, beyond a long there (the digits beyond it dropped). */
    private static BigDecimal uncompact(long unscaled, int scale, int dscale) {
        return new BigDecimal(BigInteger.valueOf(unscaled), scale).setScale(dscale, RoundingMode.DOWN);
    }

    /**
     * {@link #toBigDecimal} of more than four base-10000 digits (the header checked already): out of line, so that
     * the common short value is read by a method small enough to be compiled into its caller.
     */
    private static BigDecimal wide(byte[] a, int off, int len, int nd, boolean negative, int scale, int dscale) {
        if (!finite(a, off, len)) { // the digits, checked before any is used
            return null;
        }
        // the magnitude in base 2^32 (least significant word first), fed eight decimal digits at a time: two
        // base-10000 digits make one base-10^8 chunk, the first chunk takes one digit when nd is odd
        int[] words = new int[(nd * 14 + 31) / 32 + 1];
        int used = 0;
        int i = 0;
        if (nd % 2 == 1) {
            words[0] = int16(a, off + 8);
            used = words[0] == 0 ? 0 : 1;
            i = 1;
        }
        for (; i < nd; i += 2) {
            long carry = int16(a, off + 8 + 2 * i) * 10000L + int16(a, off + 10 + 2 * i);
            for (int w = 0; w < used; w++) {
                long t = (words[w] & 0xFFFFFFFFL) * 100_000_000L + carry;
                words[w] = (int) t;
                carry = t >>> 32;
            }
            if (carry != 0) {
                words[used++] = (int) carry;
            }
        }
        byte[] big = new byte[4 * used]; // big-endian, as BigInteger takes a magnitude
        for (int w = 0; w < used; w++) {
            int v = words[w];
            int p = 4 * (used - 1 - w);
            big[p] = (byte) (v >>> 24);
            big[p + 1] = (byte) (v >>> 16);
            big[p + 2] = (byte) (v >>> 8);
            big[p + 3] = (byte) v;
        }
        BigInteger unscaled = new BigInteger(used == 0 ? 0 : negative ? -1 : 1, big);
        return new BigDecimal(unscaled, scale).setScale(dscale, RoundingMode.DOWN);
    }

    /**
     * {@code unscaled × 10^-scale} at scale {@code dscale} from a long, when it fits one; null otherwise. Digits
     * beyond dscale are dropped, as setScale(DOWN) does.
     */
    private static BigDecimal compact(long unscaled, int scale, int dscale) {
        int shift = dscale - scale;
        if (shift >= 0) {
            if (shift >= TEN.length) {
                return null;
            }
            long f = TEN[shift];
            long product = unscaled * f;
            if (Math.multiplyHigh(unscaled, f) != product >> 63) {
                return null; // beyond a long
            }
            return BigDecimal.valueOf(product, dscale);
        }
        if (-shift >= TEN.length) {
            return null;
        }
        long kept = switch (-shift) { // a base-10000 digit drops at most three decimal ones: divisions by constants
            case 1 -> unscaled / 10;
            case 2 -> unscaled / 100;
            case 3 -> unscaled / 1000;
            default -> unscaled / TEN[-shift];
        };
        return BigDecimal.valueOf(kept, dscale);
    }
}
