package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.op.BlockChecks;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.internal.op.TwoPhaseSteps;

import java.util.List;

/**
 * The transactions of one blocking connection: the {@link TransactionSteps} of its session (the rules, the block
 * stack and the two-phase state, shared with {@link AsyncConnection}) run under the connection's lock, and the
 * two forms of {@link Transaction} block (a body, or try-with-resources).
 */
final class Transactions {
    private final Connection<?> conn;
    private final TransactionSteps steps;
    /**
     * Whose call this is: the connection, or a pool's lease handle of it. The lease is checked again under the
     * lock ({@link Connection#checkUsable()}): a call that passed the handle's {@code use()} just before its lease
     * ended must not reach the transaction of the next borrower, whom the pool may have lent the connection meanwhile.
     */
    private final Connection<?> caller;

    Transactions(Connection<?> conn, Session session) {
        this.conn = conn;
        this.steps = session.transactions();
        this.caller = conn;
        steps.closedBy(conn::isClosed);
    }

    private Transactions(Transactions shared, Connection<?> handle) {
        this.conn = shared.conn;
        this.steps = shared.steps;
        this.caller = handle;
    }

    /** The transactions of a lease handle of this connection: the same, its lease checked under the lock. */
    Transactions forLease(Connection<?> handle) {
        return new Transactions(this, handle);
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
            conn.waiter.run(op); // on this thread, raising its failure
        } catch (TuskException e) {
            TuskException seen = op.interrupted(e);
            throw op.commits() ? TransactionSteps.unknownIfLost(seen, conn.driver().core().isBroken()) : seen;
        }
        return op;
    }

    /** Runs {@code op} on a usable connection, after what the pipeline holds. */
    private TransactionOp runChecked(TransactionOp op) {
        conn.lock.lock();
        try {
            caller.checkUsable();
            Pipelining.syncPipelineIfAny(conn);
            return run(op);
        } finally {
            conn.lock.unlock();
        }
    }

    void commit() {
        runChecked(steps.end(true, conn.statementTimeout()));
    }

    void rollback() {
        runChecked(steps.end(false, conn.statementTimeout()));
    }

    // ---------------------------------------------------------------- transaction blocks

    <T, E extends Exception> T runBlock(TransactionOptions opts, TransactionBody<T, E> body) throws E {
        return Transaction.run(openBlock(opts), body);
    }

    /** Opens a block: BEGIN when no transaction is open (the outermost block), else a SAVEPOINT. */
    Transaction openBlock(TransactionOptions opts) {
        TransactionOp op = runChecked(steps.open(opts.savepointName(), opts.isolationLevel(), opts.readOnly(),
                opts.deferrable(), conn.statementTimeout()).forceRollback(opts.forceRollback()));
        return new Transaction(caller, this, op.block()); // its connection() is the caller: a lease handle stays one
    }

    /**
     * Commits {@code tx}. From the lambda form ({@code unwindOnNesting}) an inner block left open is an error
     * that rolls everything back up to {@code tx}; from {@code tx.commit()} it only raises.
     */
    void commitBlock(Transaction tx, boolean unwindOnNesting) {
        conn.lock.lock();
        try {
            tx.checkActive("commit()");
            TransactionSteps.Block b = tx.block();
            ProgrammingException refused = BlockChecks.commitRefusal(steps, b);
            if (refused != null) {
                if (unwindOnNesting) {
                    tx.rollbackAfter(refused);
                }
                throw refused;
            }
            if (conn.isClosed()) {
                steps.abandon(b, null); // FAILED: nothing is sent (psycopg: a BAD connection at exit)
                if (!conn.isBroken()) {
                    return; // the user closed it inside the block: nothing to commit, nothing to report (psycopg)
                }
                conn.checkUsable(); // lost: raises the reason, as the commit did not happen
            }
            try {
                Pipelining.syncPipelineIfAny(conn);
            } catch (TuskException e) { // a statement of the block failed: it rolls back
                tx.rollbackAfter(e);
                throw e;
            }
            run(steps.commitBlock(b, conn.statementTimeout()));
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Rolls back {@code tx}, first ending any inner block still open (a resource-form block closed out of
     * order). {@code explicitCall}: from {@code tx.rollback()}, so an ended block is an error.
     */
    void rollbackBlock(Transaction tx, Transaction.Status endStatus, boolean explicitCall) {
        rollbackBlock(tx, endStatus, explicitCall, null);
    }

    /** As {@link #rollbackBlock(Transaction, Transaction.Status, boolean)}, because of {@code cause} (for listeners). */
    void rollbackBlock(Transaction tx, Transaction.Status endStatus, boolean explicitCall, Throwable cause) {
        conn.lock.lock();
        try {
            if (explicitCall) {
                tx.checkActive("rollback()");
            } else if (!tx.isActive()) {
                return;
            }
            TransactionOp op = steps.rollbackBlock(tx.block(), Transaction.status(endStatus), true, conn.statementTimeout())
                    .cause(cause);
            op.decide();
            if (!op.sends()) { // no longer open, or the connection is closed: nothing to roll back
                return;
            }
            try {
                Pipelining.syncPipelineIfAny(conn);
            } catch (TuskException ignored) {
                // the pipeline's error is the reason we are rolling back; the rollback below clears it
            }
            run(op);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * {@code tx.close()} or {@code tx.rollback()} ({@code explicitCall}) of the resource form: refused while a block
     * opened inside it is still open (psycopg's out-of-order exit), else a rollback.
     */
    void closeBlock(Transaction tx, boolean explicitCall) {
        conn.lock.lock();
        try {
            if (explicitCall) {
                tx.checkActive("rollback()");
            }
            ProgrammingException refused = BlockChecks.closeRefusal(steps, tx.block(), explicitCall);
            if (refused != null) {
                throw refused;
            }
            rollbackBlock(tx, Transaction.Status.ROLLED_BACK_EXPLICITLY, explicitCall);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * A {@link Rollback} reached block {@code tx}: it rolls back; the Rollback goes on to the outer block it
     * names, stops here if it names this one (or none), and becomes a ProgrammingException if it names a
     * block that does not enclose it.
     */
    void unwindFor(Transaction tx, Rollback r) {
        Transaction target = r.transaction();
        TransactionSteps.Unwind where;
        conn.lock.lock();
        try {
            where = steps.unwind(tx.block(), target == null ? null : target.block());
        } finally {
            conn.lock.unlock();
        }
        if (where == TransactionSteps.Unwind.NOT_ENCLOSING) {
            ProgrammingException e = target == null || target == tx ? BlockChecks.afterEnd(tx.toString(), r)
                    : BlockChecks.notEnclosing(target.toString(), r);
            tx.rollbackAfter(e);
            throw e;
        }
        try {
            rollbackBlock(tx, Transaction.Status.ROLLED_BACK_EXPLICITLY, false);
        } catch (TuskException e) {
            e.addSuppressed(r);
            throw e;
        }
        if (where == TransactionSteps.Unwind.OUTWARD) {
            throw r;
        }
    }

    boolean inBlock() {
        return steps.inBlock();
    }

    // ---------------------------------------------------------------- two-phase commit

    void tpcBegin(Xid id) {
        if (id == null) {
            throw new ProgrammingException(TwoPhaseSteps.XID_NEEDED);
        }
        runChecked(steps.tpcBegin(id.toString(), conn.statementTimeout()));
    }

    void tpcPrepare() {
        runChecked(steps.tpcPrepare(conn.statementTimeout()));
    }

    void tpcFinish(boolean commit, Xid id) {
        runChecked(steps.tpcFinish(commit, id == null ? null : id.toString(), conn.statementTimeout()));
    }

    /** The prepared transactions of the whole server (not only this database), as psycopg. */
    List<Xid> tpcRecover() {
        return TwoPhaseSteps.recovered(runChecked(steps.tpcRecover(conn.statementTimeout())).results().get(0), Xid::recovered);
    }

    void checkNotInTpc(String call) {
        steps.twoPhase().checkNotInTpc(call);
    }

    // ---------------------------------------------------------------- characteristics

    /**
     * Sets autocommit or a characteristic ({@code attribute}) with {@code set}: only outside any transaction (else a
     * ProgrammingException), checked and set under the lock, so a stale lease handle never changes the next
     * borrower's session.
     */
    void setWhenIdle(String attribute, Runnable set) {
        conn.lock.lock();
        try {
            caller.checkUsable();
            steps.checkIdle(attribute);
            set.run();
        } finally {
            conn.lock.unlock();
        }
    }
}
