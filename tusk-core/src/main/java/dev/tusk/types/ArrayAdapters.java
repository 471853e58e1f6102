package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.DumperFactory;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.LoaderFactory;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;

import java.lang.reflect.Array;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Arrays of any type ↔ {@code List} (nested for several dimensions; NULL elements as null). Dumped from
 * {@code List}s, object arrays ({@code String[]}, {@code Integer[][]}) and primitive arrays ({@code int[]},
 * {@code double[][]}; {@code byte[]} is bytea, so {@code byte[][]} is bytea[]). The first non-null element
 * picks the element dumper and so the array's oid (psycopg's "upgrade"); an array of strings in automatic
 * format is sent as text with oid 0, like a string, and so is a list with no non-null element ({@code List.of()}:
 * {@code '{}'} of unknown type, in every format, so that it fits a {@code bigint[]} or {@code date[]} column). Loaded arrays drop non-default lower bounds
 * ({@code [2:3]={a,b}} loads as {@code [a, b]}).
 */
public final class ArrayAdapters {
    private ArrayAdapters() {
    }

    /** The Java classes dumped as arrays. */
    static final Class<?>[] CONTAINERS = {List.class, Object[].class, int[].class, long[].class, short[].class,
            float[].class, double[].class, boolean[].class};

    static boolean isContainer(Object o) {
        return (o instanceof List<?> && !(o instanceof Multirange<?>)) || (o != null && o.getClass().isArray() && !(o instanceof byte[]) && !(o instanceof char[]));
    }

    /** The elements of a container, boxed. */
    static Object[] elements(Object c) {
        if (c instanceof List<?> l) {
            return l.toArray();
        }
        if (c instanceof Object[] a) {
            return a;
        }
        int n = Array.getLength(c);
        Object[] out = new Object[n];
        for (int i = 0; i < n; i++) {
            out[i] = Array.get(c, i);
        }
        return out;
    }

    /** The first non-null non-container element, depth first, or null. */
    static Object firstLeaf(Object c) {
        for (Object e : elements(c)) {
            if (e == null) {
                continue;
            }
            if (isContainer(e)) {
                Object leaf = firstLeaf(e);
                if (leaf != null) {
                    return leaf;
                }
            } else {
                return e;
            }
        }
        return null;
    }

    /** Chooses the element dumper and builds (or reuses) the array dumper for it. */
    static final class Factory implements DumperFactory {
        private final Format format;

        Factory(Format format) {
            this.format = format;
        }

        @Override
        public Dumper<Object> upgrade(Object value, Format requested, AdaptersMap adapters) {
            Object leaf = firstLeaf(value);
            if (leaf == null) {
                // nothing tells the element type (an empty list, or only NULLs): a text literal of unknown type
                // ('{}', oid 0) the server types from the context, as psycopg does, even where binary was asked
                // for: a binary array names its element type, and array_recv refuses text[] data for a bigint[]
                Dumper<Object> textElement = adapters.dumperFor("", Format.TEXT);
                return adapters.derived(new Key(textElement, Format.TEXT, true), k -> new ArrayDumper(textElement,
                        0, Format.TEXT, ','));
            }
            Dumper<Object> element = adapters.dumperFor(leaf, requested);
            Format f = element.format();
            int arrayOid = element.oid() == 0 ? 0 : adapters.types().arrayOidOf(element.oid());
            if (f == Format.BINARY && arrayOid == 0) {
                if (requested == Format.BINARY) {
                    throw new ProgrammingException("cannot dump a list of " + leaf.getClass().getName()
                            + " in binary: the array type of oid " + element.oid() + " is unknown; register it with TypeInfo");
                }
                element = adapters.dumperFor(leaf, Format.TEXT);
                f = Format.TEXT;
                arrayOid = element.oid() == 0 ? 0 : adapters.types().arrayOidOf(element.oid());
            }
            TypeInfo t = adapters.types().get(element.oid());
            char delim = t == null ? ',' : t.delimiter();
            Dumper<Object> el = element;
            int aoid = arrayOid;
            Format ff = f;
            return adapters.derived(new Key(element, f, false), k -> new ArrayDumper(el, aoid, ff, delim));
        }

        @Override
        public int oid() {
            return 0;
        }

        @Override
        public Format format() {
            return format;
        }
    }

    private record Key(Dumper<?> element, Format format, boolean untyped) {
    }

    /** Dumps a container with one element dumper. */
    static final class ArrayDumper extends TypedDumper<Object> {
        private final Dumper<Object> element;
        private final char delim;

        ArrayDumper(Dumper<Object> element, int oid, Format format, char delim) {
            super(oid, format);
            this.element = element;
            this.delim = delim;
        }

        @Override
        public ByteBuffer dump(Object value) {
            return format() == Format.TEXT ? text(value) : binary(value);
        }

        private ByteBuffer text(Object value) {
            StringBuilder sb = new StringBuilder();
            appendText(sb, value);
            return Wire.utf8(sb.toString());
        }

        private void appendText(StringBuilder sb, Object c) {
            sb.append('{');
            Object[] els = elements(c);
            for (int i = 0; i < els.length; i++) {
                if (i > 0) {
                    sb.append(delim);
                }
                Object e = els[i];
                if (isContainer(e)) {
                    appendText(sb, e);
                } else {
                    ArrayText.appendElement(sb, e == null ? null : Wire.text(dumpElement(e)), delim);
                }
            }
            sb.append('}');
        }

        private ByteBuffer dumpElement(Object e) {
            try {
                return element.dump(e);
            } catch (ClassCastException ex) {
                throw new DataException("array elements must all have the same type, found a "
                        + e.getClass().getName() + " among elements dumped with " + element, ex);
            }
        }

        private ByteBuffer binary(Object value) {
            List<Integer> dims = new ArrayList<>();
            Object level = value;
            while (true) {
                Object[] els = elements(level);
                dims.add(els.length);
                if (els.length == 0 || !isContainer(els[0])) {
                    break;
                }
                level = els[0];
            }
            if (dims.size() == 1 && dims.get(0) == 0) {
                dims.clear();
            }
            List<ByteBuffer> items = new ArrayList<>();
            boolean[] hasNull = {false};
            collect(value, 0, dims, items, hasNull);
            int size = 12 + 8 * dims.size();
            for (ByteBuffer b : items) {
                size += 4 + (b == null ? 0 : b.remaining());
            }
            ByteBuffer out = ByteBuffer.allocate(size);
            out.putInt(dims.size()).putInt(hasNull[0] ? 1 : 0).putInt(element.oid());
            for (int d : dims) {
                out.putInt(d).putInt(1);
            }
            for (ByteBuffer b : items) {
                if (b == null) {
                    out.putInt(-1);
                } else {
                    out.putInt(b.remaining()).put(b);
                }
            }
            return out.flip();
        }

        private void collect(Object c, int depth, List<Integer> dims, List<ByteBuffer> items, boolean[] hasNull) {
            Object[] els = elements(c);
            if (dims.isEmpty()) {
                return;
            }
            if (els.length != dims.get(depth)) {
                throw new DataException("multidimensional arrays must be rectangular: found a sub-array of "
                        + els.length + " elements where " + dims.get(depth) + " were expected");
            }
            boolean last = depth == dims.size() - 1;
            for (Object e : els) {
                if (!last) {
                    if (!isContainer(e)) {
                        throw new DataException("multidimensional arrays must be rectangular: found "
                                + (e == null ? "NULL" : "a scalar") + " where a sub-array was expected");
                    }
                    collect(e, depth + 1, dims, items, hasNull);
                } else if (e == null) {
                    hasNull[0] = true;
                    items.add(null);
                } else if (isContainer(e)) {
                    throw new DataException("multidimensional arrays must be rectangular: found a sub-array among scalars");
                } else {
                    items.add(dumpElement(e).duplicate());
                }
            }
        }

        @Override
        public String toString() {
            return "ArrayDumper(oid=" + oid() + ", " + format() + ", element " + element + ")";
        }
    }

    /** Loads an array of {@code elementOid} into nested lists. */
    static final class ArrayLoader implements Loader<List<Object>> {
        private final AdaptersMap adapters;
        private final int elementOid;
        private final Loader<?> element;
        private final Format format;
        private final char delim;

        ArrayLoader(AdaptersMap adapters, int elementOid, Format format, char delim) {
            this.adapters = adapters;
            this.elementOid = elementOid;
            this.element = adapters.loaderFor(elementOid, format);
            this.format = format;
            this.delim = delim;
        }

        @Override
        public List<Object> load(ByteBuffer data) {
            return format == Format.TEXT ? text(data) : binary(data);
        }

        @SuppressWarnings("unchecked")
        private List<Object> text(ByteBuffer data) {
            List<Object> raw = ArrayText.parse(Wire.text(data), delim);
            if (element == null || element == TextAdapters.TEXT) {
                return raw;
            }
            return (List<Object>) convert(raw);
        }

        private Object convert(Object o) {
            if (o instanceof List<?> l) {
                List<Object> out = new ArrayList<>(l.size());
                for (Object e : l) {
                    out.add(convert(e));
                }
                return out;
            }
            return o == null ? null : element.load(ByteBuffer.wrap(((String) o).getBytes(StandardCharsets.UTF_8)));
        }

        private List<Object> binary(ByteBuffer data) {
            ByteBuffer b = data.slice();
            int ndim = b.getInt();
            b.getInt(); // has-nulls flag
            int oid = b.getInt();
            if (ndim < 0 || ndim > 6) {
                throw new DataException("a binary array has 0 to 6 dimensions, got " + ndim);
            }
            Loader<?> el = oid == elementOid ? element : adapters.loaderFor(oid, Format.BINARY);
            if (ndim == 0) {
                return new ArrayList<>();
            }
            int[] dims = new int[ndim];
            long elements = 1;
            for (int i = 0; i < ndim; i++) {
                dims[i] = b.getInt();
                b.getInt(); // lower bound
                elements *= Math.max(dims[i], 0);
                if (dims[i] < 0 || elements * 4 > b.remaining()) { // each element takes at least its length word
                    throw new DataException("a binary array claims dimensions " + Arrays.toString(
                            Arrays.copyOf(dims, i + 1)) + " but holds only " + b.remaining() + " bytes of elements");
                }
            }
            return readLevel(b, dims, 0, el);
        }

        private List<Object> readLevel(ByteBuffer b, int[] dims, int depth, Loader<?> el) {
            List<Object> out = new ArrayList<>(dims[depth]);
            for (int i = 0; i < dims[depth]; i++) {
                if (depth < dims.length - 1) {
                    out.add(readLevel(b, dims, depth + 1, el));
                    continue;
                }
                int len = b.getInt();
                if (len < 0) {
                    out.add(null);
                    continue;
                }
                ByteBuffer item = b.slice();
                item.limit(len);
                b.position(b.position() + len);
                out.add(el == null ? Wire.bytes(item) : el.load(item));
            }
            return out;
        }

        @Override
        public Format format() {
            return format;
        }
    }

    /** Registers loaders for {@code info}'s array type, element loaders found in the map used. */
    public static void registerArrayOf(AdaptersMap m, TypeInfo info) {
        if (info.arrayOid() == 0) {
            return;
        }
        for (Format f : Format.values()) {
            LoaderFactory lf = map -> new ArrayLoader(map, info.oid(), f, info.delimiter());
            m.registerLoaderFactory(info.arrayOid(), f, lf);
        }
    }

    static void register(AdaptersMap m) {
        Factory text = new Factory(Format.TEXT);
        Factory binary = new Factory(Format.BINARY);
        for (Class<?> c : CONTAINERS) {
            m.registerDumper(c, text);
            m.registerDumper(c, binary);
        }
    }
}
