package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeInfo;

/**
 * Every built-in type's loaders and dumpers, and the maps that start from them: the global map
 * ({@code Tusk.adapters()}, the parent of every connection's map) and {@link #newMap()} for code that
 * dumps or loads without a connection. As psycopg's {@code postgres.adapters}, the built-ins are put together
 * here, above {@code dev.tusk.adapt}, which knows no particular type.
 */
public final class BuiltinAdapters {
    /** The built-ins and nothing else: never handed out, only layered over. */
    private static final AdaptersMap BASE = build();
    private static final AdaptersMap GLOBAL = BASE.child();

    private BuiltinAdapters() {
    }

    /** A new map with every built-in adapter, independent of the global one and of any connection. */
    public static AdaptersMap newMap() {
        return BASE.child();
    }

    /**
     * The global map: the built-ins and what the application registers on it. Applications reach it as
     * {@code Tusk.adapters()}; this is the same map, for the packages below {@code dev.tusk} (e.g.
     * {@code dev.tusk.sql} renders literals with it when no connection is given).
     */
    public static AdaptersMap global() {
        return GLOBAL;
    }

    /**
     * Adds the built-in types, their loaders, dumpers and array adapters to {@code m}, and makes
     * {@link TypeInfo#register} on {@code m} (and on the maps made from it) add the adapters of a fetched
     * type's kind ({@link TypeInfoAdapters}).
     */
    public static void registerAll(AdaptersMap m) {
        BuiltinTypes.registerAll(m);
        TextAdapters.register(m);
        BoolAdapters.register(m);
        IntegerAdapters.register(m);
        FloatAdapters.register(m);
        NumericAdapters.register(m);
        ByteaAdapters.register(m);
        UuidAdapters.register(m);
        DateTimeAdapters.register(m);
        ExtraAdapters.register(m);
        ArrayAdapters.register(m);
        for (int oid : BuiltinTypes.ALL_OIDS) {
            TypeInfo t = m.types().get(oid);
            if (t != null) {
                ArrayAdapters.registerArrayOf(m, t);
            }
        }
        m.registerTypeAdapters(TypeInfoAdapters::register);
    }

    private static AdaptersMap build() {
        AdaptersMap base = AdaptersMap.empty();
        registerAll(base);
        return base;
    }
}
