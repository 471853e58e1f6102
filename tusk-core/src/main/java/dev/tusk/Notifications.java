package dev.tusk;

import dev.tusk.errors.TuskException;

import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * LISTEN/NOTIFY delivery for one blocking connection, as psycopg 3.2: every notification goes to every
 * handler; it is queued for {@code notifies()} only while no handler is registered. Each one is
 * delivered once.
 */
final class Notifications {
    private final Connection<?> conn;
    private final NotifyHandlers handlers;
    private final ConcurrentLinkedQueue<Notify> queue = new ConcurrentLinkedQueue<>();

    Notifications(Connection<?> conn) {
        this.conn = conn;
        this.handlers = conn.notifyHandlers;
    }

    /** Called by the protocol core, on the thread that reads the socket. */
    void received(Notify n) {
        if (handlers.isEmpty()) {
            queue.add(n);
            return;
        }
        handlers.deliver(n);
    }

    /** The error of removing a handler that is not registered (psycopg: ValueError from list.remove). */
    static dev.tusk.errors.ProgrammingException notRegistered(String kind, Object handler) {
        return new dev.tusk.errors.ProgrammingException("remove" + (kind.equals("notify") ? "Notify" : "Notice")
                + "Handler: " + handler + " is not a registered " + kind + " handler of this connection (never added,"
                + " or removed already; handlers are compared with equals(), so pass the same object given to add"
                + (kind.equals("notify") ? "Notify" : "Notice") + "Handler)");
    }

    /** The queued notifications plus whatever the socket already holds; never waits. */
    List<Notify> drain() {
        pollServer(0);
        List<Notify> out = new ArrayList<>();
        Notify n;
        while ((n = queue.poll()) != null) {
            out.add(n);
        }
        return out;
    }

    /**
     * Notifications as they arrive: ends after {@code timeoutMillis} (null: never), after
     * {@code stopAfter} notifications (null: no limit), or when the connection closes; made through a pool's
     * {@code lease} (null: none), also when the lease ends, before taking anything more.
     */
    Stream<Notify> stream(Connection<?> lease, Long timeoutMillis, Integer stopAfter) {
        long deadline = timeoutMillis == null ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000;
        Spliterator<Notify> it = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            private int delivered;
            /** The socket was read once more at the deadline (a timeout of zero still reads what it holds). */
            private boolean lastLook;

            @Override
            public boolean tryAdvance(Consumer<? super Notify> action) {
                if (stopAfter != null && delivered >= stopAfter) {
                    return false;
                }
                while (true) {
                    if (lease != null && lease.isClosed()) {
                        return false; // the lease ended: what comes now is the next borrower's
                    }
                    Notify n = queue.poll();
                    if (n != null) {
                        delivered++;
                        action.accept(n);
                        return true;
                    }
                    if (conn.isClosed()) {
                        return false;
                    }
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        if (lastLook) {
                            return false;
                        }
                        lastLook = true;
                        pollServer(0);
                        continue;
                    }
                    pollServer((int) Math.min(left / 1_000_000 + 1, 200));
                }
            }
        };
        return StreamSupport.stream(it, false);
    }

    /** Reads what the server sent while idle (notifications, notices, parameter changes); waits up to {@code millis}. */
    private void pollServer(int millis) {
        conn.lock.lock();
        try {
            if (conn.isClosed() || conn.driver().core().hasPending()) {
                return;
            }
            conn.driver().processBuffered();
            conn.driver().poll(millis);
        } catch (TuskException e) {
            if (!(conn.state.closed && !conn.isBroken())) {
                throw e;
            } // else close() from another thread ended the wait: the caller sees the connection closed
        } finally {
            conn.lock.unlock();
        }
    }
}
