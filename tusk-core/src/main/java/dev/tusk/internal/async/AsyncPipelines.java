package dev.tusk.internal.async;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.PipelineState;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * An async connection's pipeline blocks on the event loop: entering them in order with the statements, their
 * Syncs (counted in flight and under the statement timeout), and the Sync before a statement of the driver's own.
 * The rules are {@link PipelineState}'s, shared with the blocking connection.
 */
public final class AsyncPipelines {
    private final PipelineState pipes;
    private final EventLoopDriver driver;
    private final AsyncWaiter waiter;
    private final LoopCalls calls;

    public AsyncPipelines(PipelineState pipes, EventLoopDriver driver, AsyncWaiter waiter, LoopCalls calls) {
        this.pipes = pipes;
        this.driver = driver;
        this.waiter = waiter;
        this.calls = calls;
    }

    /**
     * Enters {@code block} in order with the statements submitted before (the user's thread); not once the pool lease
     * {@code lease} (null: none) ended meanwhile, as {@link LoopCalls} refuses its calls.
     */
    public void enter(PipelineState.Block block, Object lease) {
        pipes.observeEnter(block); // the user's thread, as statements
        waiter.inOrder(() -> {
            if (driver.failure() == null && !calls.leaseEnded(lease)) {
                pipes.enter(block);
            }
        });
    }

    /**
     * Sends a Sync for the pipeline {@code block} belongs to, and leaves {@code block} when {@code leave}; the future
     * completes when every result before the Sync is in, failing with the first error among them. {@code refused}
     * non-null fails it at once; {@code timeout} is read on the loop as the Sync starts. {@code lease}: as
     * {@link LoopCalls#counted}.
     */
    public CompletableFuture<Void> sync(PipelineState.Block block, boolean leave, TuskException refused, Object lease,
                                        Supplier<Duration> timeout) {
        Object scope = leave ? pipes.observeLeave(block) : null; // the user's thread, as statements
        CompletableFuture<Void> synced = calls.uncounted(refused, lease, f -> {
            SyncCommand sync = pipes.startSync();
            if (leave) {
                pipes.leave(block, true);
            }
            waiter.started();
            Supplier<Duration> clock = waiter.watch(timeout.get(), sync, sync); // a frozen server cannot hold it forever
            sync.onComplete(() -> {
                if (clock != null) {
                    clock.get();
                }
                waiter.ended();
                TuskException e = pipes.synced(sync, null, true);
                // the listeners hear the end before the caller sees the future complete (as a blocking Pipeline's
                // close); the whenComplete below tells them when the Sync never ran (refused, closed: once only)
                pipes.observeEnded(scope, e);
                if (e != null) {
                    f.completeExceptionally(e);
                } else {
                    f.complete(null);
                }
            });
            driver.send(sync);
        });
        if (scope != null) {
            synced.whenComplete((v, e) -> pipes.observeEnded(scope, LoopFuture.unwrap(e)));
        }
        return synced;
    }

    /** Before a statement of the driver's own: a Sync ends what the open pipeline sent (errors go to its next sync()). */
    public void syncBeforeOwnStatement() {
        SyncCommand sync = pipes.syncBeforeOwnStatement();
        if (sync != null) {
            driver.send(sync);
        }
    }
}
