package dev.tusk;

import dev.tusk.internal.op.TransactionSteps;

/**
 * One transaction block of an {@link AsyncConnection}, handed to the body of
 * {@link AsyncConnection#transaction(java.util.function.Function)}: the outermost block is a transaction
 * (BEGIN … COMMIT), a nested one a savepoint. {@code throw new Rollback(tx)} (or a stage failing with it)
 * rolls back every block up to this one, quietly.
 *
 * <pre>{@code
 * conn.transaction(tx -> tx.connection().execute("INSERT INTO t VALUES (1)")
 *         .thenCompose(c -> tx.connection().transaction(inner -> inner.connection().execute("INSERT INTO t VALUES (2)"))))
 *     .join();
 * }</pre>
 *
 * @param <R> the row type of the connection
 */
public final class AsyncTransaction<R> {
    private final AsyncConnection<R> conn;
    /** The block as the session's rules see it, once its BEGIN or SAVEPOINT was sent; null before. */
    private volatile TransactionSteps.Block block;
    /** The block could not be opened. */
    private volatile boolean failed;

    AsyncTransaction(AsyncConnection<R> conn) {
        this.conn = conn;
    }

    /** The connection the block runs on. */
    public AsyncConnection<R> connection() {
        return conn;
    }

    /** True when this block began the transaction (BEGIN), false for a savepoint. */
    public boolean isOutermost() {
        TransactionSteps.Block b = block;
        return b != null && b.outer();
    }

    /** The savepoint of a nested block (null for an outermost block without a name). */
    public String savepointName() {
        TransactionSteps.Block b = block;
        return b == null ? null : b.savepoint();
    }

    /** How the block stands: ACTIVE until its end, then how it ended. */
    public Transaction.Status status() {
        TransactionSteps.Block b = block;
        return b != null ? Transaction.status(b.status()) : failed ? Transaction.Status.FAILED : Transaction.Status.ACTIVE;
    }

    TransactionSteps.Block block() {
        return block;
    }

    void block(TransactionSteps.Block b) {
        this.block = b;
    }

    /** Its BEGIN or SAVEPOINT failed, or was never sent. */
    void failed() {
        failed = true;
    }

    @Override
    public String toString() {
        return "AsyncTransaction[" + (isOutermost() ? "outermost" : "savepoint " + savepointName()) + ", " + status() + "]";
    }
}
