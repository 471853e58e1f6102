package dev.tusk.types;

import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Loaders and dumpers from functions, for the many types whose codec is one expression.
 *
 * <pre>{@code
 * adapters.registerLoader("money", Codecs.textLoader(s -> s));
 * adapters.registerDumper(Year.class, Codecs.textDumper(BuiltinTypes.INT4, y -> Integer.toString(y.getValue())));
 * }</pre>
 */
public final class Codecs {
    private Codecs() {
    }

    /** A text-format loader that parses the value's UTF-8 text. */
    public static <T> Loader<T> textLoader(Function<String, T> parse) {
        return new InPlaceLoader<>() {
            @Override
            public T load(byte[] a, int off, int len) {
                return parse.apply(new String(a, off, len, StandardCharsets.UTF_8));
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        };
    }

    /** A binary-format loader; {@code read} gets the buffer with the value between position and limit. */
    public static <T> Loader<T> binaryLoader(Function<ByteBuffer, T> read) {
        return new Loader<>() {
            @Override
            public T load(ByteBuffer data) {
                return read.apply(data);
            }

            @Override
            public Format format() {
                return Format.BINARY;
            }
        };
    }

    /** A text-format dumper with type {@code oid} (0: let the server infer it). */
    public static <T> Dumper<T> textDumper(int oid, Function<T, String> format) {
        return dumper(oid, Format.TEXT, v -> Wire.utf8(TextAdapters.checkNoNul(format.apply(v))));
    }

    /** A dumper in any format. */
    public static <T> Dumper<T> dumper(int oid, Format format, Function<T, ByteBuffer> dump) {
        return new TypedDumper<>(oid, format) {
            @Override
            public ByteBuffer dump(T value) {
                return dump.apply(value);
            }
        };
    }
}
