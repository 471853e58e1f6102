package dev.tusk.internal.async;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.AsyncWaiter;

import java.util.concurrent.CompletableFuture;

/**
 * An async connection's calls that are not plain operations (a transaction step, a statement of the driver's own,
 * a COPY, a pipeline's Sync, a setting): each refused at once when the connection cannot take it, else run on the
 * event loop in order after everything submitted before, failing its future if the connection failed meanwhile
 * or the step threw before it handed its work on. A call of a pool's lease handle ({@code lease} non-null) is
 * refused on the loop too once the lease ended, as the caller's thread refuses it: passing that check just before the
 * give-back must not let it run on the next borrower's session. Written once for every such call of the shell.
 */
public final class LoopCalls {
    /** A call's work on the loop, the connection known usable. */
    public interface Step<T> {
        /**
         * Completes {@code f} (through {@link LoopCalls#done} for a counted call), hands it to
         * {@link AsyncWaiter#runNow}, or throws: {@code f} then fails with that. It must not throw after it handed
         * {@code f} on.
         */
        void run(LoopFuture<T> f);

        /** The step did not run or threw: its future fails with {@code e}. */
        default void refused(RuntimeException e) {
        }
    }

    private final EventLoopDriver driver;
    private final AsyncWaiter waiter;
    private final AsyncWaiter.Shell shell;

    public LoopCalls(EventLoopDriver driver, AsyncWaiter waiter, AsyncWaiter.Shell shell) {
        this.driver = driver;
        this.waiter = waiter;
        this.shell = shell;
    }

    /**
     * Runs {@code step} in order, counted in flight from now until it ends (through {@link #done}, the waiter, or
     * a failure); {@code refused} non-null fails the future at once instead. {@code lease}: the pool lease handle
     * whose call this is, checked again on the loop ({@link AsyncWaiter.Shell#leaseEnded}); null for the connection's own.
     */
    public <T> CompletableFuture<T> counted(TuskException refused, Object lease, Step<T> step) {
        return run(new LoopFuture<>(), refused, lease, true, step);
    }

    /** As {@link #counted} with the future {@code f} the caller made (and may have attached to first). */
    public <T> CompletableFuture<T> counted(LoopFuture<T> f, Object lease, Step<T> step) {
        return run(f, null, lease, true, step);
    }

    /** As {@link #counted}, not counted in flight: work that sends nothing of its own (a setting, a check). */
    public <T> CompletableFuture<T> uncounted(TuskException refused, Object lease, Step<T> step) {
        return run(new LoopFuture<>(), refused, lease, false, step);
    }

    /** True when {@code lease} (non-null: a pool's lease handle) ended: its work must not run (acting thread). */
    public boolean leaseEnded(Object lease) {
        return lease != null && shell.leaseEnded(lease) != null;
    }

    /** Completes a counted call's future with {@code value} without an operation: it is no longer in flight. */
    public <T> void done(LoopFuture<T> f, T value) {
        waiter.ended();
        f.complete(value);
    }

    private <T> LoopFuture<T> run(LoopFuture<T> f, TuskException refused, Object lease, boolean counted, Step<T> step) {
        if (refused != null) {
            f.completeExceptionally(refused);
            return f;
        }
        if (counted) {
            waiter.started();
        }
        waiter.inOrder(() -> {
            try {
                TuskException ended = lease == null ? null : shell.leaseEnded(lease);
                if (ended != null) { // the lease ended since the caller's check: the connection is someone else's now
                    throw ended;
                }
                TuskException broken = driver.failure();
                if (broken != null) { // a lost connection is the answer, whatever its last state
                    throw shell.notSent(broken);
                }
                step.run(f);
            } catch (RuntimeException e) {
                step.refused(e);
                if (counted) {
                    waiter.ended();
                }
                f.completeExceptionally(e);
            }
        });
        return f;
    }
}
