package dev.tusk.internal.notify;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.BlockingDriver;

import java.util.ArrayList;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * LISTEN/NOTIFY delivery for one blocking connection, as psycopg 3.2: every notification goes to every
 * handler; it is queued for {@code notifies()} only while no handler is registered. Each one is
 * delivered once.
 *
 * @param <N> a notification (dev.tusk's {@code Notify})
 */
public final class Notifications<N> {
    private final Handlers<N> handlers;
    /** The connection's lock and driver, to read the socket while the connection is idle. */
    private final ReentrantLock lock;
    private final BlockingDriver driver;
    /** Whether the connection is closed (by the user or broken), and whether the user closed it. */
    private final BooleanSupplier closed;
    private final BooleanSupplier closedByUser;
    private final ConcurrentLinkedQueue<N> queue = new ConcurrentLinkedQueue<>();

    public Notifications(Handlers<N> handlers, ReentrantLock lock, BlockingDriver driver, BooleanSupplier closed,
                         BooleanSupplier closedByUser) {
        this.handlers = handlers;
        this.lock = lock;
        this.driver = driver;
        this.closed = closed;
        this.closedByUser = closedByUser;
    }

    /** Called by the protocol core, on the thread that reads the socket. */
    public void received(N n) {
        if (handlers.isEmpty()) {
            queue.add(n);
            return;
        }
        handlers.accept(n);
    }

    /** The queued notifications plus whatever the socket already holds; never waits. */
    public List<N> drain() {
        pollServer(0);
        List<N> out = new ArrayList<>();
        N n;
        while ((n = queue.poll()) != null) {
            out.add(n);
        }
        return out;
    }

    /**
     * Notifications as they arrive: ends after {@code timeoutMillis} (null: never), after
     * {@code stopAfter} notifications (null: no limit), or when the connection closes; made through a pool's
     * lease ({@code leaseEnded} non-null), also when the lease ends, before taking anything more.
     */
    public Stream<N> stream(BooleanSupplier leaseEnded, Long timeoutMillis, Integer stopAfter) {
        long deadline = timeoutMillis == null ? Long.MAX_VALUE : System.nanoTime() + timeoutMillis * 1_000_000;
        Spliterator<N> it = new Spliterators.AbstractSpliterator<>(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL) {
            private int delivered;
            /** The socket was read once more at the deadline (a timeout of zero still reads what it holds). */
            private boolean lastLook;

            @Override
            public boolean tryAdvance(Consumer<? super N> action) {
                if (stopAfter != null && delivered >= stopAfter) {
                    return false;
                }
                while (true) {
                    if (leaseEnded != null && leaseEnded.getAsBoolean()) {
                        return false; // the lease ended: what comes now is the next borrower's
                    }
                    N n = queue.poll();
                    if (n != null) {
                        delivered++;
                        action.accept(n);
                        return true;
                    }
                    if (closed.getAsBoolean()) {
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
        lock.lock();
        try {
            handlers.scope().check(); // a handler's poll would read in the middle of the reply it interrupts
            if (closed.getAsBoolean() || driver.core().hasPending()) {
                return;
            }
            driver.processBuffered();
            driver.poll(millis);
        } catch (TuskException e) {
            if (!closedByUser.getAsBoolean()) {
                throw e;
            } // else close() from another thread ended the wait: the caller sees the connection closed
        } finally {
            lock.unlock();
        }
    }
}
