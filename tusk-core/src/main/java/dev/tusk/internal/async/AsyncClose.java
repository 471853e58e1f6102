package dev.tusk.internal.async;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.wire.Frontend;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The close of an async connection, which never waits for the server: a Terminate after everything already
 * queued, then the socket closed; the commands still waiting fail with {@link #closedByUser()}. Shared by the
 * connection's pool lease handles.
 */
public final class AsyncClose {
    private final EventLoopDriver driver;
    /**
     * What the core fails the commands still queued with when the user closes the connection; each statement's
     * future then fails with what that means for it, never with this one.
     */
    private final TuskException closedByUser;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final LoopFuture<Void> closeDone = new LoopFuture<>();

    public AsyncClose(EventLoopDriver driver) {
        this.driver = driver;
        this.closedByUser = new ConnectionErrors.ClosedByUser(
                "the connection was closed (close() was called) before the statement completed");
    }

    /** True once {@link #close()} was called. */
    public boolean started() {
        return closing.get();
    }

    public TuskException closedByUser() {
        return closedByUser;
    }

    /** Starts closing (once) and returns the future that completes when the socket is closed. */
    public CompletableFuture<Void> close() {
        if (closing.compareAndSet(false, true)) {
            driver.execute(() -> {
                if (driver.failure() == null) {
                    Frontend.terminate(driver.core().output());
                    driver.flush();
                    driver.fail(closedByUser);
                }
                driver.close();
                closeDone.complete(null);
            });
        }
        return closeDone;
    }
}
