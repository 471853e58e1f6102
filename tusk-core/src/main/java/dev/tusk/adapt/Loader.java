package dev.tusk.adapt;

import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;

/**
 * Turns the wire bytes of one PostgreSQL value into a Java object.
 *
 * <p>The bytes are those between the buffer's position and limit; the buffer is valid only during the
 * call and must not be kept. A loader is never called for SQL NULL.
 *
 * <p>Loaders of numbers and booleans also override the primitive methods ({@link #loadInt},
 * {@link #loadLong}, {@link #loadDouble}, ...), which typed row getters call so that no boxed value is
 * created. The defaults go through {@link #load} and unbox, so any loader works with any getter.
 *
 * <pre>{@code
 * // load the 'money' type as a plain string, on one connection only
 * conn.adapters().registerLoader("money", new Loader<String>() {
 *     public String load(ByteBuffer data) { return StandardCharsets.UTF_8.decode(data).toString(); }
 *     public Format format() { return Format.TEXT; }
 * });
 * }</pre>
 *
 * @param <T> the Java type produced
 */
public interface Loader<T> {
    T load(ByteBuffer data);

    /**
     * The value read from {@code length} bytes of {@code bytes} starting at {@code offset}: rows call this
     * one, with the bytes as received (not to be kept or changed). The default wraps them for
     * {@link #load(ByteBuffer)}; the built-in loaders read them in place, so no buffer is made per value.
     */
    default T load(byte[] bytes, int offset, int length) {
        return load(ByteBuffer.wrap(bytes, offset, length));
    }

    /** The format this loader reads. */
    Format format();

    /** The value as an {@code int}; loaders of integer types override it to avoid boxing. */
    default int loadInt(ByteBuffer data) {
        return Conversions.toNumber(load(data), "int").intValue();
    }

    /** The value as a {@code long}; loaders of integer types override it to avoid boxing. */
    default long loadLong(ByteBuffer data) {
        return Conversions.toNumber(load(data), "long").longValue();
    }

    /** The value as a {@code short}. */
    default short loadShort(ByteBuffer data) {
        return Conversions.toNumber(load(data), "short").shortValue();
    }

    /** The value as a {@code double}; loaders of float types override it to avoid boxing. */
    default double loadDouble(ByteBuffer data) {
        return Conversions.toNumber(load(data), "double").doubleValue();
    }

    /** The value as a {@code float}. */
    default float loadFloat(ByteBuffer data) {
        return Conversions.toNumber(load(data), "float").floatValue();
    }

    /** The value as a {@code boolean}; the bool loaders override it to avoid boxing. */
    default boolean loadBoolean(ByteBuffer data) {
        Object v = load(data);
        if (v instanceof Boolean b) {
            return b;
        }
        throw new DataException("cannot read a " + Conversions.describe(v) + " as a boolean");
    }
}
