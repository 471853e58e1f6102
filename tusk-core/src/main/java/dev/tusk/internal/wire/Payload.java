package dev.tusk.internal.wire;

import dev.tusk.errors.OperationalException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A read cursor over one backend message's body. One instance is reused for every message: it is valid
 * only while the message is being handled. Reading past the end raises a protocol-violation
 * {@link OperationalException}, never an index exception.
 */
public final class Payload {
    private byte[] buf;
    private int pos;
    private int limit;

    public Payload() {
    }

    /** A payload over a standalone byte array: for tests and fixtures. */
    public static Payload of(byte[] body) {
        Payload p = new Payload();
        p.reset(body, 0, body.length);
        return p;
    }

    void reset(byte[] buf, int pos, int limit) {
        this.buf = buf;
        this.pos = pos;
        this.limit = limit;
    }

    public int remaining() {
        return limit - pos;
    }

    public int position() {
        return pos;
    }

    public byte[] array() {
        return buf;
    }

    public int int8() {
        need(1);
        return buf[pos++] & 0xff;
    }

    public int int16() {
        need(2);
        int v = (short) (((buf[pos] & 0xff) << 8) | (buf[pos + 1] & 0xff));
        pos += 2;
        return v;
    }

    public int int32() {
        need(4);
        int v = ((buf[pos] & 0xff) << 24) | ((buf[pos + 1] & 0xff) << 16) | ((buf[pos + 2] & 0xff) << 8) | (buf[pos + 3] & 0xff);
        pos += 4;
        return v;
    }

    public String cstring() {
        int i = pos;
        while (i < limit && buf[i] != 0) {
            i++;
        }
        if (i >= limit) {
            throw violation("string is not NUL-terminated");
        }
        String s = new String(buf, pos, i - pos, StandardCharsets.UTF_8);
        pos = i + 1;
        return s;
    }

    /**
     * Whether the next bytes are {@code s} followed by a NUL (the C string {@code s} spells); reads nothing. One
     * vectorised comparison: for strings that repeat, such as a command tag.
     */
    public boolean atCString(byte[] s) {
        int end = pos + s.length;
        return end < limit && buf[end] == 0 && Arrays.equals(buf, pos, end, s, 0, s.length);
    }

    public byte[] bytes(int n) {
        if (n < 0) {
            throw violation("negative length " + n);
        }
        need(n);
        byte[] b = new byte[n];
        System.arraycopy(buf, pos, b, 0, n);
        pos += n;
        return b;
    }

    public byte[] rest() {
        return bytes(remaining());
    }

    public void skip(int n) {
        if (n < 0) {
            throw violation("negative length " + n);
        }
        need(n);
        pos += n;
    }

    /** A view of the next {@code n} bytes, valid only while this message is handled. */
    public ByteBuffer slice(int n) {
        need(n);
        ByteBuffer b = ByteBuffer.wrap(buf, pos, n);
        pos += n;
        return b;
    }

    private void need(int n) {
        if (n > limit - pos) {
            throw violation("message body truncated: needed " + n + " more bytes, had " + (limit - pos));
        }
    }

    private static OperationalException violation(String what) {
        return new OperationalException("protocol violation: " + what);
    }
}
