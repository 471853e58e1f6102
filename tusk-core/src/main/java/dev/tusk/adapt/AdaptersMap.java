package dev.tusk.adapt;

import dev.tusk.errors.ProgrammingException;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * The registry of {@link Dumper}s and {@link Loader}s, layered global ({@code Tusk.adapters()}) →
 * connection → cursor. A child starts as a view of its parent and copies on its first write, so a
 * registration never leaks upward or sideways.
 *
 * <p>SKELETON: the types issue replaces the body with the full layered, copy-on-write registry.
 */
public final class AdaptersMap {
    private final AdaptersMap parent;
    private final Map<Class<?>, Dumper<?>> dumpers = new HashMap<>();
    private final Map<Long, Loader<?>> loaders = new HashMap<>();

    public AdaptersMap() {
        this(null);
    }

    private AdaptersMap(AdaptersMap parent) {
        this.parent = parent;
    }

    /** A new map layered over this one. */
    public AdaptersMap child() {
        return new AdaptersMap(this);
    }

    public void registerDumper(Class<?> cls, Dumper<?> dumper) {
        dumpers.put(cls, dumper);
    }

    public void registerLoader(int oid, Loader<?> loader) {
        loaders.put(key(oid, loader.format()), loader);
    }

    public void registerLoader(String typeName, Loader<?> loader) {
        throw new ProgrammingException("registering a loader by type name is not supported yet");
    }

    /**
     * The dumper for {@code value}, in {@code format} ({@code null}: the adapters choose).
     *
     * @throws ProgrammingException when no dumper handles the value's class
     */
    @SuppressWarnings("unchecked")
    public Dumper<Object> dumperFor(Object value, Format format) {
        for (AdaptersMap m = this; m != null; m = m.parent) {
            for (Class<?> c = value.getClass(); c != null; c = c.getSuperclass()) {
                Dumper<?> d = m.dumpers.get(c);
                if (d != null && (format == null || d.format() == format)) {
                    return (Dumper<Object>) d;
                }
            }
        }
        if (format != Format.BINARY) {
            return (Dumper<Object>) (Dumper<?>) TO_STRING;
        }
        throw new ProgrammingException("cannot adapt " + value.getClass().getName() + " to PostgreSQL in " + format);
    }

    /** The loader for a column of type {@code oid} in {@code format}, or {@code null} if none is registered. */
    public Loader<?> loaderFor(int oid, Format format) {
        for (AdaptersMap m = this; m != null; m = m.parent) {
            Loader<?> l = m.loaders.get(key(oid, format));
            if (l != null) {
                return l;
            }
        }
        return null;
    }

    private static long key(int oid, Format format) {
        return ((long) oid << 1) | format.code();
    }

    private static final Dumper<Object> TO_STRING = new Dumper<>() {
        @Override
        public ByteBuffer dump(Object value) {
            return ByteBuffer.wrap(value.toString().getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public int oid() {
            return 0;
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };
}
