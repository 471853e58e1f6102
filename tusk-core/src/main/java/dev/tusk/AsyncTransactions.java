package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.async.AsyncFutures;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.BlockChecks;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.internal.op.TwoPhaseSteps;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The transactions of an {@link AsyncConnection}: the {@link TransactionSteps} of its session (the rules, the block
 * stack and the two-phase state, shared with {@link Connection}) run on the event loop in order with the statements
 * submitted before, and transaction blocks whose body is a future: the block's BEGIN or SAVEPOINT, the body, then
 * COMMIT/RELEASE when its future completes or ROLLBACK when it fails.
 */
final class AsyncTransactions<R> {
    /**
     * Whose calls these are: the connection, or a pool's lease handle of it ({@link #forLease}), whose lease the event
     * loop checks again before each step runs; the blocks it opens are that handle's.
     */
    private final AsyncConnection<R> conn;
    private final TransactionSteps steps;

    AsyncTransactions(AsyncConnection<R> conn, Session session) {
        this.conn = conn;
        this.steps = session.transactions();
        steps.closedBy(conn::isClosed);
    }

    private AsyncTransactions(AsyncTransactions<R> shared, AsyncConnection<R> handle) {
        this.conn = handle;
        this.steps = shared.steps;
    }

    /**
     * The statement timeout of the steps, read without the lease check of {@code statementTimeout()}: a block's end
     * decided after its lease ended is refused as the step it is (its future failing), not thrown in a callback.
     */
    private Duration timeout() {
        return conn.state.statementTimeout;
    }

    /** The transactions of a lease handle of this connection: the same steps, run for (and checked as) the handle. */
    AsyncTransactions<R> forLease(AsyncConnection<R> handle) {
        return new AsyncTransactions<>(this, handle);
    }

    <T> CompletableFuture<T> run(TransactionOptions opts, Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        AsyncTransaction<R> block = new AsyncTransaction<>(conn);
        CompletableFuture<Void> opened = AsyncExecutions.runStep(conn, steps.open(opts.savepointName(), opts.isolationLevel(),
                opts.readOnly(), opts.deferrable(), timeout()).forceRollback(opts.forceRollback()), op -> {
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
            TransactionSteps.Block b = block.block();
            Throwable cause = error == null ? null : rollbackTarget(b, LoopFuture.unwrap(error));
            boolean quiet = cause instanceof Rollback r && steps.unwind(b, target(r)) == TransactionSteps.Unwind.HERE;
            TransactionOp end;
            try {
                end = cause == null ? steps.commitBlock(b, timeout())
                        : steps.rollbackBlock(b, cause instanceof Rollback ? TransactionSteps.Status.ROLLED_BACK_EXPLICITLY
                        : TransactionSteps.Status.ROLLED_BACK_WITH_ERROR, false, timeout())
                        .cause(cause instanceof Rollback ? null : cause);
            } catch (RuntimeException e) { // never lost in this callback: the block's future fails with it
                result.completeExceptionally(e);
                return;
            }
            AsyncExecutions.runStep(conn, end, op -> null).whenComplete((x, failed) -> {
                Throwable endError = failed == null ? null : LoopFuture.unwrap(failed);
                if (endError != null && b.isActive()) {
                    steps.abandon(b, endError); // never reached the server: the connection was closed or lost
                }
                Throwable failure = BlockChecks.asyncBlockFailure(cause, quiet, endError,
                        endError != null && conn.isClosed() && !conn.isBroken());
                if (failure != null) {
                    result.completeExceptionally(failure);
                } else {
                    result.complete(cause == null ? value : null); // committed, or a quiet rollback of this block
                }
            });
        });
        return result;
    }

    /** The block a Rollback names, as the rules see it: null for none, the block itself for a foreign one. */
    private static TransactionSteps.Block target(Rollback r) {
        AsyncTransaction<?> t = r.asyncTransaction();
        return t == null ? null : t.block();
    }

    /**
     * A {@link Rollback} naming a block that cannot be one around {@code b} (ended, of another connection, a
     * blocking {@link Transaction}, or anything outside an outermost block) becomes a ProgrammingException, as on
     * {@link Connection}; any other failure stays as it is.
     */
    private Throwable rollbackTarget(TransactionSteps.Block b, Throwable cause) {
        if (!(cause instanceof Rollback r)) {
            return cause;
        }
        AsyncTransaction<?> target = r.asyncTransaction();
        boolean foreign = r.transaction() != null || target != null && (target.connection() != conn || target.block() == null);
        if (!foreign && steps.unwind(b, target == null ? null : target.block()) != TransactionSteps.Unwind.NOT_ENCLOSING) {
            return cause;
        }
        if (target == null && r.transaction() == null) {
            return cause; // this block's own Rollback, after all: it rolls back quietly
        }
        return BlockChecks.notEnclosing(String.valueOf(target != null ? target : r.transaction()), r);
    }

    /** True while a transaction() block is open, as far as the statements sent so far go (acting thread). */
    boolean inBlock() {
        return steps.inBlock();
    }

    // ---------------------------------------------------------------- commit, rollback, two-phase commit

    CompletableFuture<Void> end(boolean commit) {
        return AsyncExecutions.runStep(conn, steps.end(commit, timeout()), op -> null);
    }

    CompletableFuture<Void> tpcBegin(Xid id) {
        if (id == null) {
            return LoopFuture.failed(new ProgrammingException(TwoPhaseSteps.XID_NEEDED));
        }
        return AsyncFutures.settle(AsyncExecutions.runStep(conn, steps.tpcBegin(id.toString(), timeout()), op -> null));
    }

    CompletableFuture<Void> tpcPrepare() {
        return AsyncFutures.settle(AsyncExecutions.runStep(conn, steps.tpcPrepare(timeout()), op -> null));
    }

    CompletableFuture<Void> tpcFinish(boolean commit, Xid id) {
        return AsyncFutures.settle(AsyncExecutions.runStep(conn, steps.tpcFinish(commit, id == null ? null : id.toString(), timeout()), op -> null));
    }

    /** The prepared transactions of the whole server; no BEGIN, so the transaction state stays as it is. */
    CompletableFuture<List<Xid>> tpcRecover() {
        return AsyncFutures.settle(AsyncExecutions.runStep(conn, steps.tpcRecover(timeout()),
                op -> TwoPhaseSteps.recovered(op.results().get(0), Xid::recovered)));
    }

    /** As {@link #tpcFinish} for {@code tpcCommit(Xid)} / {@code tpcRollback(Xid)}: fails for a null id. */
    CompletableFuture<Void> tpcFinishById(boolean commit, Xid id) {
        if (id == null) {
            return LoopFuture.failed(ConnectionShell.xidNeeded(commit ? "tpcCommit" : "tpcRollback"));
        }
        return tpcFinish(commit, id);
    }

    /**
     * Sets autocommit or a characteristic ({@code attribute}) on the loop, in order with the statements submitted
     * before: they only change outside any transaction (else the future fails with a ProgrammingException).
     */
    CompletableFuture<Void> setWhenIdle(String attribute, Runnable set) {
        return AsyncExecutions.onLoop(conn, f -> {
            steps.checkIdle(attribute);
            set.run();
            f.complete(null);
        });
    }
}
