package dev.tusk.observe;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Listeners for every connection and pool made from now on, beside those of their options. Registering or
 * removing one does not change the connections that already exist (each takes the list when it connects).
 */
public final class TuskListeners {
    private static final CopyOnWriteArrayList<TuskListener> GLOBAL = new CopyOnWriteArrayList<>();

    private TuskListeners() {
    }

    /** Adds {@code listener} for the connections and pools made from now on (once, however often it is added). */
    public static void register(TuskListener listener) {
        GLOBAL.addIfAbsent(Objects.requireNonNull(listener, "listener"));
    }

    /** Removes {@code listener}; returns whether it was registered. */
    public static boolean unregister(TuskListener listener) {
        return GLOBAL.remove(listener);
    }

    /** The listeners registered now, in order. */
    public static List<TuskListener> registered() {
        return List.copyOf(GLOBAL);
    }
}
