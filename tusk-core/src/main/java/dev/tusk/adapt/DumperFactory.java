package dev.tusk.adapt;

import java.nio.ByteBuffer;

/**
 * A {@link Dumper} whose final form depends on the value: containers (lists, Java arrays) pick their
 * array type oid from their elements, as psycopg's {@code Dumper.upgrade}. {@link AdaptersMap#dumperFor}
 * calls {@link #upgrade} and hands the result to the protocol core.
 *
 * <pre>{@code
 * Dumper<Object> d = Tusk.adapters().dumperFor(List.of(1, 2), null); // an int4[] dumper
 * }</pre>
 */
public interface DumperFactory extends Dumper<Object> {
    /**
     * The dumper to use for {@code value}.
     *
     * @param format the requested format, or {@code null} to let the adapters choose
     * @param adapters the map the lookup started from, for element dumpers
     */
    Dumper<Object> upgrade(Object value, Format format, AdaptersMap adapters);

    @Override
    default ByteBuffer dump(Object value) {
        throw new IllegalStateException("a DumperFactory must be upgraded before dumping");
    }
}
