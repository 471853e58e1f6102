package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.AsyncAccess;
import dev.tusk.internal.async.AsyncOperations;
import dev.tusk.internal.async.Cancellers;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What an {@link AsyncConnection} runs for its cursors, pipelines, COPY and pool, as {@link Executions}
 * for the blocking one: each call on a pool's lease that ended fails its future ({@link ConnectionShell#leaseEnded()}),
 * the others go to the connection's {@link AsyncOperations}, which runs them on the event loop in order. What touches
 * the public objects is here: a cursor's statement bound with its binder and adapters, its results set, an
 * {@link AsyncCopy} or a {@link AsyncPipeline} made.
 */
final class AsyncExecutions {
    static {
        AsyncAccess.install(new Door());
    }

    private AsyncExecutions() {
    }

    /** What {@link AsyncAccess} lets a driver built on AsyncConnection do; installed by this class's initialisation. */
    private static final class Door implements AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>> {
        /**
         * As {@code conn.cancelSafe(timeout)}: the request is written only if {@code gate} allows it right before the
         * write, and {@code gate} hears whether the server confirmed it. On the connection itself, not a pool's lease
         * handle (whose lease has a gate of its own).
         */
        @Override
        public CompletableFuture<Void> cancel(AsyncConnection<?> conn, Duration timeout, CancelRequester.Gate gate) {
            if (conn.home != conn) {
                return LoopFuture.failed(new IllegalStateException("a gated cancel request is for the connection itself,"
                        + " not a pool's lease handle"));
            }
            return Cancellers.run(() -> conn.requestCancel(timeout, "user", gate));
        }

        @Override
        @SuppressWarnings({"unchecked", "rawtypes"})
        public void execute(AsyncCursor<?> cursor, String query, Object[] params, BiConsumer<? super AsyncCursor<?>, Throwable> done) {
            ((AsyncCursor) cursor).execute(query, params, (BiConsumer) done);
        }
    }

    /**
     * Runs one statement for {@code cursor}: {@code params} null means the simple protocol, otherwise an Object[] or a
     * Map. Binding happens here, on the caller's thread (a failure fails the future); sending on the loop.
     */
    static <T> CompletableFuture<AsyncCursor<T>> run(AsyncConnection<?> conn, AsyncCursor<T> cursor, String query,
                                                     Object params, ExecuteOptions opts) {
        if (conn.leaseEnded()) {
            return ConnectionShell.refusedLease();
        }
        Execute op;
        try {
            op = bind(conn, cursor, query, params, opts);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return conn.operations.submit(conn.lease(), op, o -> {
            cursor.setResults(((Execute) o).results());
            return cursor;
        });
    }

    /**
     * As {@link #run(AsyncConnection, AsyncCursor, String, Object, ExecuteOptions)}, the outcome handed to
     * {@code done} (on the loop thread; on this one when refused at once) instead of a future.
     */
    static <T> void run(AsyncConnection<?> conn, AsyncCursor<T> cursor, String query, Object params, ExecuteOptions opts,
                        BiConsumer<? super AsyncCursor<T>, Throwable> done) {
        if (conn.leaseEnded()) {
            done.accept(null, ConnectionErrors.endedLease());
            return;
        }
        Execute op;
        try {
            op = bind(conn, cursor, query, params, opts);
        } catch (RuntimeException e) {
            done.accept(null, e);
            return;
        }
        conn.operations.submit(conn.lease(), op, o -> {
            cursor.setResults(((Execute) o).results());
            return cursor;
        }, done);
    }

    private static Execute bind(AsyncConnection<?> conn, AsyncCursor<?> cursor, String query, Object params,
                                ExecuteOptions opts) {
        return conn.statement(cursor.binder(), cursor.adaptersInUse(), cursor.binary(), 0, query, params, opts);
    }

    /** executemany for {@code cursor}: every parameter set in one round trip, as on Connection ({@link ExecuteMany}). */
    static <T> CompletableFuture<AsyncCursor<T>> runMany(AsyncConnection<?> conn, AsyncCursor<T> cursor, String query,
                                                         Iterable<?> paramSets, boolean returning) {
        if (conn.leaseEnded()) {
            return ConnectionShell.refusedLease();
        }
        ExecuteMany op;
        try {
            op = conn.many(cursor.binder(), cursor.adaptersInUse(), cursor.binary(), query, paramSets, returning);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        if (op == null) {
            cursor.setResults(List.of());
            cursor.afterMany(returning);
            return CompletableFuture.completedFuture(cursor);
        }
        return conn.operations.submit(conn.lease(), op, o -> {
            cursor.setResults(((ExecuteMany) o).results());
            cursor.afterMany(returning);
            return cursor;
        });
    }

    /** See {@link AsyncOperations#runCursorStep}. */
    static <O extends ServerCursorStep, T> CompletableFuture<T> runCursorStep(AsyncConnection<?> conn,
            Function<Session, O> make, Function<O, T> outcome) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runCursorStep(conn.lease(), make, outcome);
    }

    /** See {@link AsyncOperations#runOwn}. */
    static CompletableFuture<Void> runOwn(AsyncConnection<?> conn, Function<Session, String> choose, Consumer<Session> sent) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runOwn(conn.lease(), choose, sent, c -> null);
    }

    /** Runs {@code action} on the loop thread with the connection known usable; else fails the future. */
    static CompletableFuture<Void> onLoop(AsyncConnection<?> conn, Consumer<LoopFuture<Void>> action) {
        return conn.operations.onLoop(conn.lease(), action);
    }

    /** See {@link AsyncOperations#startCopy}. */
    static CompletableFuture<AsyncCopy> startCopy(AsyncConnection<?> conn, AsyncCursor<?> cursor, String sql) {
        return conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.startCopy(conn.lease(), sql,
                (op, f) -> new AsyncCopy(conn, op, cursor.adaptersInUse(), f), AsyncCopy::ended);
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
