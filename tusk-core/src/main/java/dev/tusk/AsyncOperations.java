package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.AsyncErrors;
import dev.tusk.internal.async.AsyncPipelines;
import dev.tusk.internal.async.LoopCalls;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.Operation;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The operations of an {@link AsyncConnection} and the calls around them, built for its session and run by its
 * waiter: a cursor's statements and executemany, server-cursor and transaction steps, statements of the driver's
 * own, COPY and replication streams. Shared by the connection's pool lease handles, which refuse the calls of an
 * ended lease before they get here; {@code lease} (the handle, null for the connection's own calls) is checked again
 * when the work runs on the event loop, where the lease may have ended meanwhile. In dev.tusk for the cursors and the COPY it hands back.
 */
final class AsyncOperations {
    /** A statement of the driver's own, and the transaction status it leaves (null: as the server says). */
    record OwnStatement(String sql, TransactionStatus statusAfter) {
    }

    private final Session session;
    private final ConnectionShell.State<?, ?> state;
    private final EventLoopDriver driver;
    private final AsyncWaiter waiter;
    private final LoopCalls calls;
    private final AsyncErrors errors;
    private final AsyncPipelines pipelines;

    AsyncOperations(Session session, ConnectionShell.State<?, ?> state, EventLoopDriver driver,
                    AsyncWaiter waiter, AsyncErrors errors) {
        this.session = session;
        this.state = state;
        this.driver = driver;
        this.waiter = waiter;
        this.calls = new LoopCalls(driver, waiter, errors);
        this.errors = errors;
        this.pipelines = new AsyncPipelines(session.pipelines(), driver, waiter, calls);
    }

    /** Runs {@code action} on the loop thread with the connection known usable; else fails the future. */
    CompletableFuture<Void> onLoop(Object lease, Consumer<LoopFuture<Void>> action) {
        return calls.uncounted(errors.closingError(), lease, action::accept);
    }

    /** Enters the pipeline {@code block}, in order with the statements submitted before. */
    void enterPipeline(PipelineState.Block block, Object lease) {
        pipelines.enter(block, lease);
    }

    /**
     * Sends a Sync for the pipeline {@code block} belongs to, and leaves it when {@code leave}; the future completes
     * when every result before the Sync is in, failing with the first error among them.
     */
    CompletableFuture<Void> syncPipeline(PipelineState.Block block, boolean leave, Object lease) {
        return pipelines.sync(block, leave, errors.closingError(), lease, () -> state.statementTimeout);
    }

    /**
     * Runs a step of a server-side cursor in order after everything submitted before ({@code make} builds it for
     * this connection's session on the caller's thread; an error there fails the future). The future completes with
     * {@code outcome} of the ended step, on the loop thread. A close first syncs the pipeline the connection is in.
     */
    <O extends ServerCursorStep, T> CompletableFuture<T> runCursorStep(
            Object lease, Function<Session, O> make, Function<O, T> outcome) {
        O op;
        try {
            op = make.apply(session);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        Function<Operation, T> out = o -> outcome.apply(op);
        if (!op.syncsPipelineFirst()) {
            return waiter.submit(op, out, lease);
        }
        return calls.counted(errors.refusal(), lease, f -> {
            pipelines.syncBeforeOwnStatement();
            waiter.runNow(op, out, f);
        });
    }

    /**
     * Runs one statement for {@code cursor}: {@code params} null means the simple protocol, otherwise an
     * Object[] or a Map. Binding happens here, on the caller's thread; sending on the loop.
     */
    <T> CompletableFuture<AsyncCursor<T>> run(Object lease, AsyncCursor<T> cursor, String query, Object params,
                                              int format, Boolean prepare, Duration timeout) {
        Execute op;
        try {
            op = cursor.binder().statement(session, query, params, cursor.adaptersInUse(), format, prepare, timeout);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return waiter.submit(op, o -> {
            cursor.setResults(((Execute) o).results());
            return cursor;
        }, lease);
    }

    /**
     * executemany for {@code cursor}: every parameter set in one round trip, as {@link Connection} does it
     * (see {@link ExecuteMany}).
     */
    <T> CompletableFuture<AsyncCursor<T>> runMany(Object lease, AsyncCursor<T> cursor, String query,
                                                   Iterable<?> paramSets, int format, boolean returning) {
        ExecuteMany op;
        try {
            op = cursor.binder().many(session, query, paramSets, cursor.adaptersInUse(), format, returning,
                    state.statementTimeout);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        if (op == null) {
            cursor.setResults(List.of());
            cursor.afterMany(returning);
            return CompletableFuture.completedFuture(cursor);
        }
        return waiter.submit(op, o -> {
            cursor.setResults(((ExecuteMany) o).results());
            cursor.afterMany(returning);
            return cursor;
        }, lease);
    }

    /**
     * Sends a COPY statement for {@code cursor}'s adapters; the future completes once the server is ready to
     * receive or send data (see {@link AsyncCopy}).
     */
    CompletableFuture<AsyncCopy> startCopy(Object lease, AsyncConnection<?> conn, AsyncCursor<?> cursor, String sql) {
        TuskException refused = errors.refusal();
        if (refused != null) {
            return LoopFuture.failed(refused);
        }
        CopyOperation op = new CopyOperation(session, sql);
        op.observeStart(); // on the submitting thread, as statements
        return calls.counted(new LoopFuture<>(), lease, new LoopCalls.Step<AsyncCopy>() {
            @Override
            public void run(LoopFuture<AsyncCopy> f) {
                CopyCommand cmd = op.start(); // after the BEGIN it queued, if one is needed
                AsyncCopy copy = new AsyncCopy(conn, op, cursor.adaptersInUse(), f);
                op.onEnd(() -> {
                    waiter.ended();
                    copy.ended(op.failure(null));
                    waiter.releaseHeldBack();
                });
                waiter.holdBack();
                driver.send(cmd);
            }

            @Override
            public void refused(RuntimeException e) {
                op.refused(e);
            }
        });
    }

    /**
     * Sends {@code cmd} (START_REPLICATION on a replication connection, for {@code dev.tusk.replication}) in order
     * after what was submitted before. While the stream runs it owns the connection: statements submitted
     * meanwhile wait until it has ended. {@code ended} runs on the loop thread once the command has ended, with
     * its error (null: none), or with the reason it was not sent.
     */
    void startCopyBoth(CopyBothCommand cmd, Consumer<TuskException> ended) {
        TuskException refused = errors.refusal();
        if (refused != null) {
            driver.execute(() -> ended.accept(refused));
            return;
        }
        LoopFuture<Void> notStarted = new LoopFuture<>(); // fails on the loop when the stream cannot start
        notStarted.whenComplete((v, e) -> ended.accept(e instanceof TuskException t ? t
                : new OperationalException("the replication stream could not be started: " + e, e)));
        calls.counted(notStarted, null, f -> { // replication connections are not pooled
            if (session.pipelined()) {
                throw session.pipelines().replicationRefused();
            }
            cmd.onComplete(() -> {
                waiter.ended();
                ended.accept(cmd.error());
                waiter.releaseHeldBack();
            });
            waiter.holdBack();
            driver.send(cmd);
        });
    }

    /** Runs a statement of the driver's own that {@code choose} picks on the loop (see {@link AsyncExecutions#runOwn}). */
    <T> CompletableFuture<T> runOwnFor(Object lease, Function<Boolean, OwnStatement> choose,
                                       Function<QueryCommand, T> outcome) {
        return calls.counted(errors.closingError(), lease, f -> { // a lost connection is the answer before any state check
            OwnStatement st = choose.apply(session.expected() == TransactionStatus.IDLE);
            if (st.sql() == null) { // nothing to send after all
                calls.done(f, null);
                return;
            }
            pipelines.syncBeforeOwnStatement();
            waiter.runNow(Execute.own(session, st.sql(), state.statementTimeout), op -> outcome.apply(((Execute) op).command()), f);
            if (st.statusAfter() != null) {
                session.expect(st.statusAfter());
            }
        });
    }

    /**
     * Runs a transaction step ({@link TransactionSteps}) in order after everything submitted before: its rules are
     * checked on the loop, then its statement runs right there (a statement submitted after it runs after it); the
     * future completes with {@code outcome} of the ended step.
     */
    <T> CompletableFuture<T> runStep(Object lease, TransactionOp step, Function<TransactionOp, T> outcome) {
        return calls.counted(errors.closingError(), lease, f -> { // a lost connection is the answer, whatever its last transaction state
            step.decide();
            if (!step.sends()) {
                calls.done(f, outcome.apply(step));
                return;
            }
            pipelines.syncBeforeOwnStatement();
            waiter.runNow(step, op -> outcome.apply(step), f);
        });
    }
}
