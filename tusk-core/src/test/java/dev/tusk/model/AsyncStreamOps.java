package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncServerCursor;
import dev.tusk.Row;
import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.tusk.model.AsyncOps.join;
import static dev.tusk.model.Op.Outcome.fails;
import static dev.tusk.model.Op.Outcome.ok;

/**
 * The async model's stream steps: {@code AsyncConnection.stream} (a server-side cursor publisher) subscribed with
 * random demand, cancelled mid-way (in onSubscribe too), with a subscriber that throws, a statement submitted
 * while it is open, inside a transaction block, an error raised by the server mid-result, a statement timeout, the
 * backend terminated; and {@code AsyncServerCursor.forEach}. Each step but the fatal ones ends with the
 * {@link FollowUp} statement.
 *
 * <p>The model's rule: a stream opened outside a transaction runs in a transaction of its own, ended (committed
 * at the end, rolled back after an error or a cancel) before any statement submitted after the subscriber's end or
 * cancel; inside a transaction it leaves the transaction as a statement would (in error after a server error).
 */
final class AsyncStreamOps {
    private AsyncStreamOps() {
    }

    static final List<Ops.Weighted> ALL = List.of(
            new Ops.Weighted(2, r -> new StreamAll(r.nextInt(2000), r.nextLong(), 1 + r.nextInt(r.nextBoolean() ? 5 : 800))),
            new Ops.Weighted(2, r -> new StreamCancelled(r.nextInt(6) == 0 ? -1 : 1 + r.nextInt(1200), r.nextLong(),
                    1 + r.nextInt(r.nextBoolean() ? 5 : 800))),
            new Ops.Weighted(1, r -> new StreamSubscriberThrows(1 + r.nextInt(1200), r.nextLong())),
            new Ops.Weighted(1, r -> new StatementDuringStream(1 + r.nextInt(1200), r.nextBoolean(), r.nextLong())),
            new Ops.Weighted(1, r -> new StreamInTransactionBlock(1 + r.nextInt(600), 1 + r.nextInt(3), r.nextLong())),
            new Ops.Weighted(1, r -> new StreamServerError(1 + r.nextInt(1500), r.nextLong())),
            new Ops.Weighted(1, r -> new StreamStatementTimeout(1 + r.nextInt(1200), r.nextLong())),
            new Ops.Weighted(1, r -> new StreamTerminated(1 + r.nextInt(50), r.nextLong())),
            new Ops.Weighted(1, r -> new ServerCursorForEach(r.nextInt(1500), r.nextInt(3) == 0 ? 1 + r.nextInt(100) : 0)));

    static String series(int n) {
        return "SELECT generate_series(1, " + n + ")";
    }

    /** Checks the rows are 1, 2, ... ({@code n} of them; -1: any number). */
    static void checkRows(List<Row> rows, int n, String what) {
        for (int i = 0; i < rows.size(); i++) {
            if (rows.get(i).getInt(0) != i + 1) {
                throw new AssertionError(what + ": row " + (i + 1) + " is " + rows.get(i).getInt(0));
            }
        }
        if (n >= 0 && rows.size() != n) {
            throw new AssertionError(what + " gave " + rows.size() + " rows of " + n);
        }
    }

    /** A stream's outcome where a statement's would be: refused in a failed transaction, else the state as it was. */
    static Op.Outcome streamed(ConnectionModel m) {
        if (m.inError()) {
            return fails(InFailedSqlTransaction.class, m);
        }
        return ok(m);
    }

    /** The outcome of a stream the server fails: its own transaction rolled back, or the open one in error. */
    static Op.Outcome streamFailed(ConnectionModel m, Class<? extends Throwable> error) {
        if (m.inError()) {
            return fails(InFailedSqlTransaction.class, m);
        }
        if (!m.idle()) {
            m.tx = dev.tusk.TransactionStatus.INERROR;
        }
        return fails(error, m);
    }

    record StreamAll(int rows, long seed, int maxRequest) implements FollowUp.Step {
        public String name() {
            return "async.stream";
        }

        public Outcome body(ConnectionModel m) {
            return streamed(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            ModelSubscriber<Row> s = ModelSubscriber.all(seed, maxRequest);
            c.stream(series(rows)).subscribe(s);
            checkRows(join(s.done), rows, "stream");
            FollowUp.noLateSignals(s);
        }
    }

    /** The subscription is cancelled after {@code after} rows (-1: in onSubscribe, before any row). */
    record StreamCancelled(int after, long seed, int maxRequest) implements FollowUp.Step {
        public String name() {
            return "async.streamCancelled";
        }

        public boolean checksRows() {
            return true;
        }

        /** Cancelled in onSubscribe, the subscriber hears nothing more: not of a closed connection either (rule 1.8). */
        public boolean quietWhenClosed() {
            return after < 0;
        }

        public Outcome body(ConnectionModel m) {
            if (after < 0) {
                return ok(m); // nothing was sent: no row, no error, the state as it was
            }
            return streamed(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            ModelSubscriber<Row> s = new ModelSubscriber<>(seed, maxRequest, after, 0, 0, null);
            c.stream(series(100_000)).subscribe(s);
            checkRows(join(s.done), Math.max(after, 0), "cancelled stream");
        }
    }

    /** The subscriber throws from onNext: the subscription counts as cancelled (Reactive Streams rule 2.13). */
    record StreamSubscriberThrows(int after, long seed) implements FollowUp.Step {
        public String name() {
            return "async.streamSubscriberThrows";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            return streamed(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            ModelSubscriber<Row> s = new ModelSubscriber<>(seed, 300, 0, after, 0, null);
            c.stream(series(100_000)).subscribe(s);
            checkRows(join(s.done), after, "stream whose subscriber threw");
        }
    }

    /**
     * A statement submitted while the stream is open (from onNext at row {@code at}, on the loop, or from the test's
     * thread right after subscribing): it gets its own answer, the stream all its rows.
     */
    record StatementDuringStream(int at, boolean fromOnNext, long seed) implements FollowUp.Step {
        public String name() {
            return "async.statementDuringStream";
        }

        public Outcome body(ConnectionModel m) {
            return streamed(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            int v = 1 + env.random.nextInt(1_000_000);
            AtomicReference<CompletableFuture<Integer>> during = new AtomicReference<>();
            ModelSubscriber<Row> s = new ModelSubscriber<>(seed, 400, 0, 0, fromOnNext ? at : 0,
                    sub -> during.set(select(c, v)));
            c.stream(series(1500)).subscribe(s);
            if (!fromOnNext) {
                during.set(select(c, v));
            }
            Exception streamError = null;
            try {
                checkRows(join(s.done), 1500, "stream with a statement in the middle");
            } catch (Exception e) {
                streamError = e;
            }
            CompletableFuture<Integer> f = during.get();
            if (f == null) {
                if (streamError != null) {
                    throw streamError;
                }
                throw new AssertionError("onNext of row " + at + " never came");
            }
            int got = join(f);
            if (got != v) {
                throw new AssertionError("the statement submitted during a stream read " + got + ", not " + v);
            }
            if (streamError != null) {
                throw streamError;
            }
        }

        private static CompletableFuture<Integer> select(AsyncConnection<Row> c, int v) {
            return c.execute("SELECT %s::int", v).thenApply(cur -> cur.fetchone().getInt(0));
        }
    }

    /** A stream inside {@code transaction(...)}, then rows inserted: the block commits both, or rolls back. */
    record StreamInTransactionBlock(int rows, int insert, long seed) implements FollowUp.Step {
        public String name() {
            return "async.streamInTransactionBlock";
        }

        public boolean checksRows() {
            return true;
        }

        public Outcome body(ConnectionModel m) {
            return new AsyncOps.TransactionBlock(insert).expect(m);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            join(c.transaction(tx -> {
                ModelSubscriber<Row> s = ModelSubscriber.all(seed, 700);
                c.stream(series(rows)).subscribe(s);
                return s.done.thenCompose(got -> {
                    checkRows(got, rows, "stream in a transaction block");
                    return c.execute(Ops.rowsSql(env), insert);
                });
            }));
        }
    }

    /** The server fails the query at row {@code at} (division by zero), maybe a few FETCHes in. */
    record StreamServerError(int at, long seed) implements FollowUp.Step {
        public String name() {
            return "async.streamServerError";
        }

        public Outcome body(ConnectionModel m) {
            return streamFailed(m, DivisionByZero.class);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            ModelSubscriber<Row> s = ModelSubscriber.all(seed, 600);
            c.stream("SELECT g, 1 / (g - %s) FROM generate_series(1, 3000) g", at).subscribe(s);
            try {
                join(s.done);
            } finally {
                checkRows(s.items(), -1, "the rows before the error");
                FollowUp.noLateSignals(s);
            }
            throw new AssertionError("a stream the server failed at row " + at + " completed");
        }
    }

    /** A FETCH longer than the connection's statement timeout: QueryCanceled reaches the subscriber. */
    record StreamStatementTimeout(int at, long seed) implements FollowUp.Step {
        public String name() {
            return "async.streamStatementTimeout";
        }

        public Outcome body(ConnectionModel m) {
            return streamFailed(m, QueryCanceled.class);
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            Duration before = c.statementTimeout();
            c.setStatementTimeout(Duration.ofMillis(200));
            try {
                ModelSubscriber<Row> s = ModelSubscriber.all(seed, 600);
                c.stream("SELECT g, pg_sleep(CASE WHEN g = %s THEN 3 ELSE 0 END) FROM generate_series(1, 1500) g", at)
                        .subscribe(s);
                join(s.done);
                throw new AssertionError("a stream with a 3 s row under a 200 ms statement timeout completed");
            } finally {
                c.setStatementTimeout(before);
            }
        }
    }

    /** The backend is terminated at row {@code at}: the subscriber hears an OperationalException, the connection is lost. */
    record StreamTerminated(int at, long seed) implements FollowUp.Step {
        public String name() {
            return "async.streamTerminated";
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
            int pid = c.info().backendPid();
            ModelSubscriber<Row> s = new ModelSubscriber<>(seed, 5, 0, 0, at,
                    sub -> env.helpers.submit(() -> env.db.adminQuery("SELECT pg_terminate_backend(" + pid + ")")));
            c.stream(series(1_000_000)).subscribe(s);
            join(s.done);
            throw new AssertionError("a stream of 1,000,000 rows completed though its backend was terminated");
        }
    }

    /** {@code AsyncServerCursor.forEach}, its action throwing at row {@code throwAt} (0: never). */
    record ServerCursorForEach(int rows, int throwAt) implements FollowUp.Step {
        public String name() {
            return "async.serverCursorForEach";
        }

        public Outcome body(ConnectionModel m) {
            Outcome o = Ops.statement(m, 0);
            if (throwAt > 0 && throwAt <= rows && o.successAllowed()) {
                return fails(Ops.Boom.class, o.next());
            }
            return o;
        }

        public void body(AsyncConnection<Row> c, Env env) throws Exception {
            AsyncServerCursor<Row> cur = c.cursor("model_fe" + env.step);
            cur.setWithhold(c.autocommit()); // DECLARE without HOLD needs a transaction block
            AtomicInteger seen = new AtomicInteger();
            try {
                join(cur.execute(series(rows)));
                join(cur.forEach(r -> {
                    int n = seen.incrementAndGet();
                    if (r.getInt(0) != n) {
                        throw new AssertionError("forEach row " + n + " is " + r.getInt(0));
                    }
                    if (n == throwAt) {
                        throw new Ops.Boom();
                    }
                }));
                if (seen.get() != rows) {
                    throw new AssertionError("forEach gave " + seen.get() + " rows of " + rows);
                }
            } finally {
                join(cur.closeAsync());
            }
        }
    }
}
