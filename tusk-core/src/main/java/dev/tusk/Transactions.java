package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.Session;

import java.util.ArrayDeque;
import java.util.List;

/**
 * The transaction rules of one connection, as psycopg: outside autocommit the first statement opens a
 * transaction with the characteristics set on the connection; they cannot change while one is open.
 * Also keeps the stack of open {@link Transaction} blocks and the two-phase commit state.
 *
 * <p>The characteristics live in the operation layer's {@link Session}; every other field is guarded by the
 * connection's lock.
 */
final class Transactions {
    private final Connection<?> conn;
    private final Session session;
    /** Open blocks, innermost first. */
    private final ArrayDeque<Transaction> blocks = new ArrayDeque<>();
    private final TwoPhase twoPhase;

    Transactions(Connection<?> conn, Session session) {
        this.conn = conn;
        this.session = session;
        this.twoPhase = new TwoPhase(conn, this);
        session.beforeStatement(twoPhase::checkNoStatementAfterPrepare);
    }

    TwoPhase twoPhase() {
        return twoPhase;
    }

    /** Queues the BEGIN due before the next statement and returns it, or null when none is needed. Lock held. */
    QueryCommand beginIfNeeded() {
        session.checkStatementAllowed();
        return session.beginIfNeeded();
    }

    String beginSql() {
        return session.beginSql();
    }

    static String beginStatement(IsolationLevel level, Boolean readOnly, Boolean deferrable) {
        return Session.beginStatement(level, readOnly, deferrable);
    }

    void commit() {
        endTransaction(true, "commit()");
    }

    void rollback() {
        endTransaction(false, "rollback()");
    }

    private void endTransaction(boolean commit, String call) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            if (!blocks.isEmpty()) {
                throw new ProgrammingException("explicit " + call + " is forbidden inside a transaction() block: the "
                        + "block commits when it ends normally and rolls back on an exception (or call the block's own "
                        + "commit()/rollback())");
            }
            twoPhase.checkNotInTpc(call);
            conn.syncPipelineIfAny();
            Execute end = Execute.endTransaction(session, commit, conn.statementTimeout());
            try {
                conn.runOperation(end);
            } catch (TuskException e) {
                throw commit ? outcomeUnknownIfLost(e) : e;
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** Runs one of the driver's own statements and returns it (its results hold the command tags). Lock held. */
    SimpleQuery runCommand(String sql) {
        SimpleQuery q = new SimpleQuery(sql);
        Connection.throwIfFailed(q, conn.runTimed(q));
        return q;
    }

    char status() {
        return conn.driver().core().session().transactionStatus();
    }

    // ---------------------------------------------------------------- transaction blocks

    <T, E extends Exception> T runBlock(TransactionOptions opts, TransactionBody<T, E> body) throws E {
        return Transaction.run(openBlock(opts), body);
    }

    /** Opens a block: BEGIN when no transaction is open (the outermost block), else a SAVEPOINT. */
    Transaction openBlock(TransactionOptions opts) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            twoPhase.checkNoStatementAfterPrepare();
            boolean outer = status() == 'I';
            if (!outer && opts.hasCharacteristics()) {
                throw new ProgrammingException("isolationLevel, readOnly and deferrable can only be set on the outermost "
                        + "transaction block, and a transaction is already open (status " + statusName() + "): set them "
                        + "on the block that begins the transaction, or commit first");
            }
            String savepoint = opts.savepointName() != null ? opts.savepointName()
                    : outer ? null : "_tusk_" + (blocks.size() + 1);
            String begin = outer ? beginStatement(
                    opts.isolationLevel() != null ? opts.isolationLevel() : session.isolationLevel(),
                    opts.readOnly() != null ? opts.readOnly() : session.readOnly(),
                    opts.deferrable() != null ? opts.deferrable() : session.deferrable()) : null;
            try {
                runCommand(Transaction.openSql(outer, begin, savepoint));
            } catch (TuskException e) {
                if (outer && !conn.driver().core().isBroken() && status() != 'I') {
                    undoBegin(e); // BEGIN ran but SAVEPOINT failed: don't leave a transaction nobody owns
                }
                throw e;
            }
            Transaction tx = new Transaction(conn, this, outer, savepoint);
            blocks.push(tx);
            return tx;
        } finally {
            conn.lock.unlock();
        }
    }

    private void undoBegin(TuskException cause) {
        try {
            runCommand("ROLLBACK");
        } catch (TuskException e) {
            cause.addSuppressed(e);
        }
    }

    /**
     * Commits {@code tx}. From the lambda form ({@code unwindOnNesting}) an inner block left open is an error
     * that rolls everything back up to {@code tx}; from {@code tx.commit()} it only raises.
     */
    void commitBlock(Transaction tx, boolean unwindOnNesting) {
        conn.lock.lock();
        try {
            tx.checkActive("commit()");
            if (blocks.peek() != tx) {
                ProgrammingException e = new ProgrammingException("can't commit " + tx + ": an inner transaction "
                        + "block is still open (" + blocks.peek() + "); commit or close the inner block first");
                if (unwindOnNesting) {
                    tx.rollbackAfter(e);
                }
                throw e;
            }
            if (conn.isClosed()) {
                blocks.pop();
                tx.status(Transaction.Status.FAILED);
                conn.checkUsable(); // raises the reason
            }
            try {
                conn.syncPipelineIfAny();
                SimpleQuery q = runCommand(tx.commitSql());
                if (tx.isOutermost() && "ROLLBACK".equals(lastTag(q))) {
                    blocks.pop();
                    tx.status(Transaction.Status.ROLLED_BACK_WITH_ERROR);
                    throw Transaction.silentRollback();
                }
                blocks.pop();
                tx.status(Transaction.Status.COMMITTED);
            } catch (TuskException e) {
                if (tx.isActive()) {
                    failedCommit(tx, e);
                }
                throw tx.isOutermost() ? outcomeUnknownIfLost(e) : e; // a lost RELEASE: the server rolled back
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * A COMMIT whose reply never came: the server may have committed before the connection went, so saying
     * "rolled back" would be a lie. Errors on a connection still alive (the server refused) pass unchanged.
     */
    TuskException outcomeUnknownIfLost(TuskException e) {
        return CommitOutcome.unknownIfLost(e, conn.driver().core().isBroken());
    }

    /** A COMMIT or RELEASE the server refused: make sure the block ends rolled back. */
    private void failedCommit(Transaction tx, TuskException e) {
        if (conn.driver().core().isBroken()) {
            blocks.remove(tx);
            tx.status(Transaction.Status.FAILED);
            return;
        }
        if (!tx.isOutermost()) {
            // RELEASE failed (the block's transaction had failed): roll back to the savepoint so the outer
            // block can go on, then report the failure
            try {
                rollbackBlock(tx, Transaction.Status.ROLLED_BACK_WITH_ERROR, false);
            } catch (TuskException r) {
                e.addSuppressed(r);
            }
            return;
        }
        // a failed COMMIT ends the transaction on the server (deferred constraints, serialization failures)
        blocks.remove(tx);
        tx.status(Transaction.Status.ROLLED_BACK_WITH_ERROR);
        if (status() != 'I') {
            undoBegin(e);
        }
    }

    /**
     * Rolls back {@code tx}, first ending any inner block still open (a resource-form block closed out of
     * order). {@code explicitCall}: from {@code tx.rollback()}, so an ended block is an error.
     */
    void rollbackBlock(Transaction tx, Transaction.Status endStatus, boolean explicitCall) {
        conn.lock.lock();
        try {
            if (explicitCall) {
                tx.checkActive("rollback()");
            } else if (!tx.isActive()) {
                return;
            }
            if (!blocks.contains(tx)) {
                tx.status(Transaction.Status.FAILED);
                return;
            }
            while (blocks.peek() != tx) {
                blocks.pop().status(Transaction.Status.ROLLED_BACK_EXPLICITLY); // undone with tx's rollback
            }
            blocks.pop();
            if (conn.isClosed()) {
                tx.status(Transaction.Status.FAILED);
                return;
            }
            tx.status(endStatus);
            try {
                conn.syncPipelineIfAny();
            } catch (TuskException ignored) {
                // the pipeline's error is the reason we are rolling back; the rollback below clears it
            }
            try {
                runCommand(tx.rollbackSql());
            } catch (TuskException e) {
                if (conn.driver().core().isBroken()) {
                    tx.status(Transaction.Status.FAILED);
                }
                throw e;
            }
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
        boolean here = target == null || target == tx;
        boolean enclosing;
        conn.lock.lock();
        try {
            enclosing = here ? tx.isActive() : target.isActive() && blocks.contains(target) && blocks.contains(tx);
        } finally {
            conn.lock.unlock();
        }
        if (!enclosing) {
            ProgrammingException e = new ProgrammingException(target == null || target == tx
                    ? "Rollback thrown after its transaction block had already ended (" + tx + ")"
                    : "Rollback names " + target + ", which does not enclose the block it was thrown from: name this "
                    + "block or one around it", r);
            tx.rollbackAfter(e);
            throw e;
        }
        try {
            rollbackBlock(tx, Transaction.Status.ROLLED_BACK_EXPLICITLY, false);
        } catch (TuskException e) {
            e.addSuppressed(r);
            throw e;
        }
        if (!here) {
            throw r;
        }
    }

    boolean inBlock() {
        return !blocks.isEmpty();
    }

    private static String lastTag(SimpleQuery q) {
        List<ResultData> results = q.results();
        return results.isEmpty() ? null : results.get(results.size() - 1).commandTag();
    }

    // ---------------------------------------------------------------- characteristics

    boolean autocommit() {
        return session.autocommit();
    }

    void setAutocommit(boolean on) {
        checkIdle("autocommit");
        session.autocommit(on);
    }

    IsolationLevel isolationLevel() {
        return session.isolationLevel();
    }

    void setIsolationLevel(IsolationLevel level) {
        checkIdle("isolation_level");
        session.isolationLevel(level);
    }

    Boolean readOnly() {
        return session.readOnly();
    }

    void setReadOnly(Boolean on) {
        checkIdle("read_only");
        session.readOnly(on);
    }

    Boolean deferrable() {
        return session.deferrable();
    }

    void setDeferrable(Boolean on) {
        checkIdle("deferrable");
        session.deferrable(on);
    }

    private void checkIdle(String attribute) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            if (!blocks.isEmpty()) {
                throw new ProgrammingException("can't change '" + attribute + "' now: a connection.transaction() block "
                        + "is in progress; change it before opening the block");
            }
            if (status() != 'I') {
                throw new ProgrammingException("can't change '" + attribute + "' now: connection in transaction status "
                        + statusName() + "; commit or roll back first");
            }
        } finally {
            conn.lock.unlock();
        }
    }

    String statusName() {
        return switch (status()) {
            case 'E' -> "INERROR";
            case 'T' -> "INTRANS";
            default -> "IDLE";
        };
    }
}
