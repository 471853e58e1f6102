package dev.tusk;

import dev.tusk.adapt.AdaptersMap;

/**
 * Process-wide entry points of the driver.
 *
 * <pre>{@code
 * Tusk.adapters().registerDumper(MyId.class, new MyIdDumper()); // every connection made after this sees it
 * }</pre>
 */
public final class Tusk {
    private static final AdaptersMap GLOBAL = new AdaptersMap();

    private Tusk() {
    }

    /** The global adapters map: the parent of every connection's map. */
    public static AdaptersMap adapters() {
        return GLOBAL;
    }
}
