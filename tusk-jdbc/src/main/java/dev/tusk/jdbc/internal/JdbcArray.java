package dev.tusk.jdbc.internal;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * {@link java.sql.Array} of values held in memory: made by {@code createArrayOf} (sent as a PostgreSQL array of
 * the named element type) or read from an array column.
 */
public final class JdbcArray implements Array {
    private final String baseTypeName;
    private Object[] elements;

    JdbcArray(String baseTypeName, Object[] elements) {
        this.baseTypeName = baseTypeName;
        this.elements = elements;
    }

    /** The element type name of array type {@code arrayOid} ("int4" for int4[]), or "unknown". */
    static String elementTypeName(int arrayOid) {
        String n = TypeMap.name(arrayOid);
        return n != null && n.startsWith("_") ? n.substring(1) : "unknown";
    }

    /** The value Tusk sends: a typed text array literal when the element type is known, else the elements as a list. */
    Object toParameter() throws SQLException {
        check();
        TypeMap.Type t = TypeMap.byName(baseTypeName);
        if (t == null || t.arrayOid() == 0) {
            return Arrays.asList(elements); // Tusk picks the array type from the elements
        }
        return new TypedParam(t.arrayOid(), literal(elements));
    }

    private static String literal(Object[] els) {
        StringBuilder sb = new StringBuilder("{");
        for (int i = 0; i < els.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            Object e = els[i];
            if (e == null) {
                sb.append("NULL");
            } else if (e instanceof Object[] inner) {
                sb.append(literal(inner));
            } else if (e instanceof List<?> inner) {
                sb.append(literal(inner.toArray()));
            } else {
                String s = e instanceof byte[] b ? "\\x" + java.util.HexFormat.of().formatHex(b) : e.toString();
                sb.append('"').append(s.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
            }
        }
        return sb.append('}').toString();
    }

    private void check() throws SQLException {
        if (elements == null) {
            throw new SQLException("this array was freed", "55000");
        }
    }

    @Override
    public String getBaseTypeName() throws SQLException {
        check();
        return baseTypeName;
    }

    @Override
    public int getBaseType() throws SQLException {
        check();
        TypeMap.Type t = TypeMap.byName(baseTypeName);
        return t == null ? java.sql.Types.OTHER : t.sqlType();
    }

    @Override
    public Object getArray() throws SQLException {
        check();
        Object[] copy = elements.clone();
        for (int i = 0; i < copy.length; i++) {
            if (copy[i] instanceof List<?> l) {
                copy[i] = l.toArray();
            } else if (copy[i] instanceof Short s) {
                copy[i] = s.intValue();
            }
        }
        return copy;
    }

    @Override
    public Object getArray(Map<String, Class<?>> map) throws SQLException {
        if (map != null && !map.isEmpty()) {
            throw Errors.notSupported("Array.getArray with a type map");
        }
        return getArray();
    }

    @Override
    public Object getArray(long index, int count) throws SQLException {
        check();
        if (index < 1 || index - 1 + count > elements.length || count < 0) {
            throw new SQLException("array slice " + index + "+" + count + " is outside 1.." + elements.length, "2202E");
        }
        return Arrays.copyOfRange((Object[]) getArray(), (int) index - 1, (int) index - 1 + count);
    }

    @Override
    public Object getArray(long index, int count, Map<String, Class<?>> map) throws SQLException {
        if (map != null && !map.isEmpty()) {
            throw Errors.notSupported("Array.getArray with a type map");
        }
        return getArray(index, count);
    }

    @Override
    public ResultSet getResultSet() throws SQLException {
        throw Errors.notSupported("Array.getResultSet (use getArray)");
    }

    @Override
    public ResultSet getResultSet(Map<String, Class<?>> map) throws SQLException {
        throw Errors.notSupported("Array.getResultSet (use getArray)");
    }

    @Override
    public ResultSet getResultSet(long index, int count) throws SQLException {
        throw Errors.notSupported("Array.getResultSet (use getArray)");
    }

    @Override
    public ResultSet getResultSet(long index, int count, Map<String, Class<?>> map) throws SQLException {
        throw Errors.notSupported("Array.getResultSet (use getArray)");
    }

    @Override
    public void free() {
        elements = null;
    }

    @Override
    public String toString() {
        return elements == null ? "freed array" : literal(elements);
    }
}
