package dev.tusk.internal.blocking;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.StatementTimer;

import java.time.Duration;
import java.util.function.Supplier;

/**
 * The waits of a blocking connection's statements that are not an {@code execute} (which its
 * {@link BlockingWaiter} runs): each under the connection's statement timeout, or one given, on the caller's
 * thread, which holds the connection's lock.
 */
public final class TimedWaits {
    private final BlockingDriver driver;
    private final BlockingWaiter waiter;
    /** The connection's statement timeout now (null: none); it can change between statements. */
    private final Supplier<Duration> statementTimeout;

    public TimedWaits(BlockingDriver driver, BlockingWaiter waiter, Supplier<Duration> statementTimeout) {
        this.driver = driver;
        this.waiter = waiter;
        this.statementTimeout = statementTimeout;
    }

    /** The connection's statement timeout now (null: none). */
    public Duration statementTimeout() {
        return statementTimeout.get();
    }

    /**
     * Waits for {@code cmd} (sent and flushed) under the connection's statement timeout: every wait of a
     * statement that is not {@code Connection.execute}'s (the driver's own BEGIN/COMMIT/ROLLBACK/SAVEPOINT and
     * CLOSE, the two-phase statements, COPY start, data and end, a pipeline's Sync and results, stream chunks) goes
     * through here, so a frozen server or network ends it as it ends execute(): cancelled, then the socket closed after
     * the grace period, an OperationalException naming the timeout, the connection broken. Without a statement
     * timeout it is a plain wait. Lock held.
     *
     * @return the timeout when it fired and the statement completed all the same (it was cancelled, or
     *         finished just then), else null; raise the command's error with {@link #errorOf(Command, Duration)}
     */
    public Duration awaitTimed(Command cmd) {
        return waiter.await(cmd, statementTimeout.get());
    }

    /**
     * As {@link #awaitTimed(Command)} under {@code timeout} (null: none) instead of the statement timeout. Lock
     * held.
     */
    public Duration awaitTimed(Command cmd, Duration timeout) {
        return waiter.await(cmd, timeout);
    }

    /**
     * The error to raise for {@code cmd} after {@link #awaitTimed} returned {@code fired}: its own, or when the
     * statement timeout fired, the QueryCanceled naming the timeout ({@link StatementTimer#timedOut}); null when
     * the command succeeded.
     */
    public static TuskException errorOf(Command cmd, Duration fired) {
        TuskException e = cmd.error();
        return e == null || fired == null ? e : StatementTimer.timedOut(fired, e);
    }

    /** Raises {@link #errorOf(Command, Duration)} if there is one. */
    public static void throwIfFailed(Command cmd, Duration fired) {
        TuskException e = errorOf(cmd, fired);
        if (e != null) {
            throw e;
        }
    }

    /** Sends {@code cmd} and waits for it as {@link #awaitTimed}. Lock held. */
    public Duration runTimed(Command cmd) {
        driver.core().send(cmd);
        return waiter.flushAndAwait(cmd, statementTimeout.get());
    }

    /**
     * Writes what the core holds (a COPY's data) under the connection's statement timeout: a server that stops
     * reading cannot block the write forever. Lock held.
     *
     * @return the timeout when it fired and the write completed all the same (the statement was cancelled), else
     *         null
     */
    public Duration flushTimed() {
        return waiter.flush(statementTimeout.get());
    }

    /**
     * Writes what the core holds for a close (a COPY FROM's CopyFail), bounded by {@link Abandon#closeWriteBound}: a
     * close never waits long for a server that stopped reading, with or without a statement timeout. Lock held.
     *
     * @return as {@link #flushTimed()}
     */
    public Duration flushForClose() {
        return waiter.flush(Abandon.closeWriteBound(statementTimeout.get()));
    }

    /**
     * As {@link #awaitTimed(Command)}, writing first what the core holds, under the same timer; {@code cmd} null:
     * only the write. Lock held.
     */
    public Duration flushAndAwaitTimed(Command cmd) {
        return waiter.flushAndAwait(cmd, statementTimeout.get());
    }

    /** As {@link #flushAndAwaitTimed(Command)} under {@code timeout} (null: none). Lock held. */
    public Duration flushAndAwaitTimed(Command cmd, Duration timeout) {
        return waiter.flushAndAwait(cmd, timeout);
    }

    /** Runs a statement of the driver's own (BEGIN, COMMIT, SAVEPOINT...) and waits for it; the lock must be held. */
    public SimpleQuery runInternal(String sql) {
        SimpleQuery q = new SimpleQuery(sql);
        throwIfFailed(q, runTimed(q));
        return q; // its results, for a caller that reads them
    }
}
