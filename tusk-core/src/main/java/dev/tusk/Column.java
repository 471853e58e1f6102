package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.ResultColumn;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.adapt.TypeRegistry;
import dev.tusk.internal.core.ColumnFactory;

import java.util.List;

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

    /**
     * How the protocol core makes the columns of the results: it keeps them as {@link ResultColumn}s without naming
     * this class ({@link ColumnFactory}), and every connection hands it this factory, so that each column the core
     * describes is a Column, given to the user as it is.
     */
    static final ColumnFactory FACTORY = new ColumnFactory() {
        @Override
        public ResultColumn column(String name, int tableOid, int tableColumn, int typeOid, int internalSize,
                                   int typeModifier, int formatCode) {
            return new Column(name, tableOid, tableColumn, typeOid, internalSize, typeModifier, formatCode);
        }

        @Override
        public ResultColumn receivedInBinary(ResultColumn column) {
            return ((Column) column).receivedInBinary();
        }
    };

    /**
     * The columns of a connection's result ({@code ResultData.columns()}) as the Columns they are: the connection
     * hands the core {@link #FACTORY} before it runs anything (only the connector's own queries come before).
     */
    @SuppressWarnings("unchecked")
    static List<Column> asColumns(List<? extends ResultColumn> columns) {
        return (List<Column>) columns;
    }

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

    /** The declared length of varchar/bpchar/bit types (or of their arrays' elements, as psycopg), else null. */
    public Integer displaySize() {
        return switch (modifiedOid()) {
            case 1042, 1043 -> typeModifier >= 4 ? typeModifier - 4 : null; // bpchar, varchar
            case 1560, 1562 -> typeModifier >= 0 ? typeModifier : null;     // bit, varbit
            default -> null;
        };
    }

    /**
     * The declared precision of numeric (digits) or of time types (fractional digits), or of their arrays'
     * elements as psycopg, else null.
     */
    public Integer precision() {
        return switch (modifiedOid()) {
            case 1700 -> typeModifier >= 4 ? ((typeModifier - 4) >> 16) & 0xffff : null;
            case 1083, 1266, 1114, 1184, 1186 -> typeModifier >= 0 ? typeModifier & 0xffff : null;
            default -> null;
        };
    }

    /**
     * The declared scale of numeric, else null; negative for {@code numeric(10,-1)} (PostgreSQL 15 and later
     * allow scales from -1000 to 1000, stored in 11 bits).
     */
    public Integer scale() {
        return modifiedOid() == 1700 && typeModifier >= 4 ? numericScale(typeModifier) : null;
    }

    /**
     * The type whose modifier the column carries: the element type for an array of a built-in type with a
     * modifier (a {@code varchar(20)[]} column has varchar's modifier), else the column's type.
     */
    private int modifiedOid() {
        return switch (typeOid) {
            case 1231 -> 1700;
            case 1014 -> 1042;
            case 1015 -> 1043;
            case 1561 -> 1560;
            case 1563 -> 1562;
            case 1183 -> 1083;
            case 1270 -> 1266;
            case 1115 -> 1114;
            case 1185 -> 1184;
            case 1187 -> 1186;
            default -> typeOid;
        };
    }

    private static int numericScale(int typeModifier) {
        int scale = (typeModifier - 4) & 0x7ff;
        return scale >= 0x400 ? scale - 0x800 : scale;
    }

    /**
     * The column's type as a person writes it, as psycopg's {@code Column.type_display}: the type's name, its
     * modifier when the column has one, and {@code []} for an array: {@code numeric(10,2)}, {@code varchar(20)},
     * {@code bpchar(3)}, {@code bit(8)}, {@code timestamptz(3)}, {@code int4[]}, {@code text}. Names come from
     * the built-in types and the types registered globally ({@code Tusk.adapters()}); a type unknown there
     * (an enum or composite registered on one connection only, say) shows its oid, as psycopg does for a type
     * its adapters do not know: use {@link #typeDisplay(AdaptContext)} with that connection or cursor.
     *
     * <pre>{@code
     * conn.execute("SELECT 3.14::numeric(10,2)").description().get(0).typeDisplay(); // numeric(10,2)
     * }</pre>
     */
    public String typeDisplay() {
        return typeDisplay(null);
    }

    /**
     * As {@link #typeDisplay()}, naming the type with the types {@code context} knows (a connection, a cursor
     * or an {@link dev.tusk.adapt.AdaptersMap}; null: the global adapters).
     */
    public String typeDisplay(AdaptContext context) {
        TypeRegistry types = (context == null ? Tusk.adapters() : context.adapters()).types();
        TypeInfo t = types.get(typeOid);
        boolean array = false;
        if (t == null || t.oid() != typeOid) {
            t = types.elementOfArray(typeOid);
            array = t != null;
        }
        if (t == null) {
            return Integer.toString(typeOid);
        }
        StringBuilder sb = new StringBuilder(t.name());
        appendModifier(sb, t.oid(), typeModifier);
        return array ? sb.append("[]").toString() : sb.toString();
    }

    /** {@code (n)} or {@code (p,s)} for the types whose modifier psycopg shows; nothing for the others or for -1. */
    private static void appendModifier(StringBuilder sb, int elementOid, int mod) {
        if (mod < 0) {
            return;
        }
        switch (elementOid) {
            case 1700 -> sb.append('(').append(((mod - 4) >> 16) & 0xffff).append(',').append(numericScale(mod)).append(')');
            case 1042, 1043 -> {
                if (mod > 4) {
                    sb.append('(').append(mod - 4).append(')');
                }
            }
            case 1560, 1562 -> {
                if (mod > 0) {
                    sb.append('(').append(mod).append(')');
                }
            }
            case 1083, 1266, 1114, 1184, 1186 -> {
                int precision = mod & 0xffff;
                if (precision != 0xffff) { // an interval with fields (interval day) and no precision
                    sb.append('(').append(precision).append(')');
                }
            }
            default -> {
            }
        }
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
