package dev.tusk.adapt;

import java.nio.ByteBuffer;

/**
 * Turns the wire bytes of one PostgreSQL value into a Java object.
 *
 * <p>The bytes are those between the buffer's position and limit; the buffer is valid only during the
 * call and must not be kept. A loader is never called for SQL NULL.
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

    /** The format this loader reads. */
    Format format();
}
