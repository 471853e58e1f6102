package dev.tusk.internal.blocking;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.BlockChecks;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.Liveness;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.internal.op.TwoPhaseSteps;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The transactions of one blocking connection: the {@link TransactionSteps} of its session (the rules, the block
 * stack and the two-phase state, shared with {@code AsyncConnection}) run on the caller's thread under the
 * connection's lock, after what its pipeline holds; the blocks of both forms of {@code Transaction} (a body, or
 * try-with-resources) by their {@link TransactionSteps.Block}.
 */
public final class BlockingTransactions {
    private final Parts parts;
    private final TransactionSteps steps;
    /**
     * The usable check of whose call this is: the connection, or a pool's lease handle of it ({@link #forLease}). The
     * lease is checked again under the lock: a call that passed the handle's {@code use()} just before its lease
     * ended must not reach the transaction of the next borrower, whom the pool may have lent the connection meanwhile.
     */
    private final Runnable callerUsable;

    /**
     * What the connection runs its transactions with: its lock, waiter and closing object ({@code liveness}), its
     * pipelines, its own usable check and statement timeout.
     */
    public record Parts(ReentrantLock lock, BlockingDriver driver, BlockingWaiter waiter, Liveness liveness,
                        BlockingPipelines pipelines, Runnable usable, Supplier<Duration> timeout) {
    }

    public BlockingTransactions(Parts parts, Session session) {
        this(parts, session.transactions(), parts.usable());
        steps.closedBy(parts.liveness()::closedOrLost);
    }

    private BlockingTransactions(Parts parts, TransactionSteps steps, Runnable callerUsable) {
        this.parts = parts;
        this.steps = steps;
        this.callerUsable = callerUsable;
    }

    /** The transactions of a lease handle of this connection ({@code usable}: its check): the same, checked for it. */
    public BlockingTransactions forLease(Runnable usable) {
        return new BlockingTransactions(parts, steps, usable);
    }

    /** The rules: a block's opening step is made here. */
    public TransactionSteps steps() {
        return steps;
    }

    /** The statement timeout of the steps. */
    public Duration timeout() {
        return parts.timeout().get();
    }

    /**
     * Runs {@code op} (its rules first) and raises its failure: a COMMIT whose reply was lost with the connection
     * as TransactionResolutionUnknown. Lock held, the pipeline synced.
     */
    private TransactionOp run(TransactionOp op) {
        op.decide();
        if (!op.sends()) {
            return op;
        }
        try {
            parts.waiter().run(op); // on this thread, raising its failure
        } catch (TuskException e) {
            TuskException seen = op.interrupted(e);
            throw op.commits() ? TransactionSteps.unknownIfLost(seen, parts.driver().core().isBroken()) : seen;
        }
        return op;
    }

    /** Runs {@code op} on a usable connection, after what the pipeline holds and the session's prelude. */
    private TransactionOp runChecked(TransactionOp op) {
        return runChecked(op, true);
    }

    /**
     * Runs {@code op} on a usable connection, after what the pipeline holds; {@code prelude}: after the session's
     * prelude too (a cursor WITH HOLD a layer closed must not outlive a commit, nor make PREPARE TRANSACTION fail).
     * Not before the end of a prepared two-phase transaction, which refuses any other statement before it.
     */
    private TransactionOp runChecked(TransactionOp op, boolean prelude) {
        ReentrantLock lock = parts.lock();
        TimedLock.lock(lock, op.timeout()); // its timeout covers the wait for another thread's call
        try {
            callerUsable.run();
            if (prelude) {
                steps.session().runPrelude(op.timeout());
            }
            parts.pipelines().syncIfAny(parts.usable());
            return run(op);
        } finally {
            lock.unlock();
        }
    }

    public void commit() {
        runChecked(steps.end(true, timeout()));
    }

    public void rollback() {
        runChecked(steps.end(false, timeout()));
    }

    // ---------------------------------------------------------------- transaction blocks

    /** Opens a block with {@code open} (a step of {@link #steps()}): BEGIN for the outermost block, else a SAVEPOINT. */
    public TransactionSteps.Block open(TransactionOp open) {
        return runChecked(open).block();
    }

    /**
     * Commits block {@code b}. From the lambda form ({@code unwindOnNesting}) an inner block left open is an error
     * that rolls everything back up to {@code b}; from {@code tx.commit()} it only raises.
     */
    public void commitBlock(TransactionSteps.Block b, boolean unwindOnNesting) {
        ReentrantLock lock = parts.lock();
        TimedLock.lock(lock, timeout()); // nothing done yet when the wait for another thread's call times out
        try {
            BlockChecks.checkActive(b, "commit()");
            ProgrammingException refused = BlockChecks.commitRefusal(steps, b);
            if (refused != null) {
                if (unwindOnNesting) {
                    rollbackAfter(b, refused);
                }
                throw refused;
            }
            Liveness liveness = parts.liveness();
            if (liveness.closedOrLost()) {
                steps.abandon(b, null); // FAILED: nothing is sent (psycopg: a BAD connection at exit)
                if (!liveness.lost()) {
                    return; // the user closed it inside the block: nothing to commit, nothing to report (psycopg)
                }
                parts.usable().run(); // lost: raises the reason, as the commit did not happen
            }
            try {
                parts.pipelines().syncIfAny(parts.usable());
            } catch (TuskException e) { // a statement of the block failed: it rolls back
                rollbackAfter(b, e);
                throw e;
            }
            run(steps.commitBlock(b, timeout()));
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rolls back block {@code b}, first ending any inner block still open (a resource-form block closed out of
     * order), because of {@code cause} (for listeners; null: none). {@code explicitCall}: from {@code tx.rollback()},
     * so an ended block is an error.
     */
    public void rollbackBlock(TransactionSteps.Block b, TransactionSteps.Status endStatus, boolean explicitCall,
                              Throwable cause) {
        ReentrantLock lock = parts.lock();
        lock.lock();
        try {
            if (explicitCall) {
                BlockChecks.checkActive(b, "rollback()");
            } else if (!b.isActive()) {
                return;
            }
            TransactionOp op = steps.rollbackBlock(b, endStatus, true, timeout()).cause(cause);
            op.decide();
            if (!op.sends()) { // no longer open, or the connection is closed: nothing to roll back
                return;
            }
            try {
                parts.pipelines().syncIfAny(parts.usable());
            } catch (TuskException ignored) {
                // the pipeline's error is the reason we are rolling back; the rollback below clears it
            }
            run(op);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Rolls back block {@code b}, still active, because its body failed with {@code cause}; a failure of the rollback
     * itself is added to {@code cause}.
     */
    public void rollbackAfter(TransactionSteps.Block b, Throwable cause) {
        if (!b.isActive()) {
            return;
        }
        try {
            rollbackBlock(b, TransactionSteps.Status.ROLLED_BACK_WITH_ERROR, false, cause);
        } catch (RuntimeException e) {
            if (e != cause) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * {@code tx.close()} or {@code tx.rollback()} ({@code explicitCall}) of the resource form: refused while a block
     * opened inside it is still open (psycopg's out-of-order exit), else a rollback.
     */
    public void closeBlock(TransactionSteps.Block b, boolean explicitCall) {
        ReentrantLock lock = parts.lock();
        // tx.rollback()'s timeout covers its wait for another thread's call (nothing done yet when it fires); a
        // close waits as long as that call runs: the block is always ended
        TimedLock.lock(lock, explicitCall ? timeout() : null);
        try {
            if (explicitCall) {
                BlockChecks.checkActive(b, "rollback()");
            }
            ProgrammingException refused = BlockChecks.closeRefusal(steps, b, explicitCall);
            if (refused != null) {
                throw refused;
            }
            rollbackBlock(b, TransactionSteps.Status.ROLLED_BACK_EXPLICITLY, explicitCall, null);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A {@code Rollback} ({@code rollback}) reached block {@code b} (whose public object is {@code self}), naming
     * {@code named} (null: none), {@code namedBlock} as the rules see it (see {@link BlockChecks#unwind}): it rolls
     * back; the Rollback goes on to the outer block it names (thrown again), stops here if it names this one (or
     * none), and becomes a ProgrammingException if it names a block that does not enclose it or its block had ended.
     */
    public void unwind(TransactionSteps.Block b, Object self, Object named, TransactionSteps.Block namedBlock,
                       RuntimeException rollback) {
        TransactionSteps.Unwind where;
        ReentrantLock lock = parts.lock();
        lock.lock();
        try {
            where = BlockChecks.unwind(steps, b, named, namedBlock);
        } finally {
            lock.unlock();
        }
        ProgrammingException refused = BlockChecks.refusal(where, self, named, rollback);
        if (refused != null) {
            rollbackAfter(b, refused);
            throw refused;
        }
        try {
            rollbackBlock(b, TransactionSteps.Status.ROLLED_BACK_EXPLICITLY, false, null);
        } catch (TuskException e) {
            e.addSuppressed(rollback);
            throw e;
        }
        if (where == TransactionSteps.Unwind.OUTWARD) {
            throw rollback;
        }
    }

    public boolean inBlock() {
        return steps.inBlock();
    }

    // ---------------------------------------------------------------- two-phase commit

    /** Begins a two-phase transaction with {@code gid} (an xid's text); refused for a null one. */
    public void tpcBegin(String gid) {
        if (gid == null) {
            throw new ProgrammingException(TwoPhaseSteps.XID_NEEDED);
        }
        runChecked(steps.tpcBegin(gid, timeout()));
    }

    public void tpcPrepare() {
        runChecked(steps.tpcPrepare(timeout()));
    }

    /** Commits or rolls back the current two-phase transaction ({@code gid} null), or a prepared one by id. */
    public void tpcFinish(boolean commit, String gid) {
        runChecked(steps.tpcFinish(commit, gid, timeout()), false);
    }

    /** The prepared transactions of the whole server (not only this database), as psycopg. */
    public <X> List<X> tpcRecover(TwoPhaseSteps.RecoveredXid<X> xid) {
        return TwoPhaseSteps.recovered(runChecked(steps.tpcRecover(timeout()), false).results().get(0), xid);
    }

    public void checkNotInTpc(String call) {
        steps.twoPhase().checkNotInTpc(call);
    }

    // ---------------------------------------------------------------- characteristics

    /**
     * Sets autocommit or a characteristic ({@code attribute}) with {@code set}: only outside any transaction (else a
     * ProgrammingException), checked and set under the lock, so a stale lease handle never changes the next
     * borrower's session.
     */
    public void setWhenIdle(String attribute, Runnable set) {
        ReentrantLock lock = parts.lock();
        lock.lock();
        try {
            callerUsable.run();
            steps.checkIdle(attribute);
            set.run();
        } finally {
            lock.unlock();
        }
    }
}
