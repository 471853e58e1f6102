package dev.tusk.internal.io;

import java.io.IOException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The joined round trip without the hand-off: a caller's thread blocking on a statement's future, while nothing
 * else is in flight on the connection, waits for the reply on the socket itself and reads it, as a blocking
 * connection does; the reply then wakes one thread (the caller) instead of two (the loop, which completes the
 * future, then the caller it unparks).
 *
 * <p>The caller waits in the kernel on a selector of its own for this connection (the channel stays registered
 * with the loop's selector too), without holding the acting lock: the loop's timers (a statement timeout's cancel,
 * its grace) and tasks keep running meanwhile. The caller takes the lock only to read what arrived. The loop, woken
 * by the same reply, sees that a caller reads and takes OP_READ off its key ({@code EventLoopDriver#disarm}); it puts
 * it back once no caller reads, at its next turn (bounded by {@link EventLoop#REARM_NANOS}), or at once when a caller
 * hands the read back unfinished (deadline reached, interrupted, others in flight).
 *
 * <p>Completions made while the caller reads wait: the joined future's until the caller has let go of the
 * connection (its dependents run on the caller's thread, with the connection free), any other on the loop.
 */
final class CallerRead {
    /**
     * A select with a deadline sleeps at most this long at a time. A join without one waits in the kernel without a
     * timer (arming and cancelling one each round trip measured 0.35 µs of the caller's CPU a query): whatever ends the
     * wait wakes the caller's selector, the reply, a close of the connection ({@link #wakeup}), a completion of the
     * future on another thread ({@link EventLoopDriver#wakeReader}, which the future's completing methods call too),
     * an interrupt (the selector's own).
     */
    private static final long MAX_WAIT_MILLIS = 100;
    /** The one key is the connection's: that it is readable is all the caller needs to know. */
    private static final Consumer<SelectionKey> NO_ACTION = key -> { };

    /** False: joining callers leave the read to the loop (measurements compare both ways in one JVM). */
    static boolean enabled = !"false".equals(System.getProperty("dev.tusk.callerRead"));

    private final EventLoopDriver driver;
    /** Opened by the first caller that reads; closed with the connection. */
    private volatile Selector selector;
    /** The future the reading caller waits for; reading caller only. */
    private CompletableFuture<?> joined;
    /** The joined future's completion, run once the caller let go; reading caller only. */
    private Runnable completion;
    /** Joined futures whose reply the joining caller read (tests). */
    private volatile long repliesRead;

    CallerRead(EventLoopDriver driver) {
        this.driver = driver;
    }

    /** See {@link EventLoopDriver#readHere}. */
    boolean await(CompletableFuture<?> f, long deadlineNanos, BooleanSupplier alone, BooleanSupplier idle) {
        Thread me = Thread.currentThread();
        if (!enabled || f.isDone() || me.isInterrupted() || !driver.claimRead(me, alone)) {
            return f.isDone();
        }
        joined = f;
        Runnable done = null;
        try {
            Selector sel = selector(); // null: the channel is closed
            while (sel != null && !f.isDone() && !me.isInterrupted()) {
                int ready;
                if (deadlineNanos == 0) {
                    ready = sel.select(NO_ACTION); // no selected-key set to fill and empty
                } else {
                    long left = deadlineNanos - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    ready = sel.select(NO_ACTION, Math.min(MAX_WAIT_MILLIS, Math.max(1, (left + 999_999) / 1_000_000)));
                }
                if (ready > 0) {
                    driver.readForCaller();
                    done = completion;
                    if (done != null) {
                        repliesRead++; // by the one reading thread, before it lets go
                        break;
                    }
                }
                if (driver.isClosed()) {
                    break;
                }
            }
        } catch (IOException | RuntimeException e) {
            // the selector failed: the loop reads on, and reports what broke
        } finally {
            joined = null;
            completion = null;
            // unfinished (deadline, interrupt, a failure), or others still need replies: the loop reads on now
            driver.releaseRead(done == null && !f.isDone() || !idle.getAsBoolean());
        }
        if (done != null) {
            done.run();
        }
        return f.isDone();
    }

    long repliesRead() {
        return repliesRead;
    }

    /** See {@link EventLoopDriver#completeAfterRead}. */
    void deliver(CompletableFuture<?> f, Runnable c) {
        if (f == joined) {
            completion = c;
        } else {
            driver.loop().execute(c);
        }
    }

    private Selector selector() throws IOException {
        Selector sel = selector;
        if (sel == null) {
            sel = Selector.open();
            try {
                driver.channelForCaller().register(sel, SelectionKey.OP_READ);
            } catch (IOException | RuntimeException e) { // closed meanwhile
                sel.close();
                return null;
            }
            selector = sel;
            if (driver.isClosed()) {
                return null; // released below, which closes it
            }
        }
        return sel;
    }

    void wakeup() {
        Selector sel = selector;
        if (sel != null) {
            sel.wakeup();
        }
    }

    /** The connection is closed and no caller reads: frees the selector (the channel's socket closes with it). */
    void close() {
        Selector sel = selector;
        if (sel != null) {
            try {
                sel.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
    }
}
