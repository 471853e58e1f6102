package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import dev.tusk.internal.wire.Utf8;

import java.nio.ByteBuffer;

/**
 * json and jsonb ↔ {@code String} by default ({@link Json} and {@link Jsonb} dump with their type), or
 * through a {@link JsonMapper}. Binary json is the text; binary jsonb is a version byte (1) then the text.
 */
public final class JsonAdapters {
    private JsonAdapters() {
    }

    private static final byte JSONB_VERSION = 1;

    static String jsonbText(ByteBuffer b) {
        if (b.remaining() < 1 || b.get(b.position()) != JSONB_VERSION) {
            throw new DataException("unsupported binary jsonb version: "
                    + (b.remaining() < 1 ? "empty" : Integer.toString(b.get(b.position()))));
        }
        ByteBuffer rest = b.duplicate();
        rest.position(b.position() + 1);
        return Wire.text(rest);
    }

    static ByteBuffer jsonbBinary(String text) {
        byte[] t = Utf8.encode(TextAdapters.checkNoNul(text), "the JSON text");
        return ByteBuffer.allocate(t.length + 1).put(JSONB_VERSION).put(t).flip();
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.JSON, TextAdapters.TEXT);
        m.registerLoader(BuiltinTypes.JSON, TextAdapters.BINARY);
        m.registerLoader(BuiltinTypes.JSONB, TextAdapters.TEXT);
        m.registerLoader(BuiltinTypes.JSONB, Codecs.binaryLoader(JsonAdapters::jsonbText));
        m.registerDumper(Json.class, Codecs.<Json>textDumper(BuiltinTypes.JSON, Json::text));
        m.registerDumper(Json.class, Codecs.<Json>dumper(BuiltinTypes.JSON, Format.BINARY,
                j -> Wire.utf8(TextAdapters.checkNoNul(j.text()))));
        m.registerDumper(Jsonb.class, Codecs.<Jsonb>textDumper(BuiltinTypes.JSONB, Jsonb::text));
        m.registerDumper(Jsonb.class, Codecs.<Jsonb>dumper(BuiltinTypes.JSONB, Format.BINARY, j -> jsonbBinary(j.text())));
    }

    /**
     * On {@code adapters}: json and jsonb load as {@code mapper.parse(text)}, and values of
     * {@code dumpAsJsonb} classes dump as jsonb through {@code mapper.write}.
     */
    public static void useMapper(AdaptersMap adapters, JsonMapper mapper, Class<?>... dumpAsJsonb) {
        adapters.registerLoader(BuiltinTypes.JSON, Codecs.textLoader(mapper::parse));
        adapters.registerLoader(BuiltinTypes.JSON, Codecs.binaryLoader(b -> mapper.parse(Wire.text(b))));
        adapters.registerLoader(BuiltinTypes.JSONB, Codecs.textLoader(mapper::parse));
        adapters.registerLoader(BuiltinTypes.JSONB, Codecs.binaryLoader(b -> mapper.parse(jsonbText(b))));
        for (Class<?> c : dumpAsJsonb) {
            adapters.registerDumper(c, Codecs.<Object>textDumper(BuiltinTypes.JSONB, mapper::write));
            adapters.registerDumper(c, Codecs.<Object>dumper(BuiltinTypes.JSONB, Format.BINARY, v -> jsonbBinary(mapper.write(v))));
        }
    }
}
