package dev.tusk;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connection's notify handlers, the same for {@link Connection} and {@link AsyncConnection}: every notification
 * goes to each of them; a failing one is logged and does not stop the others.
 */
final class NotifyHandlers {
    private static final System.Logger LOG = System.getLogger("dev.tusk.notify");

    private final List<Consumer<Notify>> handlers = new CopyOnWriteArrayList<>();

    boolean isEmpty() {
        return handlers.isEmpty();
    }

    void add(Consumer<Notify> h) {
        handlers.add(h);
    }

    /** Removes {@code h}; one that is not registered is refused, as psycopg's list.remove raises ValueError. */
    void remove(Consumer<Notify> h) {
        if (!handlers.remove(h)) {
            throw Notifications.notRegistered("notify", h);
        }
    }

    /** Hands {@code n} to every handler. */
    void deliver(Notify n) {
        for (Consumer<Notify> h : handlers) {
            try {
                h.accept(n);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "notify handler failed", e);
            }
        }
    }
}
