package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.async.AsyncTransactions;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.BlockChecks;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

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

    // ---------------------------------------------------------------- running a block

    /**
     * Runs a block whose body is a future on {@code conn} (the connection, or a pool's lease handle whose blocks these
     * are), its steps run in order on the event loop by {@code transactions}: the block's BEGIN or SAVEPOINT, the
     * body, then COMMIT/RELEASE when its future completes or ROLLBACK when it fails (or the body throws).
     */
    static <R, T> CompletableFuture<T> run(AsyncConnection<R> conn, AsyncTransactions transactions, TransactionOptions opts,
                                           Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        TransactionSteps steps = transactions.steps();
        AsyncTransaction<R> block = new AsyncTransaction<>(conn);
        CompletableFuture<Void> opened = transactions.runStep(opts.openStep(steps, transactions.timeout()), op -> {
                    block.block(op.block());
                    return null;
                });
        CompletableFuture<T> result = new CompletableFuture<>();
        opened.thenCompose(v -> {
            CompletionStage<T> stage;
            try {
                stage = body.apply(block);
            } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
            }
            return stage;
        }).whenComplete((value, error) -> {
            if (!opened.isDone() || opened.isCompletedExceptionally()) {
                block.failed();
                result.completeExceptionally(LoopFuture.unwrap(error));
                return;
            }
            block.end(transactions, value, error == null ? null : LoopFuture.unwrap(error), result);
        });
        return result;
    }

    /**
     * Ends the block whose body completed with {@code value} or failed with {@code error}: commits or rolls back. A
     * {@link Rollback} goes where {@link BlockChecks#unwind} says, as on {@link Connection}: it rolls back quietly the
     * block it names, goes on outwards from the blocks inside it, and becomes a ProgrammingException when it names a
     * block that does not enclose this one or this block has already ended.
     */
    private <T> void end(AsyncTransactions transactions, T value, Throwable error, CompletableFuture<T> result) {
        TransactionSteps steps = transactions.steps();
        TransactionSteps.Block b = block;
        Rollback rollback = error instanceof Rollback r ? r : null;
        AsyncTransaction<?> named = rollback == null ? null : rollback.asyncTransaction();
        TransactionSteps.Unwind where = rollback == null ? null
                : BlockChecks.unwind(steps, b, rollback.named(), named == null ? null : named.block());
        ProgrammingException refused = rollback == null ? null : BlockChecks.refusal(where, this, rollback.named(), rollback);
        Throwable cause = refused != null ? refused : error;
        boolean quiet = where == TransactionSteps.Unwind.HERE;
        TransactionOp end;
        try {
            end = cause == null ? steps.commitBlock(b, transactions.timeout())
                    : steps.rollbackBlock(b, cause instanceof Rollback ? TransactionSteps.Status.ROLLED_BACK_EXPLICITLY
                    : TransactionSteps.Status.ROLLED_BACK_WITH_ERROR, false, transactions.timeout())
                    .cause(cause instanceof Rollback ? null : cause);
        } catch (RuntimeException e) { // never lost in this callback: the block's future fails with it
            result.completeExceptionally(e);
            return;
        }
        transactions.runStep(end, op -> null).whenComplete((x, failed) -> {
            Throwable endError = failed == null ? null : LoopFuture.unwrap(failed);
            if (endError != null && b.isActive()) {
                steps.abandon(b, endError); // never reached the server: the connection was closed or lost
            }
            Throwable failure = BlockChecks.asyncBlockFailure(cause, cause instanceof Rollback, quiet, endError,
                    endError != null && conn.isClosed() && !conn.isBroken());
            if (failure != null) {
                result.completeExceptionally(failure);
            } else {
                result.complete(cause == null ? value : null); // committed, or a quiet rollback of this block
            }
        });
    }
}
