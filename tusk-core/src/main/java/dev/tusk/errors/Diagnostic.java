package dev.tusk.errors;

import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * The fields of a server ErrorResponse or NoticeResponse, as psycopg's {@code Diagnostic}.
 * Every accessor returns {@code null} when the server did not send the field.
 */
public final class Diagnostic {
    /** A diagnostic with no field: the one client-side errors carry. */
    public static final Diagnostic EMPTY = new Diagnostic(Map.of());

    /** The protocol's one-byte field codes. */
    public enum Field {
        SEVERITY('S'), SEVERITY_NONLOCALIZED('V'), SQLSTATE('C'), MESSAGE_PRIMARY('M'), MESSAGE_DETAIL('D'),
        MESSAGE_HINT('H'), STATEMENT_POSITION('P'), INTERNAL_POSITION('p'), INTERNAL_QUERY('q'), CONTEXT('W'),
        SCHEMA_NAME('s'), TABLE_NAME('t'), COLUMN_NAME('c'), DATATYPE_NAME('d'), CONSTRAINT_NAME('n'),
        SOURCE_FILE('F'), SOURCE_LINE('L'), SOURCE_FUNCTION('R');

        private final char code;

        Field(char code) {
            this.code = code;
        }

        public char code() {
            return code;
        }

        /** The field for a protocol code, or {@code null} for a code this version does not know. */
        public static Field ofCode(char code) {
            for (Field f : values()) {
                if (f.code == code) {
                    return f;
                }
            }
            return null;
        }
    }

    private final Map<Field, String> fields;

    public Diagnostic(Map<Field, String> fields) {
        this.fields = fields.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(fields));
    }

    public String get(Field field) {
        return fields.get(field);
    }

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
    public String toString() {
        return "Diagnostic" + fields;
    }
}
