package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.errors.ProgrammingException;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The bytes of COPY rows, as {@link Copy} and {@link AsyncCopy} write and read them: text format (tab
 * separated, backslash escapes, {@code \N} for NULL) or binary (the signature and header before the first
 * row, then per row a field count and length-prefixed values, and a -1 trailer).
 */
final class CopyRows {
    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final byte[] BINARY_TRAILER = {(byte) 0xff, (byte) 0xff};

    private final boolean binary;
    private final AdaptersMap adapters;
    private boolean headerWritten;
    private int[] types;

    CopyRows(boolean binary, AdaptersMap adapters) {
        this.binary = binary;
        this.adapters = adapters;
    }

    /** The column type oids that binary values must dump as (see {@link Copy#setTypes}). */
    void setTypes(int... oids) {
        this.types = oids.clone();
    }

    /** One row, each value dumped by the adapters; the binary header comes with the first row. */
    byte[] encode(Object[] values) {
        return binary ? binaryRow(values) : textRow(values);
    }

    /** What ends the data before CopyDone: the binary trailer once a row was written, else nothing. */
    byte[] trailer() {
        return binary && headerWritten ? BINARY_TRAILER : new byte[0];
    }

    private byte[] textRow(Object[] values) {
        StringBuilder sb = new StringBuilder(values.length * 8);
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                sb.append('\t');
            }
            Object v = values[i];
            if (v == null) {
                sb.append("\\N");
                continue;
            }
            String s = v instanceof String str ? str : text(adapters.dumperFor(v, Format.TEXT).dump(v));
            for (int k = 0; k < s.length(); k++) {
                char c = s.charAt(k);
                switch (c) {
                    case '\\' -> sb.append("\\\\");
                    case '\t' -> sb.append("\\t");
                    case '\n' -> sb.append("\\n");
                    case '\r' -> sb.append("\\r");
                    default -> sb.append(c);
                }
            }
        }
        return sb.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }

    private byte[] binaryRow(Object[] values) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64);
        if (!headerWritten) {
            out.writeBytes(BINARY_SIGNATURE);
            out.writeBytes(new byte[8]); // flags, header extension length
            headerWritten = true;
        }
        writeShort(out, values.length);
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                writeInt(out, -1);
                continue;
            }
            Dumper<Object> d = adapters.dumperFor(v, Format.BINARY);
            if (types != null && i < types.length && d.oid() != types[i]) {
                throw new ProgrammingException("binary COPY column " + (i + 1) + " has type oid " + types[i] + " but "
                        + v.getClass().getSimpleName() + " dumps as oid " + d.oid() + ": pass a value of the column's type");
            }
            ByteBuffer b = d.dump(v);
            writeInt(out, b.remaining());
            byte[] x = new byte[b.remaining()];
            b.duplicate().get(x);
            out.writeBytes(x);
        }
        return out.toByteArray();
    }

    /** The column values of one text-format row (a line, with or without its newline), unescaped; null for \N. */
    static List<String> parseTextRow(String line) {
        if (line.endsWith("\n")) {
            line = line.substring(0, line.length() - 1);
        }
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean nullField = false;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\t') {
                out.add(nullField ? null : cur.toString());
                cur.setLength(0);
                nullField = false;
            } else if (c == '\\' && i + 1 < line.length()) {
                char n = line.charAt(++i);
                switch (n) {
                    case 'N' -> nullField = true;
                    case 't' -> cur.append('\t');
                    case 'n' -> cur.append('\n');
                    case 'r' -> cur.append('\r');
                    case 'b' -> cur.append('\b');
                    case 'f' -> cur.append('\f');
                    case 'v' -> cur.append('\u000b');
                    default -> cur.append(n);
                }
            } else {
                cur.append(c);
            }
        }
        out.add(nullField ? null : cur.toString());
        return out;
    }

    /** The text rows of a COPY TO's chunks, one chunk per row as the server sends them. */
    static List<String> parseTextRow(byte[] chunk) {
        return parseTextRow(new String(chunk, StandardCharsets.UTF_8));
    }

    private static String text(ByteBuffer b) {
        return StandardCharsets.UTF_8.decode(b.duplicate()).toString();
    }

    private static void writeShort(ByteArrayOutputStream out, int v) {
        out.write(v >>> 8);
        out.write(v);
    }

    private static void writeInt(ByteArrayOutputStream out, int v) {
        out.write(v >>> 24);
        out.write(v >>> 16);
        out.write(v >>> 8);
        out.write(v);
    }
}
