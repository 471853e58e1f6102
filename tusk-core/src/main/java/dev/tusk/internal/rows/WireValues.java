package dev.tusk.internal.rows;

import dev.tusk.errors.DataException;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Allocation-free decoding of integers and booleans straight from wire bytes (text and binary). */
public final class WireValues {
    private WireValues() {
    }

    public static long parseTextLong(byte[] b, int off, int len) {
        if (len <= 0) {
            throw new DataException("invalid integer: empty value");
        }
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (b[i] == '-' || b[i] == '+') {
            neg = b[i] == '-';
            i++;
            if (i == end) {
                throw notAnInteger(b, off, len);
            }
        }
        long v = 0;
        for (; i < end; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                throw notAnInteger(b, off, len);
            }
            if (v < (Long.MIN_VALUE + d) / 10) {
                throw new DataException("integer out of range for a long: " + new String(b, off, len, StandardCharsets.US_ASCII));
            }
            v = v * 10 - d; // accumulate negatively: covers Long.MIN_VALUE
        }
        if (!neg) {
            if (v == Long.MIN_VALUE) {
                throw new DataException("integer out of range for a long: " + new String(b, off, len, StandardCharsets.US_ASCII));
            }
            return -v;
        }
        return v;
    }

    /** True if the bytes are an optional sign followed by ASCII digits only. */
    public static boolean isTextInteger(byte[] b, int off, int len) {
        int i = off;
        int end = off + len;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            i++;
        }
        if (i == end) {
            return false;
        }
        for (; i < end; i++) {
            if (b[i] < '0' || b[i] > '9') {
                return false;
            }
        }
        return true;
    }

    public static long binaryLong(byte[] b, int off, int len) {
        return switch (len) {
            case 2 -> (short) (((b[off] & 0xff) << 8) | (b[off + 1] & 0xff));
            case 4 -> int32(b, off);
            case 8 -> int64(b, off);
            default -> throw new DataException("binary integer of " + len + " bytes");
        };
    }

    public static int int32(byte[] b, int off) {
        return (int) INT32.get(b, off);
    }

    /** A big-endian int64 at {@code off}. */
    public static long int64(byte[] b, int off) {
        return (long) INT64.get(b, off);
    }

    /** Big-endian views of a byte array: one load (and one bounds check) for a value's bytes. */
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    private static DataException notAnInteger(byte[] b, int off, int len) {
        return new DataException("not an integer: \"" + new String(b, off, Math.min(len, 64), StandardCharsets.UTF_8) + "\"");
    }
}
