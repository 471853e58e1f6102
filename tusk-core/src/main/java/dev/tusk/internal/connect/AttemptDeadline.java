package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.conninfo.HostSpec;

import java.io.Closeable;
import java.io.IOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * {@code connect_timeout} of one blocking attempt (one host address), as libpq means it: a total deadline for
 * everything the attempt does (TCP connect, TLS handshake, startup, authentication, the target_session_attrs
 * check), not a bound on each read. Reads are bounded by the time left ({@link #millisLeft()}); for what a read
 * timeout cannot bound (a TLS handshake the server trickles, a write the server never takes) a watchdog closes
 * the socket when the deadline passes, which ends any blocked call. {@link #expired()} then tells the failure
 * apart from any other.
 */
final class AttemptDeadline implements AutoCloseable {
    private static final ScheduledThreadPoolExecutor WATCHDOG = newWatchdog();

    /** No connect_timeout: waits as long as the network does. */
    static final AttemptDeadline NONE = new AttemptDeadline(null);

    private final Duration timeout;
    private final long deadline;
    private final ScheduledFuture<?> task;
    private volatile Closeable socket;
    private volatile boolean expired;

    private AttemptDeadline(Duration timeout) {
        this(timeout, timeout == null ? 0 : System.nanoTime() + timeout.toNanos());
    }

    private AttemptDeadline(Duration timeout, long deadline) {
        this.timeout = timeout;
        this.deadline = deadline;
        task = timeout == null ? null
                : WATCHDOG.schedule(this::expire, Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Starts the clock of one attempt; {@code timeout} null: no deadline. */
    static AttemptDeadline start(Duration timeout) {
        return timeout == null ? NONE : new AttemptDeadline(timeout);
    }

    /** The clock of {@code attempt}: its deadline, shared by the retries on its address. */
    static AttemptDeadline of(Attempt attempt) {
        return attempt.deadlineNanos() == 0 ? NONE : new AttemptDeadline(attempt.timeout(), attempt.deadlineNanos());
    }

    /** The attempt's socket, closed when the deadline passes (at once if it already has). */
    void watch(Closeable s) {
        if (this == NONE) {
            return;
        }
        socket = s;
        if (expired) {
            closeQuietly(s);
        }
    }

    private void expire() {
        expired = true;
        Closeable s = socket;
        if (s != null) {
            closeQuietly(s);
        }
    }

    /** True once the deadline has passed. */
    boolean expired() {
        return expired || (deadline != 0 && deadline - System.nanoTime() <= 0);
    }

    /** The deadline in System.nanoTime() terms; 0 when there is none. */
    long deadlineNanos() {
        return deadline;
    }

    /**
     * What is left of the deadline in ms, at least 1; 0 when there is no deadline (wait forever).
     *
     * @throws SocketTimeoutException when it has passed
     */
    int millisLeft() throws SocketTimeoutException {
        if (deadline == 0) {
            return 0;
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new SocketTimeoutException("connect_timeout reached");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }

    /** The error of an attempt that ran out of time; {@code cause} is what the blocked call saw. */
    OperationalException timedOut(HostSpec host, Throwable cause) {
        return ConnectPlan.timedOut(host, timeout, cause);
    }

    /** True when {@code e} (or what caused it) means this attempt ran out of time. */
    boolean explains(Throwable e) {
        if (this == NONE || (e instanceof TuskException te && te.sqlstate() != null)) {
            return false; // the server's own error says what happened
        }
        if (expired()) {
            return true;
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return true;
            }
        }
        return false;
    }

    /** Stops the watchdog: the attempt is over (connected, or failed). */
    @Override
    public void close() {
        if (task != null) {
            task.cancel(false);
        }
    }

    private static void closeQuietly(Closeable c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // the socket is being abandoned
        }
    }

    private static ScheduledThreadPoolExecutor newWatchdog() {
        ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tusk-connect-timeout");
            t.setDaemon(true);
            return t;
        });
        s.setRemoveOnCancelPolicy(true);
        return s;
    }
}
