package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.FaultProxy;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import static dev.tusk.model.AsyncOps.join;
import static dev.tusk.model.Op.Outcome.fails;
import static dev.tusk.model.Op.Outcome.ok;

/**
 * The async model's COPY steps ({@link AsyncCopy}): COPY FROM written, finished, aborted, closed mid-way, with a
 * bad row, cancelled, with the connection closed or its backend terminated; COPY TO read by {@code read()} or by
 * the {@code rows()} publisher at random demand, its subscription cancelled, its subscriber throwing, an error or
 * a statement timeout or a cancel in the middle. Each step ends with a follow-up statement ({@link FollowUp}): it
 * must get its own answer, never the COPY's leftovers, and its row counts as the model says.
 */
final class AsyncCopyOps {
    private AsyncCopyOps() {
    }

    static final List<Ops.Weighted> ALL = List.of(
            new Ops.Weighted(3, r -> new CopyIn(r.nextInt(5) == 0 ? 15_000 + r.nextInt(20_000) : 1 + r.nextInt(20))),
            new Ops.Weighted(1, r -> new CopyInBadRow(r.nextInt(3) == 0 ? 20_000 + r.nextInt(10_000) : r.nextInt(3))),
            new Ops.Weighted(1, r -> new CopyInAbort(r.nextInt(20))),
            new Ops.Weighted(1, r -> new CopyInClosed(r.nextInt(20))),
            new Ops.Weighted(1, r -> new StatementDuringCopyIn()),
            new Ops.Weighted(1, r -> new CopyInCancel(1 + r.nextInt(5))),
            new Ops.Weighted(1, r -> new CopyInConnectionClosed(r.nextBoolean())),
            new Ops.Weighted(1, r -> new CopyInTerminated()),
            new Ops.Weighted(2, r -> new CopyOut(1 + r.nextInt(3000), r.nextBoolean(), r.nextLong(), 1 + r.nextInt(300))),
            new Ops.Weighted(1, r -> new CopyOutCancelSubscription(1 + r.nextInt(1000), r.nextLong())),
            new Ops.Weighted(1, r -> new CopyOutSubscriberThrows(1 + r.nextInt(1000), r.nextLong())),
            new Ops.Weighted(1, r -> new CopyOutEarlyFinish(r.nextInt(100))),
            new Ops.Weighted(1, r -> new CopyOutServerError(1 + r.nextInt(3000), r.nextBoolean())),
            new Ops.Weighted(1, r -> new CopyOutCancelled(r.nextBoolean())),
            new Ops.Weighted(1, r -> new CopyOutStatementTimeout(r.nextBoolean())),
            new Ops.Weighted(1, r -> new Ops.CutAtMessage("GHd".charAt(r.nextInt(3)), 1 + r.nextInt(3),
                    r.nextBoolean() ? FaultProxy.Action.CLOSE : FaultProxy.Action.RESET)));

    static String copyIn(Env env) {
        return "COPY " + env.table + " (v) FROM STDIN";
    }

    /** The rows of a COPY TO of {@code generate_series(1, n)}: must be 1, 2, ... in order. */
    static void checkSeries(List<?> rows, int n, String what) {
        for (int i = 0; i < rows.size(); i++) {
            Object row = rows.get(i);
            String v = row instanceof List<?> l ? String.valueOf(l.get(0)) : new String((byte[]) row).trim();
            if (Integer.parseInt(v) != i + 1) {
                throw new AssertionError(what + ": row " + (i + 1) + " is " + row);
            }
        }
        if (n >= 0 && rows.size() != n) {
            throw new AssertionError(what + " gave " + rows.size() + " rows of " + n);
        }
    }

    // ------------------------------------------------------------------ COPY FROM STDIN

    record CopyIn(int rows) implements FollowUp.Step {
        public String name() {
            return "async.copyIn";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            return Ops.statement(m, rows);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            for (int i = 0; i < rows; i++) {
                CompletableFuture<Void> w = copy.writeRow(i);
                if (!w.isDone() || i % 1000 == 0) {
                    join(w);
                }
            }
            long n = join(copy.finish());
            if (n != rows) {
                throw new AssertionError("finish() of a COPY of " + rows + " rows said " + n);
            }
        }
    }

    /** A row the server refuses, at the start or after many good ones (the error arrives while data still flows). */
    record CopyInBadRow(int goodBefore) implements FollowUp.Step {
        public String name() {
            return "async.copyInBadRow";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(DataException.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            for (int i = 0; i < goodBefore; i++) {
                copy.writeRow(i);
            }
            copy.write("not-a-number\n");
            for (int i = 0; i < 20_000; i++) { // the server's error may arrive meanwhile: a write then fails
                CompletableFuture<Void> w = copy.writeRow(i);
                if (!w.isDone()) {
                    try {
                        join(w);
                    } catch (DataException | OperationalException e) {
                        if (c.isBroken()) {
                            throw e;
                        }
                        break;
                    }
                } else if (w.isCompletedExceptionally()) {
                    break;
                }
            }
            join(copy.finish());
        }
    }

    /** abort(): the server confirms the CopyFail, nothing is copied; in a transaction, it is then in error. */
    record CopyInAbort(int rows) implements FollowUp.Step {
        public String name() {
            return "async.copyInAbort";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return ok(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            for (int i = 0; i < rows; i++) {
                copy.writeRow(i);
            }
            join(copy.abort("the model aborts"));
        }
    }

    /** close() mid-way: CopyFail, nothing copied; finish() after it fails with the server's confirmation. */
    record CopyInClosed(int rows) implements FollowUp.Step {
        public String name() {
            return "async.copyInClosed";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return ok(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            for (int i = 0; i < rows; i++) {
                copy.writeRow(i);
            }
            copy.close();
            try {
                long n = join(copy.finish());
                throw new AssertionError("finish() after close() of a COPY FROM said " + n + " rows were copied");
            } catch (QueryCanceled expected) {
                // the server's answer to CopyFail
            }
        }
    }

    /** A statement submitted while a COPY FROM is open waits for the COPY's end, then gets its own answer. */
    record StatementDuringCopyIn() implements FollowUp.Step {
        public String name() {
            return "async.statementDuringCopyIn";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            Outcome o = Ops.statement(m, 2);
            if (o.successAllowed()) {
                m.statementOk();
            }
            return o;
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            join(copy.writeRow(1));
            int v = 1 + env.random.nextInt(1_000_000);
            CompletableFuture<Integer> during = c.execute("SELECT %s::int", v).thenApply(cur -> cur.fetchone().getInt(0));
            join(copy.writeRow(2));
            if (during.isDone() && !during.isCompletedExceptionally()) {
                throw new AssertionError("a statement completed in the middle of a COPY FROM: " + during.getNow(null));
            }
            long n = join(copy.finish());
            if (n != 2) {
                throw new AssertionError("finish() said " + n + " rows, 2 were written");
            }
            int got = join(during);
            if (got != v) {
                throw new AssertionError("the statement submitted during the COPY read " + got + ", not " + v);
            }
        }
    }

    /** A cancel request while the server waits for the COPY's data: the COPY fails with QueryCanceled. */
    record CopyInCancel(int rows) implements FollowUp.Step {
        public String name() {
            return "async.copyInCancel";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(QueryCanceled.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            join(copy.writeRow(0));
            join(c.cancelSafe(Duration.ofSeconds(3)));
            for (int i = 1; i < rows; i++) {
                copy.writeRow(i);
            }
            join(copy.finish());
        }
    }

    /** closeAsync() with a COPY FROM open: the COPY's futures fail, nothing is copied, the connection is closed. */
    record CopyInConnectionClosed(boolean shipFirst) implements FollowUp.Step {
        public String name() {
            return "async.copyInConnectionClosed";
        }

        public boolean followUp() {
            return false;
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.closedByUser();
            return ok(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            for (int i = 0; i < (shipFirst ? 20_000 : 3); i++) {
                copy.writeRow(i);
            }
            join(c.closeAsync());
            try {
                long n = join(copy.finish());
                throw new AssertionError("finish() after the connection was closed said " + n + " rows were copied");
            } catch (OperationalException expected) {
                // the connection is closed
            }
        }
    }

    /** The backend is terminated (pg_terminate_backend) during a COPY FROM: its finish() fails, the connection is lost. */
    record CopyInTerminated() implements FollowUp.Step {
        public String name() {
            return "async.copyInTerminated";
        }

        public boolean followUp() {
            return false;
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.lost();
            return fails(OperationalException.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(copyIn(env)));
            join(copy.writeRow(1));
            env.db.adminQuery("SELECT pg_terminate_backend(" + c.info().backendPid() + ")");
            copy.writeRow(2);
            join(copy.finish());
        }
    }

    // ------------------------------------------------------------------ COPY TO STDOUT

    /** A COPY TO read whole: by read() one chunk at a time, or by the rows() publisher at random demand. */
    record CopyOut(int rows, boolean publisher, long seed, int maxRequest) implements FollowUp.Step {
        public String name() {
            return "async.copyOut";
        }

        public Outcome body(ConnectionModel m) {
            return Ops.statement(m, 0);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy("COPY (SELECT generate_series(1, %s)) TO STDOUT", rows));
            if (publisher) {
                ModelSubscriber<List<String>> s = ModelSubscriber.all(seed, maxRequest);
                copy.rows().subscribe(s);
                checkSeries(join(s.done), rows, "COPY TO rows()");
                FollowUp.noLateSignals(s);
            } else {
                List<byte[]> chunks = new java.util.ArrayList<>();
                byte[] chunk;
                while ((chunk = join(copy.read())) != null) {
                    chunks.add(chunk);
                }
                checkSeries(chunks, rows, "COPY TO read()");
            }
            long n = join(copy.finish());
            if (n != rows) {
                throw new AssertionError("finish() of a COPY TO of " + rows + " rows said " + n);
            }
        }
    }

    /** The subscriber of a large COPY TO cancels after {@code after} rows: the rest is dropped. */
    record CopyOutCancelSubscription(int after, long seed) implements FollowUp.Step {
        public String name() {
            return "async.copyOutCancelSubscription";
        }

        public Outcome body(ConnectionModel m) {
            return Ops.statement(m, 0);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy("COPY (SELECT generate_series(1, 50000)) TO STDOUT"));
            ModelSubscriber<List<String>> s = new ModelSubscriber<>(seed, 100, after, 0, 0, null);
            copy.rows().subscribe(s);
            checkSeries(join(s.done), after, "COPY TO rows() cancelled");
        }
    }

    /** The subscriber of a large COPY TO throws from onNext: it hears nothing more, the connection goes on. */
    record CopyOutSubscriberThrows(int after, long seed) implements FollowUp.Step {
        public String name() {
            return "async.copyOutSubscriberThrows";
        }

        public Outcome body(ConnectionModel m) {
            return Ops.statement(m, 0);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy("COPY (SELECT generate_series(1, 50000)) TO STDOUT"));
            ModelSubscriber<List<String>> s = new ModelSubscriber<>(seed, 100, 0, after, 0, null);
            copy.rows().subscribe(s);
            checkSeries(join(s.done), after, "COPY TO rows() whose subscriber threw");
        }
    }

    /** A few chunks of a large COPY TO read, then finish(): the rest is dropped, the count is the server's. */
    record CopyOutEarlyFinish(int read) implements FollowUp.Step {
        public String name() {
            return "async.copyOutEarlyFinish";
        }

        public Outcome body(ConnectionModel m) {
            return Ops.statement(m, 0);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy("COPY (SELECT generate_series(1, 50000)) TO STDOUT"));
            for (int i = 0; i < read; i++) {
                if (join(copy.read()) == null) {
                    throw new AssertionError("a COPY TO of 50000 rows ended after " + i);
                }
            }
            long n = join(copy.finish());
            if (n != 50_000) {
                throw new AssertionError("finish() of a COPY TO of 50000 rows said " + n);
            }
        }
    }

    /** The server fails a COPY TO after {@code at - 1} rows (division by zero): the consumer hears the error. */
    record CopyOutServerError(int at, boolean publisher) implements FollowUp.Step {
        public String name() {
            return "async.copyOutServerError";
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(DivisionByZero.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncCopy copy = join(c.cursor().copy(
                    "COPY (SELECT g, 1 / (g - %s) FROM generate_series(1, 5000) g) TO STDOUT", at));
            if (publisher) {
                ModelSubscriber<List<String>> s = ModelSubscriber.all(at, 200);
                copy.rows().subscribe(s);
                try {
                    join(s.done);
                    throw new AssertionError("a COPY TO that failed on the server completed its subscriber");
                } catch (DivisionByZero expected) {
                    checkSeries(s.items(), -1, "the rows before the error");
                }
            } else {
                while (join(copy.read()) != null) {
                    // read until the error
                }
                throw new AssertionError("a COPY TO that failed on the server ended with read() == null");
            }
            join(copy.finish());
        }
    }

    /** cancel() while the server produces a COPY TO (a row sleeps): QueryCanceled, the session survives. */
    record CopyOutCancelled(boolean publisher) implements FollowUp.Step {
        public String name() {
            return "async.copyOutCancelled";
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(QueryCanceled.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
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
                            c.cancelSafe(Duration.ofSeconds(2)).get(3, TimeUnit.SECONDS);
                        }
                    } catch (Exception ignored) {
                        // a failed cancel shows as a COPY that was not cancelled
                    } finally {
                        sending.unlock();
                    }
                }
            });
            try {
                readSleepy(c, publisher);
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

    /** A COPY TO longer than the connection's statement timeout: QueryCanceled, the session survives. */
    record CopyOutStatementTimeout(boolean publisher) implements FollowUp.Step {
        public String name() {
            return "async.copyOutStatementTimeout";
        }

        public Outcome body(ConnectionModel m) {
            if (m.inError()) {
                return fails(InFailedSqlTransaction.class, m);
            }
            m.statementFailed();
            return fails(QueryCanceled.class, m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            Duration before = c.statementTimeout();
            c.setStatementTimeout(Duration.ofMillis(200));
            try {
                readSleepy(c, publisher);
            } finally {
                c.setStatementTimeout(before);
            }
        }
    }

    /** A COPY TO whose third row takes 3 s: read to its end (the step expects it to be cut short). */
    static void readSleepy(AsyncConnection<Row> c, boolean publisher) throws Exception {
        AsyncCopy copy = join(c.cursor().copy(
                "COPY (SELECT g, pg_sleep(CASE WHEN g = 3 THEN 3 ELSE 0 END) FROM generate_series(1, 5) g) TO STDOUT"));
        if (publisher) {
            ModelSubscriber<List<String>> s = ModelSubscriber.all(3, 2);
            copy.rows().subscribe(s);
            join(s.done);
        } else {
            while (join(copy.read()) != null) {
                // read to the end
            }
        }
        join(copy.finish());
    }
}
