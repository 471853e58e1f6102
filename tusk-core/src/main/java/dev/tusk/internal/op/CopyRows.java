package dev.tusk.internal.op;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Utf8;
import dev.tusk.types.Range;
import dev.tusk.types.TextAdapters;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The bytes of COPY rows, as {@code Copy} and {@code AsyncCopy} write and read them: text format (tab
 * separated, backslash escapes, {@code \N} for NULL) or binary (the signature and header before the first
 * row, then per row a field count and length-prefixed values, and a -1 trailer).
 *
 * <p>Rows and raw writes collect in one growing {@link MessageWriter}, so that many rows travel in one
 * CopyData message (the server's cost is per message as much as per row); the caller ships them once
 * {@link #isFull()}.
 */
public final class CopyRows {
    private static final byte[] BINARY_SIGNATURE = {'P', 'G', 'C', 'O', 'P', 'Y', '\n', (byte) 0xff, '\r', '\n', 0};
    private static final byte[] BINARY_TRAILER = {(byte) 0xff, (byte) 0xff};
    private static final byte[] TEXT_NULL = {'\\', 'N'};
    /** The binary range flags of an empty range, and of one infinite both ways (RANGE_LB_INF | RANGE_UB_INF). */
    private static final int RANGE_EMPTY = 0x01;
    private static final int RANGE_INFINITE = 0x08 | 0x10;
    /** The bytes collected before they go as one CopyData message. */
    private static final int MESSAGE_SIZE = 1 << 16;

    private final boolean binary;
    private final AdaptersMap adapters;
    private boolean headerWritten;
    /** Raw data was written ({@link #write}): in binary, it brings its own signature and trailer. */
    private boolean rawWritten;
    /** Strings go as they are (escaped), without their dumper: the adapters' text dumper of String is the built-in one. */
    private final boolean plainStrings;
    private int[] types;
    private final MessageWriter data = new MessageWriter();
    /** COPY TO in binary: the file header was read. */
    private boolean headerRead;

    public CopyRows(boolean binary, AdaptersMap adapters) {
        this.binary = binary;
        this.adapters = adapters;
        Dumper<?> strings = adapters.dumperForClass(String.class, Format.TEXT);
        this.plainStrings = strings == null || strings == TextAdapters.STRING_TEXT;
    }

    /** The column type oids that binary values must dump as (see {@code Copy.setTypes}). */
    public void setTypes(int... oids) {
        this.types = oids.clone();
    }

    /** True once enough is collected for one CopyData message. */
    public boolean isFull() {
        return data.position() >= MESSAGE_SIZE;
    }

    /** The bytes collected. */
    public int size() {
        return data.position();
    }

    /** Writes the collected bytes (if any) as one CopyData message, and clears them. */
    public void writeMessage(MessageWriter out) {
        if (!data.isEmpty()) {
            Frontend.copyData(out, data.array(), 0, data.position());
            data.clear();
        }
    }

    public void clear() {
        data.clear();
    }

    /** A copy of the collected bytes, which are then cleared. */
    public byte[] take() {
        byte[] out = data.toByteArray();
        data.clear();
        return out;
    }

    /**
     * Appends one row, each value dumped by the adapters ({@code null} is a row of one NULL); the binary header
     * comes with the first row. A value that cannot be dumped fails the row and leaves nothing of it behind.
     */
    public void writeRow(Object[] values) {
        Object[] row = values == null ? new Object[] {null} : values;
        int rowStart = data.position();
        boolean headerBefore = headerWritten;
        try {
            if (binary) {
                binaryRow(row);
            } else {
                textRow(row);
            }
        } catch (RuntimeException e) {
            data.rewind(rowStart);
            headerWritten = headerBefore;
            throw e;
        }
    }

    /** Appends raw data in the COPY's format. */
    public void write(byte[] bytes, int off, int len) {
        data.bytes(bytes, off, len);
        rawWritten = true;
    }

    /**
     * Appends what ends the data before CopyDone, in binary: the trailer once a row was written; the signature,
     * header and trailer when nothing was (the server refuses an empty binary COPY as a bad file format); nothing
     * after raw data (it holds its own). Nothing in text.
     */
    public void writeTrailer() {
        if (!binary || (rawWritten && !headerWritten)) {
            return;
        }
        if (!headerWritten) {
            writeHeader();
        }
        data.bytes(BINARY_TRAILER);
    }

    private void writeHeader() {
        data.bytes(BINARY_SIGNATURE).int32(0).int32(0); // flags, header extension length
        headerWritten = true;
    }

    private void textRow(Object[] values) {
        for (int i = 0; i < values.length; i++) {
            if (i > 0) {
                data.int8('\t');
            }
            Object v = values[i];
            if (v == null) {
                data.bytes(TEXT_NULL);
            } else if (v instanceof String s && plainStrings) {
                escaped(s);
            } else {
                ByteBuffer b = adapters.dumperFor(v, Format.TEXT).dump(v);
                if (b == null) { // a dumper may say NULL (psycopg's dump() returning None)
                    data.bytes(TEXT_NULL);
                    continue;
                }
                for (int k = b.position(), end = b.limit(); k < end; k++) {
                    escaped(b.get(k));
                }
            }
        }
        data.int8('\n');
    }

    /** A string's UTF-8 bytes, escaped: ASCII directly, the rest of the string through the encoder. */
    private void escaped(String s) {
        int n = s.length();
        for (int k = 0; k < n; k++) {
            char c = s.charAt(k);
            if (c >= 0x80) {
                byte[] utf8 = Utf8.encode(s, "a COPY value"); // its first k bytes: the ASCII done
                for (int j = k; j < utf8.length; j++) {
                    escaped(utf8[j]); // UTF-8 multi-byte sequences hold no ASCII bytes, so only ASCII is escaped
                }
                return;
            }
            escaped((byte) c);
        }
    }

    /** One byte, escaped as COPY's text format needs. */
    private void escaped(byte b) {
        byte escape = switch (b) {
            case '\\' -> '\\';
            case '\t' -> 't';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case 0 -> throw new DataException("PostgreSQL text cannot contain NUL (0x00) characters,"
                    + " found one in a COPY value: remove it, or copy the column as bytea (byte[])");
            default -> 0;
        };
        if (escape == 0) {
            data.int8(b);
        } else {
            data.int8('\\').int8(escape);
        }
    }

    private void binaryRow(Object[] values) {
        if (!headerWritten) {
            writeHeader();
        }
        data.int16(values.length);
        for (int i = 0; i < values.length; i++) {
            Object v = values[i];
            if (v == null) {
                data.int32(-1);
                continue;
            }
            if (v instanceof Range<?> r && r.lower() == null && r.upper() == null) {
                // empty, or infinite both ways: no element to pick a range type by, and none needed in binary
                // (the server knows the column's type): the flags byte alone, as PostgreSQL's range_send writes it
                data.int32(1).int8(r.isEmpty() ? RANGE_EMPTY : RANGE_INFINITE);
                continue;
            }
            Dumper<Object> d = adapters.dumperFor(v, Format.BINARY);
            if (d.format() != Format.BINARY) { // an empty list: untyped text '{}', which binary COPY data cannot hold
                throw new ProgrammingException("binary COPY column " + (i + 1) + ": " + v.getClass().getSimpleName()
                        + " has no binary form here (an empty array carries no element type, which binary COPY data"
                        + " needs); write the rows with a text COPY");
            }
            if (types != null && i < types.length && d.oid() != types[i]) {
                throw new ProgrammingException("binary COPY column " + (i + 1) + " has type oid " + types[i] + " but "
                        + v.getClass().getSimpleName() + " dumps as oid " + d.oid() + ": pass a value of the column's type");
            }
            ByteBuffer b = d.dump(v);
            if (b == null) { // a dumper may say NULL
                data.int32(-1);
                continue;
            }
            data.int32(b.remaining()).bytes(b);
        }
    }

    // ---------------------------------------------------------------- COPY TO: rows read

    /**
     * One row of a COPY TO from its chunk (a CopyData message), as psycopg's {@code read_row()}: with
     * {@link #setTypes} each value loaded by the adapters' loader of that type (text or binary, as the COPY);
     * without, a text value as its String and a binary one as its bytes. Null for a chunk that holds no row
     * (the binary header alone, or its trailer). A row whose column count is not the one setTypes gave is refused.
     */
    public List<Object> parseRow(byte[] chunk) {
        if (!binary) {
            List<String> text = parseTextRow(chunk);
            int[] t = checkedTypes(text.size());
            List<Object> out = new ArrayList<>(text.size());
            for (int i = 0; i < text.size(); i++) {
                String v = text.get(i);
                if (t == null || v == null) {
                    out.add(v);
                } else {
                    Loader<?> l = adapters.loaderFor(t[i], Format.TEXT);
                    out.add(l == null ? v : l.load(ByteBuffer.wrap(v.getBytes(StandardCharsets.UTF_8))));
                }
            }
            return out;
        }
        ByteBuffer b = ByteBuffer.wrap(chunk);
        if (!headerRead) {
            for (byte sig : BINARY_SIGNATURE) {
                if (!b.hasRemaining() || b.get() != sig) {
                    throw new DataException("binary COPY data does not start with the PGCOPY signature");
                }
            }
            b.getInt(); // flags
            int extension = b.getInt();
            b.position(b.position() + extension);
            headerRead = true;
            if (!b.hasRemaining()) {
                return null;
            }
        }
        int n = b.getShort();
        if (n == -1) {
            return null; // the trailer
        }
        int[] t = checkedTypes(n);
        List<Object> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int len = b.getInt();
            if (len < 0) {
                out.add(null);
                continue;
            }
            int at = b.position();
            b.position(at + len);
            if (t == null) {
                out.add(Arrays.copyOfRange(chunk, at, at + len));
                continue;
            }
            Loader<?> l = adapters.loaderFor(t[i], Format.BINARY);
            if (l == null) {
                throw new ProgrammingException("binary COPY column " + (i + 1) + ": no binary loader for type oid "
                        + t[i] + "; register one, or read the bytes without setTypes()");
            }
            out.add(l.load(chunk, at, len));
        }
        return out;
    }

    /** Whether {@link #setTypes} was called. */
    public boolean hasTypes() {
        return types != null;
    }

    private int[] checkedTypes(int columns) {
        if (types != null && types.length != columns) {
            throw new ProgrammingException("the COPY's rows have " + columns + " columns but setTypes() gave "
                    + types.length + " types: give one per column");
        }
        return types;
    }

    /** The column values of one text-format row (a line, with or without its newline), unescaped; null for \N. */
    public static List<String> parseTextRow(String line) {
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
    public static List<String> parseTextRow(byte[] chunk) {
        return parseTextRow(new String(chunk, StandardCharsets.UTF_8));
    }
}
