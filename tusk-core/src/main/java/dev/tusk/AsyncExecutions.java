package dev.tusk;

import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What an {@link AsyncConnection} runs for its cursors, transactions, pipelines, COPY and pool, as {@link Executions}
 * for the blocking one: each call on a pool's lease that ended fails its future ({@link ConnectionShell#leaseEnded()}),
 * the others go to the connection's {@link AsyncOperations}, which runs them on the event loop in order.
 */
final class AsyncExecutions {
    private AsyncExecutions() {
    }

    /** See {@link AsyncOperations#run}. */
    static <T> CompletableFuture<AsyncCursor<T>> run(AsyncConnection<?> conn, AsyncCursor<T> cursor, String query,
                                                     Object params, ExecuteOptions opts) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.run(conn.lease(), cursor, query, params,
                conn.resultFormat(opts.binary(), cursor.binary()), opts.prepare(), conn.timeout(opts));
    }

    /** See {@link AsyncOperations#runMany}. */
    static <T> CompletableFuture<AsyncCursor<T>> runMany(AsyncConnection<?> conn, AsyncCursor<T> cursor, String query,
                                                         Iterable<?> paramSets, boolean returning) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease()
                : conn.operations.runMany(conn.lease(), cursor, query, paramSets, conn.resultFormat(null, cursor.binary()), returning);
    }

    /** See {@link AsyncOperations#runCursorStep}. */
    static <O extends ServerCursorStep, T> CompletableFuture<T> runCursorStep(AsyncConnection<?> conn,
            Function<Session, O> make, Function<O, T> outcome) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runCursorStep(conn.lease(), make, outcome);
    }

    /** See {@link AsyncOperations#runStep}. */
    static <T> CompletableFuture<T> runStep(AsyncConnection<?> conn, TransactionOp step,
                                            Function<TransactionOp, T> outcome) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runStep(conn.lease(), step, outcome);
    }

    /**
     * Sends a statement of the driver's own, chosen on the loop thread knowing whether a transaction is
     * open ({@code idle} true when none is), in order with everything submitted before.
     */
    static CompletableFuture<Void> runOwn(AsyncConnection<?> conn, Function<Boolean, AsyncOperations.OwnStatement> choose) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runOwnFor(conn.lease(), choose, c -> null);
    }

    /** Runs {@code action} on the loop thread with the connection known usable; else fails the future. */
    static CompletableFuture<Void> onLoop(AsyncConnection<?> conn, Consumer<LoopFuture<Void>> action) {
        return conn.operations.onLoop(conn.lease(), action);
    }

    /** See {@link AsyncOperations#startCopy}. */
    static CompletableFuture<AsyncCopy> startCopy(AsyncConnection<?> conn, AsyncCursor<?> cursor, String sql) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.startCopy(conn.lease(), conn, cursor, sql);
    }

    /** See {@link AsyncOperations#startCopyBoth}. */
    static void startCopyBoth(AsyncConnection<?> conn, CopyBothCommand cmd, Consumer<TuskException> ended) {
        conn.operations.startCopyBoth(cmd, ended);
    }

    /** Opens a pipeline block ({@link AsyncConnection#pipeline()}), entered in order with the statements submitted before. */
    static AsyncPipeline openPipeline(AsyncConnection<?> conn) {
        AsyncPipeline p = new AsyncPipeline(conn, conn.session.pipelines().newBlock());
        conn.operations.enterPipeline(p.block(), conn.lease());
        return p;
    }

    /**
     * Sends a Sync for the pipeline {@code p} belongs to, and leaves {@code p} when {@code leave}; the future
     * completes when every result before the Sync is in, failing with the first error among them.
     */
    static CompletableFuture<Void> pipelineSync(AsyncConnection<?> conn, AsyncPipeline p, boolean leave) {
        return conn.leaseOver() ? ConnectionShell.refusedLease()
                : conn.operations.syncPipeline(p.block(), leave, conn.lease());
    }
}
