package dev.tusk.model;

import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.ServerCursor;
import dev.tusk.Transaction;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.DataException;
import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.FaultProxy;

import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.stream.Stream;

import static dev.tusk.model.Op.Outcome.fails;
import static dev.tusk.model.Op.Outcome.ok;

/** The operations of the blocking connection's model, and the faults, as factories of random instances. */
final class Ops {
    private Ops() {
    }

    /** Thrown by a body the test runs inside a transaction or a COPY: the user's own exception. */
    static final class Boom extends RuntimeException {
        Boom() {
            super("boom (the test body's own exception)");
        }
    }

    /** Every operation, with a weight: how often the runner picks it relative to the others. */
    record Weighted(int weight, Function<Random, Op> factory) {
    }

    static final List<Weighted> ALL = List.of(
            new Weighted(8, r -> new Insert(1 + r.nextInt(5))),
            new Weighted(2, r -> new Echo(r.nextInt(1_000_000))),
            new Weighted(3, r -> new DivisionByZeroOp()),
            new Weighted(5, r -> new Commit()),
            new Weighted(5, r -> new Rollback()),
            new Weighted(2, r -> new ToggleAutocommit()),
            new Weighted(3, r -> new TransactionBlock(1 + r.nextInt(3))),
            new Weighted(2, r -> new TransactionBlockThrows()),
            new Weighted(2, r -> new ResourceTransaction(1 + r.nextInt(3), r.nextBoolean())),
            new Weighted(3, r -> new PipelineOp(1 + r.nextInt(4))),
            new Weighted(2, r -> new PipelineWithError()),
            new Weighted(3, r -> new CopyIn(1 + r.nextInt(20))),
            new Weighted(1, r -> new CopyInBadRow()),
            new Weighted(1, r -> new CopyInBodyThrows()),
            new Weighted(1, r -> new StatementDuringCopyIn()),
            new Weighted(2, r -> new CopyOut(1 + r.nextInt(50))),
            new Weighted(1, r -> new CopyOutEarlyClose()),
            new Weighted(1, r -> new CopyOutAbandoned()),
            new Weighted(2, r -> new StreamAll(1 + r.nextInt(200))),
            new Weighted(1, r -> new StreamEarlyClose()),
            new Weighted(2, r -> new ServerCursorOp()),
            new Weighted(1, r -> new ServerCursorCloseAfterRollback()),
            new Weighted(2, r -> new TwoPhase(1 + r.nextInt(3), r.nextBoolean())),
            new Weighted(3, r -> new TpcBegin(r.nextInt(4) > 0)),
            new Weighted(5, r -> new TpcPrepare()),
            new Weighted(5, r -> new TpcFinish(r.nextBoolean())),
            new Weighted(1, r -> new CancelRunning()),
            new Weighted(1, r -> new CancelIdle()),
            new Weighted(1, r -> new StatementTimeout()),
            new Weighted(1, r -> new Close()),
            new Weighted(1, r -> new CloseFromAnotherThread()),
            // faults
            new Weighted(1, r -> new CutNow(r.nextBoolean() ? FaultProxy.Action.CLOSE : FaultProxy.Action.RESET)),
            new Weighted(2, r -> new CutAtMessage("ZCDTGH2".charAt(r.nextInt(7)), 1 + r.nextInt(3),
                    r.nextBoolean() ? FaultProxy.Action.CLOSE : FaultProxy.Action.RESET)),
            new Weighted(1, r -> new CutAfterBytes(r.nextBoolean(), r.nextInt(3000))),
            new Weighted(1, r -> new Freeze()),
            new Weighted(1, r -> new Delay(r.nextInt(4))));

    static String rowsSql(Env env) {
        return "INSERT INTO " + env.table + " (v) SELECT g FROM generate_series(1, %s) g";
    }

    /** The usual outcome of a statement that opens a transaction or joins the open one. */
    static Op.Outcome statement(ConnectionModel m, long rows) {
        if (m.tpc == ConnectionModel.Tpc.PREPARED) {
            return fails(ProgrammingException.class, m); // only tpcCommit() or tpcRollback() after tpcPrepare()
        }
        if (m.inError()) {
            return fails(InFailedSqlTransaction.class, m);
        }
        m.inserted(rows);
        return ok(m);
    }

    // ------------------------------------------------------------------ plain statements and transactions

    record Insert(int rows) implements Op {
        public String name() {
            return "insert";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, rows);
        }

        public void apply(Env env) {
            Cursor<Row> c = env.conn.execute(rowsSql(env), rows);
            if (c.rowcount() != rows) {
                throw new AssertionError("INSERT of " + rows + " rows reported rowcount " + c.rowcount());
            }
        }
    }

    /** {@code SELECT v}: the reply must be this statement's own (never another's, after an interrupt or a fault). */
    record Echo(int value) implements Op {
        public String name() {
            return "echo";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            int got = env.conn.execute("SELECT %s::int", value).fetchone().getInt(0);
            if (got != value) {
                throw new AssertionError("SELECT " + value + " read " + got + ": another statement's reply");
            }
        }
    }

    record DivisionByZeroOp() implements Op {
        public String name() {
            return "divisionByZero";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.tpc == ConnectionModel.Tpc.PREPARED) {
                return fails(ProgrammingException.class, m);
            }
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(DivisionByZero.class, m);
        }

        public void apply(Env env) {
            env.conn.execute("SELECT 1 / %s", 0);
        }
    }

    record Commit() implements Op {
        public String name() {
            return "commit";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.tpc != ConnectionModel.Tpc.NONE) {
                return fails(ProgrammingException.class, m); // tpcCommit() or tpcRollback() end a two-phase transaction
            }
            m.committed(); // COMMIT of a failed transaction rolls it back, quietly (psycopg)
            return ok(m);
        }

        public void apply(Env env) {
            env.conn.commit();
        }
    }

    record Rollback() implements Op {
        public String name() {
            return "rollback";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.tpc != ConnectionModel.Tpc.NONE) {
                return fails(ProgrammingException.class, m);
            }
            m.rolledBack();
            return ok(m);
        }

        public void apply(Env env) {
            env.conn.rollback();
        }
    }

    record ToggleAutocommit() implements Op {
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

        public void apply(Env env) {
            env.conn.setAutocommit(!env.conn.autocommit());
        }
    }

    /** {@code conn.transaction(body)}: BEGIN/COMMIT when idle, a savepoint inside a transaction. */
    record TransactionBlock(int rows) implements Op {
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

        public void apply(Env env) {
            env.conn.transaction(tx -> env.conn.execute(rowsSql(env), rows));
        }
    }

    /** A transaction body that throws: the block rolls back what it did and the body's exception comes out. */
    record TransactionBlockThrows() implements Op {
        public String name() {
            return "transactionBlockThrows";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            return fails(Boom.class, m); // the state before the block, rows included
        }

        public void apply(Env env) {
            env.conn.transaction(tx -> {
                env.conn.execute(rowsSql(env), 2);
                throw new Boom();
            });
        }
    }

    /** {@code try (Transaction tx = conn.transaction())}: commits only if {@code tx.commit()} was called. */
    record ResourceTransaction(int rows, boolean commit) implements Op {
        public String name() {
            return commit ? "resourceTransactionCommit" : "resourceTransactionNoCommit";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            if (commit) {
                if (m.idle()) {
                    m.committedRows += rows;
                } else {
                    m.pendingRows += rows;
                }
            }
            return ok(m);
        }

        public void apply(Env env) {
            try (Transaction tx = env.conn.transaction()) {
                env.conn.execute(rowsSql(env), rows);
                if (commit) {
                    tx.commit();
                }
            }
        }
    }

    // ------------------------------------------------------------------ pipeline

    record PipelineOp(int statements) implements Op {
        public String name() {
            return "pipeline";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, statements);
        }

        public void apply(Env env) {
            Cursor<?>[] cs = new Cursor<?>[statements];
            try (Pipeline p = env.conn.pipeline()) {
                for (int i = 0; i < statements; i++) {
                    cs[i] = env.conn.execute(rowsSql(env), 1);
                }
            }
            for (Cursor<?> c : cs) {
                if (c.rowcount() != 1) {
                    throw new AssertionError("a pipelined INSERT reported rowcount " + c.rowcount());
                }
            }
        }
    }

    /** A pipeline whose second statement fails: the error comes out of the block, the rest is aborted. */
    record PipelineWithError() implements Op {
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
            // in autocommit, the statements up to the Sync are one implicit transaction: the first insert is gone too
            return fails(DivisionByZero.class, m);
        }

        public void apply(Env env) {
            try (Pipeline p = env.conn.pipeline()) {
                env.conn.execute(rowsSql(env), 1);
                env.conn.execute("SELECT 1 / %s", 0);
                env.conn.execute(rowsSql(env), 1);
            }
        }
    }

    // ------------------------------------------------------------------ COPY

    static String copyIn(Env env) {
        return "COPY " + env.table + " (v) FROM STDIN";
    }

    /**
     * Ends a COPY FROM so that its rows are kept. The trust-streamcopy branch adds {@code Copy.finish()} (a COPY
     * FROM closed without it is abandoned); called when present, so the model runs before and after that merge.
     * Once merged, this can become a plain {@code copy.finish()}.
     */
    static void finishCopyIn(Copy copy) {
        java.lang.reflect.Method finish;
        try {
            finish = Copy.class.getMethod("finish");
        } catch (NoSuchMethodException before) {
            return; // close() ends it
        }
        try {
            finish.invoke(copy);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException(e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }

    record CopyIn(int rows) implements Op {
        public String name() {
            return "copyIn";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, rows);
        }

        public void apply(Env env) {
            try (Copy copy = env.conn.cursor().copy(copyIn(env))) {
                for (int i = 0; i < rows; i++) {
                    copy.writeRow(i);
                }
                finishCopyIn(copy);
            }
        }
    }

    record CopyInBadRow() implements Op {
        public String name() {
            return "copyInBadRow";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(DataException.class, m);
        }

        public void apply(Env env) {
            try (Copy copy = env.conn.cursor().copy(copyIn(env))) {
                copy.write("1\n");
                copy.write("not-a-number\n");
                finishCopyIn(copy);
            }
        }
    }

    /** The body of {@code try (Copy ...)} throws: the COPY must be abandoned (CopyFail), nothing copied. */
    record CopyInBodyThrows() implements Op {
        public String name() {
            return "copyInBodyThrows";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(Boom.class, m);
        }

        public void apply(Env env) {
            try (Copy copy = env.conn.cursor().copy(copyIn(env))) {
                copy.writeRow(1);
                copy.writeRow(2);
                throw new Boom();
            }
        }
    }

    /**
     * A statement on the connection while a COPY FROM is open must be refused (a usage error) without harming the
     * COPY or the session; the COPY then completes.
     */
    record StatementDuringCopyIn() implements Op {
        public String name() {
            return "statementDuringCopyIn";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 2);
        }

        public void apply(Env env) {
            try (Copy copy = env.conn.cursor().copy(copyIn(env))) {
                copy.writeRow(1);
                try {
                    env.conn.execute("SELECT 1");
                    throw new AssertionError("a statement ran in the middle of a COPY FROM STDIN");
                } catch (ProgrammingException | InterfaceException refused) {
                    // expected: the COPY is in progress
                }
                copy.writeRow(2);
                finishCopyIn(copy);
            }
        }
    }

    record CopyOut(int rows) implements Op {
        public String name() {
            return "copyOut";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            int n = 0;
            try (Copy copy = env.conn.cursor().copy("COPY (SELECT generate_series(1, %s)) TO STDOUT", rows)) {
                for (List<String> row : copy.rows()) {
                    if (Integer.parseInt(row.get(0)) != ++n) {
                        throw new AssertionError("COPY TO row " + n + " is " + row);
                    }
                }
            }
            if (n != rows) {
                throw new AssertionError("COPY TO gave " + n + " rows of " + rows);
            }
        }
    }

    /** Reads one row of a large COPY TO and closes it. */
    record CopyOutEarlyClose() implements Op {
        public String name() {
            return "copyOutEarlyClose";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            try (Copy copy = env.conn.cursor().copy("COPY (SELECT generate_series(1, 20000)) TO STDOUT")) {
                if (copy.read() == null) {
                    throw new AssertionError("COPY TO gave no data");
                }
            }
        }
    }

    /**
     * Reads one row of a large COPY TO and, without closing it, runs a statement: that statement either runs (the
     * rest of the COPY was dropped) or is refused as a usage error; it never blocks. The COPY closes quietly after.
     */
    record CopyOutAbandoned() implements Op {
        public String name() {
            return "copyOutAbandoned";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            Copy copy = env.conn.cursor().copy("COPY (SELECT generate_series(1, 20000)) TO STDOUT");
            if (copy.read() == null) {
                throw new AssertionError("COPY TO gave no data");
            }
            try {
                int v = env.conn.execute("SELECT 7").fetchone().getInt(0);
                if (v != 7) {
                    throw new AssertionError("the statement after an abandoned COPY TO read " + v);
                }
            } catch (ProgrammingException | InterfaceException refused) {
                // acceptable: the COPY is still in progress
            } finally {
                copy.close();
            }
        }
    }

    // ------------------------------------------------------------------ streams and server cursors

    record StreamAll(int rows) implements Op {
        public String name() {
            return "stream";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            long n;
            try (Stream<Row> s = env.conn.cursor().stream("SELECT generate_series(1, %s)", rows)) {
                n = s.count();
            }
            if (n != rows) {
                throw new AssertionError("the stream gave " + n + " rows of " + rows);
            }
        }
    }

    /**
     * Takes a few rows of a huge stream and closes it: that must not read the rest of the result. The statement is
     * cancelled (trust-streamcopy: more than 16 MB left), so inside a transaction the transaction has failed.
     */
    record StreamEarlyClose() implements Op {
        public String name() {
            return "streamEarlyClose";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed(); // the close succeeds; the cancelled statement fails its transaction
            return ok(m);
        }

        public void apply(Env env) {
            long start = System.nanoTime();
            try (Stream<Row> s = env.conn.cursor().stream("SELECT generate_series(1, 20000000)")) {
                if (s.limit(10).count() != 10) {
                    throw new AssertionError("the stream gave fewer than 10 rows");
                }
            }
            long ms = (System.nanoTime() - start) / 1_000_000;
            if (ms > 3000) {
                throw new AssertionError("closing a stream after 10 of 20,000,000 rows took " + ms + " ms: it read the rest");
            }
        }
    }

    record ServerCursorOp() implements Op {
        public String name() {
            return "serverCursor";
        }

        public Outcome expect(ConnectionModel m) {
            return statement(m, 0);
        }

        public void apply(Env env) {
            try (ServerCursor<Row> c = env.conn.cursor("model_c" + env.step)) {
                c.setWithhold(env.conn.autocommit()); // DECLARE without HOLD needs a transaction block
                c.execute("SELECT generate_series(1, 100)");
                List<Row> rows = c.fetchmany(10);
                if (rows.size() != 10 || rows.get(9).getInt(0) != 10) {
                    throw new AssertionError("the server cursor's first 10 rows: " + rows);
                }
            }
        }
    }

    /** A server cursor whose transaction was rolled back is closed: that must not open a new transaction. */
    record ServerCursorCloseAfterRollback() implements Op {
        public String name() {
            return "serverCursorCloseAfterRollback";
        }

        public boolean applicable(ConnectionModel m) {
            return !m.autocommit && !m.inError();
        }

        public Outcome expect(ConnectionModel m) {
            m.rolledBack();
            return ok(m);
        }

        public void apply(Env env) {
            ServerCursor<Row> c = env.conn.cursor("model_r" + env.step);
            c.execute("SELECT generate_series(1, 100)");
            c.fetchmany(5);
            env.conn.rollback();
            c.close();
        }
    }

    // ------------------------------------------------------------------ two-phase commit

    /** A whole two-phase transaction: begin, insert, prepare, then commit or roll back the prepared one. */
    record TwoPhase(int rows, boolean commit) implements Op {
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

        public void apply(Env env) {
            env.conn.tpcBegin(env.conn.xid(7, env.gidPrefix + env.step, "b"));
            env.conn.execute(rowsSql(env), rows);
            env.conn.tpcPrepare();
            if (commit) {
                env.conn.tpcCommit();
            } else {
                env.conn.tpcRollback();
            }
        }
    }

    /**
     * The operations the runner may pick while a two-phase transaction is driven step by step ({@link TpcBegin},
     * {@link TpcPrepare}, {@link TpcFinish}, with statements, misplaced commit/rollback, close and faults between
     * them); by name, faults aside.
     */
    static final java.util.Set<String> DURING_TPC = java.util.Set.of("insert", "divisionByZero", "commit", "rollback",
            "tpcBegin", "tpcPrepare", "tpcCommit", "tpcRollback", "close");

    /** The gid of the sequence's step-by-step two-phase transaction begun at step {@code step}. */
    static String stepGid(Env env) {
        return env.gidPrefix + "s" + env.step;
    }

    /**
     * {@code tpcBegin(xid)}: BEGIN; refused in a transaction, in autocommit or during another two-phase one. With
     * {@code clearFirst}, as a user ending what is open first: {@code rollback()} and {@code setAutocommit(false)},
     * then tpcBegin (the rollback is refused during a two-phase transaction).
     */
    record TpcBegin(boolean clearFirst) implements Op {
        public String name() {
            return "tpcBegin";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.tpc != ConnectionModel.Tpc.NONE) {
                return fails(ProgrammingException.class, m);
            }
            if (clearFirst) {
                m.rolledBack();
                m.autocommit = false;
            } else if (!m.idle() || m.autocommit) {
                return fails(ProgrammingException.class, m);
            }
            m.tpc = ConnectionModel.Tpc.BEGUN;
            m.tx = TransactionStatus.INTRANS;
            return ok(m);
        }

        public void apply(Env env) throws Exception {
            if (env.conn != null) {
                if (clearFirst) {
                    env.conn.rollback();
                    env.conn.setAutocommit(false);
                }
                env.conn.tpcBegin(env.conn.xid(7, stepGid(env), "s"));
            } else {
                if (clearFirst) {
                    AsyncOps.join(env.async.rollback());
                    AsyncOps.join(env.async.setAutocommit(false));
                }
                AsyncOps.join(env.async.tpcBegin(env.async.xid(7, stepGid(env), "s")));
            }
        }
    }

    /**
     * {@code tpcPrepare()} alone: the begun transaction is prepared (the session idle again, its rows committed
     * by tpcCommit() only); one whose statement failed is rolled back instead, and the call fails.
     */
    record TpcPrepare() implements Op {
        public String name() {
            return "tpcPrepare";
        }

        public Outcome expect(ConnectionModel m) {
            if (m.tpc != ConnectionModel.Tpc.BEGUN) {
                return fails(ProgrammingException.class, m);
            }
            boolean failed = m.inError();
            m.tx = TransactionStatus.IDLE;
            if (failed) {
                m.tpc = ConnectionModel.Tpc.NONE;
                m.pendingRows = 0;
                return fails(ProgrammingException.class, m);
            }
            m.tpc = ConnectionModel.Tpc.PREPARED;
            m.preparedRows = m.pendingRows;
            m.pendingRows = 0;
            return ok(m);
        }

        public void apply(Env env) throws Exception {
            if (env.conn != null) {
                env.conn.tpcPrepare();
            } else {
                AsyncOps.join(env.async.tpcPrepare());
            }
        }
    }

    /**
     * {@code tpcCommit()} or {@code tpcRollback()} of the current two-phase transaction: COMMIT/ROLLBACK PREPARED
     * after tpcPrepare(), a one-phase COMMIT/ROLLBACK before it; refused without one.
     */
    record TpcFinish(boolean commit) implements Op {
        public String name() {
            return commit ? "tpcCommit" : "tpcRollback";
        }

        public Outcome expect(ConnectionModel m) {
            switch (m.tpc) {
                case NONE -> {
                    return fails(ProgrammingException.class, m);
                }
                case BEGUN -> {
                    if (commit) {
                        m.committed(); // COMMIT of a failed transaction rolls it back
                    } else {
                        m.rolledBack();
                    }
                }
                case PREPARED -> {
                    if (commit) {
                        m.committedRows += m.preparedRows;
                    }
                }
            }
            m.tpc = ConnectionModel.Tpc.NONE;
            m.preparedRows = 0;
            m.tx = TransactionStatus.IDLE;
            return ok(m);
        }

        public void apply(Env env) throws Exception {
            if (env.conn != null) {
                if (commit) {
                    env.conn.tpcCommit();
                } else {
                    env.conn.tpcRollback();
                }
            } else {
                AsyncOps.join(commit ? env.async.tpcCommit() : env.async.tpcRollback());
            }
        }
    }

    // ------------------------------------------------------------------ cancel, timeouts, close

    /** conn.cancel() from another thread while a long statement runs: QueryCanceled, the session survives. */
    record CancelRunning() implements Op {
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

        public void apply(Env env) throws Exception {
            ReentrantLock sending = new ReentrantLock();
            AtomicBoolean done = new AtomicBoolean();
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
                            env.conn.cancelSafe(Duration.ofSeconds(2));
                        }
                    } catch (RuntimeException ignored) {
                        // a failed cancel shows as a statement that was not cancelled
                    } finally {
                        sending.unlock();
                    }
                }
            });
            try {
                env.conn.execute("SELECT pg_sleep(%s)", 5);
            } finally {
                sending.lock();
                try {
                    done.set(true); // no cancel request can leave after this: none can hit the next statement
                } finally {
                    sending.unlock();
                }
                canceller.cancel(true);
            }
        }
    }

    record CancelIdle() implements Op {
        public String name() {
            return "cancelIdle";
        }

        public boolean quietWhenClosed() {
            return true;
        }

        public Outcome expect(ConnectionModel m) {
            return ok(m);
        }

        public void apply(Env env) {
            env.conn.cancelSafe(Duration.ofSeconds(2));
        }
    }

    /** A statement longer than its own timeout: QueryCanceled, the session survives. */
    record StatementTimeout() implements Op {
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

        public void apply(Env env) {
            env.conn.execute("SELECT pg_sleep(%s)", List.of(5), ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build());
        }
    }

    record Close() implements Op {
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

        public void apply(Env env) {
            env.conn.close();
        }
    }

    /**
     * close() from another thread while a statement runs: close returns at once (it never waits for the
     * server), the statement fails with an OperationalException, and the connection is closed, not broken.
     */
    record CloseFromAnotherThread() implements Op {
        public String name() {
            return "closeFromAnotherThread";
        }

        public boolean applicable(ConnectionModel m) {
            return !m.inError();
        }

        public boolean quietWhenClosed() {
            return true; // close() of a closed connection does nothing; the statement fails as on any closed one
        }

        public Outcome expect(ConnectionModel m) {
            m.closedByUser();
            return ok(m);
        }

        public void apply(Env env) throws Exception {
            Future<Throwable> statement = env.helpers.submit(() -> {
                try {
                    env.conn.execute("SELECT pg_sleep(%s)", 5);
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            TimeUnit.MILLISECONDS.sleep(300);
            long start = System.nanoTime();
            env.conn.close();
            long closeMs = (System.nanoTime() - start) / 1_000_000;
            Throwable t = statement.get(3, TimeUnit.SECONDS);
            if (closeMs > 1000) {
                throw new AssertionError("close() from another thread took " + closeMs + " ms: it waited for the statement");
            }
            if (!(t instanceof OperationalException)) {
                throw new AssertionError("the statement running while close() was called ended with " + t, t);
            }
        }
    }

    // ------------------------------------------------------------------ faults

    /** Base of the fault injections: they happen in the proxy, so they succeed, and only on a live connection. */
    interface Fault extends Op {
        @Override
        default boolean applicable(ConnectionModel m) {
            return m.usable() && !m.faultPending;
        }

        @Override
        default Outcome expect(ConnectionModel m) {
            m.faultPending = true;
            return ok(m);
        }
    }

    record CutNow(FaultProxy.Action action) implements Fault {
        public String name() {
            return "cutNow";
        }

        public void apply(Env env) {
            env.proxy.failNow(action);
        }
    }

    /** Cuts the connection where the k-th backend message of a type starts (whichever later step reads it). */
    record CutAtMessage(char type, int k, FaultProxy.Action action) implements Fault {
        public String name() {
            return "cutAtMessage";
        }

        public void apply(Env env) {
            env.proxy.failAtServerMessage(type, k, action);
        }
    }

    record CutAfterBytes(boolean serverToClient, int n) implements Fault {
        public String name() {
            return "cutAfterBytes";
        }

        public void apply(Env env) {
            if (serverToClient) {
                env.proxy.failAfterServerBytes(n, FaultProxy.Action.CLOSE);
            } else {
                env.proxy.failAfterClientBytes(n, FaultProxy.Action.RESET);
            }
        }
    }

    /**
     * The network stops forwarding (nothing closes) and the client has a 300 ms statement timeout: the next step
     * that waits for the server must fail within its deadline, and the connection must then say it is broken.
     */
    record Freeze() implements Fault {
        public String name() {
            return "freeze";
        }

        @Override
        public Outcome expect(ConnectionModel m) {
            m.faultPending = true;
            m.frozen = true;
            return ok(m);
        }

        public void apply(Env env) {
            if (env.async != null) {
                env.async.setStatementTimeout(Duration.ofMillis(300));
            } else {
                env.conn.setStatementTimeout(Duration.ofMillis(300));
            }
            env.proxy.failNow(FaultProxy.Action.SILENCE);
        }
    }

    /** A slow network (0 turns the delay off): nothing may change but the time things take. */
    record Delay(int millis) implements Op {
        public String name() {
            return "delay";
        }

        public boolean quietWhenClosed() {
            return true;
        }

        public Outcome expect(ConnectionModel m) {
            m.delayed = millis > 0;
            return ok(m);
        }

        public void apply(Env env) {
            env.netDelayMillis = millis;
            env.proxy.delay(Duration.ofMillis(millis));
        }
    }
}
