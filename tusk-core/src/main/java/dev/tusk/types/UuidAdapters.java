package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;

import java.nio.ByteBuffer;
import java.util.UUID;

/** uuid ↔ {@code java.util.UUID}: text in the canonical 8-4-4-4-12 form, binary 16 bytes (uuid_send). */
public final class UuidAdapters {
    private UuidAdapters() {
    }

    static UUID parse(String s) {
        try {
            if (s.length() == 36) {
                return UUID.fromString(s);
            }
            // uuid_in also accepts no hyphens, braces, and hyphens after any group of four digits
            String hex = s.replace("-", "").replace("{", "").replace("}", "");
            if (hex.length() != 32) {
                throw Wire.bad("uuid", s);
            }
            return new UUID(Long.parseUnsignedLong(hex.substring(0, 16), 16), Long.parseUnsignedLong(hex.substring(16), 16));
        } catch (IllegalArgumentException e) {
            throw Wire.bad("uuid", s, e);
        }
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.UUID, Codecs.textLoader(UuidAdapters::parse));
        m.registerLoader(BuiltinTypes.UUID, Codecs.binaryLoader(b -> {
            Wire.expectLength(b, 16, "uuid");
            return new UUID(b.getLong(b.position()), b.getLong(b.position() + 8));
        }));
        m.registerDumper(UUID.class, DirectDumpers.UUID_TEXT);
        m.registerDumper(UUID.class, DirectDumpers.UUID_BINARY);
    }
}
