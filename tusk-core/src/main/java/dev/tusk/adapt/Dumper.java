package dev.tusk.adapt;

import java.nio.ByteBuffer;

/**
 * Turns a Java object into the wire bytes of a PostgreSQL value.
 *
 * <pre>{@code
 * record Point(double x, double y) {}
 * conn.adapters().registerDumper(Point.class, new Dumper<Point>() {
 *     public ByteBuffer dump(Point p) { return StandardCharsets.UTF_8.encode("(" + p.x() + "," + p.y() + ")"); }
 *     public int oid() { return 600; } // point
 *     public Format format() { return Format.TEXT; }
 * });
 * }</pre>
 *
 * @param <T> the Java type consumed
 */
public interface Dumper<T> {
    /** The value's bytes between the returned buffer's position and limit. Never called for null. */
    ByteBuffer dump(T value);

    /** The type oid sent with the parameter; 0 lets the server infer the type. */
    int oid();

    Format format();
}
