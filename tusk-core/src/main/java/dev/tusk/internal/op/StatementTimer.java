package dev.tusk.internal.op;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.TuskException;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client-side statement timeout: cancels a statement that runs longer than allowed. When the server does
 * not answer within a grace period after the cancel request (a frozen backend, a network gone quiet while
 * the postmaster still takes requests), or the request cannot be sent, the connection is abandoned: its
 * socket is closed, which ends the blocked read, and the statement fails with an OperationalException naming
 * the timeout; the connection is then broken. One daemon thread keeps the time for every connection of the
 * JVM; cancel requests are sent from a pool of daemon threads.
 */
public final class StatementTimer {
    private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();
    private static final ExecutorService CANCELLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tusk-statement-cancel");
        t.setDaemon(true);
        return t;
    });

    /** The no-op timer of a statement without a timeout. */
    private static final StatementTimer NONE = new StatementTimer(null, null);

    /** What a timer acts on: the connection of the statement. */
    public interface Target {
        /** Sends a cancel request for the running statement, within {@code bound}; throws TuskException if it can't. */
        void cancel(Duration bound);

        /** Closes the connection's socket, so that the thread waiting for the statement stops waiting. */
        void abandon();
    }

    private final Duration timeout;
    private final Target target;
    private final ReentrantLock lock = new ReentrantLock();
    private ScheduledFuture<?> task;
    private ScheduledFuture<?> graceTask;
    private boolean disarmed;
    private boolean fired;
    /** Why the connection was abandoned; null while it was not. */
    private String abandoned;

    private StatementTimer(Duration timeout, Target target) {
        this.timeout = timeout;
        this.target = target;
    }

    /** Starts counting; the target is cancelled once the timeout passes, unless {@link #disarm()} came first. */
    public static StatementTimer arm(Duration timeout, Target target) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return NONE;
        }
        StatementTimer t = new StatementTimer(timeout, target);
        // the cancel request runs on a thread of its own: one server slow to take it must not delay other timers
        t.task = SCHEDULER.schedule(() -> CANCELLERS.execute(t::fire), timeout.toNanos(), TimeUnit.NANOSECONDS);
        return t;
    }

    /** How long the server may take to answer after the cancel: as long as the timeout, within the async bounds. */
    static Duration grace(Duration timeout) {
        return timeout.compareTo(AsyncStatementTimer.MIN_GRACE) < 0 ? AsyncStatementTimer.MIN_GRACE
                : timeout.compareTo(AsyncStatementTimer.MAX_GRACE) > 0 ? AsyncStatementTimer.MAX_GRACE : timeout;
    }

    private void fire() {
        lock.lock();
        try {
            if (disarmed) {
                return;
            }
            fired = true;
            Duration grace = grace(timeout);
            long sent = System.nanoTime();
            try {
                target.cancel(grace); // under the lock: disarm() returns only after the CancelRequest was handled
            } catch (TuskException e) {
                // the server cannot even take a cancel request: the statement's reply will not come either
                abandon("the cancel request could not be sent (" + e.getMessage() + ")");
                return;
            }
            long left = grace.toNanos() - (System.nanoTime() - sent);
            graceTask = SCHEDULER.schedule(() -> CANCELLERS.execute(() -> giveUp(grace)), Math.max(0, left),
                    TimeUnit.NANOSECONDS);
        } finally {
            lock.unlock();
        }
    }

    private void giveUp(Duration grace) {
        lock.lock();
        try {
            if (!disarmed) {
                abandon("the server did not answer within " + grace.toMillis() + " ms of the cancel request"
                        + " (is the server or the network frozen?)");
            }
        } finally {
            lock.unlock();
        }
    }

    private void abandon(String why) {
        abandoned = why;
        target.abandon();
    }

    /**
     * Stops the timer. Returns true when it had already fired: the statement was cancelled because of it.
     * When it returns, no cancel of this timer is in flight any more, so it cannot hit the next statement.
     */
    public boolean disarm() {
        if (this == NONE) {
            return false;
        }
        task.cancel(false);
        lock.lock();
        try {
            disarmed = true;
            if (graceTask != null) {
                graceTask.cancel(false);
            }
            return fired;
        } finally {
            lock.unlock();
        }
    }

    /** After {@link #disarm()}: true when the timer closed the connection's socket. */
    public boolean abandoned() {
        lock.lock();
        try {
            return abandoned != null;
        } finally {
            lock.unlock();
        }
    }

    public Duration timeout() {
        return timeout;
    }

    /** The error of the statement this timer cut short, whose own failure was {@code e}. After {@link #disarm()}. */
    public TuskException error(TuskException e) {
        String why;
        lock.lock();
        try {
            why = abandoned;
        } finally {
            lock.unlock();
        }
        if (why == null) {
            return timedOut(timeout, e);
        }
        return new OperationalException("statement timeout: the statement ran longer than " + timeout.toMillis()
                + " ms and the client cancelled it, but " + why + "; the connection was closed, so the statement's"
                + " outcome is unknown; the connection is broken, open a new one", e, null);
    }

    /**
     * The error of a statement the timer cut short: QueryCanceled when the server cancelled it; when the
     * connection had to be dropped, the OperationalException of the lost connection, saying why.
     */
    public static TuskException timedOut(Duration timeout, TuskException e) {
        String what = "statement timeout: the statement ran longer than " + timeout.toMillis() + " ms";
        if (e instanceof QueryCanceled) {
            return new QueryCanceled(what + " and was cancelled by the client"
                    + " (ExecuteOptions.timeout / ConnectOptions.statementTimeout)", e, e.diag());
        }
        if (e instanceof OperationalException) {
            return new OperationalException(what + "; the server could not be reached to cancel it, so the connection"
                    + " was closed: " + e.getMessage(), e, null);
        }
        return e;
    }

    /** Runs {@code task} on a timer thread of its own after {@code nanos} (a {@link WriteDeadline}'s give-up). */
    static ScheduledFuture<?> later(long nanos, Runnable task) {
        return SCHEDULER.schedule(() -> CANCELLERS.execute(task), nanos, TimeUnit.NANOSECONDS);
    }

    private static ScheduledThreadPoolExecutor newScheduler() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tusk-statement-timeout");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }
}
