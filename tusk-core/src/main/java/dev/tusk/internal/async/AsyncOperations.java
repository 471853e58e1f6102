package dev.tusk.internal.async;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.Operation;
import dev.tusk.internal.op.PipelineState;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.BiFunction;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The operations of an {@code AsyncConnection} and the calls around them, run by its waiter for its session: statements
 * (bound by the caller), server-cursor and transaction steps, statements of the driver's own, COPY and replication
 * streams, pipeline blocks. Shared by the connection's pool lease handles, which refuse the calls of an ended lease
 * before they get here; {@code lease} (the handle, null for the connection's own calls) is checked again when the
 * work runs on the event loop, where the lease may have ended meanwhile. What a call hands back (a cursor with its
 * results, an {@code AsyncCopy}) is made by the caller's functions, in dev.tusk.
 */
public final class AsyncOperations {
    private final Session session;
    /** The connection's statement timeout now (its steps and own statements run under it). */
    private final Supplier<Duration> statementTimeout;
    private final EventLoopDriver driver;
    private final AsyncWaiter waiter;
    private final LoopCalls calls;
    private final AsyncErrors errors;
    private final AsyncPipelines pipelines;

    public AsyncOperations(Session session, Supplier<Duration> statementTimeout, EventLoopDriver driver,
                           AsyncWaiter waiter, AsyncErrors errors) {
        this.session = session;
        this.statementTimeout = statementTimeout;
        this.driver = driver;
        this.waiter = waiter;
        this.calls = new LoopCalls(driver, waiter, errors);
        this.errors = errors;
        this.pipelines = new AsyncPipelines(session.pipelines(), driver, waiter, calls);
    }

    /** Runs {@code action} on the loop thread with the connection known usable; else fails the future. */
    public CompletableFuture<Void> onLoop(Object lease, Consumer<LoopFuture<Void>> action) {
        return calls.uncounted(errors.closingError(), lease, action::accept);
    }

    /** Enters the pipeline {@code block}, in order with the statements submitted before. */
    public void enterPipeline(PipelineState.Block block, Object lease) {
        pipelines.enter(block, lease);
    }

    /**
     * Sends a Sync for the pipeline {@code block} belongs to, and leaves it when {@code leave}; the future completes
     * when every result before the Sync is in, failing with the first error among them.
     */
    public CompletableFuture<Void> syncPipeline(PipelineState.Block block, boolean leave, Object lease) {
        return pipelines.sync(block, leave, errors.closingError(), lease, statementTimeout);
    }

    /**
     * Runs a step of a server-side cursor in order after everything submitted before ({@code make} builds it for
     * this connection's session on the caller's thread; an error there fails the future). The future completes with
     * {@code outcome} of the ended step, on the loop thread. A close first syncs the pipeline the connection is in.
     */
    public <O extends ServerCursorStep, T> CompletableFuture<T> runCursorStep(
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
     * Submits a statement bound on the caller's thread (an {@code Execute}, or an {@code ExecuteMany}), sent on the loop
     * in order with the others; the future completes with {@code outcome} of the ended operation, on the loop thread.
     */
    public <T> CompletableFuture<T> submit(Object lease, Operation op, Function<Operation, T> outcome) {
        return waiter.submit(op, outcome, lease);
    }

    /** As {@link #submit(Object, Operation, Function)}, the outcome handed to {@code done} instead of a future. */
    public <T> void submit(Object lease, Operation op, Function<Operation, T> outcome, BiConsumer<? super T, Throwable> done) {
        waiter.submit(op, outcome, lease, done);
    }

    /**
     * Sends the COPY statement {@code sql}; the future completes with what {@code make} makes of it (an
     * {@code AsyncCopy}) once the server is ready to receive or send data, and {@code ended} hears when the COPY
     * has ended, with its failure (null: none).
     */
    public <C> CompletableFuture<C> startCopy(Object lease, String sql, BiFunction<CopyOperation, LoopFuture<C>, C> make,
                                              BiConsumer<C, TuskException> ended) {
        TuskException refused = errors.refusal();
        if (refused != null) {
            return LoopFuture.failed(refused);
        }
        CopyOperation op = new CopyOperation(session, sql);
        op.observeStart(); // on the submitting thread, as statements
        return calls.counted(new LoopFuture<>(), lease, new LoopCalls.Step<C>() {
            @Override
            public void run(LoopFuture<C> f) {
                CopyCommand cmd = op.start(); // after the BEGIN it queued, if one is needed
                C copy = make.apply(op, f);
                op.onEnd(() -> {
                    waiter.ended();
                    ended.accept(copy, op.failure(null));
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
    public void startCopyBoth(CopyBothCommand cmd, Consumer<TuskException> ended) {
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

    /**
     * Sends a statement of the driver's own, which {@code choose} picks on the loop thread from the session's state
     * (null: nothing to send), in order with everything submitted before; {@code sent} (null: nothing) then updates
     * the session (the transaction status the statement leaves). The future completes with {@code outcome}.
     */
    public <T> CompletableFuture<T> runOwn(Object lease, Function<Session, String> choose, Consumer<Session> sent,
                                           Function<QueryCommand, T> outcome) {
        return runOwn(lease, choose, sent, outcome, false);
    }

    /**
     * As {@link #runOwn} for a pool's session reset ({@code sql}): the prepared statements stay as they are, for the
     * caller to keep or forget (see {@link Execute#keepingPlans()}).
     */
    public <T> CompletableFuture<T> runReset(Object lease, String sql, Function<QueryCommand, T> outcome) {
        return runOwn(lease, s -> sql, null, outcome, true);
    }

    private <T> CompletableFuture<T> runOwn(Object lease, Function<Session, String> choose, Consumer<Session> sent,
                                            Function<QueryCommand, T> outcome, boolean reset) {
        return calls.counted(errors.closingError(), lease, f -> { // a lost connection is the answer before any state check
            String sql = choose.apply(session);
            if (sql == null) { // nothing to send after all
                calls.done(f, null);
                return;
            }
            pipelines.syncBeforeOwnStatement();
            Execute own = Execute.own(session, sql, statementTimeout.get());
            waiter.runNow(reset ? own.keepingPlans() : own, op -> outcome.apply(((Execute) op).command()), f);
            if (sent != null) {
                sent.accept(session);
            }
        });
    }

    /**
     * Runs a transaction step ({@link TransactionSteps}) in order after everything submitted before: its rules are
     * checked on the loop, then its statement runs right there (a statement submitted after it runs after it); the
     * future completes with {@code outcome} of the ended step.
     */
    public <T> CompletableFuture<T> runStep(Object lease, TransactionOp step, Function<TransactionOp, T> outcome) {
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
