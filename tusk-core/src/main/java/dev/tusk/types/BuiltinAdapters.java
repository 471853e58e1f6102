package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.TypeInfo;

/**
 * Registers every built-in type's loaders and dumpers; {@code new AdaptersMap()} and
 * {@code Tusk.adapters()} start from a map built by {@link #registerAll}.
 */
public final class BuiltinAdapters {
    private BuiltinAdapters() {
    }

    /** Adds the built-in types, their loaders, dumpers and array adapters to {@code m}. */
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
    }
}
