package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.io.BlockingDriver;

import java.time.Duration;

/**
 * Runs {@link Operation}s for a blocking connection (psycopg's {@code waiting.wait}): on the caller's thread,
 * which holds the connection's lock, each step's commands leave in one write and the thread reads until the
 * step's command has completed, under the statement timeout.
 */
public final class BlockingWaiter {
    private final BlockingDriver driver;
    private final StatementTimer.Target onTimeout;

    public BlockingWaiter(BlockingDriver driver, StatementTimer.Target onTimeout) {
        this.driver = driver;
        this.onTimeout = onTimeout;
    }

    /** Runs {@code op} to its end; throws its failure. Lock held. */
    public void run(Operation op) {
        op.observeStart();
        if (!op.observed()) {
            steps(op);
            return;
        }
        try {
            steps(op);
        } catch (RuntimeException | Error e) {
            op.observeEnd(e);
            throw e;
        }
        op.observeEnd(null);
    }

    private void steps(Operation op) {
        Command cmd = op.start();
        while (cmd != null) {
            driver.core().send(cmd);
            op.sent(cmd);
            Duration fired = flushAndAwait(cmd, op.timeout());
            cmd = op.resume(fired);
        }
        TuskException e = op.failure();
        if (e != null) {
            throw e;
        }
    }

    /**
     * Starts {@code op} in pipeline mode: its command is queued without waiting (its results are read when
     * someone needs them); the operation ends as the command completes, while those reads go on. Returns the
     * command. Lock held.
     */
    public Command queue(Operation op) {
        op.observeStart();
        Command cmd;
        try {
            cmd = op.start();
        } catch (RuntimeException | Error e) {
            op.observeEnd(e);
            throw e;
        }
        cmd.onComplete(() -> { // before sending: a command refused by an aborted pipeline completes at once
            op.resume(null);
            op.observeEnd(op.failure());
        });
        driver.core().send(cmd);
        op.sent(cmd);
        return cmd;
    }

    /**
     * The one wait for the server of a statement, bounded by the statement timeout {@code timeout} (null: none):
     * reads until {@code cmd} (sent and flushed) completes or pauses. When the timeout passes the statement is
     * cancelled, and if the server does not answer within the grace period (a frozen server or network) the
     * socket is closed: the wait then fails with an OperationalException naming the timeout and the connection
     * is broken. Lock held.
     *
     * @return the timeout when it fired (the statement was cancelled because of it: its QueryCanceled becomes
     *         {@link StatementTimer#timedOut}), else null
     */
    public Duration await(Command cmd, Duration timeout) {
        return timed(cmd, timeout, false);
    }

    /**
     * As {@link #await}, writing first what the core holds for {@code cmd} (sent, not flushed) under the same
     * timer: a write that blocks because the server stopped reading (frozen, or its network) and the socket
     * buffers are full is bounded by the statement timeout as the wait for the reply is. Lock held.
     */
    public Duration flushAndAwait(Command cmd, Duration timeout) {
        return timed(cmd, timeout, true);
    }

    /**
     * Writes what the core holds under the statement timeout {@code timeout} (null: none), without waiting for a
     * reply (a COPY's data). Lock held.
     *
     * @return the timeout when it fired while writing (the statement was cancelled: wait for its reply and raise its
     *         error named as the timeout's), else null
     */
    public Duration flush(Duration timeout) {
        return timed(null, timeout, true);
    }

    private Duration timed(Command cmd, Duration timeout, boolean flush) {
        StatementTimer timer = StatementTimer.arm(timeout, onTimeout);
        boolean timedOut;
        try {
            if (flush) {
                driver.flush();
            }
            if (cmd != null) {
                driver.await(cmd);
            }
        } catch (TuskException e) {
            throw timer.disarm() ? timer.error(e) : e;
        } finally {
            timedOut = timer.disarm();
        }
        if (timedOut && timer.abandoned()) {
            // the reply came just as the timer gave up on it: the socket is closed all the same
            throw timer.error(driver.abandon());
        }
        return timedOut ? timer.timeout() : null;
    }
}
