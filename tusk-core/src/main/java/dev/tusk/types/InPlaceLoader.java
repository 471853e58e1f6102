package dev.tusk.types;

import dev.tusk.adapt.Loader;

import java.nio.ByteBuffer;

/**
 * A loader that reads a value where it lies in the received bytes: rows call
 * {@link #load(byte[], int, int)} with no buffer made per value, and {@link #load(ByteBuffer)} hands it
 * the same bytes. An implementation checks the length before it reads: the bytes after the value belong
 * to the next one.
 */
abstract class InPlaceLoader<T> implements Loader<T> {
    @Override
    public final T load(ByteBuffer data) {
        if (data.hasArray()) {
            return load(data.array(), data.arrayOffset() + data.position(), data.remaining());
        }
        byte[] copy = Wire.bytes(data);
        return load(copy, 0, copy.length);
    }

    @Override
    public abstract T load(byte[] bytes, int offset, int length);
}
