package dev.tusk;

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
    volatile boolean outermost;
    volatile String savepointName;
    private volatile Transaction.Status status = Transaction.Status.ACTIVE;

    AsyncTransaction(AsyncConnection<R> conn) {
        this.conn = conn;
    }

    /** The connection the block runs on. */
    public AsyncConnection<R> connection() {
        return conn;
    }

    /** True when this block began the transaction (BEGIN), false for a savepoint. */
    public boolean isOutermost() {
        return outermost;
    }

    /** The savepoint of a nested block (null for an outermost block without a name). */
    public String savepointName() {
        return savepointName;
    }

    /** How the block stands: ACTIVE until its end, then how it ended. */
    public Transaction.Status status() {
        return status;
    }

    void status(Transaction.Status s) {
        this.status = s;
    }

    @Override
    public String toString() {
        return "AsyncTransaction[" + (outermost ? "outermost" : "savepoint " + savepointName) + ", " + status + "]";
    }
}
