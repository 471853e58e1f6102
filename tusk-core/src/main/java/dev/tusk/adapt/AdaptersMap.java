package dev.tusk.adapt;

import dev.tusk.errors.ProgrammingException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The registry of {@link Dumper}s and {@link Loader}s, layered global ({@code Tusk.adapters()}) →
 * connection → cursor, as psycopg's {@code AdaptersMap}.
 *
 * <p>A child starts as a snapshot of its parent and copies its tables on its first write, so a
 * registration never leaks upward or sideways; a registration on a parent reaches only children made
 * after it. {@code Tusk.adapters()}, and so every connection's map, knows every built-in type; a map
 * with the built-ins and nothing else comes from {@code dev.tusk.types.BuiltinAdapters.newMap()}.
 *
 * <p>Dumpers are chosen by the value's class: the registered class itself, else the nearest registered
 * superclass, else the first registered interface (breadth first from the class up), else
 * {@code Object}. A dumper registered for a class serves its format and also becomes the class's
 * automatic choice ({@code %s}): the last registration wins, as in psycopg. Lookups are cached per
 * class until the map changes.
 *
 * <pre>{@code
 * AdaptersMap adapters = conn.adapters();
 * adapters.registerDumper(Money.class, new MoneyDumper());      // this connection only
 * adapters.registerLoader("money", new MoneyLoader());          // by type name
 * Dumper<Object> d = adapters.dumperFor(List.of(1, 2), null);   // int4[] in binary
 * }</pre>
 */
public final class AdaptersMap implements AdaptContext {
    private static final int AUTO = 2;

    private final ReentrantLock writeLock = new ReentrantLock();
    /** Index 0: TEXT, 1: BINARY, 2: automatic choice. Never mutated once published. */
    private volatile Map<Class<?>, Dumper<?>>[] dumpers;
    /**
     * key(oid, format) → Loader or LoaderFactory, as this map's template saw them when this map was made: shared
     * with the template's other children, never mutated. {@link #loaders} wins over it.
     */
    private final Map<Long, Object> inherited;
    /**
     * key(oid, format) → Loader or LoaderFactory registered on this map (or on a template that had only a few of its
     * own). Never mutated once published. Kept apart from {@link #inherited} so that a registration on a child (a
     * connection's session time zone) copies only the child's few entries, not every built-in loader.
     */
    private volatile Map<Long, Object> loaders;
    /** {@link #inherited} and {@link #loaders} in one map, for children, at the {@link #version} it was made at. */
    private FlatLoaders flatLoaders;
    private volatile TypeRegistry types;
    /** What {@link TypeInfo#register} adds for a type, in registration order. Never mutated once published. */
    private volatile List<TypeAdapters> typeAdapters;

    private final ConcurrentHashMap<Class<?>, Dumper<?>>[] dumperCache = newDumperCaches();
    private final ConcurrentHashMap<Long, Loader<?>> loaderCache = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Object, Object> derivedCache = new ConcurrentHashMap<>();
    /** The loaders last chosen for a list of result columns (a prepared statement's, reused each execution). */
    private volatile ColumnLoaders lastColumnLoaders;
    /** Counts the registrations on this map: see {@link #version()}. */
    private volatile int version;

    private record ColumnLoaders(List<? extends ResultColumn> columns, Loader<?>[] loaders) {
    }

    private record FlatLoaders(int version, Map<Long, Object> loaders) {
    }

    /** A child shares its template's own loaders while there are at most this many, else a flattened copy. */
    private static final int SHARED_OWN_LOADERS_MAX = 16;

    /**
     * Adds the loaders and dumpers a type needs when {@link TypeInfo#register} makes a map know it (its array,
     * an enum's labels, a composite's fields...): registered on a map with {@link #registerTypeAdapters}.
     */
    @FunctionalInterface
    public interface TypeAdapters {
        void register(TypeInfo info, AdaptersMap adapters);
    }

    /**
     * A map with no adapters and no known types, as psycopg's {@code AdaptersMap()}: the same as
     * {@link #empty()}. Until 0.1 a new map knew every built-in type; for that, use
     * {@code dev.tusk.types.BuiltinAdapters.newMap()} (or {@code Tusk.adapters().child()}, which also sees the
     * application's global registrations).
     */
    public AdaptersMap() {
        this(null);
    }

    private AdaptersMap(AdaptersMap template) {
        if (template == null) {
            @SuppressWarnings("unchecked")
            Map<Class<?>, Dumper<?>>[] empty = new Map[] {Map.of(), Map.of(), Map.of()};
            this.dumpers = empty;
            this.inherited = Map.of();
            this.loaders = Map.of();
            this.types = TypeRegistry.empty();
            this.typeAdapters = List.of();
        } else {
            template.writeLock.lock();
            try {
                this.dumpers = template.dumpers;
                if (template.loaders.size() <= SHARED_OWN_LOADERS_MAX) {
                    this.inherited = template.inherited;
                    this.loaders = template.loaders;
                } else {
                    this.inherited = template.flatLoaders();
                    this.loaders = Map.of();
                }
                this.types = template.types;
                this.typeAdapters = template.typeAdapters;
            } finally {
                template.writeLock.unlock();
            }
        }
    }

    /** A map with no adapters and no known types at all: for building custom bases and for tests. */
    public static AdaptersMap empty() {
        return new AdaptersMap(null);
    }

    /** This map: an {@link AdaptersMap} is its own adaptation context, as in psycopg. */
    @Override
    public AdaptersMap adapters() {
        return this;
    }

    /** A new map layered over this one: it sees everything registered here so far, and writes only to itself. */
    public AdaptersMap child() {
        return new AdaptersMap(this);
    }

    /**
     * This map as it is now, for whatever must keep seeing it so, as psycopg's cursors copy their connection's map
     * when they are made: the supplier answers this map itself (no copy is made, its caches are shared) until this map
     * changes; the first registration after that copies the state it replaces, and the supplier answers that copy from
     * then on. A registration here made after the call is so never seen through it. Suppliers taken while nothing is
     * registered are one and the same object: the call allocates nothing.
     *
     * <pre>{@code
     * Supplier<AdaptersMap> atCursorCreation = conn.adapters().snapshot();
     * conn.adapters().registerLoader("text", upper);     // atCursorCreation.get() still loads text as it was
     * }</pre>
     */
    public Supplier<AdaptersMap> snapshot() {
        State s = state;
        if (!s.lent) {
            s.lent = true;
        }
        return s;
    }

    /** What {@link #snapshot()} hands out: this map's current state, or a copy of it once the map moved on. */
    private static final class State implements Supplier<AdaptersMap> {
        private final AdaptersMap map;
        /** Handed out by {@link #snapshot()}: the next registration must keep a copy of the state it replaces. */
        private volatile boolean lent;
        /** The map as it was before it changed, or null while it has not. */
        private volatile AdaptersMap frozen;

        State(AdaptersMap map) {
            this.map = map;
        }

        @Override
        public AdaptersMap get() {
            AdaptersMap f = frozen;
            return f != null ? f : map;
        }
    }

    /** The state {@link #snapshot()} hands out now; replaced by a registration only once it was handed out. */
    private volatile State state = new State(this);

    /** Before a registration, under writeLock: those holding the current state keep a copy of it. */
    private void freezeLentState() {
        State s = state;
        if (s.lent) {
            s.frozen = new AdaptersMap(this); // shares the tables as they are now; this map's next write replaces its own
            state = new State(this);
        }
    }

    /**
     * Uses {@code dumper} for values of {@code cls} and its subclasses (or implementations) in the
     * dumper's format, and as the automatic choice for them.
     */
    public void registerDumper(Class<?> cls, Dumper<?> dumper) {
        if (cls == null || dumper == null) {
            throw new ProgrammingException("registerDumper needs a class and a dumper, got " + cls + " and " + dumper);
        }
        writeLock.lock();
        try {
            freezeLentState();
            @SuppressWarnings("unchecked")
            Map<Class<?>, Dumper<?>>[] next = new Map[3];
            int f = dumper.format().code();
            for (int i = 0; i < 3; i++) {
                if (i == f || i == AUTO) {
                    Map<Class<?>, Dumper<?>> copy = new HashMap<>(dumpers[i]);
                    copy.put(cls, dumper);
                    next[i] = copy;
                } else {
                    next[i] = dumpers[i];
                }
            }
            dumpers = next;
            invalidate();
        } finally {
            writeLock.unlock();
        }
    }

    /** Uses {@code loader} for columns of type {@code oid} in the loader's format. */
    public void registerLoader(int oid, Loader<?> loader) {
        putLoader(oid, loader.format(), loader);
    }

    /**
     * Uses {@code loader} for columns of the type called {@code typeName}: a built-in type name or SQL
     * spelling, or a type registered with {@link TypeInfo#register}.
     *
     * @throws ProgrammingException when the name is unknown: fetch the type with {@link TypeInfo} first
     */
    public void registerLoader(String typeName, Loader<?> loader) {
        registerLoader(oidOf(typeName), loader);
    }

    /**
     * Uses a loader made by {@code factory} for columns of type {@code oid} in {@code format}; the factory
     * runs once per map (after each change), with the map the lookup happened in.
     */
    public void registerLoaderFactory(int oid, Format format, LoaderFactory factory) {
        putLoader(oid, format, factory);
    }

    /**
     * Makes this map know {@code info}'s name and oids, and nothing else: no loader or dumper is added.
     * {@link TypeInfo#register} calls it, then the {@link #registerTypeAdapters type adapters}.
     */
    public void registerType(TypeInfo info) {
        writeLock.lock();
        try {
            freezeLentState();
            types = types.with(info);
            invalidate();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * Runs {@code adapters} for every type {@link TypeInfo#register} registers from now on, on this map and on
     * the maps made from it later: how a family of adapters (the built-ins of {@code dev.tusk.types}) serves
     * the types fetched at run time. Hooks run in the order they were registered.
     */
    public void registerTypeAdapters(TypeAdapters adapters) {
        if (adapters == null) {
            throw new ProgrammingException("registerTypeAdapters needs the adapters to run, got null");
        }
        writeLock.lock();
        try {
            List<TypeAdapters> next = new ArrayList<>(typeAdapters);
            next.add(adapters);
            typeAdapters = List.copyOf(next);
        } finally {
            writeLock.unlock();
        }
    }

    /** {@link TypeInfo#register}: the type's name and oids, then what the type adapters add for it. */
    void registerTypeWithAdapters(TypeInfo info) {
        registerType(info);
        for (TypeAdapters a : typeAdapters) {
            a.register(info, this);
        }
    }

    /** The type names and oids this map knows. */
    public TypeRegistry types() {
        return types;
    }

    /**
     * The oid of the type called {@code typeName}.
     *
     * @throws ProgrammingException when the name is unknown
     */
    public int oidOf(String typeName) {
        TypeInfo t = types.get(typeName);
        if (t == null) {
            throw new ProgrammingException("unknown type \"" + typeName
                    + "\": fetch it with TypeInfo.fetch(conn, name) and register it on these adapters first");
        }
        return t.oid();
    }

    /**
     * The dumper for {@code value}, in {@code format} ({@code null}: the adapters choose, psycopg's
     * {@code %s}). Containers are upgraded to the dumper of their element type's array.
     *
     * @throws ProgrammingException when no dumper handles the value's class in that format
     */
    @SuppressWarnings("unchecked")
    public Dumper<Object> dumperFor(Object value, Format format) {
        Dumper<?> d = dumperForClass(value.getClass(), format);
        if (d == null) {
            ProgrammingException e = cannotAdapt(value.getClass(), format);
            if (dumpers[AUTO].isEmpty()) { // e.g. new AdaptersMap(), which knew the built-ins until 0.1
                e = new ProgrammingException(e.getMessage() + "; this map has no adapters at all: for one with the"
                        + " built-in types use dev.tusk.types.BuiltinAdapters.newMap() or Tusk.adapters().child()");
            }
            throw e;
        }
        if (d instanceof DumperFactory f) {
            return f.upgrade(value, format, this);
        }
        return (Dumper<Object>) d;
    }

    /**
     * The dumper registered for {@code cls} or its nearest registered supertype in {@code format}
     * ({@code null}: the automatic choice), not upgraded; {@code null} when there is none.
     */
    public Dumper<?> dumperForClass(Class<?> cls, Format format) {
        int idx = format == null ? AUTO : format.code();
        LastDumper last = lastDumper;
        if (last != null && last.cls() == cls && last.format() == idx) { // parameters of one type, over and over
            return last.dumper();
        }
        ConcurrentHashMap<Class<?>, Dumper<?>> cache = dumperCache[idx];
        Dumper<?> d = cache.get(cls);
        if (d == null) {
            d = resolve(dumpers[idx], cls);
            if (d == null) {
                return null;
            }
            cache.putIfAbsent(cls, d);
        }
        lastDumper = new LastDumper(cls, idx, d);
        return d;
    }

    private record LastDumper(Class<?> cls, int format, Dumper<?> dumper) {
    }

    /** The dumper last found; forgotten with the caches when a registration changes them. */
    private volatile LastDumper lastDumper;

    /** The exception for a class no dumper handles. */
    public static ProgrammingException cannotAdapt(Class<?> cls, Format format) {
        String how = format == null ? "%s" : format == Format.TEXT ? "%t" : "%b";
        return new ProgrammingException("cannot adapt type " + cls.getName() + " using placeholder '" + how
                + "': register a Dumper for it with adapters().registerDumper(" + cls.getSimpleName() + ".class, ...)"
                + (format == null ? "" : " or use another placeholder"));
    }

    /**
     * The loader of each of {@code columns} (null where none is registered), as {@link #loaderFor}; the array
     * is shared with later calls for the same list and must not be modified.
     */
    public Loader<?>[] loadersFor(List<? extends ResultColumn> columns) {
        ColumnLoaders last = lastColumnLoaders;
        if (last != null && last.columns() == columns) {
            return last.loaders();
        }
        Loader<?>[] out = new Loader<?>[columns.size()];
        for (int i = 0; i < out.length; i++) {
            ResultColumn c = columns.get(i);
            out[i] = loaderFor(c.typeOid(), Format.ofCode(c.wireFormatCode()));
        }
        lastColumnLoaders = new ColumnLoaders(columns, out);
        return out;
    }

    /** The loader for a column of type {@code oid} in {@code format}, or {@code null} if none is registered. */
    public Loader<?> loaderFor(int oid, Format format) {
        long key = key(oid, format);
        Loader<?> l = loaderCache.get(key);
        if (l != null) {
            return l;
        }
        Object entry = loaders.get(key);
        if (entry == null) {
            entry = inherited.get(key);
        }
        if (entry == null) {
            return null;
        }
        l = entry instanceof LoaderFactory f ? f.create(this) : (Loader<?>) entry;
        if (l != null) {
            loaderCache.putIfAbsent(key, l);
        }
        return l;
    }

    /**
     * A value derived from this map's adapters (e.g. an array dumper for an element dumper), computed once
     * per key until the map changes. For container adapters; {@code compute} must not return null.
     */
    @SuppressWarnings("unchecked")
    public <K, V> V derived(K key, Function<K, V> compute) {
        Object v = derivedCache.get(key);
        if (v == null) {
            v = compute.apply(key);
            Object prev = derivedCache.putIfAbsent(key, v);
            if (prev != null) {
                v = prev;
            }
        }
        return (V) v;
    }

    /** {@link #inherited} with {@link #loaders} over it, made once per version and shared by the children. Under writeLock. */
    private Map<Long, Object> flatLoaders() {
        FlatLoaders f = flatLoaders;
        if (f == null || f.version() != version) {
            Map<Long, Object> m = new HashMap<>(inherited);
            m.putAll(loaders);
            f = new FlatLoaders(version, m);
            flatLoaders = f;
        }
        return f.loaders();
    }

    private void putLoader(int oid, Format format, Object loaderOrFactory) {
        if (loaderOrFactory == null || format == null) {
            throw new ProgrammingException("a loader and its format are required");
        }
        writeLock.lock();
        try {
            freezeLentState();
            Map<Long, Object> copy = new HashMap<>(loaders);
            copy.put(key(oid, format), loaderOrFactory);
            loaders = copy;
            invalidate();
        } finally {
            writeLock.unlock();
        }
    }

    /**
     * A number that changes with every registration on this map (loaders, dumpers, types): what the driver
     * keeps beside a choice derived from the map (a prepared statement's result formats) to know it still holds.
     */
    public int version() {
        return version;
    }

    private void invalidate() {
        version++; // under writeLock
        for (ConcurrentHashMap<Class<?>, Dumper<?>> c : dumperCache) {
            c.clear();
        }
        loaderCache.clear();
        derivedCache.clear();
        lastColumnLoaders = null;
        lastDumper = null;
    }

    private static Dumper<?> resolve(Map<Class<?>, Dumper<?>> table, Class<?> cls) {
        if (table.isEmpty()) {
            return null;
        }
        for (Class<?> c = cls; c != null && c != Object.class; c = c.getSuperclass()) {
            Dumper<?> d = table.get(c);
            if (d != null) {
                return d;
            }
        }
        if (cls.isArray() && !cls.getComponentType().isPrimitive()) {
            Dumper<?> d = table.get(Object[].class);
            if (d != null) {
                return d;
            }
        }
        for (Class<?> i : interfacesBreadthFirst(cls)) {
            Dumper<?> d = table.get(i);
            if (d != null) {
                return d;
            }
        }
        return table.get(Object.class);
    }

    private static List<Class<?>> interfacesBreadthFirst(Class<?> cls) {
        List<Class<?>> out = new ArrayList<>();
        Set<Class<?>> seen = new HashSet<>();
        ArrayDeque<Class<?>> queue = new ArrayDeque<>();
        for (Class<?> c = cls; c != null; c = c.getSuperclass()) {
            for (Class<?> i : c.getInterfaces()) {
                queue.add(i);
            }
        }
        while (!queue.isEmpty()) {
            Class<?> i = queue.poll();
            if (seen.add(i)) {
                out.add(i);
                for (Class<?> s : i.getInterfaces()) {
                    queue.add(s);
                }
            }
        }
        return out;
    }

    private static long key(int oid, Format format) {
        return ((oid & 0xFFFFFFFFL) << 1) | format.code();
    }

    @SuppressWarnings("unchecked")
    private static ConcurrentHashMap<Class<?>, Dumper<?>>[] newDumperCaches() {
        return new ConcurrentHashMap[] {new ConcurrentHashMap<>(), new ConcurrentHashMap<>(), new ConcurrentHashMap<>()};
    }
}
