package dev.tusk.internal.io;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;

import java.io.IOException;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.SelectableChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.util.ArrayList;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * One thread with one {@link Selector}, serving many non-blocking connections. A connection's reads, tasks
 * and timers run here: other threads hand work over with {@link #execute}, which queues the task and wakes
 * the selector (a caller's thread may also send a statement itself on an idle connection or while the loop
 * {@linkplain #sleeping() sleeps}, see {@link EventLoopDriver#tryRunHereWhileLoopSleeps}, and a statement
 * submitted on its connection's own loop thread is sent right there, see {@link EventLoopDriver#tryRunHere}). What
 * the connections had to write during a turn is written once at its end, before the loop sleeps again.
 *
 * <p>Tasks and I/O callbacks run on this thread and must never block: a blocking Tusk call made here is
 * refused by {@link #checkNotOnEventLoop} with a clear exception instead of freezing every connection
 * the loop serves.
 */
public final class EventLoop implements Executor {
    private static final System.Logger LOG = System.getLogger("dev.tusk.eventloop");

    /** Reacts to readiness of a registered channel; runs on the loop thread. */
    public interface Handler {
        void ready(SelectionKey key);
    }

    private final Selector selector;
    private final LoopThread thread;
    private final ConcurrentLinkedQueue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean wakeupPending = new AtomicBoolean();
    private final PriorityQueue<Timer> timers = new PriorityQueue<>(); // loop thread only
    /** Hands a ready key to its handler, as the selector finds it. */
    private final Consumer<SelectionKey> dispatch = this::dispatch;
    /**
     * How long a connection whose reply a joining caller read ({@link CallerRead}) may stay unwatched by the loop
     * after the caller let go: the loop wakes this often while one is, to watch it again (its end, a
     * notification, a reply no caller waits for).
     */
    static final long REARM_NANOS = 2_000_000;
    /** Connections the loop stopped watching because a caller reads them; loop thread only. */
    private final ArrayList<EventLoopDriver> disarmed = new ArrayList<>();
    /**
     * Connections with output written on this thread that waits for the end of the loop's turn: each is flushed
     * once then, so that the statements of one turn leave in one write. Loop thread only.
     */
    private final ArrayList<EventLoopDriver> toFlush = new ArrayList<>();
    private volatile boolean shutdown;
    /**
     * True while the loop waits in its selector with its turn done: work handed to it now costs a wake-up (a context
     * switch and a turn of its own). A hint read by other threads ({@link #sleeping()}), written by the loop only.
     */
    private volatile boolean sleeping;

    EventLoop(String name) {
        try {
            selector = Selector.open();
        } catch (IOException e) {
            throw new OperationalException("cannot open a selector for the event loop: " + e.getMessage(), e);
        }
        thread = new LoopThread(this::run, name);
        thread.setDaemon(true);
        thread.start();
    }

    /** True when the calling thread is this loop's thread. */
    public boolean inLoop() {
        return Thread.currentThread() == thread;
    }

    /** True when the calling thread is the thread of any Tusk event loop. */
    public static boolean isEventLoopThread() {
        return Thread.currentThread() instanceof LoopThread;
    }

    /**
     * Refuses a blocking call on an event-loop thread, where it would stall (or deadlock) every
     * connection the loop serves.
     *
     * @param what the blocking call, for the message ("a blocking Connection call", "join() on a future")
     */
    public static void checkNotOnEventLoop(String what) {
        if (isEventLoopThread()) {
            throw new InterfaceException(what + " was made on the Tusk event-loop thread \""
                    + Thread.currentThread().getName() + "\", where it would block every connection the loop serves. "
                    + "Callbacks of AsyncConnection futures run on the event loop and must not block: chain with "
                    + "thenCompose/thenApply, or run blocking work with the *Async variants on another executor");
        }
    }

    /**
     * True while the loop waits in its selector for I/O, a task or a timer, having done its turn: a task queued now
     * wakes it. A hint, which may be stale by the time it is read. Any thread.
     */
    public boolean sleeping() {
        return sleeping;
    }

    /** Queues {@code task} to run on the loop thread, after the tasks already queued. Any thread. */
    @Override
    public void execute(Runnable task) {
        tasks.add(task);
        if (!inLoop() && wakeupPending.compareAndSet(false, true)) {
            selector.wakeup();
        }
    }

    /** Runs {@code task} on the loop thread after {@code delayNanos}, unless cancelled first. Any thread. */
    public Timer schedule(long delayNanos, Runnable task) {
        Timer t = new Timer(System.nanoTime() + delayNanos, task);
        execute(() -> timers.add(t));
        return t;
    }

    /** Registers {@code channel} with this loop's selector. Loop thread only. */
    public SelectionKey register(SelectableChannel channel, int ops, Handler handler) throws IOException {
        assert inLoop();
        return channel.register(selector, ops, handler);
    }

    private void run() {
        while (!shutdown) {
            try {
                long waitNanos = runDueTimers();
                if (!disarmed.isEmpty()) {
                    rearmIdle();
                    if (!disarmed.isEmpty()) {
                        waitNanos = waitNanos < 0 ? REARM_NANOS : Math.min(waitNanos, REARM_NANOS);
                    }
                }
                flushAtEndOfTurn();
                // the ready keys are handled as the selector finds them: no selected-key set to fill and empty
                if (!tasks.isEmpty()) {
                    selector.selectNow(dispatch);
                } else {
                    sleeping = true; // cleared by the first key dispatched, or once the selector returns
                    try {
                        if (waitNanos < 0) {
                            selector.select(dispatch);
                        } else {
                            selector.select(dispatch, Math.max(1, waitNanos / 1_000_000));
                        }
                    } finally {
                        sleeping = false;
                    }
                }
                wakeupPending.set(false);
                runTasks();
            } catch (ClosedSelectorException e) {
                return;
            } catch (Throwable t) {
                // a bug in a handler must not kill the thread that serves every other connection
                LOG.log(System.Logger.Level.ERROR, "unexpected error on the Tusk event loop", t);
            }
        }
    }

    /** {@code d} has output to write before the loop sleeps again (see {@link #toFlush}). Loop thread only. */
    void flushBeforeSleeping(EventLoopDriver d) {
        toFlush.add(d);
    }

    private void flushAtEndOfTurn() {
        for (int i = 0; i < toFlush.size(); i++) { // a flush's waiters may send, adding to the list: flushed too
            try {
                toFlush.get(i).flushAtTurnEnd();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error flushing a connection on the Tusk event loop", e);
            }
        }
        toFlush.clear();
    }

    /** {@code d} stopped watching its socket because a caller reads it. Loop thread only. */
    void disarmed(EventLoopDriver d) {
        disarmed.add(d);
    }

    /** Watches again the sockets of connections no caller reads any more. */
    private void rearmIdle() {
        for (int i = disarmed.size() - 1; i >= 0; i--) {
            try {
                if (disarmed.get(i).rearmIfIdle()) {
                    disarmed.remove(i);
                }
            } catch (RuntimeException e) {
                disarmed.remove(i);
                LOG.log(System.Logger.Level.ERROR, "unexpected error re-arming a connection on the Tusk event loop", e);
            }
        }
    }

    private void dispatch(SelectionKey key) {
        if (sleeping) {
            sleeping = false; // handling I/O: what is queued from now on leaves with this turn's output
        }
        if (!key.isValid()) {
            return;
        }
        try {
            ((Handler) key.attachment()).ready(key);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.ERROR, "unexpected error handling I/O on the Tusk event loop", e);
        }
    }

    private void runTasks() {
        // tasks queued while draining run too: a flush queued by the statements of this round goes last
        Runnable task;
        while ((task = tasks.poll()) != null) {
            try {
                task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error in a task on the Tusk event loop", e);
            }
        }
    }

    /** Runs the timers that are due; returns the nanoseconds until the next one, or -1 when none. */
    private long runDueTimers() {
        long now = System.nanoTime();
        Timer t;
        while ((t = timers.peek()) != null) {
            if (t.cancelled) {
                timers.poll();
                continue;
            }
            long left = t.deadline - now;
            if (left > 0) {
                return left;
            }
            timers.poll();
            try {
                t.task.run();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "unexpected error in a timer on the Tusk event loop", e);
            }
        }
        return -1;
    }

    /** Stops the loop thread (for tests and shutdown of a private group). */
    void shutdown() {
        shutdown = true;
        selector.wakeup();
    }

    public String name() {
        return thread.getName();
    }

    /** A scheduled task; {@link #cancel()} from any thread. */
    public static final class Timer implements Comparable<Timer> {
        private final long deadline;
        private final Runnable task;
        private volatile boolean cancelled;

        Timer(long deadline, Runnable task) {
            this.deadline = deadline;
            this.task = task;
        }

        public void cancel() {
            cancelled = true;
        }

        @Override
        public int compareTo(Timer o) {
            return Long.compare(deadline - o.deadline, 0);
        }
    }

    /** Marks the threads of event loops, so blocking calls made on them can be recognised. */
    private static final class LoopThread extends Thread {
        LoopThread(Runnable body, String name) {
            super(body, name);
        }
    }
}
