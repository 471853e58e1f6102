package dev.tusk.jdbc.internal;

import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.sql.ParameterMetaData;
import java.sql.SQLException;
import java.sql.Types;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The parameters of a prepared statement with the types the server infers for them, answered as pgjdbc does
 * (its type codes, names and classes; precision and scale 0, nullability unknown). The server is asked once per
 * statement, in one round trip: {@code PREPARE} (the same parse analysis as a Parse message), the parameter types
 * from {@code pg_prepared_statements}, {@code DEALLOCATE}.
 */
final class JdbcParameterMetaData implements ParameterMetaData {
    private static final AtomicInteger NAMES = new AtomicInteger();

    /** Per parameter: its type's oid, name, category (typcategory), kind (typtype) and element type (typelem). */
    private final int[] oids;
    private final String[] names;
    private final String[] categories;
    private final String[] kinds;
    private final int[] elements;

    private JdbcParameterMetaData(int n) {
        this.oids = new int[n];
        this.names = new String[n];
        this.categories = new String[n];
        this.kinds = new String[n];
        this.elements = new int[n];
    }

    /** Asks the server the types of the parameters of {@code sql} ({@code $n} placeholders, one statement). */
    static JdbcParameterMetaData describe(JdbcConnection c, String sql, int count) throws SQLException {
        if (count == 0) {
            return new JdbcParameterMetaData(0);
        }
        String name = "tusk_jdbc_params_" + NAMES.incrementAndGet();
        String body = sql.stripTrailing();
        while (body.endsWith(";")) {
            body = body.substring(0, body.length() - 1).stripTrailing();
        }
        String q = "PREPARE " + name + " AS " + body + ";\n"
                + "SELECT u.oid, t.typname, t.typcategory, t.typtype, t.typelem FROM pg_catalog.pg_prepared_statements s, "
                + "unnest(s.parameter_types::oid[]) WITH ORDINALITY AS u(oid, n) "
                + "LEFT JOIN pg_catalog.pg_type t ON t.oid = u.oid WHERE s.name = '" + name + "' ORDER BY u.n;\n"
                + "DEALLOCATE " + name;
        try {
            Cursor<Row> cur = c.tusk().rawCursor().execute(q);
            cur.nextset();
            List<Row> rows = cur.fetchall();
            JdbcParameterMetaData md = new JdbcParameterMetaData(rows.size());
            for (int i = 0; i < rows.size(); i++) {
                Row r = rows.get(i);
                md.oids[i] = (int) ((Number) r.get(0)).longValue();
                md.names[i] = r.getString(1);
                md.categories[i] = r.getString(2);
                md.kinds[i] = r.getString(3);
                md.elements[i] = r.get(4) == null ? 0 : (int) ((Number) r.get(4)).longValue();
            }
            return md;
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    private int check(int param) throws SQLException {
        if (param < 1 || param > oids.length) {
            throw new SQLException("parameter index " + param + " is out of range 1.." + oids.length, "22023");
        }
        return param - 1;
    }

    @Override
    public int getParameterCount() {
        return oids.length;
    }

    @Override
    public int isNullable(int param) throws SQLException {
        check(param);
        return parameterNullableUnknown;
    }

    /** As pgjdbc: a signed number type, or an array of one. */
    @Override
    public boolean isSigned(int param) throws SQLException {
        int i = check(param);
        return signed(oids[i]) || "A".equals(categories[i]) && signed(elements[i]);
    }

    private static boolean signed(int oid) {
        return oid == TypeMap.INT2 || oid == TypeMap.INT4 || oid == TypeMap.INT8 || oid == TypeMap.FLOAT4
                || oid == TypeMap.FLOAT8 || oid == TypeMap.NUMERIC;
    }

    /** As pgjdbc: not known for a parameter (0). */
    @Override
    public int getPrecision(int param) throws SQLException {
        check(param);
        return 0;
    }

    /** As pgjdbc: not known for a parameter (0). */
    @Override
    public int getScale(int param) throws SQLException {
        check(param);
        return 0;
    }

    @Override
    public int getParameterType(int param) throws SQLException {
        int i = check(param);
        TypeMap.Type t = TypeMap.byOid(oids[i]);
        if (t != null) {
            return t.sqlType();
        }
        if ("A".equals(categories[i])) {
            return Types.ARRAY;
        }
        // as pgjdbc: an enum is VARCHAR, a composite type STRUCT, a domain DISTINCT
        return switch (kinds[i] == null ? "" : kinds[i]) {
            case "e" -> Types.VARCHAR;
            case "c" -> Types.STRUCT;
            case "d" -> Types.DISTINCT;
            default -> Types.OTHER;
        };
    }

    @Override
    public String getParameterTypeName(int param) throws SQLException {
        int i = check(param);
        String n = TypeMap.name(oids[i]);
        return n != null ? n : names[i];
    }

    @Override
    public String getParameterClassName(int param) throws SQLException {
        int i = check(param);
        TypeMap.Type t = TypeMap.byOid(oids[i]);
        if (t != null) {
            return t.className();
        }
        return "A".equals(categories[i]) ? "java.sql.Array" : "java.lang.String";
    }

    @Override
    public int getParameterMode(int param) throws SQLException {
        check(param);
        return parameterModeIn;
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
