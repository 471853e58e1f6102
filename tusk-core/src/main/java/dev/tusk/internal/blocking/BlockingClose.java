package dev.tusk.internal.blocking;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Liveness;
import dev.tusk.internal.wire.Frontend;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

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
    /** The listeners hear that the connection ended, broken by the cause given (null: closed by the user). */
    private final Consumer<TuskException> observeClosed;
    private volatile boolean closed;

    /**
     * The close of the connection whose calls hold {@code lock} while they talk to the server through {@code driver};
     * {@code observed}: the listeners also hear of a break when it is found, not only at close.
     */
    public BlockingClose(ReentrantLock lock, BlockingDriver driver, Consumer<TuskException> observeClosed,
            boolean observed) {
        this.lock = lock;
        this.driver = driver;
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
        return driver.core().isBroken() && driver.core().brokenBy() != CLOSED_BY_USER;
    }

    @Override
    public RuntimeException closedError() {
        TuskException cause = driver.core().brokenBy();
        return cause != null && cause != CLOSED_BY_USER ? ConnectionErrors.broken(cause) : ConnectionErrors.closed();
    }

    /** The connection was found broken: it stays closed. */
    public void markClosed() {
        closed = true;
    }

    /** Closes the connection (idempotent), without waiting for a call running in another thread. */
    public void close() {
        if (closed) {
            return;
        }
        if (!lock.tryLock()) {
            // another thread runs a statement (or waits for the server): closing must not wait for it, so the
            // socket is shut under it; that call fails with "the connection is closed", the server ends the session
            closed = true;
            driver.closeUnderRunningCall(CLOSED_BY_USER);
            observeClosed.accept(null);
            return;
        }
        try {
            if (closed) {
                return;
            }
            closed = true;
            observeClosed.accept(driver.core().brokenBy());
            if (!driver.core().isBroken()) {
                try {
                    Frontend.terminate(driver.core().output());
                    driver.flush();
                } catch (TuskException ignored) {
                    // the socket is going away anyway
                }
                driver.core().connectionLost(CLOSED_BY_USER);
            }
            driver.close();
        } finally {
            lock.unlock();
        }
    }
}
