package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;

/**
 * One transaction block: psycopg's {@code Transaction}. The outermost block runs a real transaction
 * ({@code BEGIN} ... {@code COMMIT}, also in autocommit mode); a block opened while a transaction is
 * already open (an outer block, or the implicit transaction of a non-autocommit connection) is a
 * {@code SAVEPOINT}, released on success and rolled back to on failure, so the outer work goes on.
 * A block only ends what it opened: in a non-autocommit connection with an implicit transaction open,
 * the block is a savepoint and the transaction stays open after it.
 *
 * <p>Resource form: the block commits only when {@link #commit()} is called; leaving it otherwise rolls
 * back.
 *
 * <pre>{@code
 * try (Transaction tx = conn.transaction()) {
 *     conn.execute("UPDATE accounts SET balance = balance - 10 WHERE id = %s", 1);
 *     conn.execute("UPDATE accounts SET balance = balance + 10 WHERE id = %s", 2);
 *     tx.commit();
 * }
 * }</pre>
 *
 * <p>A block is single-use: once ended (committed or rolled back) every call but {@link #close()} and the
 * accessors throws {@code ProgrammingException}. Not for sharing between threads.
 */
public final class Transaction implements AutoCloseable {
    /** Where a block is in its life (psycopg 3.3's {@code TransactionStatus}). */
    public enum Status {
        /** Open: statements run inside it. */
        ACTIVE,
        /** Ended with a commit (COMMIT, or RELEASE SAVEPOINT). */
        COMMITTED,
        /** Rolled back on request: {@link Rollback}, {@link #rollback()} or {@link #close()} without commit. */
        ROLLED_BACK_EXPLICITLY,
        /** Rolled back because of an error (in the body, or at commit time). */
        ROLLED_BACK_WITH_ERROR,
        /** Ended without reaching the server: the connection was closed or broken. */
        FAILED
    }

    private final Connection<?> conn;
    private final Transactions owner;
    private final boolean outer;
    private final String savepointName;
    private volatile Status status = Status.ACTIVE;

    Transaction(Connection<?> conn, Transactions owner, boolean outer, String savepointName) {
        this.conn = conn;
        this.owner = owner;
        this.outer = outer;
        this.savepointName = savepointName;
    }

    /**
     * Commits at once and ends the block: {@code COMMIT} for the outermost block, {@code RELEASE SAVEPOINT}
     * for a nested one. A commit the server refuses (a deferred constraint, a statement that failed inside
     * the block) rolls back and raises.
     */
    public void commit() {
        owner.commitBlock(this, false);
    }

    /** Rolls back at once and ends the block ({@code ROLLBACK}, or {@code ROLLBACK TO SAVEPOINT}). */
    public void rollback() {
        owner.rollbackBlock(this, Status.ROLLED_BACK_EXPLICITLY, true);
    }

    /** Rolls back unless {@link #commit()} or {@link #rollback()} already ended the block; idempotent. */
    @Override
    public void close() {
        if (status == Status.ACTIVE) {
            owner.rollbackBlock(this, Status.ROLLED_BACK_EXPLICITLY, false);
        }
    }

    public Status status() {
        return status;
    }

    /** True while the block is open. */
    public boolean isActive() {
        return status == Status.ACTIVE;
    }

    /** The savepoint this block set, or null (an outermost block without a given name). */
    public String savepointName() {
        return savepointName;
    }

    /** True when this block began the transaction (BEGIN), false when it is a savepoint in one. */
    public boolean isOutermost() {
        return outer;
    }

    public Connection<?> connection() {
        return conn;
    }

    @Override
    public String toString() {
        return "Transaction[" + (outer ? "outermost" : "savepoint") + (savepointName == null ? "" : " \"" + savepointName + "\"")
                + ", " + status + "]";
    }

    void status(Status s) {
        status = s;
    }

    void checkActive(String call) {
        if (status != Status.ACTIVE) {
            throw new ProgrammingException("can't call " + call + " on a transaction block that has already ended ("
                    + status + "): open a new one with conn.transaction()");
        }
    }

    /**
     * The lambda form: the body's result after a commit; a rollback when it throws (rethrown unchanged,
     * with a failed rollback added as suppressed); a {@link Rollback} swallowed by the block it names.
     */
    static <T, E extends Exception> T run(Transaction tx, TransactionBody<T, E> body) throws E {
        T result;
        try {
            result = body.run(tx);
        } catch (Rollback r) {
            tx.owner.unwindFor(tx, r);
            return null;
        } catch (Throwable e) {
            tx.rollbackAfter(e);
            throw e;
        }
        if (tx.isActive()) {
            tx.owner.commitBlock(tx, true);
        }
        return result;
    }

    /** Rolls back because {@code cause} is leaving the block; a failure of the rollback is added to it. */
    void rollbackAfter(Throwable cause) {
        if (status != Status.ACTIVE) {
            return;
        }
        try {
            owner.rollbackBlock(this, Status.ROLLED_BACK_WITH_ERROR, false);
        } catch (RuntimeException e) {
            if (e != cause) {
                cause.addSuppressed(e);
            }
        }
    }

    /** The SQL that opens the block. */
    static String openSql(boolean outer, String beginStatement, String savepoint) {
        if (!outer) {
            return "SAVEPOINT " + quoteIdent(savepoint);
        }
        return savepoint == null ? beginStatement : beginStatement + "; SAVEPOINT " + quoteIdent(savepoint);
    }

    String commitSql() {
        return commitSql(outer, savepointName);
    }

    String rollbackSql() {
        return rollbackSql(outer, savepointName);
    }

    /** COMMIT for the outermost block, else RELEASE of its savepoint (also used by AsyncConnection). */
    static String commitSql(boolean outer, String savepoint) {
        return outer ? "COMMIT" : "RELEASE SAVEPOINT " + quoteIdent(savepoint);
    }

    static String rollbackSql(boolean outer, String savepoint) {
        if (outer) {
            return "ROLLBACK";
        }
        String sp = quoteIdent(savepoint);
        return "ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp;
    }

    static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The exception for an outer COMMIT the server turned into a ROLLBACK (the transaction had failed). */
    static TuskException silentRollback() {
        return new OperationalException("the transaction block was rolled back, not committed: a statement in it "
                + "failed and the server refuses to commit a failed transaction; let the error leave the block, "
                + "or wrap the failing statement in a nested transaction() block");
    }
}
