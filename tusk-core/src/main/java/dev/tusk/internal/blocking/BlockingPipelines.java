package dev.tusk.internal.blocking;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.wire.Frontend;

import java.util.concurrent.locks.ReentrantLock;

/**
 * Pipeline mode on a blocking {@code Connection}: entering and leaving its blocks, writing out the statements queued,
 * syncing, and waiting for a pipelined result. The rules are {@link PipelineState}'s; this class sends its Syncs and
 * Flushes and waits, under the connection's lock. Shared by the connection's pool lease handles: a call passes the
 * usable check of the handle it came through ({@code usable}, run under the lock).
 */
public final class BlockingPipelines {
    private final ReentrantLock lock;
    private final PipelineState pipes;
    private final BlockingDriver driver;
    private final TimedWaits waits;

    public BlockingPipelines(ReentrantLock lock, PipelineState pipes, BlockingDriver driver, TimedWaits waits) {
        this.lock = lock;
        this.pipes = pipes;
        this.driver = driver;
        this.waits = waits;
    }

    /** Enters a new pipeline block; returns it. */
    public PipelineState.Block open(Runnable usable) {
        TimedLock.lock(lock, waits.statementTimeout()); // as a statement: its timeout bounds the wait for another call
        try {
            usable.run();
            PipelineState.Block b = pipes.newBlock();
            pipes.enter(b);
            pipes.observeEnter(b);
            return b;
        } finally {
            lock.unlock();
        }
    }

    /** Leaves block {@code b} (its Pipeline was closed). */
    public void ended(PipelineState.Block b) {
        lock.lock();
        try {
            pipes.leave(b, false);
            pipes.observeEnded(pipes.observeLeave(b), null);
        } finally {
            lock.unlock();
        }
    }

    /** Sends a Sync and waits for every result before it, raising the first error among them. */
    public void sync(Runnable usable) {
        TimedLock.lock(lock, waits.statementTimeout()); // its timeout covers the wait for another thread's call
        try {
            usable.run();
            syncNow();
        } finally {
            lock.unlock();
        }
    }

    /** As {@link #sync}, lock held and the connection checked. */
    private void syncNow() {
        SyncCommand sync = pipes.startSync();
        TuskException e = pipes.synced(sync, waits.runTimed(sync), true);
        if (e != null) {
            throw e;
        }
    }

    /** Pipeline mode: a commit, rollback or savepoint first syncs, raising the pipeline's error. Lock held. */
    public void syncIfAny(Runnable usable) {
        if (pipes.inPipeline()) {
            usable.run();
            syncNow();
        }
    }

    /**
     * Statements were queued ({@code last} the last of them): past {@link PipelineState#WRITE_OUT_BYTES} of output
     * they are written out. Lock held.
     */
    public void writeOutIfDue(QueryCommand last) {
        if (pipes.writeOutDue()) {
            Command previous = pipes.writingOut(last);
            if (previous != null && !previous.isDone()) {
                pipes.waited(waits.awaitTimed(previous)); // its error is raised by its cursor or the pipeline's sync,
            }                                             // named as the timeout's when the timer cancelled it
            Frontend.flush(driver.core().output());
            pipes.waited(waits.flushTimed()); // bounded: a server that stops reading; a cancel it caused is raised by
                                              // the results, named as the timeout's
        }
    }

    /**
     * A cursor raises the error of a pipelined statement: the pipeline's sync() does not raise it again. Returns the
     * error to raise: {@code e}, or when the statement timeout fired in a wait of the pipeline's (and cancelled it),
     * the error naming the timeout.
     */
    public TuskException errorRaised(TuskException e) {
        lock.lock();
        try {
            pipes.raised(e);
            return pipes.named(e);
        } finally {
            lock.unlock();
        }
    }

    /** A pipelined cursor wants its result ({@code cmd}): flush and read until it has arrived. */
    public void await(QueryCommand cmd, Runnable usable) {
        TimedLock.lock(lock, waits.statementTimeout()); // its timeout covers the wait for another thread's call
        try {
            if (!cmd.isDone()) {
                usable.run();
                Frontend.flush(driver.core().output());
                pipes.waited(waits.flushAndAwaitTimed(cmd)); // its error is raised by its cursor or the pipeline's
                                                             // sync, named as the timeout's when it fired
            }
        } finally {
            lock.unlock();
        }
    }
}
