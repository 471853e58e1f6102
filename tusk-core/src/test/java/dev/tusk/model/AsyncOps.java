package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.QueryCanceled;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static dev.tusk.model.Op.Outcome.fails;
import static dev.tusk.model.Op.Outcome.ok;

/**
 * The operations of the {@link AsyncConnection}'s model: the same model and faults as the blocking one, each
 * future joined (the runner's step deadline turns a future that never completes into a failure with the seed).
 */
final class AsyncOps {
    private AsyncOps() {
    }

    static final List<Ops.Weighted> ALL = List.of(
            new Ops.Weighted(8, r -> new Insert(1 + r.nextInt(5))),
            new Ops.Weighted(3, r -> new DivisionByZeroOp()),
            new Ops.Weighted(4, r -> new Burst(2 + r.nextInt(6))),
            new Ops.Weighted(5, r -> new Commit()),
            new Ops.Weighted(5, r -> new Rollback()),
            new Ops.Weighted(2, r -> new ToggleAutocommit()),
            new Ops.Weighted(3, r -> new TransactionBlock(1 + r.nextInt(3))),
            new Ops.Weighted(2, r -> new TransactionBlockFails()),
            new Ops.Weighted(3, r -> new PipelineOp(1 + r.nextInt(4))),
            new Ops.Weighted(2, r -> new PipelineWithError()),
            new Ops.Weighted(2, r -> new TwoPhase(1 + r.nextInt(3), r.nextBoolean())),
            new Ops.Weighted(3, r -> new Ops.TpcBegin(r.nextInt(4) > 0)),
            new Ops.Weighted(5, r -> new Ops.TpcPrepare()),
            new Ops.Weighted(5, r -> new Ops.TpcFinish(r.nextBoolean())),
            new Ops.Weighted(1, r -> new CancelRunning()),
            new Ops.Weighted(1, r -> new StatementTimeout()),
            new Ops.Weighted(1, r -> new Close()),
            new Ops.Weighted(1, r -> new Ops.CutNow(r.nextBoolean() ? dev.tusk.testing.FaultProxy.Action.CLOSE
                    : dev.tusk.testing.FaultProxy.Action.RESET)),
            new Ops.Weighted(2, r -> new Ops.CutAtMessage("ZCDT2".charAt(r.nextInt(5)), 1 + r.nextInt(3),
                    r.nextBoolean() ? dev.tusk.testing.FaultProxy.Action.CLOSE : dev.tusk.testing.FaultProxy.Action.RESET)),
            new Ops.Weighted(1, r -> new Ops.CutAfterBytes(r.nextBoolean(), r.nextInt(3000))),
            new Ops.Weighted(1, r -> new Ops.Freeze()),
            new Ops.Weighted(1, r -> new Ops.Delay(r.nextInt(4))));

    /**
     * Waits for a future; its failure comes out as the exception itself, not wrapped. One interrupt of the waiting
     * thread (an {@link InterruptOps} step's) is kept for the caller and the wait goes on: the operation's own outcome
     * is what the model checks; a second one (the step deadline's) ends the wait.
     */
    static <T> T join(CompletableFuture<T> f) throws Exception {
        try {
            try {
                return f.get();
            } catch (InterruptedException once) {
                try {
                    return f.get();
                } finally {
                    Thread.currentThread().interrupt();
                }
            }
        } catch (ExecutionException e) {
            Throwable t = unwrap(e.getCause());
            if (t instanceof Exception x) {
                throw x;
            }
            if (t instanceof Error x) {
                throw x;
            }
            throw e;
        }
    }

    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    interface AsyncOp extends Op {
        void run(AsyncConnection<Row> c, Env env) throws Exception;

        @Override
        default void apply(Env env) throws Exception {
            run(env.async, env);
        }
    }

    record Insert(int rows) implements AsyncOp {
        public String name() {
            return "insert";
        }

        public Outcome expect(ConnectionModel m) {
            return Ops.statement(m, rows);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCursor<Row> cur = join(c.execute(Ops.rowsSql(env), rows));
            if (cur.rowcount() != rows) {
                throw new AssertionError("INSERT of " + rows + " rows reported rowcount " + cur.rowcount());
            }
        }
    }

    record DivisionByZeroOp() implements AsyncOp {
        public String name() {
            return "divisionByZero";
        }

        public Outcome expect(ConnectionModel m) {
            return new Ops.DivisionByZeroOp().expect(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.execute("SELECT 1 / %s", 0));
        }
    }

    /** Several statements submitted without waiting: each future gets its own answer, in order. */
    record Burst(int statements) implements AsyncOp {
        public String name() {
            return "burst";
        }

        public Outcome expect(ConnectionModel m) {
            return Ops.statement(m, statements);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            List<CompletableFuture<AsyncCursor<Row>>> fs = new ArrayList<>();
            for (int i = 0; i < statements; i++) {
                fs.add(c.execute("INSERT INTO " + env.table + " (v) VALUES (%s) RETURNING v", 1000 + i));
            }
            Exception first = null;
            for (int i = 0; i < statements; i++) { // every future completes, failed or not, before the step ends
                try {
                    int v = join(fs.get(i)).fetchone().getInt(0);
                    if (v != 1000 + i) {
                        throw new AssertionError("statement " + i + " of a burst got the answer " + v);
                    }
                } catch (Exception e) {
                    if (first == null) {
                        first = e;
                    }
                }
            }
            if (first != null) {
                throw first;
            }
        }
    }

    record Commit() implements AsyncOp {
        public String name() {
            return "commit";
        }

        public Outcome expect(ConnectionModel m) {
            return new Ops.Commit().expect(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.commit());
        }
    }

    record Rollback() implements AsyncOp {
        public String name() {
            return "rollback";
        }

        public Outcome expect(ConnectionModel m) {
            return new Ops.Rollback().expect(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.rollback());
        }
    }

    record ToggleAutocommit() implements AsyncOp {
        public String name() {
            return "toggleAutocommit";
        }

        public Outcome expect(ConnectionModel m) {
            if (!m.idle()) {
                return fails(ProgrammingException.class, m);
            }
            m.autocommit = !m.autocommit;
            return ok(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.setAutocommit(!c.autocommit()));
        }
    }

    record TransactionBlock(int rows) implements AsyncOp {
        public String name() {
            return "transactionBlock";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            if (m.idle()) {
                m.committedRows += rows;
            } else {
                m.pendingRows += rows;
            }
            return ok(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.transaction(tx -> c.execute(Ops.rowsSql(env), rows)));
        }
    }

    /** A block whose body's future fails: rolled back, the body's exception comes out. */
    record TransactionBlockFails() implements AsyncOp {
        public String name() {
            return "transactionBlockThrows";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            return fails(Ops.Boom.class, m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.transaction(tx -> c.execute(Ops.rowsSql(env), 2).thenCompose(cur -> CompletableFuture.failedFuture(new Ops.Boom()))));
        }
    }

    record PipelineOp(int statements) implements AsyncOp {
        public String name() {
            return "pipeline";
        }

        public Outcome expect(ConnectionModel m) {
            return Ops.statement(m, statements);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            List<CompletableFuture<AsyncCursor<Row>>> fs = new ArrayList<>();
            AsyncPipeline p = c.pipeline();
            for (int i = 0; i < statements; i++) {
                fs.add(c.execute(Ops.rowsSql(env), 1));
            }
            join(p.closeAsync());
            for (CompletableFuture<AsyncCursor<Row>> f : fs) {
                if (join(f).rowcount() != 1) {
                    throw new AssertionError("a pipelined INSERT reported rowcount " + join(f).rowcount());
                }
            }
        }
    }

    record PipelineWithError() implements AsyncOp {
        public String name() {
            return "pipelineWithError";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            if (!m.autocommit || !m.idle()) {
                m.tx = TransactionStatus.INERROR;
            }
            return fails(DivisionByZero.class, m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncPipeline p = c.pipeline();
            CompletableFuture<?> a = c.execute(Ops.rowsSql(env), 1);
            CompletableFuture<?> b = c.execute("SELECT 1 / %s", 0);
            CompletableFuture<?> d = c.execute(Ops.rowsSql(env), 1);
            Exception closed = null;
            try {
                join(p.closeAsync());
            } catch (Exception t) {
                closed = t;
            }
            // every future of the block completes: the first, the failing one, the aborted one
            for (CompletableFuture<?> f : List.of(a, b, d)) {
                try {
                    join(f);
                } catch (Exception ignored) {
                    // checked by the model through the block's outcome
                }
            }
            if (closed != null) {
                throw closed;
            }
            join(b);
        }
    }

    record TwoPhase(int rows, boolean commit) implements AsyncOp {
        public String name() {
            return "twoPhase";
        }

        public Outcome expect(ConnectionModel m) {
            if (!m.idle() || m.autocommit) {
                return fails(ProgrammingException.class, m);
            }
            if (commit) {
                m.committedRows += rows;
            }
            return ok(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.tpcBegin(c.xid(7, env.gidPrefix + env.step, "a")));
            join(c.execute(Ops.rowsSql(env), rows));
            join(c.tpcPrepare());
            join(commit ? c.tpcCommit() : c.tpcRollback());
        }
    }

    record CancelRunning() implements AsyncOp {
        public String name() {
            return "cancelRunning";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(QueryCanceled.class, m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            ReentrantLock sending = new ReentrantLock();
            AtomicBoolean done = new AtomicBoolean();
            CompletableFuture<AsyncCursor<Row>> statement = c.execute("SELECT pg_sleep(%s)", 5);
            Future<?> canceller = env.helpers.submit(() -> {
                while (!done.get()) {
                    try {
                        TimeUnit.MILLISECONDS.sleep(100);
                    } catch (InterruptedException e) {
                        return;
                    }
                    sending.lock();
                    try {
                        if (!done.get()) {
                            c.cancelSafe(Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
                        }
                    } catch (Exception ignored) {
                        // a failed cancel shows as a statement that was not cancelled
                    } finally {
                        sending.unlock();
                    }
                }
            });
            try {
                join(statement);
            } finally {
                sending.lock();
                try {
                    done.set(true);
                } finally {
                    sending.unlock();
                }
                canceller.cancel(true);
            }
        }
    }

    record StatementTimeout() implements AsyncOp {
        public String name() {
            return "statementTimeout";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(QueryCanceled.class, m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.execute("SELECT pg_sleep(%s)", List.of(5), ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build()));
        }
    }

    record Close() implements AsyncOp {
        public String name() {
            return "close";
        }

        public boolean quietWhenClosed() {
            return true;
        }

        public Outcome expect(ConnectionModel m) {
            m.closedByUser();
            return ok(m);
        }

        public void run(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.closeAsync());
        }
    }
}
