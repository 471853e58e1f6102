package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;

/** bool ↔ {@code Boolean}: text 't'/'f', binary one byte 0/1 (boolsend). */
public final class BoolAdapters {
    private BoolAdapters() {
    }

    static final Loader<Boolean> TEXT = new Loader<>() {
        @Override
        public Boolean load(ByteBuffer data) {
            return loadBoolean(data);
        }

        @Override
        public boolean loadBoolean(ByteBuffer data) {
            if (data.remaining() == 1) {
                byte b = data.get(data.position());
                if (b == 't') {
                    return true;
                }
                if (b == 'f') {
                    return false;
                }
            }
            throw Wire.bad("bool", Wire.text(data));
        }

        @Override
        public Format format() {
            return Format.TEXT;
        }
    };

    static final Loader<Boolean> BINARY = new Loader<>() {
        @Override
        public Boolean load(ByteBuffer data) {
            return loadBoolean(data);
        }

        @Override
        public boolean loadBoolean(ByteBuffer data) {
            if (data.remaining() != 1) {
                throw new DataException("a binary bool has 1 byte, got " + data.remaining());
            }
            return data.get(data.position()) != 0;
        }

        @Override
        public Format format() {
            return Format.BINARY;
        }
    };


    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.BOOL, TEXT);
        m.registerLoader(BuiltinTypes.BOOL, BINARY);
        m.registerDumper(Boolean.class, DirectDumpers.bool(Format.TEXT));
        m.registerDumper(Boolean.class, DirectDumpers.bool(Format.BINARY));
    }
}
