package dev.tusk.internal.core;

import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;
import dev.tusk.errors.TuskException;

import java.nio.ByteBuffer;

/**
 * Runs a loader on one value from the server. Bytes a loader cannot read (a truncated binary value, a
 * malformed text one) end in a {@link DataException} naming the type, never in a raw
 * {@code BufferUnderflowException} or {@code NumberFormatException} from deep inside the loader.
 */
public final class ValueLoading {
    private ValueLoading() {
    }

    public static Object load(Loader<?> loader, ByteBuffer value, int typeOid) {
        int length = value.remaining();
        try {
            return loader.load(value);
        } catch (TuskException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new DataException("cannot load a " + length + "-byte " + loader.format().name().toLowerCase(java.util.Locale.ROOT)
                    + " value of type oid " + typeOid + " with " + loader.getClass().getSimpleName() + ": " + e
                    + " (the value does not match its type: a loader registered for the wrong type, or a server or proxy sending corrupt data)", e);
        }
    }
}
