package dev.tusk;

import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.ServerCursorStep;
import dev.tusk.internal.op.Session;

import java.util.List;
import java.util.function.Function;

/**
 * The statements a blocking {@link Connection} runs for its cursors: one statement, executemany, a server-side
 * cursor's step; each run to its end on the caller's thread by the connection's waiter, under its lock, or queued
 * when the connection is in pipeline mode.
 */
final class Executions {
    private Executions() {
    }

    /**
     * Runs a step of a server-side cursor ({@code make} builds it for this connection's session, on this thread) to
     * its end and raises its failure; a close first syncs the pipeline the connection is in, if any.
     */
    static <O extends ServerCursorStep> O runCursorStep(Connection<?> conn, Function<Session, O> make) {
        conn.use();
        conn.lock.lock();
        try {
            conn.checkUsable();
            O op = make.apply(conn.session);
            if (op.syncsPipelineFirst()) {
                conn.pipelines.syncIfAny(conn::checkUsable);
            }
            conn.waiter.run(op);
            return op;
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Runs one statement for {@code cursor}. {@code params} null means no parameters at all (simple
     * protocol); otherwise an Object[] or a Map.
     */
    static void run(Connection<?> conn, Cursor<?> cursor, String query, Object params, ExecuteOptions opts) {
        conn.use();
        Execute op = conn.statement(cursor.binder(), cursor.adaptersInUse(), cursor.binary(), cursor.maxRows(), query,
                params, opts);
        conn.lock.lock();
        try {
            conn.checkUsable();
            if (conn.session.pipelined()) {
                QueryCommand last = (QueryCommand) conn.waiter.queue(op);
                cursor.setPending(last);
                conn.pipelines.writeOutIfDue(last);
                return;
            }
            conn.waiter.run(op);
            cursor.setResults(op.command());
        } finally {
            conn.lock.unlock();
        }
    }

    /** executemany: every parameter set in one round trip (see {@link ExecuteMany}). */
    static void runMany(Connection<?> conn, Cursor<?> cursor, String query, Iterable<?> paramSets,
                        boolean returning) {
        conn.use();
        ExecuteMany op = conn.many(cursor.binder(), cursor.adaptersInUse(), cursor.binary(), query, paramSets,
                returning);
        if (op == null) {
            cursor.setResults(List.of());
            return;
        }
        conn.lock.lock();
        try {
            conn.checkUsable();
            if (conn.session.pipelined()) {
                QueryCommand last = (QueryCommand) conn.waiter.queue(op);
                List<QueryCommand> all = op.commands();
                cursor.setPending(all.size() == 1 ? null : all.subList(0, all.size() - 1), last);
                conn.pipelines.writeOutIfDue(last);
                return;
            }
            conn.waiter.run(op);
            cursor.setResults(op.results());
        } finally {
            conn.lock.unlock();
        }
    }
}
