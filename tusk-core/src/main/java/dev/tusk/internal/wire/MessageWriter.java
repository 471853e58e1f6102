package dev.tusk.internal.wire;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Encodes frontend messages into one growing buffer, so that everything a round trip needs leaves in a
 * single socket write. Reused across round trips: {@link #clear()} keeps the storage.
 */
public final class MessageWriter {
    private byte[] buf = new byte[8192];
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

    /** A NUL-terminated UTF-8 string. */
    public MessageWriter cstring(String s) {
        if (s.isEmpty()) {
            return int8(0);
        }
        if (s == lastName) { // a prepared statement's name, written at every execution
            return bytes(lastNameBytes).int8(0);
        }
        if (s.length() <= 64) {
            lastName = s;
            lastNameBytes = s.getBytes(StandardCharsets.UTF_8);
            return bytes(lastNameBytes).int8(0);
        }
        if (isAscii(s)) {
            int n = s.length();
            ensure(n + 1);
            for (int i = 0; i < n; i++) {
                buf[pos++] = (byte) s.charAt(i);
            }
        } else {
            bytes(s.getBytes(StandardCharsets.UTF_8));
        }
        return int8(0);
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
    }

    public void clear() {
        pos = 0;
        messageStart = -1;
        if (buf.length > (1 << 20)) {
            buf = new byte[8192]; // let one huge COPY or bind not pin memory forever
        }
    }

    private void ensure(int n) {
        if (pos + n > buf.length) {
            long want = Math.max((long) buf.length * 2, (long) pos + n);
            if (want > Integer.MAX_VALUE - 16) {
                throw new IllegalStateException("message larger than 2 GiB");
            }
            byte[] b = new byte[(int) want];
            System.arraycopy(buf, 0, b, 0, pos);
            buf = b;
        }
    }

    /** The last short string written by {@link #cstring} (usually a statement name), and its bytes. */
    private String lastName;
    private byte[] lastNameBytes;

    private static boolean isAscii(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }
}
