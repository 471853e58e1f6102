package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Composite types ↔ Java records, as psycopg's {@code CompositeInfo} and {@code register_composite}.
 * Fields are matched by position; each loads with its own type's loader and is converted to the record
 * component's type when it is a number of another width.
 *
 * <p>A composite registered with {@link TypeInfo#register} alone loads as {@code Object[]}.
 *
 * <pre>{@code
 * conn.execute("CREATE TYPE card AS (value int, suit text)");
 * record Card(int value, String suit) {}
 * CompositeInfo.register(CompositeInfo.fetch(conn, "card"), conn.adapters(), Card.class);
 * Card c = (Card) conn.execute("SELECT (8, 'hearts')::card").fetchone().get(0);
 * conn.execute("SELECT (%s::card).suit", new Card(1, "spades")).fetchone().getString(0); // spades
 * }</pre>
 */
public final class CompositeInfo {
    private CompositeInfo() {
    }

    /**
     * Fetches the composite type {@code name} (a table's row type too); {@code null} when there is no such type.
     * As {@link TypeInfo#fetch(TypeCatalog, String)}: a {@code TypeInfo} on a {@code Connection}, a
     * {@code CompletableFuture<TypeInfo>} on an {@code AsyncConnection} (which fails with the exception). Until
     * 0.1 this was two methods, for {@code Connection} and {@code AsyncConnection}; calls compile unchanged.
     *
     * @throws ProgrammingException when the type exists but is not composite
     */
    public static <T> T fetch(TypeCatalog<T> conn, String name) {
        return conn.lookUpType(TypeInfo.lookup(name).then(info -> checked(info, name)));
    }

    private static TypeInfo checked(TypeInfo info, String name) {
        if (info != null && info.kind() != TypeInfo.Kind.COMPOSITE) {
            throw new ProgrammingException("type \"" + name + "\" is a " + info.kind() + " type, not a composite");
        }
        return info;
    }

    /**
     * Loads {@code info} as {@code recordClass} and dumps {@code recordClass} as {@code info}, text and binary
     * (automatic: text). Also registers the type itself (name, array).
     *
     * @throws ProgrammingException when the record's component count differs from the type's field count
     */
    public static <R extends Record> void register(TypeInfo info, AdaptersMap adapters, Class<R> recordClass) {
        if (info == null || info.kind() != TypeInfo.Kind.COMPOSITE) {
            throw new ProgrammingException("CompositeInfo.register needs a composite TypeInfo from CompositeInfo.fetch, got " + info);
        }
        RecordComponent[] comps = recordClass.getRecordComponents();
        if (comps.length != info.fieldNames().size()) {
            throw new ProgrammingException("record " + recordClass.getSimpleName() + " has " + comps.length
                    + " components but type " + info.name() + " has " + info.fieldNames().size() + " fields "
                    + info.fieldNames() + ": fields are matched by position");
        }
        Class<?>[] types = new Class<?>[comps.length];
        for (int i = 0; i < comps.length; i++) {
            types[i] = comps[i].getType();
        }
        Constructor<R> ctor;
        try {
            ctor = recordClass.getDeclaredConstructor(types);
            ctor.setAccessible(true);
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ProgrammingException("cannot use the canonical constructor of " + recordClass.getName() + ": " + e, e);
        }
        info.register(adapters);
        for (Format f : Format.values()) {
            adapters.registerLoaderFactory(info.oid(), f, map -> new CompositeLoader(map, info, f, values -> {
                Object[] args = new Object[values.length];
                for (int i = 0; i < args.length; i++) {
                    args[i] = convert(values[i], types[i], info, i);
                }
                try {
                    return ctor.newInstance(args);
                } catch (InvocationTargetException e) {
                    throw new DataException("the constructor of " + recordClass.getSimpleName() + " rejected "
                            + info.name() + " value: " + e.getCause(), e.getCause());
                } catch (ReflectiveOperationException e) {
                    throw new DataException("cannot build " + recordClass.getSimpleName() + ": " + e, e);
                }
            }));
        }
        adapters.registerDumper(recordClass, new CompositeDumper(info, comps, Format.BINARY, adapters));
        adapters.registerDumper(recordClass, new CompositeDumper(info, comps, Format.TEXT, adapters));
    }

    private static Object convert(Object v, Class<?> type, TypeInfo info, int i) {
        if (v == null) {
            if (type.isPrimitive()) {
                throw new DataException("field " + info.fieldNames().get(i) + " of " + info.name()
                        + " is NULL but the record component is a " + type + ": use " + boxed(type).getSimpleName());
            }
            return null;
        }
        if (boxed(type).isInstance(v)) {
            return v;
        }
        if (v instanceof Number n) {
            Class<?> t = boxed(type);
            if (t == Long.class) return n.longValue();
            if (t == Integer.class) return n.intValue();
            if (t == Short.class) return n.shortValue();
            if (t == Double.class) return n.doubleValue();
            if (t == Float.class) return n.floatValue();
        }
        throw new DataException("field " + info.fieldNames().get(i) + " of " + info.name() + " loaded as "
                + v.getClass().getName() + ", which does not fit the record component type " + type.getName());
    }

    private static Class<?> boxed(Class<?> c) {
        if (!c.isPrimitive()) return c;
        if (c == int.class) return Integer.class;
        if (c == long.class) return Long.class;
        if (c == short.class) return Short.class;
        if (c == double.class) return Double.class;
        if (c == float.class) return Float.class;
        if (c == boolean.class) return Boolean.class;
        if (c == byte.class) return Byte.class;
        return Character.class;
    }

    /** The loaders {@link TypeInfo#register} adds for a composite: its fields as {@code Object[]}. */
    static void registerObjectArrayLoaders(AdaptersMap m, TypeInfo info) {
        for (Format f : Format.values()) {
            m.registerLoaderFactory(info.oid(), f, map -> new CompositeLoader(map, info, f, values -> values));
        }
    }

    /** Loads a composite's fields, then hands them to {@code make}. */
    static final class CompositeLoader implements Loader<Object> {
        private final AdaptersMap adapters;
        private final TypeInfo info;
        private final Format format;
        private final Loader<?>[] fields;
        private final Function<Object[], Object> make;

        CompositeLoader(AdaptersMap adapters, TypeInfo info, Format format, Function<Object[], Object> make) {
            this.adapters = adapters;
            this.info = info;
            this.format = format;
            int[] oids = info.fieldTypes();
            this.fields = new Loader<?>[oids.length];
            for (int i = 0; i < oids.length; i++) {
                fields[i] = adapters.loaderFor(oids[i], format);
            }
            this.make = make;
        }

        @Override
        public Object load(ByteBuffer data) {
            return make.apply(format == Format.TEXT ? text(Wire.text(data)) : binary(data.slice()));
        }

        private Object[] text(String s) {
            List<String> raw = parseRecord(s);
            if (raw.size() != fields.length) {
                throw new DataException("a " + info.name() + " value has " + raw.size() + " fields, expected " + fields.length);
            }
            Object[] out = new Object[fields.length];
            for (int i = 0; i < out.length; i++) {
                String v = raw.get(i);
                out[i] = v == null ? null : fields[i] == null ? v : fields[i].load(Wire.utf8(v));
            }
            return out;
        }

        private Object[] binary(ByteBuffer b) {
            int n = b.getInt();
            if (n != fields.length) {
                throw new DataException("a binary " + info.name() + " value has " + n + " fields, expected " + fields.length);
            }
            Object[] out = new Object[n];
            for (int i = 0; i < n; i++) {
                int oid = b.getInt();
                int len = b.getInt();
                if (len < 0) {
                    continue;
                }
                ByteBuffer item = b.slice();
                item.limit(len);
                b.position(b.position() + len);
                Loader<?> l = oid == info.fieldTypes()[i] ? fields[i] : adapters.loaderFor(oid, Format.BINARY);
                out[i] = l == null ? Wire.bytes(item) : l.load(item);
            }
            return out;
        }

        @Override
        public Format format() {
            return format;
        }
    }

    /** Parses record_out's text: {@code (1,"a b",,"x""y")}; an empty unquoted field is NULL. */
    static List<String> parseRecord(String s) {
        int pos = 0;
        while (pos < s.length() && ArrayText.isSpace(s.charAt(pos))) pos++;
        if (pos >= s.length() || s.charAt(pos) != '(') {
            throw new DataException("malformed record literal \"" + s + "\": expected '('");
        }
        pos++;
        List<String> out = new ArrayList<>();
        while (true) {
            StringBuilder sb = new StringBuilder();
            boolean written = false;
            boolean inQuotes = false;
            while (true) {
                if (pos >= s.length()) {
                    throw new DataException("malformed record literal \"" + s + "\": unterminated");
                }
                char c = s.charAt(pos);
                if (!inQuotes && (c == ',' || c == ')')) {
                    break;
                }
                pos++;
                written = true;
                if (c == '\\' && pos < s.length()) {
                    sb.append(s.charAt(pos++));
                } else if (c == '"') {
                    if (inQuotes && pos < s.length() && s.charAt(pos) == '"') {
                        sb.append('"');
                        pos++;
                    } else {
                        inQuotes = !inQuotes;
                    }
                } else {
                    sb.append(c);
                }
            }
            out.add(written ? sb.toString() : null);
            char c = s.charAt(pos++);
            if (c == ')') {
                return out;
            }
        }
    }

    /** Dumps a record as the composite, each component with the dumper of its value. */
    static final class CompositeDumper implements Dumper<Record> {
        private final TypeInfo info;
        private final RecordComponent[] comps;
        private final Format format;
        private final AdaptersMap adapters;

        CompositeDumper(TypeInfo info, RecordComponent[] comps, Format format, AdaptersMap adapters) {
            this.info = info;
            this.comps = comps;
            this.format = format;
            this.adapters = adapters;
            for (RecordComponent c : comps) {
                c.getAccessor().setAccessible(true);
            }
        }

        private Object component(Record r, int i) {
            try {
                return comps[i].getAccessor().invoke(r);
            } catch (ReflectiveOperationException e) {
                throw new DataException("cannot read " + comps[i].getName() + " of " + r.getClass().getSimpleName() + ": " + e, e);
            }
        }

        @Override
        public ByteBuffer dump(Record r) {
            return format == Format.TEXT ? text(r) : binary(r);
        }

        private ByteBuffer text(Record r) {
            StringBuilder sb = new StringBuilder("(");
            for (int i = 0; i < comps.length; i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object v = component(r, i);
                if (v == null) {
                    continue;
                }
                String t = Wire.text(adapters.dumperFor(v, Format.TEXT).dump(v));
                boolean quote = t.isEmpty();
                for (int k = 0; k < t.length() && !quote; k++) {
                    char c = t.charAt(k);
                    quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == ',' || ArrayText.isSpace(c);
                }
                if (!quote) {
                    sb.append(t);
                    continue;
                }
                sb.append('"');
                for (int k = 0; k < t.length(); k++) {
                    char c = t.charAt(k);
                    if (c == '"' || c == '\\') {
                        sb.append(c);
                    }
                    sb.append(c);
                }
                sb.append('"');
            }
            return Wire.utf8(sb.append(')').toString());
        }

        private ByteBuffer binary(Record r) {
            int[] oids = info.fieldTypes();
            ByteBuffer[] parts = new ByteBuffer[comps.length];
            int size = 4;
            for (int i = 0; i < comps.length; i++) {
                Object v = component(r, i);
                if (v != null && ArrayAdapters.isContainer(v) && ArrayAdapters.firstLeaf(v) == null
                        && ArrayAdapters.elements(v).length == 0 && adapters.types().elementOfArray(oids[i]) != null) {
                    // an empty list has no element to pick its type: send an empty array of the field's type
                    parts[i] = ByteBuffer.allocate(12).putInt(0).putInt(0)
                            .putInt(adapters.types().elementOfArray(oids[i]).oid()).flip();
                    size += 12;
                } else if (v != null) {
                    Dumper<Object> d = adapters.dumperFor(v, Format.BINARY);
                    if (d.oid() != oids[i] && !(isTextual(d.oid()) && isTextual(oids[i]))) {
                        throw new DataException("component " + comps[i].getName() + " of " + r.getClass().getSimpleName()
                                + " dumps as oid " + d.oid() + " but field " + info.fieldNames().get(i) + " of "
                                + info.name() + " has oid " + oids[i] + ": change the component type, or dump with %t");
                    }
                    parts[i] = d.dump(v).duplicate();
                    size += parts[i].remaining();
                }
                size += 8;
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(comps.length);
            for (int i = 0; i < comps.length; i++) {
                out.putInt(oids[i]);
                if (parts[i] == null) {
                    out.putInt(-1);
                } else {
                    out.putInt(parts[i].remaining()).put(parts[i]);
                }
            }
            return out.flip();
        }

        private static boolean isTextual(int oid) {
            return oid == BuiltinTypes.TEXT || oid == BuiltinTypes.VARCHAR || oid == BuiltinTypes.BPCHAR
                    || oid == BuiltinTypes.NAME;
        }

        @Override
        public int oid() {
            return info.oid();
        }

        @Override
        public Format format() {
            return format;
        }
    }
}
