package dev.tusk.internal.blocking;

import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.BlockingWaiter;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.Operation;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;

/**
 * The statements a blocking {@code Connection} runs for its cursors: one statement or executemany, each run to its end
 * on the caller's thread by the connection's waiter, under its lock, or queued when the connection is in pipeline mode;
 * a server-side cursor's step. Shared by the connection's pool lease handles, each with its own usable check
 * ({@link #forLease}, run under the lock).
 */
public final class BlockingStatements {
    /**
     * Where a cursor ({@code T}) takes what its statement gave, under the lock: the results of a statement run to its
     * end, or, in pipeline mode, the commands whose results will come ({@code before}: null, or those sent earlier, in
     * order; {@code last} the last one sent). One shared instance per cursor class: no allocation per statement.
     */
    public interface Outcome<T> {
        /** The statement passed the usable check and starts now (before anything is written). */
        void started(T cursor);

        /** One statement's command completed (its results read from it: no list made when there is one result). */
        void completed(T cursor, QueryCommand command);

        void results(T cursor, List<ResultData> results);

        void pending(T cursor, List<QueryCommand> before, QueryCommand last);
    }

    private final ReentrantLock lock;
    private final Session session;
    private final BlockingWaiter waiter;
    private final BlockingPipelines pipelines;
    private final Runnable usable;

    public BlockingStatements(ReentrantLock lock, Session session, BlockingWaiter waiter, BlockingPipelines pipelines,
                              Runnable usable) {
        this.lock = lock;
        this.session = session;
        this.waiter = waiter;
        this.pipelines = pipelines;
        this.usable = usable;
    }

    /** The same for a pool's lease handle, whose calls pass its {@code usable} check. */
    public BlockingStatements forLease(Runnable usable) {
        return new BlockingStatements(lock, session, waiter, pipelines, usable);
    }

    /** Runs (or in pipeline mode queues) one statement for {@code cursor}. */
    public <T> void run(Execute op, T cursor, Outcome<T> to) {
        runOrQueue(op, null, cursor, to);
    }

    /** executemany: every parameter set in one round trip (see {@link ExecuteMany}), run or queued as {@link #run}. */
    public <T> void runMany(ExecuteMany op, T cursor, Outcome<T> to) {
        runOrQueue(op, op, cursor, to);
    }

    private <T> void runOrQueue(Operation op, ExecuteMany many, T cursor, Outcome<T> to) {
        TimedLock.lock(lock, op.timeout()); // its timeout covers the wait for another thread's call
        try {
            usable.run();
            session.runPrelude(op.timeout());
            to.started(cursor);
            if (session.pipelined()) {
                QueryCommand last = (QueryCommand) waiter.queue(op);
                List<QueryCommand> all = many == null ? null : many.commands();
                to.pending(cursor, all == null || all.size() == 1 ? null : all.subList(0, all.size() - 1), last);
                pipelines.writeOutIfDue(last);
                return;
            }
            waiter.run(op);
            if (many != null) {
                to.results(cursor, many.results());
            } else {
                to.completed(cursor, ((Execute) op).command());
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs a step of a server-side cursor ({@code make} builds it for the session, on this thread) to its end and
     * raises its failure; a close first syncs the pipeline the connection is in, if any. {@code timeout}: the step's
     * statement timeout (null: none), which bounds its wait for the lock too.
     */
    public <O extends ServerCursorStep> O runCursorStep(Function<Session, O> make, Duration timeout) {
        TimedLock.lock(lock, timeout); // the step's timeout covers the wait for another thread's call
        try {
            usable.run();
            O op = make.apply(session); // builds it only: nothing sent yet
            session.runPrelude(op.timeout());
            if (op.syncsPipelineFirst()) {
                pipelines.syncIfAny(usable);
            }
            waiter.run(op);
            return op;
        } finally {
            lock.unlock();
        }
    }
}
