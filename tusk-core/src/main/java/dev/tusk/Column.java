package dev.tusk;

import dev.tusk.adapt.ResultColumn;

/**
 * The description of one result column, as psycopg's {@code Column} (DB-API's seven fields plus what
 * RowDescription carries).
 *
 * <pre>{@code
 * Cursor<Row> cur = conn.execute("SELECT 1 AS one");
 * Column c = cur.description().get(0);   // name "one", typeOid 23
 * }</pre>
 */
public final class Column implements ResultColumn {
    private final String name;
    private final int tableOid;
    private final int tableColumn;
    private final int typeOid;
    private final int internalSize;
    private final int typeModifier;
    private final int formatCode;
    /** Received in binary for a statement that asked for text: read as the text would have been read. */
    private final boolean readAsText;

    public Column(String name, int tableOid, int tableColumn, int typeOid, int internalSize, int typeModifier, int formatCode) {
        this(name, tableOid, tableColumn, typeOid, internalSize, typeModifier, formatCode, false);
    }

    private Column(String name, int tableOid, int tableColumn, int typeOid, int internalSize, int typeModifier,
                   int formatCode, boolean readAsText) {
        this.name = name;
        this.tableOid = tableOid;
        this.tableColumn = tableColumn;
        this.typeOid = typeOid;
        this.internalSize = internalSize;
        this.typeModifier = typeModifier;
        this.formatCode = formatCode;
        this.readAsText = readAsText;
    }

    /**
     * For the driver: this column received in binary for a statement that asked for text results without
     * forcing them (Tusk's automatic result format): {@link #formatCode()} stays 0 and every getter answers as
     * for text; {@link #wireFormatCode()} is 1.
     */
    public Column receivedInBinary() {
        return new Column(name, tableOid, tableColumn, typeOid, internalSize, typeModifier, 1, true);
    }

    public String name() { return name; }
    /** The column's type oid (DB-API's type_code). */
    @Override
    public int typeOid() { return typeOid; }
    /** The oid of the table the column comes from, 0 if none. */
    public int tableOid() { return tableOid; }
    /** The column's attribute number in that table, 0 if none. */
    public int tableColumn() { return tableColumn; }
    /** pg_type.typlen: negative for variable-size types. */
    public int internalSize() { return internalSize; }
    public int typeModifier() { return typeModifier; }
    /**
     * The result format the statement asked for: 0 text, 1 binary. A column Tusk chose to receive in binary
     * because its value reads exactly the same (the automatic format, see {@code ConnectOptions.Builder#binary})
     * still says 0: the values and every getter's answer are those of text.
     */
    @Override
    public int formatCode() { return readAsText ? 0 : formatCode; }

    /** The format the values actually came in: 0 text, 1 binary (also for a column read as text, see {@link #formatCode()}). */
    @Override
    public int wireFormatCode() { return formatCode; }

    /** The declared length of varchar/bpchar/bit types, else null. */
    public Integer displaySize() {
        return switch (typeOid) {
            case 1042, 1043 -> typeModifier >= 4 ? typeModifier - 4 : null; // bpchar, varchar
            case 1560, 1562 -> typeModifier >= 0 ? typeModifier : null;     // bit, varbit
            default -> null;
        };
    }

    /** The declared precision of numeric (digits) or of time types (fractional digits), else null. */
    public Integer precision() {
        return switch (typeOid) {
            case 1700 -> typeModifier >= 4 ? ((typeModifier - 4) >> 16) & 0xffff : null;
            case 1083, 1266, 1114, 1184, 1186 -> typeModifier >= 0 ? typeModifier & 0xffff : null;
            default -> null;
        };
    }

    /** The declared scale of numeric, else null. */
    public Integer scale() {
        return typeOid == 1700 && typeModifier >= 4 ? (typeModifier - 4) & 0xffff : null;
    }

    /** Always null: the protocol does not say (DB-API's null_ok, as psycopg). */
    public Boolean nullOk() {
        return null;
    }

    @Override
    public String toString() {
        return "Column[" + name + ", type oid " + typeOid + "]";
    }
}
