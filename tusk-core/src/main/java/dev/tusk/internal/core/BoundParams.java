package dev.tusk.internal.core;

import java.nio.ByteBuffer;

/**
 * Parameters ready for Bind: one type oid, format code and value (null for SQL NULL) per parameter.
 */
public record BoundParams(int[] oids, int[] formats, ByteBuffer[] values) {
    public static final BoundParams NONE = new BoundParams(new int[0], new int[0], new ByteBuffer[0]);

    public int size() {
        return oids.length;
    }
}
