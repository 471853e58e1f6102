package dev.tusk.jdbc.internal;

import dev.tusk.Column;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The columns of a result set: name, type and sizes from the RowDescription; table, schema, nullability and
 * auto-increment from the catalogs, asked once and only if one of those is wanted.
 */
final class JdbcResultSetMetaData implements ResultSetMetaData {
    private final JdbcConnection conn;
    private final List<Column> columns;
    /** Per column: {schema, table, base column, attnotnull, is identity/serial}; null until asked. */
    private String[][] catalog;
    private Map<Integer, String[]> types;

    JdbcResultSetMetaData(JdbcConnection conn, List<Column> columns) {
        this.conn = conn;
        this.columns = columns;
    }

    private Column c(int column) throws SQLException {
        if (column < 1 || column > columns.size()) {
            throw new SQLException("column index " + column + " is out of range 1.." + columns.size(), "22023");
        }
        return columns.get(column - 1);
    }

    private String[] catalog(int column) throws SQLException {
        c(column);
        if (catalog == null) {
            String[][] out = new String[columns.size()][];
            if (conn != null && !conn.isClosed()) {
                StringBuilder oids = new StringBuilder("{");
                for (Column col : columns) {
                    oids.append(oids.length() > 1 ? "," : "").append(Integer.toUnsignedLong(col.tableOid()));
                }
                oids.append('}');
                try {
                    var cur = conn.tusk().rawCursor().execute(
                            "SELECT c.oid, a.attnum, n.nspname, c.relname, a.attname, a.attnotnull,"
                                    + " (a.attidentity <> '' OR pg_get_expr(d.adbin, d.adrelid) LIKE 'nextval(%') AS auto"
                                    + " FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
                                    + " JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid"
                                    + " LEFT JOIN pg_catalog.pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum"
                                    + " WHERE c.oid = ANY($1::text::oid[])", List.of(oids.toString()), ExecuteOptions.DEFAULT);
                    Map<String, String[]> found = new HashMap<>();
                    for (Row r : cur.fetchall()) {
                        found.put(r.getLong(0) + ":" + r.getInt(1), new String[] {r.getString(2), r.getString(3), r.getString(4),
                                String.valueOf(r.getBoolean(5)), String.valueOf(!r.isNull(6) && r.getBoolean(6))});
                    }
                    for (int i = 0; i < columns.size(); i++) {
                        out[i] = found.get((long) columns.get(i).tableOid() + ":" + columns.get(i).tableColumn());
                    }
                } catch (TuskException e) {
                    throw Errors.of(e);
                }
            }
            catalog = out;
        }
        return catalog[column - 1];
    }

    /** {typname, typcategory} of a type that is not built in. */
    private String[] type(int oid) throws SQLException {
        if (types == null) {
            types = new HashMap<>();
        }
        String[] t = types.get(oid);
        if (t == null && conn != null && !conn.isClosed()) {
            try {
                Row r = conn.tusk().rawCursor().execute("SELECT typname, typcategory FROM pg_catalog.pg_type WHERE oid = $1::oid",
                        List.of((long) oid), ExecuteOptions.DEFAULT).fetchone();
                t = r == null ? new String[] {"unknown", "X"} : new String[] {r.getString(0), r.getString(1)};
            } catch (TuskException e) {
                throw Errors.of(e);
            }
            types.put(oid, t);
        }
        return t == null ? new String[] {"unknown", "X"} : t;
    }

    @Override
    public int getColumnCount() {
        return columns.size();
    }

    @Override
    public boolean isAutoIncrement(int column) throws SQLException {
        String[] cat = catalog(column);
        return cat != null && Boolean.parseBoolean(cat[4]);
    }

    @Override
    public boolean isCaseSensitive(int column) throws SQLException {
        int t = getColumnType(column);
        return t == Types.VARCHAR || t == Types.CHAR || t == Types.OTHER || t == Types.LONGVARCHAR;
    }

    @Override
    public boolean isSearchable(int column) throws SQLException {
        c(column);
        return true;
    }

    @Override
    public boolean isCurrency(int column) throws SQLException {
        return c(column).typeOid() == TypeMap.MONEY;
    }

    @Override
    public int isNullable(int column) throws SQLException {
        String[] cat = catalog(column);
        if (cat == null) {
            return columnNullableUnknown;
        }
        return Boolean.parseBoolean(cat[3]) ? columnNoNulls : columnNullable;
    }

    @Override
    public boolean isSigned(int column) throws SQLException {
        int oid = c(column).typeOid();
        return oid == TypeMap.INT2 || oid == TypeMap.INT4 || oid == TypeMap.INT8 || oid == TypeMap.FLOAT4
                || oid == TypeMap.FLOAT8 || oid == TypeMap.NUMERIC || oid == TypeMap.MONEY;
    }

    @Override
    public int getColumnDisplaySize(int column) throws SQLException {
        Column c = c(column);
        return switch (c.typeOid()) {
            case TypeMap.INT2 -> 6;
            case TypeMap.INT4 -> 11;
            case TypeMap.INT8, TypeMap.OID -> 20;
            case TypeMap.FLOAT4 -> 15;
            case TypeMap.FLOAT8 -> 25;
            case TypeMap.BOOL -> 1;
            case TypeMap.DATE -> 13;
            case TypeMap.TIME -> 15;
            case TypeMap.TIMETZ -> 21;
            case TypeMap.TIMESTAMP -> 29;
            case TypeMap.TIMESTAMPTZ -> 35;
            case TypeMap.UUID -> 36;
            case TypeMap.NUMERIC -> c.precision() == null ? 131089 : c.precision() + 2;
            default -> c.displaySize() != null ? c.displaySize() : Integer.MAX_VALUE;
        };
    }

    @Override
    public String getColumnLabel(int column) throws SQLException {
        return c(column).name();
    }

    @Override
    public String getColumnName(int column) throws SQLException {
        return c(column).name(); // as pgjdbc: the label (the base name is getBaseColumnName in pgjdbc's own API)
    }

    @Override
    public String getSchemaName(int column) throws SQLException {
        String[] cat = catalog(column);
        return cat == null ? "" : cat[0];
    }

    @Override
    public int getPrecision(int column) throws SQLException {
        Column c = c(column);
        return switch (c.typeOid()) {
            case TypeMap.INT2 -> 5;
            case TypeMap.INT4 -> 10;
            case TypeMap.INT8, TypeMap.OID -> 19;
            case TypeMap.FLOAT4 -> 8;
            case TypeMap.FLOAT8 -> 17;
            case TypeMap.BOOL -> 1;
            case TypeMap.DATE -> 13;
            case TypeMap.TIME, TypeMap.TIMETZ, TypeMap.TIMESTAMP, TypeMap.TIMESTAMPTZ -> getColumnDisplaySize(column);
            case TypeMap.NUMERIC -> c.precision() == null ? 0 : c.precision();
            default -> c.displaySize() != null ? c.displaySize() : 0;
        };
    }

    @Override
    public int getScale(int column) throws SQLException {
        Column c = c(column);
        return switch (c.typeOid()) {
            case TypeMap.FLOAT4 -> 8;
            case TypeMap.FLOAT8 -> 17;
            case TypeMap.NUMERIC -> c.scale() == null ? 0 : c.scale();
            case TypeMap.TIME, TypeMap.TIMETZ, TypeMap.TIMESTAMP, TypeMap.TIMESTAMPTZ -> c.precision() == null ? 6 : c.precision();
            default -> 0;
        };
    }

    @Override
    public String getTableName(int column) throws SQLException {
        String[] cat = catalog(column);
        return cat == null ? "" : cat[1];
    }

    @Override
    public String getCatalogName(int column) throws SQLException {
        c(column);
        return "";
    }

    @Override
    public int getColumnType(int column) throws SQLException {
        int oid = c(column).typeOid();
        TypeMap.Type t = TypeMap.byOid(oid);
        if (t != null) {
            return t.sqlType();
        }
        return "A".equals(type(oid)[1]) ? Types.ARRAY : Types.OTHER;
    }

    @Override
    public String getColumnTypeName(int column) throws SQLException {
        int oid = c(column).typeOid();
        String n = TypeMap.name(oid);
        if (n != null) {
            if (oid == TypeMap.INT4 || oid == TypeMap.INT8 || oid == TypeMap.INT2) {
                String[] cat = catalog(column);
                if (cat != null && Boolean.parseBoolean(cat[4])) { // as pgjdbc: serial columns say so
                    return oid == TypeMap.INT8 ? "bigserial" : oid == TypeMap.INT2 ? "smallserial" : "serial";
                }
            }
            return n;
        }
        return type(oid)[0];
    }

    @Override
    public boolean isReadOnly(int column) throws SQLException {
        c(column);
        return false;
    }

    @Override
    public boolean isWritable(int column) throws SQLException {
        c(column);
        return true;
    }

    @Override
    public boolean isDefinitelyWritable(int column) throws SQLException {
        c(column);
        return false;
    }

    @Override
    public String getColumnClassName(int column) throws SQLException {
        int oid = c(column).typeOid();
        TypeMap.Type t = TypeMap.byOid(oid);
        if (t != null) {
            return t.className();
        }
        return "A".equals(type(oid)[1]) ? "java.sql.Array" : "java.lang.String";
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
