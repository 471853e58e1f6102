package dev.tusk;

import dev.tusk.errors.Diagnostic;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A connection's notice handlers; without any, notices go to {@link System.Logger} "dev.tusk.notices". */
final class NoticeHandlers implements Consumer<Diagnostic> {
    private static final System.Logger LOG = System.getLogger("dev.tusk.notices");

    private final List<Consumer<Diagnostic>> handlers = new CopyOnWriteArrayList<>();

    void add(Consumer<Diagnostic> handler) {
        handlers.add(handler);
    }

    /** Removes {@code handler}; one that is not registered is refused, as psycopg's list.remove raises ValueError. */
    void remove(Consumer<Diagnostic> handler) {
        if (!handlers.remove(handler)) {
            throw Notifications.notRegistered("notice", handler);
        }
    }

    /** Delivers one notice; a failing handler is logged and does not stop the others. */
    @Override
    public void accept(Diagnostic d) {
        if (handlers.isEmpty()) {
            LOG.log(System.Logger.Level.INFO, () -> d.severity() + ": " + d.messagePrimary());
            return;
        }
        for (Consumer<Diagnostic> h : handlers) {
            try {
                h.accept(d);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "notice handler failed", e);
            }
        }
    }
}
