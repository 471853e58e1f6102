package dev.tusk.jdbc.internal;

import dev.tusk.Tusk;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.DumperFactory;
import dev.tusk.adapt.Format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * A parameter whose type oid the JDBC call decided ({@code setNull(i, Types.INTEGER)}, {@code setObject(i, "42",
 * Types.INTEGER)}, a {@code java.sql.Timestamp} sent untyped as pgjdbc does): its text, or null for SQL NULL, sent
 * with that oid (0: the server infers the type).
 */
public record TypedParam(int oid, String text) {
    /** SQL NULL of the type {@code oid}. */
    public static TypedParam nullOf(int oid) {
        return new TypedParam(oid, null);
    }

    /**
     * Makes Tusk's global adapters able to send TypedParams: every connection made from then on starts from them, so
     * a pooled connection needs no registration of its own (which would give each lease a map of its own). Run by
     * the classes that make JDBC connections before they make one.
     */
    public static void registerGlobally() {
        register(Tusk.adapters());
    }

    /** Makes {@code adapters} able to send TypedParams (once per map). */
    public static void register(AdaptersMap adapters) {
        if (!registeredOn(adapters)) {
            adapters.registerDumper(TypedParam.class, new Factory());
        }
    }

    /** Whether {@code adapters} can send TypedParams already. */
    static boolean registeredOn(AdaptersMap adapters) {
        return adapters.dumperForClass(TypedParam.class, null) instanceof Factory;
    }

    private static final class Factory implements DumperFactory {
        @Override
        public Dumper<Object> upgrade(Object value, Format format, AdaptersMap adapters) {
            TypedParam p = (TypedParam) value;
            return new Dumper<>() {
                @Override
                public ByteBuffer dump(Object v) {
                    String t = ((TypedParam) v).text;
                    return t == null ? null : ByteBuffer.wrap(t.getBytes(StandardCharsets.UTF_8));
                }

                @Override
                public int oid() {
                    return p.oid;
                }

                @Override
                public Format format() {
                    return Format.TEXT;
                }
            };
        }

        @Override
        public int oid() {
            return 0;
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    }
}
