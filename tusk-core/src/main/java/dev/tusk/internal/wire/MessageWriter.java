package dev.tusk.internal.wire;

import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * Encodes frontend messages into one growing buffer, so that everything a round trip needs leaves in a
 * single socket write. Reused across round trips: {@link #clear()} keeps the storage.
 */
public final class MessageWriter {
    /**
     * The largest length word the server accepts for one message (its length word included): PostgreSQL
     * reads at most {@code PQ_LARGE_MESSAGE_LIMIT}, 1 GiB - 2, and drops the connection on anything longer.
     */
    public static final int MAX_MESSAGE_LENGTH = 0x3FFFFFFE;

    /**
     * A new writer's storage: enough for the startup, authentication and a point select's messages, so that an
     * idle connection holds little; it doubles as a round trip needs and is kept (up to 1 MiB) for the next ones.
     */
    private static final int INITIAL_SIZE = 1024;

    private byte[] buf = new byte[INITIAL_SIZE];
    private int pos;
    private int messageStart = -1;

    /** Starts a typed message; its length is filled in by {@link #end()}. */
    public MessageWriter begin(byte type) {
        ensure(5);
        buf[pos++] = type;
        messageStart = pos;
        pos += 4;
        return this;
    }

    /** Starts an untyped message (startup, SSLRequest, CancelRequest). */
    public MessageWriter beginUntyped() {
        ensure(4);
        messageStart = pos;
        pos += 4;
        return this;
    }

    public MessageWriter end() {
        if (pos - messageStart > MAX_MESSAGE_LENGTH) {
            throw tooLong((long) pos - messageStart);
        }
        putIntAt(messageStart, pos - messageStart);
        messageStart = -1;
        return this;
    }

    public MessageWriter int8(int v) {
        ensure(1);
        buf[pos++] = (byte) v;
        return this;
    }

    public MessageWriter int16(int v) {
        ensure(2);
        buf[pos++] = (byte) (v >>> 8);
        buf[pos++] = (byte) v;
        return this;
    }

    public MessageWriter int32(int v) {
        ensure(4);
        putIntAt(pos, v);
        pos += 4;
        return this;
    }

    public MessageWriter int64(long v) {
        ensure(8);
        putIntAt(pos, (int) (v >>> 32));
        putIntAt(pos + 4, (int) v);
        pos += 8;
        return this;
    }

    /** The decimal digits of {@code v}, after a '-' when it is negative: {@link Long#toString(long)}'s bytes. */
    public MessageWriter decimal(long v) {
        ensure(decimalLength(v));
        pos = putDecimal(buf, pos, v);
        return this;
    }

    /** How many bytes {@link #putDecimal} writes for {@code v}. */
    public static int decimalLength(long v) {
        long n = v < 0 ? v : -v; // kept negative, so that Long.MIN_VALUE has a magnitude too
        int digits = 1;
        for (long p = -10; digits < 19 && n <= p; p *= 10) {
            digits++;
        }
        return v < 0 ? digits + 1 : digits;
    }

    /** Writes {@code v}'s decimal digits (after a '-' when negative) into {@code b} at {@code at}; returns the end. */
    public static int putDecimal(byte[] b, int at, long v) {
        int end = at + decimalLength(v);
        long n = v < 0 ? v : -v;
        int i = end - 1;
        do {
            b[i--] = (byte) ('0' - n % 10);
            n /= 10;
        } while (n != 0);
        if (v < 0) {
            b[at] = '-';
        }
        return end;
    }

    /**
     * The UTF-8 bytes of {@code s}, which holds no lone surrogate (the caller checked it with
     * {@link Utf8#loneSurrogate}): written in place, without an array per string.
     */
    public MessageWriter utf8(String s) {
        int n = s.length();
        ensure(3 * n); // a char takes at most 3 bytes; a surrogate pair (2 chars) 4
        byte[] b = buf;
        int p = pos;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                b[p++] = (byte) c;
            } else if (c < 0x800) {
                b[p++] = (byte) (0xC0 | c >> 6);
                b[p++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[p++] = (byte) (0xF0 | cp >> 18);
                b[p++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[p++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | cp & 0x3F);
            } else {
                b[p++] = (byte) (0xE0 | c >> 12);
                b[p++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[p++] = (byte) (0x80 | c & 0x3F);
            }
        }
        pos = p;
        return this;
    }

    public MessageWriter bytes(byte[] b) {
        return bytes(b, 0, b.length);
    }

    public MessageWriter bytes(byte[] b, int off, int len) {
        ensure(len);
        System.arraycopy(b, off, buf, pos, len);
        pos += len;
        return this;
    }

    public MessageWriter bytes(ByteBuffer b) {
        int len = b.remaining();
        ensure(len);
        b.get(b.position(), buf, pos, len); // absolute: the caller's buffer keeps its position
        pos += len;
        return this;
    }

    /**
     * A NUL-terminated UTF-8 string.
     *
     * @throws DataException when {@code s} holds a lone surrogate (not valid Unicode: the JDK would send
     *                       '?') or a NUL (it would end the string early)
     */
    public MessageWriter cstring(String s) {
        if (s.isEmpty()) {
            return int8(0);
        }
        if (s == lastName) { // a prepared statement's name, written at every execution
            return bytes(lastNameBytes).int8(0);
        }
        if (s.length() <= 64) {
            byte[] b = Utf8.encode(s, "the SQL text (or a name) sent to the server");
            checkNoNul(b, s);
            lastName = s;
            lastNameBytes = b;
            return bytes(b).int8(0);
        }
        int n = s.length();
        if (isAsciiWithoutNul(s)) {
            ensure(n + 1);
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
        } else {
            byte[] b = Utf8.encode(s, "the SQL text (or a name) sent to the server");
            checkNoNul(b, s);
            bytes(b);
        }
        return int8(0);
    }

    private static void checkNoNul(byte[] b, String s) {
        for (int i = 0; i < b.length; i++) {
            if (b[i] == 0) {
                throw new DataException("the text sent to the server contains a NUL (0x00) character at index "
                        + s.indexOf('\0') + ", which PostgreSQL cannot take in a query or a name: remove it, or pass"
                        + " the value as a parameter of type bytea (byte[])");
            }
        }
    }

    /** Reserves 4 bytes for a length written later with {@link #putIntAt}; returns their offset. */
    public int reserveInt() {
        ensure(4);
        int at = pos;
        pos += 4;
        return at;
    }

    public void putIntAt(int at, int v) {
        buf[at] = (byte) (v >>> 24);
        buf[at + 1] = (byte) (v >>> 16);
        buf[at + 2] = (byte) (v >>> 8);
        buf[at + 3] = (byte) v;
    }

    public int position() {
        return pos;
    }

    /** The length of the storage now held, for tests and diagnostics. */
    public int capacity() {
        return buf.length;
    }

    public boolean isEmpty() {
        return pos == 0;
    }

    public byte[] array() {
        return buf;
    }

    /** A copy of what has been written: for tests and for transports that keep the bytes. */
    public byte[] toByteArray() {
        byte[] copy = new byte[pos];
        System.arraycopy(buf, 0, copy, 0, pos);
        return copy;
    }

    /** Drops what was written after {@code position} (a value of {@link #position()} taken before). */
    public void rewind(int position) {
        pos = position;
        if (messageStart >= position) {
            messageStart = -1; // the message being written was dropped too
        }
    }

    /** Whether a message was begun and not ended (an encoding that failed half-way). */
    public boolean inMessage() {
        return messageStart >= 0;
    }

    public void clear() {
        pos = 0;
        messageStart = -1;
        if (buf.length > (1 << 20)) {
            buf = new byte[INITIAL_SIZE]; // let one huge COPY or bind not pin memory forever
        }
    }

    private void ensure(int n) {
        if (messageStart >= 0 && (long) pos + n - messageStart > MAX_MESSAGE_LENGTH) {
            throw tooLong((long) pos + n - messageStart); // trust #26: before the buffer grows past 1 GiB
        }
        if (pos + n > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) pos + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new DataException("the messages written together take more than 2 GiB: nothing was sent;"
                        + " send the data in several statements or batches");
            }
            byte[] b = new byte[(int) want];
            System.arraycopy(buf, 0, b, 0, pos);
            buf = b;
        }
    }

    private DataException tooLong(long length) {
        char type = messageStart > 0 ? (char) buf[messageStart - 1] : '?';
        return new DataException("a message of " + size(length) + " ('" + type + "') is over PostgreSQL's"
                + " limit of 1 GiB for one message: nothing was sent; split the statement or its data");
    }

    /** A byte count as a message limit error shows it: 1.2 GiB, 700.0 MiB. */
    public static String size(long bytes) {
        return bytes >= (1L << 30) ? String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30))
                : String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1L << 20));
    }

    /** The last short string written by {@link #cstring} (usually a statement name), and its bytes. */
    private String lastName;
    private byte[] lastNameBytes;

    private static boolean isAsciiWithoutNul(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if ((char) (s.charAt(i) - 1) >= 0x7F) { // 0 wraps to 0xFFFF: one comparison for both
                return false;
            }
        }
        return true;
    }
}
