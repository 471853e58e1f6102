package dev.tusk;

import dev.tusk.internal.blocking.BlockingTransactions;
import dev.tusk.internal.op.BlockChecks;
import dev.tusk.internal.op.TransactionSteps;

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
    /** Runs the block's steps: those of {@link #conn} (a lease handle's checked for it). */
    private final BlockingTransactions owner;
    /** The block as the session's rules see it: where it stands. */
    private final TransactionSteps.Block block;

    private Transaction(Connection<?> conn, BlockingTransactions owner, TransactionSteps.Block block) {
        this.conn = conn;
        this.owner = owner;
        this.block = block;
    }

    /**
     * Commits at once and ends the block: {@code COMMIT} for the outermost block, {@code RELEASE SAVEPOINT}
     * for a nested one. A commit the server refuses (a deferred constraint, a statement that failed inside
     * the block) rolls back and raises.
     */
    public void commit() {
        owner.commitBlock(block, false);
    }

    /** Rolls back at once and ends the block ({@code ROLLBACK}, or {@code ROLLBACK TO SAVEPOINT}). */
    public void rollback() {
        owner.closeBlock(block, true);
    }

    /**
     * Rolls back unless {@link #commit()} or {@link #rollback()} already ended the block; idempotent. Closing (or
     * rolling back) a block while a block opened inside it is still open is refused with a ProgrammingException
     * (psycopg's {@code OutOfOrderTransactionNesting}): close the inner block first.
     */
    @Override
    public void close() {
        if (block.isActive()) {
            owner.closeBlock(block, false);
        }
    }

    public Status status() {
        return status(block.status());
    }

    /** True while the block is open. */
    public boolean isActive() {
        return block.isActive();
    }

    /** The savepoint this block set, or null (an outermost block without a given name). */
    public String savepointName() {
        return block.savepoint();
    }

    /** True when this block began the transaction (BEGIN), false when it is a savepoint in one. */
    public boolean isOutermost() {
        return block.outer();
    }

    public Connection<?> connection() {
        return conn;
    }

    @Override
    public String toString() {
        return BlockChecks.describe(block);
    }

    TransactionSteps.Block block() {
        return block;
    }

    /**
     * Opens a block on {@code caller} (the connection, or a pool's lease handle, which stays the block's
     * {@link #connection()}): BEGIN when no transaction is open (the outermost block), else a SAVEPOINT.
     */
    static Transaction open(Connection<?> caller, BlockingTransactions transactions, TransactionOptions opts) {
        return new Transaction(caller, transactions, transactions.open(opts.openStep(transactions.steps(),
                transactions.timeout())));
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
            Transaction named = r.transaction();
            tx.owner.unwind(tx.block, tx, r.named(), named == null ? null : named.block, r);
            return null;
        } catch (Throwable e) {
            tx.owner.rollbackAfter(tx.block, e);
            throw e;
        }
        if (tx.isActive()) {
            tx.owner.commitBlock(tx.block, true);
        }
        return result;
    }

    /** The public form of a block's status as the session's rules keep it (the same values, in the same order). */
    static Status status(TransactionSteps.Status s) {
        return Status.values()[s.ordinal()];
    }

    /** An identifier, quoted. */
    static String quoteIdent(String name) {
        return TransactionSteps.quoteIdent(name);
    }
}
