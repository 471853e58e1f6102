package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.TuskException;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The client-side statement timeout: cancels a statement that runs longer than allowed. One daemon
 * thread serves every connection of the JVM; it only ever sends CancelRequests.
 */
final class StatementTimer {
    private static final ScheduledThreadPoolExecutor SCHEDULER = newScheduler();

    /** The no-op timer of a statement without a timeout. */
    private static final StatementTimer NONE = new StatementTimer(null);

    private final Duration timeout;
    private final ReentrantLock lock = new ReentrantLock();
    private ScheduledFuture<?> task;
    private boolean disarmed;
    private boolean fired;

    private StatementTimer(Duration timeout) {
        this.timeout = timeout;
    }

    /** Starts counting; {@code cancel} runs once the timeout passes, unless {@link #disarm()} came first. */
    static StatementTimer arm(Duration timeout, Runnable cancel) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return NONE;
        }
        StatementTimer t = new StatementTimer(timeout);
        t.task = SCHEDULER.schedule(() -> t.fire(cancel), timeout.toNanos(), TimeUnit.NANOSECONDS);
        return t;
    }

    private void fire(Runnable cancel) {
        lock.lock();
        try {
            if (!disarmed) {
                fired = true;
                cancel.run(); // under the lock: disarm() returns only after the CancelRequest was handled
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the timer. Returns true when it had already fired: the statement was cancelled because of it.
     * When it returns, no cancel of this timer is in flight any more, so it cannot hit the next statement.
     */
    boolean disarm() {
        if (this == NONE) {
            return false;
        }
        task.cancel(false);
        lock.lock();
        try {
            disarmed = true;
            return fired;
        } finally {
            lock.unlock();
        }
    }

    Duration timeout() {
        return timeout;
    }

    /**
     * The error of a statement the timer cut short: QueryCanceled when the server cancelled it; when the
     * connection had to be dropped, the OperationalException of the lost connection, saying why.
     */
    static TuskException timedOut(Duration timeout, TuskException e) {
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
