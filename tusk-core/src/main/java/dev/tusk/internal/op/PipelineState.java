package dev.tusk.internal.op;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.observe.Observer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Pipeline mode, written once for both drivers and without I/O (psycopg's {@code _pipeline_base.py}): the blocks
 * entered and left, what the statements queued since the last Sync left behind (the first error, the errors a
 * fetch has raised already), the pipeline status, and what a Sync reports. The shells only send the Syncs this
 * state makes and wait for them.
 *
 * <ul>
 * <li>Blocks nest: entering one queues nothing; leaving the innermost returns to the one around it, and the
 * last one open leaves pipeline mode (the session then runs statements with a Sync each again), whatever order
 * they are closed in.</li>
 * <li>Statements queued in the pipeline are told here as they are sent ({@link #sent}); those refused at once (the
 * pipeline is aborted until the next Sync) do not count as waiting for one.</li>
 * <li>An error makes the pipeline ABORTED ({@link #failed}): the server skips what follows up to the next Sync,
 * whose statements fail with {@code PipelineAborted}.</li>
 * <li>A Sync the caller asked for ({@code sync()}, the end of a block) reports the first error since the caller's
 * previous one, unless a fetch has raised it already; then the Sync's own error (a failed implicit COMMIT). A
 * Sync the driver sends on its own before a statement of its own keeps that error for the caller's next one.
 * After the caller's Sync the pipeline is ON again.</li>
 * <li>Statements with large results are written out past {@link #WRITE_OUT_BYTES} of queued output, each write
 * after the results of the previous one were read, so neither side blocks in a write ({@link #writingOut}).</li>
 * <li>While a pipelined statement has not completed, a result is pending ({@link #resultPending()}): psycopg's
 * transaction status ACTIVE.</li>
 * </ul>
 *
 * <p>Everything belongs to the thread acting for the connection, but the status and {@link #resultPending()}, read
 * from any thread, and the listeners' side ({@link #observeEnter}, {@link #observeLeave}), on the user's thread.
 */
public final class PipelineState implements Session.Pipelining {
    /** The pipeline status as libpq's PGpipelineStatus (and {@code dev.tusk.PipelineStatus}'s values): off, on, aborted. */
    public static final int OFF = 0;
    public static final int ON = 1;
    public static final int ABORTED = 2;

    /** Queued output past which a blocking pipeline writes its statements out (with a Flush) before the next Sync. */
    public static final int WRITE_OUT_BYTES = 1 << 16;

    /** One pipeline block (psycopg's {@code Pipeline}); blocks nest. */
    public static final class Block {
        private Block outer;
        private boolean entered;

        private Block() {
        }
    }

    private final Session session;
    /** The innermost block entered, or null outside pipeline mode. */
    private Block innermost;
    private volatile int status = OFF;
    /** Statements sent since the caller's last Sync (including those refused at once). */
    private int sentSinceSync;
    /** Statements sent since the last Sync and not refused at once: what a Sync of the driver's own would end. */
    private int unsynced;
    /** The first error since the caller's last Sync. */
    private TuskException firstError;
    /** Errors since the caller's last Sync that a fetch has raised already (compared by identity). */
    private final List<TuskException> raised = new ArrayList<>(1);
    /** The last command sent in the pipeline (a statement or a Sync): until it completes, a result is pending. */
    private volatile Command last;
    /**
     * The statement timeout, when it fired in a wait of the pipeline's since the caller's last Sync (a fetch, a write-out
     * or its wait for the statements written out before) and the statement completed all the same (cancelled): the
     * errors raised until the next Sync name it ({@link #named}). Else null.
     */
    private Duration timerFired;
    /** The last statement written out before its Sync ({@link #writingOut}). */
    private Command writtenOut;
    /** The block whose end the listeners hear of (the outermost one), or null. User's thread. */
    private volatile Block observedOwner;

    PipelineState(Session session) {
        this.session = session;
    }

    // ---------------------------------------------------------------- blocks

    /** A new block, not entered yet (the async driver makes it on the user's thread and enters it on the loop). */
    public Block newBlock() {
        return new Block();
    }

    /** Enters {@code b} inside the blocks entered so far: the statements that follow are queued in the pipeline. */
    public void enter(Block b) {
        b.outer = innermost;
        b.entered = true;
        innermost = b;
        session.pipeline(this);
        if (status == OFF) {
            status = ON;
        }
    }

    /**
     * Leaves {@code b} (nothing when it is not entered): the innermost block returns to the block around it; a block
     * left while a block inside it is still open (closed out of order: two threads sharing the connection, each with
     * its block) is taken out of the chain, so that pipeline mode lasts while any block is open and ends with the
     * last one, as psycopg's nesting level. Out of pipeline mode the status is then OFF, unless {@code syncing}: the
     * answer to the Sync sent with the leaving decides.
     */
    public void leave(Block b, boolean syncing) {
        if (b == null || !b.entered) {
            return;
        }
        b.entered = false;
        if (innermost != b) {
            for (Block inner = innermost; inner != null; inner = inner.outer) {
                if (inner.outer == b) {
                    inner.outer = b.outer;
                    break;
                }
            }
            b.outer = null;
            return; // still in pipeline mode: the blocks inside it are open
        }
        innermost = b.outer;
        b.outer = null;
        if (innermost == null) {
            session.pipeline(null);
            writtenOut = null;
            if (!syncing) {
                status = OFF;
            }
        }
    }

    /** True in pipeline mode. */
    public boolean inPipeline() {
        return innermost != null;
    }

    /** {@link #ON}, {@link #ABORTED} (a statement failed since the caller's last Sync) or {@link #OFF}. Any thread. */
    public int status() {
        return status;
    }

    /** A pipelined statement (or Sync) has not completed yet: psycopg's transaction status ACTIVE. Any thread. */
    public boolean resultPending() {
        Command c = last;
        return c != null && !c.isDone();
    }

    /** Whether the caller's block has statements a Sync has not ended yet (its end then syncs). */
    public boolean sentSinceSync() {
        return sentSinceSync > 0;
    }

    // ---------------------------------------------------------------- what is refused in a pipeline
    // (COPY: CopyOperation; server-side cursors: ServerCursorStep; both NotSupportedException, as psycopg)

    /** A stream reads its rows as they are consumed, which a pipeline (results read at its syncs) cannot: refused. */
    public void checkStreamAllowed() {
        if (innermost != null) {
            throw new ProgrammingException("stream() cannot be used in pipeline mode: fetch the rows with execute(),"
                    + " or stream after the pipeline block");
        }
    }

    /** A replication stream owns the connection until it ends, which a pipeline cannot wait for: the refusal. */
    public ProgrammingException replicationRefused() {
        return new ProgrammingException("a replication stream cannot start in pipeline mode: close the pipeline first");
    }

    // ---------------------------------------------------------------- what the operations tell it

    @Override
    public void sent(Command cmd) {
        sentSinceSync++;
        if (!cmd.isDone()) { // done already: refused, the pipeline is aborted until the next Sync
            unsynced++;
        }
        last = cmd;
    }

    @Override
    public void failed(TuskException e) {
        if (firstError == null) {
            firstError = e;
        }
        aborted();
    }

    /** A statement of the pipeline failed: ABORTED until the caller's next Sync. */
    public void aborted() {
        if (status == ON) {
            status = ABORTED;
        }
    }

    /** A fetch raised {@code e}, the error of a pipelined statement: the caller's next Sync does not raise it again. */
    public void raised(TuskException e) {
        if (innermost != null) {
            raised.add(e);
        }
    }

    // ---------------------------------------------------------------- Syncs

    /** A Sync to send now: it ends what was queued so far. */
    public SyncCommand startSync() {
        session.syncSent();
        unsynced = 0;
        SyncCommand sync = new SyncCommand();
        last = sync;
        return sync;
    }

    /**
     * Before a statement of the driver's own (COMMIT, SAVEPOINT, a server cursor's CLOSE) on the async driver: a Sync
     * ends what the pipeline queued, its errors kept for the caller's next Sync. Null when nothing waits for one.
     */
    public SyncCommand syncBeforeOwnStatement() {
        if (innermost == null || unsynced == 0) {
            return null;
        }
        SyncCommand sync = startSync();
        sync.onComplete(() -> synced(sync, null, false));
        return sync;
    }

    /**
     * {@code sync} was answered ({@code fired}: the statement timeout when it ran out while waiting, else null). For
     * the caller's Sync ({@code byCaller}), returns the error to raise: the first error since the caller's previous
     * Sync unless a fetch raised it already, else the Sync's own; null when none. The pipeline is ON again (OFF when
     * its blocks were left). A Sync of the driver's own only keeps its error for the caller's next one.
     */
    public TuskException synced(SyncCommand sync, Duration fired, boolean byCaller) {
        if (!byCaller) {
            if (firstError == null) {
                firstError = sync.error();
            }
            return null;
        }
        TuskException first = firstError;
        boolean seen = first != null && raisedAlready(first);
        firstError = null;
        if (fired == null) {
            fired = timerFired; // it fired in an earlier wait of the pipeline's: the cancel it sent is what failed
        }
        timerFired = null;
        raised.clear();
        sentSinceSync = 0;
        status = innermost == null ? OFF : ON;
        if (first != null && !seen) {
            return fired != null ? StatementTimer.timedOut(fired, first) : first;
        }
        TuskException own = sync.error();
        return own == null || fired == null ? own : StatementTimer.timedOut(fired, own);
    }

    /** A wait of the pipeline's returned {@code fired}: the statement timeout when it fired, else null. */
    public void waited(Duration fired) {
        if (fired != null) {
            timerFired = fired;
        }
    }

    /**
     * {@code e}, a pipelined statement's error about to be raised by its cursor: named as the statement timeout's
     * ({@link StatementTimer#timedOut}) when the timeout fired in a wait of the pipeline's since the caller's last
     * Sync, since the cancel it sent is what ended the statement.
     */
    public TuskException named(TuskException e) {
        Duration fired = timerFired;
        return fired == null ? e : StatementTimer.timedOut(fired, e);
    }

    private boolean raisedAlready(TuskException e) {
        for (TuskException r : raised) {
            if (r == e) {
                return true;
            }
        }
        return false;
    }

    /** In a blocking pipeline: the output queued is past {@link #WRITE_OUT_BYTES}, so it is written out now. */
    public boolean writeOutDue() {
        return session.core().output().position() > WRITE_OUT_BYTES;
    }

    /**
     * The statements queued up to {@code last} are written out now, with a Flush: returns the statement written out
     * before, whose results the shell reads first if they have not arrived (null: none). Whatever the results, the
     * server is then idle when the write starts, so it fits in the socket buffers; written without reading,
     * statements with large results would fill the buffers both ways and leave both sides blocked in a write.
     */
    public Command writingOut(Command last) {
        Command previous = writtenOut;
        writtenOut = last;
        return previous;
    }

    // ---------------------------------------------------------------- listeners (user's thread)

    /** Entering {@code b}: the listeners hear of a pipeline starting when it is the outermost block. */
    public void observeEnter(Block b) {
        Observer o = session.observer();
        if (o != null && session.observedPipeline() == null) {
            session.observedPipeline(o.pipelineStarted());
            observedOwner = b;
        }
    }

    /**
     * Leaving {@code b}: when it is the block the listeners heard start, the statements that follow are no longer
     * counted in its pipeline and the scope to end is returned ({@link #observeEnded}); else null.
     */
    public Object observeLeave(Block b) {
        if (b == null || b != observedOwner) {
            return null;
        }
        observedOwner = null;
        Object scope = session.observedPipeline();
        session.observedPipeline(null);
        return scope;
    }

    /** The listeners' pipelineEnded for a scope {@link #observeLeave} returned ({@code error}: its Sync's failure). */
    public void observeEnded(Object scope, Throwable error) {
        if (scope != null) {
            session.observer().pipelineEnded((Observer.PipelineScope) scope, error);
        }
    }
}
