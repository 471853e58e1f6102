package dev.tusk.internal.notify;

import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.ProgrammingException;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A connection's notify handlers or notice handlers, the same for both drivers: each message goes to every
 * handler; a failing one is logged and does not stop the others. Notices nobody handles go to
 * {@link System.Logger} "dev.tusk.notices"; notifications nobody handles are the caller's to queue. The handlers run
 * inside the connection's {@link HandlerScope}, shared by both kinds.
 *
 * @param <T> what the handlers take: a {@code Notify} or a {@link Diagnostic}
 */
public final class Handlers<T> implements Consumer<T> {
    private static final System.Logger NOTICES = System.getLogger("dev.tusk.notices");
    private static final System.Logger NOTIFY = System.getLogger("dev.tusk.notify");

    private final List<Consumer<T>> handlers = new CopyOnWriteArrayList<>();
    /** "notify" or "notice", for the messages. */
    private final String kind;
    private final System.Logger log;
    /** What happens to a message nobody handles; null: nothing. */
    private final Consumer<T> unhandled;
    /** Where the connection knows that a thread runs one of its handlers. */
    private final HandlerScope scope;

    private Handlers(String kind, System.Logger log, Consumer<T> unhandled, HandlerScope scope) {
        this.kind = kind;
        this.log = log;
        this.unhandled = unhandled;
        this.scope = scope;
    }

    /** A connection's notify handlers, run inside {@code scope}. */
    public static <N> Handlers<N> notifies(HandlerScope scope) {
        return new Handlers<>("notify", NOTIFY, null, scope);
    }

    /** A connection's notice handlers, run inside {@code scope}; without any, notices are logged. */
    public static Handlers<Diagnostic> notices(HandlerScope scope) {
        return new Handlers<>("notice", NOTICES,
                d -> NOTICES.log(System.Logger.Level.INFO, () -> d.severity() + ": " + d.messagePrimary()), scope);
    }

    /** The scope the handlers run in. */
    public HandlerScope scope() {
        return scope;
    }

    public boolean isEmpty() {
        return handlers.isEmpty();
    }

    public void add(Consumer<T> h) {
        handlers.add(h);
    }

    /** Removes {@code h}; one that is not registered is refused, as psycopg's list.remove raises ValueError. */
    public void remove(Consumer<T> h) {
        if (!handlers.remove(h)) {
            String call = kind.equals("notify") ? "Notify" : "Notice";
            throw new ProgrammingException("remove" + call + "Handler: " + h + " is not a registered " + kind
                    + " handler of this connection (never added, or removed already; handlers are compared with"
                    + " equals(), so pass the same object given to add" + call + "Handler)");
        }
    }

    /** Hands {@code m} to every handler (nobody's: see {@link Handlers}), inside the connection's scope. */
    @Override
    public void accept(T m) {
        if (handlers.isEmpty()) {
            if (unhandled != null) {
                unhandled.accept(m);
            }
            return;
        }
        scope.run(kind, () -> deliver(m));
    }

    private void deliver(T m) {
        for (Consumer<T> h : handlers) {
            try {
                h.accept(m);
            } catch (RuntimeException e) {
                log.log(System.Logger.Level.WARNING, kind + " handler failed", e);
            }
        }
    }
}
