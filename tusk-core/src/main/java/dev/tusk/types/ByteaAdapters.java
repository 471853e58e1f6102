package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * bytea ↔ {@code byte[]} (and {@code ByteBuffer} dumped: its remaining bytes). Text output is the hex
 * form {@code \x0a1b}; the older escape form ({@code bytea_output = escape}: printable bytes as
 * themselves, {@code \\} and {@code \ooo} octal) is read too.
 */
public final class ByteaAdapters {
    private ByteaAdapters() {
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    /** Parses bytea's text output, hex or escape form. */
    public static byte[] parseText(ByteBuffer b) {
        int p = b.position(), end = b.limit();
        if (end - p >= 2 && b.get(p) == '\\' && b.get(p + 1) == 'x') {
            p += 2;
            byte[] out = new byte[(end - p) / 2];
            int n = 0;
            while (p < end) {
                int hi = hex(b.get(p));
                if (hi < 0) { // byteain allows whitespace between digit pairs
                    p++;
                    continue;
                }
                if (p + 1 >= end || hex(b.get(p + 1)) < 0) {
                    throw Wire.bad("bytea", Wire.text(b));
                }
                out[n++] = (byte) (hi << 4 | hex(b.get(p + 1)));
                p += 2;
            }
            return n == out.length ? out : Arrays.copyOf(out, n);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(end - p);
        while (p < end) {
            byte c = b.get(p);
            if (c != '\\') {
                out.write(c);
                p++;
            } else if (p + 1 < end && b.get(p + 1) == '\\') {
                out.write('\\');
                p += 2;
            } else if (p + 3 < end && isOctal(b.get(p + 1)) && isOctal(b.get(p + 2)) && isOctal(b.get(p + 3))) {
                out.write((b.get(p + 1) - '0') << 6 | (b.get(p + 2) - '0') << 3 | (b.get(p + 3) - '0'));
                p += 4;
            } else {
                throw Wire.bad("bytea", Wire.text(b));
            }
        }
        return out.toByteArray();
    }

    private static boolean isOctal(byte c) {
        return c >= '0' && c <= '7';
    }

    private static int hex(byte c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    }

    /** bytea's hex text form of {@code data}. */
    public static ByteBuffer hexText(byte[] data) {
        byte[] out = new byte[2 + 2 * data.length];
        out[0] = '\\';
        out[1] = 'x';
        for (int i = 0; i < data.length; i++) {
            out[2 + 2 * i] = HEX[(data[i] >> 4) & 0xF];
            out[3 + 2 * i] = HEX[data[i] & 0xF];
        }
        return ByteBuffer.wrap(out);
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.BYTEA, new Loader<byte[]>() {
            @Override
            public byte[] load(ByteBuffer data) {
                return parseText(data);
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        });
        m.registerLoader(BuiltinTypes.BYTEA, Codecs.binaryLoader(Wire::bytes));
        m.registerDumper(byte[].class, Codecs.<byte[]>dumper(BuiltinTypes.BYTEA, Format.TEXT, ByteaAdapters::hexText));
        m.registerDumper(byte[].class, Codecs.<byte[]>dumper(BuiltinTypes.BYTEA, Format.BINARY, ByteBuffer::wrap));
        m.registerDumper(ByteBuffer.class, Codecs.<ByteBuffer>dumper(BuiltinTypes.BYTEA, Format.TEXT,
                b -> hexText(Wire.bytes(b))));
        m.registerDumper(ByteBuffer.class, Codecs.<ByteBuffer>dumper(BuiltinTypes.BYTEA, Format.BINARY,
                ByteBuffer::duplicate));
    }
}
