package dev.tusk.internal.blocking;

import dev.tusk.errors.QueryCanceled;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Takes a blocking connection's lock for a call with a statement timeout: the timeout covers the wait for the lock
 * too, so a call never waits longer than its timeout for another thread's statement (one frozen on the server, maybe
 * with no timeout of its own). Past it the call fails with a {@link QueryCanceled} naming the timeout, as a statement
 * the timeout cancelled: nothing of it was sent, the connection is not broken and serves the next call once the
 * other thread's ends. A call without a timeout waits as long as the other call runs (psycopg's, pgjdbc's rule), with
 * no clock read. As {@link ReentrantLock#lock()}, an interrupt does not end the wait: it is kept for the caller.
 */
public final class TimedLock {
    private TimedLock() {
    }

    /** Takes {@code lock} for a call whose statement timeout is {@code timeout} (null, zero or negative: none). */
    public static void lock(ReentrantLock lock, Duration timeout) {
        if (timeout == null) { // no clock read, no allocation: the hot path of a call without a timeout
            lock.lock();
            return;
        }
        if (lock.tryLock()) { // free, the usual case
            return;
        }
        if (timeout.isZero() || timeout.isNegative()) {
            lock.lock();
            return;
        }
        waitFor(lock, timeout);
    }

    private static void waitFor(ReentrantLock lock, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (lock.tryLock(deadline - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        return;
                    }
                    throw busy(timeout);
                } catch (InterruptedException e) {
                    interrupted = true; // the flag is cleared now: the next try waits out the rest of the time
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private static QueryCanceled busy(Duration timeout) {
        return new QueryCanceled("statement timeout: the call waited " + timeout.toMillis() + " ms for the"
                + " connection, busy with another thread's call, and was cancelled by the client before anything was"
                + " sent (ExecuteOptions.timeout / ConnectOptions.statementTimeout); the connection is not broken and"
                + " serves the next call once that one ends");
    }
}
