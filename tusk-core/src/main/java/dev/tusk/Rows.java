package dev.tusk;

import dev.tusk.errors.ProgrammingException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * The built-in row factories, as psycopg's {@code psycopg.rows}.
 *
 * <pre>{@code
 * Connection<Map<String, Object>> conn = Connection.connect(
 *         ConnectOptions.builder().conninfo("dbname=app").rowFactory(Rows.dict()).build());
 * Map<String, Object> r = conn.execute("SELECT 1 AS one").fetchone();   // {one=1}
 * }</pre>
 */
public final class Rows {
    private static final RowFactory<Row> ROW = cols -> r -> r;

    private Rows() {
    }

    /** The default: {@link Row}, with access by index and by name. */
    public static RowFactory<Row> row() {
        return ROW;
    }

    /** Each row as an unmodifiable list of values (psycopg's tuple_row). */
    public static RowFactory<List<Object>> tuple() {
        return cols -> r -> Collections.unmodifiableList(r.values());
    }

    /** Each row as an ordered map from column name to value (psycopg's dict_row). */
    public static RowFactory<Map<String, Object>> dict() {
        return cols -> r -> {
            Map<String, Object> m = new LinkedHashMap<>(cols.size() * 2);
            for (int i = 0; i < cols.size(); i++) {
                m.put(cols.get(i).name(), r.get(i));
            }
            return m;
        };
    }

    /** The first column's value of each row (psycopg's scalar_row). */
    public static RowFactory<Object> scalar() {
        return cols -> {
            if (cols.isEmpty()) {
                throw new ProgrammingException("scalar() needs a result with at least one column");
            }
            return r -> r.get(0);
        };
    }

    /** {@code fn} applied to the values in column order (psycopg's args_row). */
    public static <T> RowFactory<T> args(Function<Object[], T> fn) {
        return cols -> r -> fn.apply(r.values().toArray());
    }

    /** {@code fn} applied to a map of column name to value (psycopg's kwargs_row). */
    public static <T> RowFactory<T> kwargs(Function<Map<String, Object>, T> fn) {
        RowFactory<Map<String, Object>> dict = dict();
        return cols -> {
            RowFactory.RowMaker<Map<String, Object>> m = dict.maker(cols);
            return r -> fn.apply(m.make(r));
        };
    }

    /**
     * Each row as an instance of {@code type} (psycopg's class_row): a record is built through its
     * canonical constructor, matching components to columns by name; any other class needs a public
     * no-argument constructor, and each column goes through its setter ({@code name} or {@code setName}).
     * A component or property with no column of its name is an error naming it.
     */
    public static <T> RowFactory<T> classRow(Class<T> type) {
        return type.isRecord() ? recordRow(type) : beanRow(type);
    }

    private static <T> RowFactory<T> recordRow(Class<T> type) {
        RecordComponent[] comps = type.getRecordComponents();
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
        }
        Constructor<T> ctor;
        try {
            ctor = type.getDeclaredConstructor(types);
            ctor.setAccessible(true);
        } catch (NoSuchMethodException | RuntimeException e) {
            throw new ProgrammingException("cannot use the canonical constructor of " + type.getName() + ": " + e, e);
        }
        return cols -> {
            int[] index = new int[comps.length];
            Map<String, Integer> byName = names(cols);
            for (int i = 0; i < comps.length; i++) {
                Integer idx = byName.get(comps[i].getName());
                if (idx == null) {
                    throw new ProgrammingException("record " + type.getSimpleName() + " has component \"" + comps[i].getName()
                            + "\" but the result has no such column; columns are " + byName.keySet());
                }
                index[i] = idx;
            }
            return r -> {
                Object[] args = new Object[comps.length];
                for (int i = 0; i < comps.length; i++) {
                    args[i] = value(r, index[i], types[i]);
                }
                try {
                    return ctor.newInstance(args);
                } catch (InvocationTargetException e) {
                    throw new ProgrammingException("constructor of " + type.getSimpleName() + " failed: " + e.getCause(), e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new ProgrammingException("cannot build " + type.getSimpleName() + ": " + e, e);
                }
            };
        };
    }

    private static <T> RowFactory<T> beanRow(Class<T> type) {
        Constructor<T> ctor;
        try {
            ctor = type.getDeclaredConstructor();
            ctor.setAccessible(true);
        } catch (NoSuchMethodException e) {
            throw new ProgrammingException(type.getName() + " is neither a record nor a class with a no-argument constructor");
        }
        Map<String, Method> setters = new HashMap<>();
        for (Method m : type.getMethods()) {
            if (m.getParameterCount() == 1 && !Modifier.isStatic(m.getModifiers())) {
                String n = m.getName();
                if (n.startsWith("set") && n.length() > 3) {
                    setters.putIfAbsent(Character.toLowerCase(n.charAt(3)) + n.substring(4), m);
                    setters.putIfAbsent(n.substring(3), m);
                }
                setters.putIfAbsent(n, m);
            }
        }
        return cols -> {
            List<Method> methods = new ArrayList<>(cols.size());
            for (Column c : cols) {
                Method m = setters.get(c.name());
                if (m == null) {
                    m = setters.get(snakeToCamel(c.name()));
                }
                if (m == null) {
                    throw new ProgrammingException(type.getSimpleName() + " has no setter for column \"" + c.name() + "\"");
                }
                methods.add(m);
            }
            return r -> {
                try {
                    T bean = ctor.newInstance();
                    for (int i = 0; i < methods.size(); i++) {
                        Method m = methods.get(i);
                        m.invoke(bean, value(r, i, m.getParameterTypes()[0]));
                    }
                    return bean;
                } catch (InvocationTargetException e) {
                    throw new ProgrammingException("setting a property of " + type.getSimpleName() + " failed: " + e.getCause(), e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new ProgrammingException("cannot build " + type.getSimpleName() + ": " + e, e);
                }
            };
        };
    }

    private static Object value(Row r, int i, Class<?> target) {
        if (target.isPrimitive()) {
            if (r.isNull(i)) {
                throw new ProgrammingException("column \"" + r.columns().get(i).name() + "\" is NULL but the target is a "
                        + target.getName() + ": use the boxed type");
            }
            if (target == int.class) return r.getInt(i);
            if (target == long.class) return r.getLong(i);
            if (target == double.class) return r.getDouble(i);
            if (target == boolean.class) return r.getBoolean(i);
            if (target == float.class) return r.getFloat(i);
            if (target == short.class) return r.getShort(i);
        }
        return target == Object.class ? r.get(i) : r.get(i, target);
    }

    private static Map<String, Integer> names(List<Column> cols) {
        Map<String, Integer> m = new LinkedHashMap<>();
        for (int i = 0; i < cols.size(); i++) {
            m.putIfAbsent(cols.get(i).name(), i);
            m.putIfAbsent(snakeToCamel(cols.get(i).name()), i);
        }
        return m;
    }

    private static String snakeToCamel(String s) {
        if (s.indexOf('_') < 0) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length());
        boolean up = false;
        for (char c : s.toCharArray()) {
            if (c == '_') {
                up = true;
            } else {
                sb.append(up ? Character.toUpperCase(c) : c);
                up = false;
            }
        }
        return sb.toString();
    }
}
