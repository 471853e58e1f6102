package dev.tusk.errors;

import java.io.Serializable;
import java.nio.ByteBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The fields of a server ErrorResponse or NoticeResponse, as psycopg's {@code Diagnostic}.
 * Every accessor returns {@code null} when the server did not send the field. Immutable.
 *
 * <pre>{@code
 * try {
 *     conn.execute("INSERT INTO users (id) VALUES (1)");
 * } catch (UniqueViolation e) {
 *     Diagnostic d = e.diag();
 *     System.out.println(d.tableName() + " / " + d.constraintName() + ": " + d.messageDetail());
 * }
 * }</pre>
 */
public final class Diagnostic implements Serializable {
    private static final long serialVersionUID = 1L;

    /** Marks the private constructor that takes an already copied, unmodifiable map. */
    private static final Object OWNED = new Object();

    /** A diagnostic with no field: the one client-side errors carry. */
    public static final Diagnostic EMPTY = new Diagnostic(Map.of());

    /** The protocol's one-byte field codes. */
    public enum Field {
        SEVERITY('S'), SEVERITY_NONLOCALIZED('V'), SQLSTATE('C'), MESSAGE_PRIMARY('M'), MESSAGE_DETAIL('D'),
        MESSAGE_HINT('H'), STATEMENT_POSITION('P'), INTERNAL_POSITION('p'), INTERNAL_QUERY('q'), CONTEXT('W'),
        SCHEMA_NAME('s'), TABLE_NAME('t'), COLUMN_NAME('c'), DATATYPE_NAME('d'), CONSTRAINT_NAME('n'),
        SOURCE_FILE('F'), SOURCE_LINE('L'), SOURCE_FUNCTION('R');

        private static final Field[] BY_CODE = new Field[128];

        static {
            for (Field f : values()) {
                BY_CODE[f.code] = f;
            }
        }

        private final char code;

        Field(char code) {
            this.code = code;
        }

        public char code() {
            return code;
        }

        /** The field for a protocol code, or {@code null} for a code this version does not know. */
        public static Field ofCode(char code) {
            return code < BY_CODE.length ? BY_CODE[code] : null;
        }
    }

    private final Map<Field, String> fields;

    /** A diagnostic holding a copy of {@code fields}; {@code null} values are not allowed. */
    public Diagnostic(Map<Field, String> fields) {
        this(fields.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(fields)), OWNED);
    }

    private Diagnostic(Map<Field, String> owned, Object ownedMarker) {
        this.fields = owned;
    }

    /**
     * Decodes the body of an ErrorResponse ('E') or NoticeResponse ('N') message, text as UTF-8.
     * See {@link #parse(ByteBuffer, Charset)}.
     */
    public static Diagnostic parse(ByteBuffer payload) {
        return parse(payload, StandardCharsets.UTF_8);
    }

    /**
     * Decodes the body of an ErrorResponse ('E') or NoticeResponse ('N') message: after the type byte
     * and the length, a sequence of {@code [field code byte][zero-terminated string]} closed by a zero
     * byte. The bytes from the buffer's position to its limit must be exactly that body; the buffer's
     * position and limit are not changed. Unknown field codes are skipped, as the protocol asks; a
     * field sent twice keeps its last value; bytes that are not valid in {@code charset} become
     * U+FFFD.
     *
     * <pre>{@code
     * Diagnostic d = Diagnostic.parse(ByteBuffer.wrap("SERROR\0C42P01\0Mrelation \"x\" does not exist\0\0"
     *         .getBytes(StandardCharsets.UTF_8)));
     * d.sqlstate();   // "42P01"
     * }</pre>
     *
     * @throws ProtocolViolation if the body is truncated (a string or the whole list without its
     *     terminating zero) or has bytes after the final terminator: the connection is then out of step
     *     with the server and should be closed
     */
    public static Diagnostic parse(ByteBuffer payload, Charset charset) {
        Objects.requireNonNull(payload, "payload");
        Objects.requireNonNull(charset, "charset");
        final int start = payload.position();
        final int limit = payload.limit();
        EnumMap<Field, String> fields = new EnumMap<>(Field.class);
        int pos = start;
        while (pos < limit) {
            byte code = payload.get(pos);
            if (code == 0) {
                if (pos + 1 != limit) {
                    throw malformed((limit - pos - 1) + " unexpected byte(s) after the final terminator", pos + 1 - start);
                }
                return fields.isEmpty() ? EMPTY : new Diagnostic(Collections.unmodifiableMap(fields), OWNED);
            }
            int end = indexOfZero(payload, pos + 1, limit);
            if (end < 0) {
                throw malformed("field '" + printable(code) + "' has no terminating zero byte", pos - start);
            }
            Field field = Field.ofCode((char) (code & 0xFF));
            if (field != null) {
                fields.put(field, decode(payload, pos + 1, end, charset));
            }
            pos = end + 1;
        }
        throw malformed("the field list has no terminating zero byte", limit - start);
    }

    private static int indexOfZero(ByteBuffer buf, int from, int limit) {
        for (int i = from; i < limit; i++) {
            if (buf.get(i) == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String decode(ByteBuffer buf, int from, int to, Charset charset) {
        int len = to - from;
        if (buf.hasArray()) {
            return new String(buf.array(), buf.arrayOffset() + from, len, charset);
        }
        byte[] bytes = new byte[len];
        buf.get(from, bytes);
        return new String(bytes, charset);
    }

    private static String printable(byte code) {
        int c = code & 0xFF;
        return c >= 0x20 && c < 0x7F ? String.valueOf((char) c) : String.format("\\x%02x", c);
    }

    private static ProtocolViolation malformed(String what, int offset) {
        return new ProtocolViolation("malformed ErrorResponse/NoticeResponse from the server: " + what
                + " (at byte " + offset + " of the message body); the connection is out of step with the"
                + " server and must be closed");
    }

    public String get(Field field) {
        return fields.get(field);
    }

    /** Every field the server sent, in protocol order of {@link Field}; unmodifiable. */
    public Map<Field, String> fields() {
        return fields;
    }

    public String severity() { return fields.get(Field.SEVERITY); }
    public String severityNonlocalized() { return fields.get(Field.SEVERITY_NONLOCALIZED); }
    public String sqlstate() { return fields.get(Field.SQLSTATE); }
    public String messagePrimary() { return fields.get(Field.MESSAGE_PRIMARY); }
    public String messageDetail() { return fields.get(Field.MESSAGE_DETAIL); }
    public String messageHint() { return fields.get(Field.MESSAGE_HINT); }
    public String statementPosition() { return fields.get(Field.STATEMENT_POSITION); }
    public String internalPosition() { return fields.get(Field.INTERNAL_POSITION); }
    public String internalQuery() { return fields.get(Field.INTERNAL_QUERY); }
    public String context() { return fields.get(Field.CONTEXT); }
    public String schemaName() { return fields.get(Field.SCHEMA_NAME); }
    public String tableName() { return fields.get(Field.TABLE_NAME); }
    public String columnName() { return fields.get(Field.COLUMN_NAME); }
    public String datatypeName() { return fields.get(Field.DATATYPE_NAME); }
    public String constraintName() { return fields.get(Field.CONSTRAINT_NAME); }
    public String sourceFile() { return fields.get(Field.SOURCE_FILE); }
    public String sourceLine() { return fields.get(Field.SOURCE_LINE); }
    public String sourceFunction() { return fields.get(Field.SOURCE_FUNCTION); }

    @Override
    public boolean equals(Object o) {
        return o instanceof Diagnostic && ((Diagnostic) o).fields.equals(fields);
    }

    @Override
    public int hashCode() {
        return fields.hashCode();
    }

    @Override
    public String toString() {
        return "Diagnostic" + fields;
    }
}
