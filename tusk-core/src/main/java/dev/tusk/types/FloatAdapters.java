package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;

import java.nio.ByteBuffer;

/**
 * float4 ↔ {@code Float}, float8 ↔ {@code Double}, NaN and ±Infinity included (text "NaN", "Infinity",
 * "-Infinity"; binary IEEE 754 big-endian as float4send/float8send).
 */
public final class FloatAdapters {
    private FloatAdapters() {
    }

    private abstract static class FloatLoader<T extends Number> implements Loader<T> {
        private final Format format;

        FloatLoader(Format format) {
            this.format = format;
        }

        @Override
        public Format format() {
            return format;
        }

        @Override
        public float loadFloat(ByteBuffer data) {
            return (float) loadDouble(data);
        }
    }

    static double parse(ByteBuffer data, String type) {
        String s = Wire.text(data);
        try {
            return Double.parseDouble(s);
        } catch (NumberFormatException e) {
            throw Wire.bad(type, s, e);
        }
    }

    static final Loader<Float> FLOAT4_TEXT = new FloatLoader<>(Format.TEXT) {
        @Override
        public Float load(ByteBuffer data) {
            return loadFloat(data);
        }

        @Override
        public float loadFloat(ByteBuffer data) {
            String s = Wire.text(data);
            try {
                return Float.parseFloat(s);
            } catch (NumberFormatException e) {
                throw Wire.bad("float4", s, e);
            }
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            return loadFloat(data);
        }
    };

    static final Loader<Double> FLOAT8_TEXT = new FloatLoader<>(Format.TEXT) {
        @Override
        public Double load(ByteBuffer data) {
            return loadDouble(data);
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            return parse(data, "float8");
        }
    };

    static final Loader<Float> FLOAT4_BINARY = new FloatLoader<>(Format.BINARY) {
        @Override
        public Float load(ByteBuffer data) {
            return loadFloat(data);
        }

        @Override
        public float loadFloat(ByteBuffer data) {
            Wire.expectLength(data, 4, "float4");
            return data.getFloat(data.position());
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            return loadFloat(data);
        }
    };

    static final Loader<Double> FLOAT8_BINARY = new FloatLoader<>(Format.BINARY) {
        @Override
        public Double load(ByteBuffer data) {
            return loadDouble(data);
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            Wire.expectLength(data, 8, "float8");
            return data.getDouble(data.position());
        }
    };

    /** Java's spelling of special values is PostgreSQL's; finite values use Java's shortest round-trip form. */
    static String text(double d) {
        return Double.toString(d);
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.FLOAT4, FLOAT4_TEXT);
        m.registerLoader(BuiltinTypes.FLOAT8, FLOAT8_TEXT);
        m.registerLoader(BuiltinTypes.FLOAT4, FLOAT4_BINARY);
        m.registerLoader(BuiltinTypes.FLOAT8, FLOAT8_BINARY);
        m.registerDumper(Float.class, Codecs.<Float>textDumper(BuiltinTypes.FLOAT4, f -> Float.toString(f)));
        m.registerDumper(Float.class, DirectDumpers.<Float>binary(BuiltinTypes.FLOAT4, 4, Float::floatToRawIntBits));
        m.registerDumper(Double.class, Codecs.<Double>textDumper(BuiltinTypes.FLOAT8, FloatAdapters::text));
        m.registerDumper(Double.class, DirectDumpers.<Double>binary(BuiltinTypes.FLOAT8, 8, Double::doubleToRawLongBits));
    }
}
