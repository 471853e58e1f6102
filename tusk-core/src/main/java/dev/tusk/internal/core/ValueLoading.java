package dev.tusk.internal.core;

import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;
import dev.tusk.errors.TuskException;

import java.util.Locale;


/**
 * Runs a loader on one value from the server. Bytes a loader cannot read (a truncated binary value, a
 * malformed text one) end in a {@link DataException} naming the type, never in a raw
 * {@code BufferUnderflowException} or {@code NumberFormatException} from deep inside the loader.
 */
public final class ValueLoading {
    private ValueLoading() {
    }

    /** Loads the {@code length} bytes of {@code bytes} from {@code offset}, a value of type {@code typeOid}. */
    public static Object load(Loader<?> loader, byte[] bytes, int offset, int length, int typeOid) {
        try {
            return loader.load(bytes, offset, length);
        } catch (TuskException e) {
            throw e;
        } catch (RuntimeException e) {
            throw failed(loader, length, typeOid, e);
        }
    }

    private static DataException failed(Loader<?> loader, int length, int typeOid, RuntimeException e) {
        return new DataException("cannot load a " + length + "-byte " + loader.format().name().toLowerCase(Locale.ROOT)
                + " value of type oid " + typeOid + " with " + loader.getClass().getSimpleName() + ": " + e
                + " (the value does not match its type: a loader registered for the wrong type, or a server or proxy sending corrupt data)", e);
    }
}
