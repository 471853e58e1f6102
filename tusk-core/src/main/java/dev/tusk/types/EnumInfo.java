package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.TypeCatalog;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;

import java.nio.ByteBuffer;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Map;

/**
 * PostgreSQL enums ↔ Java enums, as psycopg's {@code EnumInfo} and {@code register_enum}.
 *
 * <p>Without registration an enum column loads as its label ({@code String}) once its type is
 * registered with {@link TypeInfo#register}, and any Java enum is dumped as its {@code name()} with no
 * type oid, so the server casts it. {@link #register} maps labels to constants both ways, by name or
 * through an explicit mapping, and gives dumped constants the enum's oid.
 *
 * <pre>{@code
 * enum Mood { SAD, OK, HAPPY }
 * conn.execute("CREATE TYPE mood AS ENUM ('SAD', 'OK', 'HAPPY')");
 * TypeInfo info = EnumInfo.fetch(conn, "mood");
 * EnumInfo.register(info, conn.adapters(), Mood.class);
 * Mood m = (Mood) conn.execute("SELECT 'HAPPY'::mood").fetchone().get(0);       // Mood.HAPPY
 * conn.execute("SELECT %s = 'OK'::mood", Mood.OK).fetchone().getBoolean(0);     // true
 * }</pre>
 */
public final class EnumInfo {
    private EnumInfo() {
    }

    /**
     * Fetches the enum type {@code name} from {@code conn}'s catalogue; {@code null} when there is no such type.
     * As {@link TypeInfo#fetch(TypeCatalog, String)}: a {@code TypeInfo} on a {@code Connection}, a
     * {@code CompletableFuture<TypeInfo>} on an {@code AsyncConnection} (which fails with the exception). Until
     * 0.1 this was two methods, for {@code Connection} and {@code AsyncConnection}; calls compile unchanged.
     *
     * @throws ProgrammingException when the type exists but is not an enum
     */
    public static <T> T fetch(TypeCatalog<T> conn, String name) {
        return conn.lookUpType(TypeInfo.lookup(name).then(info -> checked(info, name)));
    }

    private static TypeInfo checked(TypeInfo info, String name) {
        if (info != null && info.kind() != TypeInfo.Kind.ENUM) {
            throw new ProgrammingException("type \"" + name + "\" is a " + info.kind() + " type, not an enum");
        }
        return info;
    }

    /** Maps {@code info}'s labels to the constants of {@code enumClass} with the same name. */
    public static <E extends Enum<E>> void register(TypeInfo info, AdaptersMap adapters, Class<E> enumClass) {
        register(info, adapters, enumClass, Map.of());
    }

    /**
     * Maps {@code info}'s labels to the constants of {@code enumClass}: through {@code mapping} for the
     * constants it lists, by name for the others. Also registers the type itself (name, array).
     *
     * @throws ProgrammingException when a constant has no label on the server
     */
    public static <E extends Enum<E>> void register(TypeInfo info, AdaptersMap adapters, Class<E> enumClass,
                                                    Map<E, String> mapping) {
        if (info == null || info.kind() != TypeInfo.Kind.ENUM) {
            throw new ProgrammingException("EnumInfo.register needs an enum TypeInfo from EnumInfo.fetch, got " + info);
        }
        Map<E, String> toLabel = new EnumMap<>(enumClass);
        Map<String, E> toConstant = new HashMap<>();
        for (E e : enumClass.getEnumConstants()) {
            String label = mapping.getOrDefault(e, e.name());
            if (!info.labels().contains(label)) {
                throw new ProgrammingException("enum constant " + enumClass.getSimpleName() + "." + e.name()
                        + " maps to \"" + label + "\", which is not a label of " + info.name() + " " + info.labels()
                        + ": pass a mapping to EnumInfo.register");
            }
            toLabel.put(e, label);
            toConstant.put(label, e);
        }
        info.register(adapters);
        for (Format f : Format.values()) {
            adapters.registerLoader(info.oid(), new EnumLoader<>(info.name(), toConstant, f));
        }
        adapters.registerDumper(enumClass, Codecs.<E>dumper(info.oid(), Format.BINARY, e -> Wire.utf8(toLabel.get(e))));
        adapters.registerDumper(enumClass, Codecs.<E>dumper(info.oid(), Format.TEXT, e -> Wire.utf8(toLabel.get(e))));
    }

    /** Enum labels have the same bytes in text and binary. */
    private record EnumLoader<E>(String type, Map<String, E> constants, Format format) implements Loader<E> {
        @Override
        public E load(ByteBuffer data) {
            String label = Wire.text(data);
            E e = constants.get(label);
            if (e == null) {
                throw new DataException("label \"" + label + "\" of enum " + type
                        + " has no Java constant: add it, or map it in EnumInfo.register");
            }
            return e;
        }
    }

    /** Unregistered enums: labels as strings; Java enums dumped by name with no oid. */
    static void registerDefaults(AdaptersMap m) {
        m.registerDumper(Enum.class, Codecs.<Enum<?>>dumper(BuiltinTypes.TEXT, Format.BINARY, e -> Wire.utf8(e.name())));
        m.registerDumper(Enum.class, Codecs.<Enum<?>>textDumper(0, Enum::name));
    }

    /** The loaders {@link TypeInfo#register} adds for an enum: its labels as strings. */
    static void registerLabelLoaders(AdaptersMap m, TypeInfo info) {
        m.registerLoader(info.oid(), TextAdapters.TEXT);
        m.registerLoader(info.oid(), TextAdapters.BINARY);
    }
}
