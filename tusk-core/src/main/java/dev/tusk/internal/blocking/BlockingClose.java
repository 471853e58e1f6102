package dev.tusk.internal.blocking;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Liveness;
import dev.tusk.internal.wire.Frontend;

import java.time.Duration;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The close of a blocking connection (its own {@code close()}, or its pool's), which never waits for the server:
 * Terminate sent when the connection is idle, the socket shut under a call still running in another thread. Holds
 * whether the connection is closed, and whether it is closed or lost ({@link Liveness}); shared by the connection's
 * pool lease handles.
 */
public final class BlockingClose implements Liveness {
    /**
     * What the core fails a command with when the user closes the connection: a marker, so that no message calls
     * the connection "broken".
     */
    public static final OperationalException CLOSED_BY_USER = new ConnectionErrors.ClosedByUser(ConnectionErrors.CLOSED);

    private final ReentrantLock lock;
    private final BlockingDriver driver;
    /** Bounds the close's last write ({@link Abandon#closeWriteBound}), as a statement's writes are bounded. */
    private final BlockingWaiter waiter;
    /** The connection's statement timeout now (null: none). */
    private final Supplier<Duration> statementTimeout;
    /** The listeners hear that the connection ended, broken by the cause given (null: closed by the user). */
    private final Consumer<TuskException> observeClosed;
    private volatile boolean closed;
    /**
     * Why the driver closed the connection on its own ({@link #close(OperationalException)} with a reason not the
     * user's), else null: the connection is then broken, even while no call has seen its socket closed yet.
     */
    private volatile OperationalException closedByDriver;

    /**
     * The close of the connection whose calls hold {@code lock} while they talk to the server through {@code driver},
     * writing under {@code waiter}'s timer; {@code observed}: the listeners also hear of a break when it is found, not
     * only at close.
     */
    public BlockingClose(ReentrantLock lock, BlockingDriver driver, BlockingWaiter waiter,
            Supplier<Duration> statementTimeout, Consumer<TuskException> observeClosed, boolean observed) {
        this.lock = lock;
        this.driver = driver;
        this.waiter = waiter;
        this.statementTimeout = statementTimeout;
        this.observeClosed = observeClosed;
        if (observed) {
            driver.core().onLost(observeClosed);
        }
    }

    /** True once closed, or found broken ({@link #markClosed()}). */
    public boolean closed() {
        return closed;
    }

    @Override
    public boolean closedOrLost() {
        return closed || driver.core().isBroken();
    }

    @Override
    public boolean lost() {
        return closedByDriver != null || (driver.core().isBroken() && driver.core().brokenBy() != CLOSED_BY_USER);
    }

    @Override
    public RuntimeException closedError() {
        TuskException cause = driver.core().brokenBy();
        if (cause == null) {
            cause = closedByDriver; // the socket was closed under another thread's call, which has not seen it yet
        }
        return cause != null && cause != CLOSED_BY_USER ? ConnectionErrors.broken(cause) : ConnectionErrors.closed();
    }

    /** The connection was found broken: it stays closed. */
    public void markClosed() {
        closed = true;
    }

    /** Closes the connection (idempotent), without waiting for a call running in another thread. */
    public void close() {
        close(CLOSED_BY_USER);
    }

    /**
     * As {@link #close()}, for {@code reason}: {@link #CLOSED_BY_USER} when its user closes the connection; any other
     * when the driver ends it on its own (a COPY closed while another thread's call held the connection): the
     * connection is then broken by that reason ({@link #lost()}), which later calls raise.
     */
    public void close(OperationalException reason) {
        if (closed) {
            return;
        }
        OperationalException byDriver = reason == CLOSED_BY_USER ? null : reason;
        if (!lock.tryLock()) {
            closedByDriver = byDriver;
            // another thread runs a statement (or waits for the server): closing must not wait for it, so the
            // socket is shut under it; that call fails with "the connection is closed", the server ends the session
            closed = true;
            driver.closeUnderRunningCall(reason);
            observeClosed.accept(byDriver);
            return;
        }
        try {
            if (closed) {
                return;
            }
            closedByDriver = byDriver;
            closed = true;
            observeClosed.accept(driver.core().isBroken() ? driver.core().brokenBy() : byDriver);
            if (!driver.core().isBroken()) {
                driver.core().connectionLost(reason); // first: a write cut short below says why, not "lost"
                try {
                    Frontend.terminate(driver.core().output());
                    waiter.flush(Abandon.closeWriteBound(statementTimeout.get())); // Terminate, after what a
                    // pipeline left queued: a server that stopped reading cannot block the close
                } catch (TuskException ignored) {
                    // the socket is going away anyway
                }
            }
            driver.close();
        } finally {
            lock.unlock();
        }
    }
}
