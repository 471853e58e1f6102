package dev.tusk.internal.async;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.internal.op.TwoPhaseSteps;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The transactions of an {@code AsyncConnection}: the {@link TransactionSteps} of its session (the rules, the block
 * stack and the two-phase state, shared with the blocking {@code Connection}) run on the event loop by its
 * {@link AsyncOperations}, in order with the statements submitted before. The transaction blocks whose body is a
 * future are {@code AsyncTransaction}'s, which runs their steps here.
 */
public final class AsyncTransactions {
    private final AsyncOperations operations;
    private final TransactionSteps steps;
    /** The statement timeout of the steps, read without a lease check (a block's end is refused as a step). */
    private final Supplier<Duration> timeout;
    /**
     * Whose calls these are: null for the connection, else a pool's lease handle of it ({@link #forLease}), whose
     * lease the event loop checks again before each step runs.
     */
    private final Object lease;
    /** The handle's check when a call starts: true when its lease ended (else marks it used). */
    private final BooleanSupplier leaseEnded;

    /** The transactions of a connection: {@code closed} tells the steps whether it is closed. */
    public AsyncTransactions(AsyncOperations operations, Session session, Supplier<Duration> timeout,
                             BooleanSupplier closed) {
        this(operations, session.transactions(), timeout, null, () -> false);
        steps.closedBy(closed);
    }

    private AsyncTransactions(AsyncOperations operations, TransactionSteps steps, Supplier<Duration> timeout,
                              Object lease, BooleanSupplier leaseEnded) {
        this.operations = operations;
        this.steps = steps;
        this.timeout = timeout;
        this.lease = lease;
        this.leaseEnded = leaseEnded;
    }

    /** The transactions of a lease handle ({@code handle}) of this connection: the same steps, run for the handle. */
    public AsyncTransactions forLease(Object handle, BooleanSupplier leaseEnded) {
        return new AsyncTransactions(operations, steps, timeout, handle, leaseEnded);
    }

    /** The rules: a block's steps are made here. */
    public TransactionSteps steps() {
        return steps;
    }

    /** The statement timeout of the steps. */
    public Duration timeout() {
        return timeout.get();
    }

    /** Runs {@code step} in order on the loop ({@link AsyncOperations#runStep}); refused on a lease that ended. */
    public <T> CompletableFuture<T> runStep(TransactionOp step, Function<TransactionOp, T> outcome) {
        return leaseEnded.getAsBoolean() ? LoopFuture.failed(ConnectionErrors.endedLease())
                : operations.runStep(lease, step, outcome);
    }

    /** True while a transaction() block is open, as far as the statements sent so far go (acting thread). */
    public boolean inBlock() {
        return steps.inBlock();
    }

    // ---------------------------------------------------------------- commit, rollback, two-phase commit

    public CompletableFuture<Void> end(boolean commit) {
        return runStep(steps.end(commit, timeout()), op -> null);
    }

    /** Begins a two-phase transaction with {@code gid} (an xid's text); fails for a null one. */
    public CompletableFuture<Void> tpcBegin(String gid) {
        if (gid == null) {
            return LoopFuture.failed(new ProgrammingException(TwoPhaseSteps.XID_NEEDED));
        }
        return AsyncFutures.settle(runStep(steps.tpcBegin(gid, timeout()), op -> null));
    }

    public CompletableFuture<Void> tpcPrepare() {
        return AsyncFutures.settle(runStep(steps.tpcPrepare(timeout()), op -> null));
    }

    /** Commits or rolls back the current two-phase transaction ({@code gid} null), or a prepared one by id. */
    public CompletableFuture<Void> tpcFinish(boolean commit, String gid) {
        return AsyncFutures.settle(runStep(steps.tpcFinish(commit, gid, timeout()), op -> null));
    }

    /** As {@link #tpcFinish} for {@code tpcCommit(Xid)} / {@code tpcRollback(Xid)}: fails for a null id. */
    public CompletableFuture<Void> tpcFinishById(boolean commit, String gid) {
        if (gid == null) {
            return LoopFuture.failed(TwoPhaseSteps.idNeeded(commit ? "tpcCommit" : "tpcRollback"));
        }
        return tpcFinish(commit, gid);
    }

    /** The prepared transactions of the whole server; no BEGIN, so the transaction state stays as it is. */
    public <X> CompletableFuture<List<X>> tpcRecover(TwoPhaseSteps.RecoveredXid<X> xid) {
        return AsyncFutures.settle(runStep(steps.tpcRecover(timeout()),
                op -> TwoPhaseSteps.recovered(op.results().get(0), xid)));
    }

    /**
     * Sets autocommit or a characteristic ({@code attribute}) on the loop, in order with the statements submitted
     * before: they only change outside any transaction (else the future fails with a ProgrammingException).
     */
    public CompletableFuture<Void> setWhenIdle(String attribute, Runnable set) {
        return operations.onLoop(lease, f -> {
            steps.checkIdle(attribute);
            set.run();
            f.complete(null);
        });
    }
}
