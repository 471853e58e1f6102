package dev.tusk.types;

import dev.tusk.errors.DataException;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Utf8;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Byte-level helpers shared by the codecs: UTF-8 text and length checks. */
final class Wire {
    private Wire() {
    }

    /** The buffer's remaining bytes as UTF-8 text (the connection runs with client_encoding UTF8). */
    static String text(ByteBuffer b) {
        int len = b.remaining();
        if (b.hasArray()) {
            return new String(b.array(), b.arrayOffset() + b.position(), len, StandardCharsets.UTF_8);
        }
        byte[] copy = new byte[len];
        b.duplicate().get(copy);
        return new String(copy, StandardCharsets.UTF_8);
    }

    /**
     * The bytes of a value known to be ASCII (dates, times, numbers) as characters, without copying them:
     * valid only while the parse that asks for it runs.
     */
    static CharSequence ascii(ByteBuffer b) {
        if (!b.hasArray()) {
            return text(b);
        }
        return ascii(b.array(), b.arrayOffset() + b.position(), b.remaining());
    }

    static CharSequence ascii(byte[] a, int offset, int length) {
        return new AsciiView(a, offset, length);
    }

    private record AsciiView(byte[] bytes, int offset, int length) implements CharSequence {
        @Override
        public char charAt(int index) {
            return (char) (bytes[offset + index] & 0xff);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return new AsciiView(bytes, offset + start, end - start);
        }

        @Override
        public String toString() {
            return new String(bytes, offset, length, StandardCharsets.UTF_8);
        }
    }

    /** The decimal digits of {@code v} (after a '-' when negative), as {@link Long#toString(long)} but with no String. */
    static ByteBuffer decimal(long v) {
        byte[] b = new byte[MessageWriter.decimalLength(v)];
        MessageWriter.putDecimal(b, 0, v);
        return ByteBuffer.wrap(b);
    }

    /** What a text value is called in the error about a lone surrogate. */
    static final String TEXT_VALUE = "the text value";

    static ByteBuffer utf8(String s) {
        return ByteBuffer.wrap(Utf8.encode(s, TEXT_VALUE));
    }

    static ByteBuffer ascii(String s) {
        return ByteBuffer.wrap(s.getBytes(StandardCharsets.ISO_8859_1));
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    static void expectLength(ByteBuffer b, int n, String type) {
        expectLength(b.remaining(), n, type);
    }

    static void expectLength(int length, int n, String type) {
        if (length != n) {
            throw new DataException("a binary " + type + " value has " + n + " bytes, got " + length);
        }
    }

    /** Big-endian views of a byte array: a value's bytes in one load (and one bounds check). */
    private static final VarHandle INT16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

    static int int16(byte[] a, int at) {
        return (short) INT16.get(a, at);
    }

    static int int32(byte[] a, int at) {
        return (int) INT32.get(a, at);
    }

    static long int64(byte[] a, int at) {
        return (long) INT64.get(a, at);
    }

    static DataException bad(String type, String text) {
        return bad(type, text, null);
    }

    static DataException bad(String type, String text, Throwable cause) {
        // the cause goes through the constructor: DataException(message) already set a null one, initCause would throw
        String shown = text.length() > 80 ? text.substring(0, 80) + "..." : text;
        return new DataException("invalid " + type + " value: \"" + shown + "\"", cause);
    }
}
