package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.types.BuiltinAdapters;

/**
 * Process-wide entry points of the driver.
 *
 * <pre>{@code
 * Tusk.adapters().registerDumper(MyId.class, new MyIdDumper()); // every connection made after this sees it
 * }</pre>
 */
public final class Tusk {
    private Tusk() {
    }

    /** The global adapters map: the built-ins, and the parent of every connection's map. */
    public static AdaptersMap adapters() {
        return BuiltinAdapters.global();
    }
}
