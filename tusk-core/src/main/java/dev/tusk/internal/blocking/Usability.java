package dev.tusk.internal.blocking;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.PipelineState;

/**
 * What a blocking {@code Connection} checks before every operation, under its lock: the lease still open, the
 * connection open and not broken, a stream or COPY left in progress settled, a targeted cancel of the operation before
 * waited for, what the server sent meanwhile read.
 */
public final class Usability {
    private Usability() {
    }

    /**
     * The state of a blocking connection this check reads and settles: whether it is idle in its pool, and the
     * statement it has running while its user reads it (a stream of rows, or a COPY). Implemented in dev.tusk, which
     * owns the stream and COPY objects.
     */
    public interface Work {
        /** With a pool: the connection was given back (it refuses every call until lent again). */
        boolean idleInPool();

        /** Whether a stream reads its rows from the server now. */
        boolean streaming();

        /** Ends the stream in progress, or reads its rest into memory when it keeps it. */
        void settleStream();

        /** Whether a COPY is open other than {@code by} (the COPY whose own call this check is for, or null). */
        boolean copyOpenBesides(Object by);

        /**
         * Settles the open COPY: a COPY FROM is the caller's to end (its data would be committed or lost), so the
         * call is refused, as libpq does; a COPY TO nobody finished is abandoned (cancelled, the rest dropped).
         */
        void settleCopy();

        /**
         * An operation starts on the connection, the one before it over on the server (a stream left in progress
         * settled): it becomes the statement a targeted cancel may stop; a targeted cancel already written for the
         * one before is waited for by its first write (so that it cannot reach the server while this one runs).
         * Not within a pipeline: the pipeline is one operation from its start to its end. Lock held.
         */
        void operationStarts();
    }

    /**
     * Refuses a call on a connection that cannot run it: {@code leaseOver}, the call's lease handle whose lease
     * ended; given back to its pool; closed or lost; busy with a COPY FROM. A stream or a COPY TO left in progress
     * is settled first, and what the server sent meanwhile is read (outside pipeline mode). {@code by}: the COPY in
     * progress when the call is its own, else null. Lock held.
     */
    public static void check(boolean leaseOver, Work work, BlockingClose closing, BlockingDriver driver,
                             PipelineState pipelines, Object by) {
        EventLoop.checkNotOnEventLoop("a blocking Connection call");
        if (leaseOver) {
            // under the lock: an object the lease made (a pipeline block) or a call that passed use() just before
            // the lease ended never reaches the session the pool may have lent to the next borrower
            throw ConnectionErrors.endedLease();
        }
        if (work.idleInPool()) {
            throw new InterfaceException("this connection was given back to its pool: lease another one with"
                    + " pool.connection() (a pooled connection must not be used after close())");
        }
        if (work.streaming() && !driver.core().isBroken()) {
            work.settleStream();
        }
        if (closing.closed()) {
            throw closing.closedError(); // broken by what broke it, or closed by the user: nothing broke
        }
        if (driver.core().isBroken()) {
            closing.markClosed();
            throw ConnectionErrors.broken(driver.core().brokenBy());
        }
        if (work.copyOpenBesides(by)) {
            work.settleCopy();
        }
        if (!pipelines.inPipeline()) {
            work.operationStarts();
        }
        if (!pipelines.inPipeline() && !work.streaming()) {
            try {
                driver.readPending();
            } catch (TuskException e) {
                closing.markClosed();
                throw e;
            }
        }
    }
}
