package dev.tusk.r2dbc;

import dev.tusk.Conninfo;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Option;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Statement;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test of an R2DBC {@link Connection} from {@link ConnectionFactories} ({@code r2dbc:tusk:}, and through
 * r2dbc-pool, {@code r2dbc:pool:tusk:}): random sequences of what an R2DBC user does (statements with binds,
 * {@code add()} batches, {@code Batch}, results consumed fully, partly ({@code take}) or cancelled before or in the
 * middle, a failing statement (syntax error, unique and check violations), {@code beginTransaction} with an
 * isolation level and read-only, commit, rollback, savepoints, {@code setAutoCommit}, the session's isolation,
 * {@code validate(LOCAL/REMOTE)}, {@code close}, a slow subscriber, statements subscribed concurrently) with faults
 * through a {@link FaultProxy} (cut, freeze, delay). After every step {@link R2dbcModel} is checked against the step's
 * outcome (values, or the R2DBC exception class with its SQLSTATE), {@code isAutoCommit()}, the backend's state as
 * the server shows it ({@code pg_stat_activity}: idle, in a transaction, in a failed one), and the table's committed
 * values read over another connection. Each step runs under a deadline; in the pooled mode a close gives the
 * connection back and the next lease is checked for what the previous one left (a transaction, auto-commit off, a
 * running statement).
 *
 * <p>{@value #DEFAULT_SEQUENCES} sequences of {@value #DEFAULT_STEPS} steps (and {@value #POOLED_SEQUENCES} pooled) by
 * default; soak and replay with {@code -Dtusk.r2dbcmodel.sequences=N -Dtusk.r2dbcmodel.steps=M
 * -Dtusk.r2dbcmodel.seed=S|random}.
 */
@TuskTest
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class R2dbcStateMachineTest {
    static final int DEFAULT_SEQUENCES = 8;
    static final int POOLED_SEQUENCES = 4;
    static final int RANDOM_SEQUENCES = 2;
    static final int DEFAULT_STEPS = 25;
    static final long DEFAULT_SEED = 0x2dbc_2026_1207L;
    /** Seeds that found a defect (see {@link R2dbcModelFindingsTest}), replayed on every run. */
    static final long[] FOUND_SEEDS = {
        50286016467475L, // validate(REMOTE) false inside a failed transaction
        50286016467476L, // a fetchSize query with auto-commit off ran in a transaction of its own
        50286016467479L, // setAutoCommit(true) left a transaction begun by createSavepoint open
        50286016467491L, // a fetchSize query on a lost connection threw Tusk's OperationalException
    };
    /** Pooled seeds that found a defect, replayed on every run. */
    static final long[] FOUND_POOLED_SEEDS = {
        50286016467476L, // a lease given back with auto-commit off lent the next borrower auto-commit off
        46622924798032L, // the next lease said auto-commit off: preRelease's ROLLBACK settled while the reset ran
    };
    static final long STEP_DEADLINE_MILLIS = 15_000;
    /** What the user waits for a publisher, as an application would ({@code block(timeout)}). */
    static final Duration USER_TIMEOUT = Duration.ofSeconds(8);
    /** What the user waits once the server froze: an application's request timeout. */
    static final Duration FROZEN_USER_TIMEOUT = Duration.ofMillis(1200);
    static final long MAX_RUN_MILLIS = 25 * 60_000;
    static final int STEPS_AFTER_LOSS = 4;
    static final String PROPERTIES = "tusk.r2dbcmodel";

    @Test
    void randomSequencesKeepTheR2dbcConnectionTrue(TestDatabase db) {
        assertPasses(db, runs(), false);
    }

    @Test
    void sequencesFromAFreshSeedKeepTheR2dbcConnectionTrue(TestDatabase db) {
        if (ModelRuns.seedGiven(PROPERTIES)) {
            return; // a replay runs the seed it names only
        }
        assertPasses(db, runs().baseSeed(System.nanoTime()).sequences(RANDOM_SEQUENCES).steps(DEFAULT_STEPS), false);
    }

    @Test
    void sequencesThroughR2dbcPoolKeepEachLeaseTrue(TestDatabase db) {
        // a replay (seed given) runs as many pooled sequences as -Dtusk.r2dbcmodel.sequences says
        int pooledDefault = ModelRuns.seedGiven(PROPERTIES) ? Integer.getInteger(PROPERTIES + ".sequences", POOLED_SEQUENCES) : POOLED_SEQUENCES;
        assertPasses(db, runs().name("R2dbcStateMachineTest (pooled)")
                .sequences(Integer.getInteger(PROPERTIES + ".pooledSequences", pooledDefault)), true);
    }

    @Test
    void theSeedsThatFoundDefectsStayFixed(TestDatabase db) {
        for (long seed : FOUND_SEEDS) {
            assertPasses(db, runs().baseSeed(seed).sequences(1).steps(DEFAULT_STEPS), false);
        }
        for (long seed : FOUND_POOLED_SEEDS) {
            assertPasses(db, runs().name("R2dbcStateMachineTest (pooled)").baseSeed(seed).sequences(1).steps(DEFAULT_STEPS), true);
        }
    }

    static ModelRuns runs() {
        return ModelRuns.fromProperties("R2dbcStateMachineTest", PROPERTIES, DEFAULT_SEQUENCES, DEFAULT_STEPS, DEFAULT_SEED)
                .timeCap(MAX_RUN_MILLIS);
    }

    static void assertPasses(TestDatabase db, ModelRuns runs, boolean pooled) {
        ModelRuns.Report report = runs.run("r2dbc-model",
                (seed, index, steps, threads) -> new Sequence(db, runs, seed, index, steps, threads, pooled));
        assertThat(report.failures()).as(report.summary()).isEmpty();
    }

    /** A step's outcome: what it returned or threw, or that it hung. */
    record Outcome(Object value, Throwable error, boolean hung, long millis) {
        boolean ok() {
            return !hung && error == null;
        }

        String sqlstate() {
            return error instanceof R2dbcException e ? String.valueOf(e.getSqlState()) : "";
        }

        /** The user's {@code block(timeout)} gave up. */
        boolean timedOut() {
            return error instanceof IllegalStateException e && String.valueOf(e.getMessage()).startsWith("Timeout on blocking");
        }

        @Override
        public String toString() {
            if (hung) {
                return "HUNG";
            }
            if (error == null) {
                return "ok " + value + " (" + millis + " ms)";
            }
            String msg = String.valueOf(error.getMessage());
            return error.getClass().getSimpleName() + "[" + sqlstate() + "](" + (msg.length() > 160 ? msg.substring(0, 160) : msg)
                    + ") (" + millis + " ms)";
        }
    }

    /** One random sequence on a fresh connection (or pool of one) through a fresh proxy. */
    static final class Sequence extends ModelRuns.Sequence {
        private final TestDatabase db;
        private final ModelRuns runs;
        private final StepThreads threads;
        private final boolean pooled;
        private final R2dbcModel m = new R2dbcModel();
        private final String table;
        private Random random;
        private FaultProxy proxy;
        private ConnectionPool pool;
        private Connection conn;
        private int savepointNames;

        Sequence(TestDatabase db, ModelRuns runs, long seed, int index, int steps, StepThreads threads, boolean pooled) {
            super(seed, index, steps);
            this.db = db;
            this.runs = runs;
            this.threads = threads;
            this.pooled = pooled;
            this.table = "r2dbc_model_" + (pooled ? "p" : "") + index + "_" + Long.toUnsignedString(seed, 36);
        }

        @Override
        public String run() {
            random = new Random(seed);
            db.admin("CREATE TABLE " + table + " (v int UNIQUE CHECK (v >= 0))");
            proxy = FaultProxy.start(db.host(), db.port());
            String failure = null;
            try {
                ConnectionFactory cf = ConnectionFactories.get(url(pooled));
                if (pooled) {
                    pool = (ConnectionPool) cf;
                }
                Outcome c = call(() -> Mono.from(cf.create()).block(USER_TIMEOUT));
                if (!c.ok()) {
                    return runs.report(label(), index, seed, "connect failed: " + c, history);
                }
                conn = (Connection) c.value();
                failure = readPid();
                history.add("connect pid " + m.pid + " " + m);
                int afterLoss = 0;
                for (int step = 0; step < steps && failure == null; step++) {
                    if ((!m.usable() || m.frozen) && afterLoss++ >= STEPS_AFTER_LOSS) {
                        break;
                    }
                    stepsRun++;
                    String before = m.toString();
                    failure = step();
                    if (failure == null) {
                        failure = check();
                    }
                    if (failure != null) {
                        failure = "step " + step + " in state " + before + ": " + failure;
                    }
                    history.add("   " + m);
                }
                if (failure == null) {
                    failure = faultNoticed();
                }
            } finally {
                if (conn != null) {
                    // frozen and pooled, a transaction begun explicitly: r2dbc-pool's rollbackTransaction() waits unbounded
                    Outcome closed = call(() -> Mono.from(conn.close()).block(userTimeout()));
                    if (closed.hung && failure == null) {
                        failure = "close() at the end hung";
                    }
                }
                if (pool != null) {
                    Outcome closed = call(() -> pool.disposeLater().block(USER_TIMEOUT));
                    if (!closed.ok() && failure == null) {
                        failure = "disposing of the pool at the end: " + closed;
                    }
                }
                proxy.close();
            }
            return failure == null ? null : runs.report(label(), index, seed, failure, history);
        }

        private String label() {
            return pooled ? "pooled sequence" : "sequence";
        }

        private String url(boolean viaPool) {
            Map<String, String> p = Conninfo.parse(db.conninfo());
            StringBuilder url = new StringBuilder(viaPool ? "r2dbc:pool:tusk://" : "r2dbc:tusk://").append(enc(db.superuser()));
            if (p.get("password") != null) {
                url.append(':').append(enc(p.get("password")));
            }
            url.append("@127.0.0.1:").append(proxy.port()).append('/').append(db.dbname()).append("?sslmode=disable");
            if (viaPool) {
                url.append("&initialSize=1&maxSize=1&maxAcquireTime=PT5S");
            }
            return url.toString();
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        private String readPid() {
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT pg_backend_pid()").execute())
                    .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class)))).get(0));
            if (!r.ok()) {
                return "SELECT pg_backend_pid(): " + r + stack(r.error);
            }
            m.pid = (Integer) r.value;
            return null;
        }

        // ------------------------------------------------------------------ running a step

        private Outcome call(Callable<Object> body) {
            StepThreads.Outcome o = threads.call(body, STEP_DEADLINE_MILLIS);
            return new Outcome(o.value(), o.error(), o.hung(), o.millis());
        }

        private Duration userTimeout() {
            return m.frozen ? FROZEN_USER_TIMEOUT : USER_TIMEOUT;
        }

        /** Everything {@code p} emits, as the user waits for it (its {@code block(timeout)}). */
        private <T> List<T> await(Publisher<T> p) {
            return Flux.from(p).collectList().block(userTimeout());
        }

        private void log(String op, Outcome r) {
            history.add(history.size() + " " + op + " -> " + r);
        }

        private String step() {
            if (!m.usable()) {
                return useAfterClose();
            }
            int x = random.nextInt(100);
            if (x < 12) {
                return insert();
            } else if (x < 18) {
                return addBatch();
            } else if (x < 23) {
                return batch();
            } else if (x < 31) {
                return selectAll(random.nextInt(3) == 0 ? 1 + random.nextInt(3) : 0);
            } else if (x < 36) {
                return takeSome();
            } else if (x < 39) {
                return cancelMidResult();
            } else if (x < 42) {
                return cancelBeforeTheAnswer();
            } else if (x < 45) {
                return slowSubscriber();
            } else if (x < 49) {
                return concurrent();
            } else if (x < 52) {
                return syntaxError();
            } else if (x < 58) {
                return begin();
            } else if (x < 63) {
                return endTransaction(true);
            } else if (x < 67) {
                return endTransaction(false);
            } else if (x < 71) {
                return createSavepoint();
            } else if (x < 74) {
                return rollbackToSavepoint();
            } else if (x < 76) {
                return releaseSavepoint();
            } else if (x < 81) {
                return setAutoCommit(random.nextBoolean());
            } else if (x < 83) {
                return sessionIsolation();
            } else if (x < 88) {
                return validate(random.nextBoolean() ? ValidationDepth.LOCAL : ValidationDepth.REMOTE);
            } else if (x < 91) {
                return close();
            } else if (x < 94) {
                return delay();
            } else if (x < 97) {
                return cut();
            } else {
                return freeze();
            }
        }

        /**
         * The rules every operation that talks to the server starts with: a hang fails; with a fault pending (or the
         * server frozen) an error or the user's timeout is the fault noticed; anything but an R2dbcException fails.
         * Returns the failure, "" when these rules settled the step, or null when the operation's own rules apply.
         */
        private String settled(String op, Outcome r) {
            log(op, r);
            if (r.hung) {
                return op + " hung: no answer within " + STEP_DEADLINE_MILLIS + " ms";
            }
            if (m.faultPending && !r.ok()) {
                if (!(r.error instanceof R2dbcException) && !r.timedOut()) {
                    return op + " after a fault threw " + r + " (not an R2dbcException)" + stack(r.error);
                }
                if (!m.frozen) {
                    Outcome v = call(() -> Mono.from(conn.validate(ValidationDepth.LOCAL)).block(USER_TIMEOUT));
                    log("  validate(LOCAL) after the fault", v);
                    if (!Boolean.FALSE.equals(v.value)) {
                        return op + " failed after a cut, and validate(LOCAL) then said " + v;
                    }
                }
                m.gone(true);
                return "";
            }
            if (m.frozen && r.ok()) {
                return ""; // what needs no answer from the server may succeed
            }
            if (r.error != null && !(r.error instanceof R2dbcException)) {
                return op + " threw " + r + " (not an R2dbcException)" + stack(r.error);
            }
            return null;
        }

        private String expectOk(String op, Outcome r) {
            return r.ok() ? null : op + ": expected success, got " + r + stack(r.error);
        }

        /** An R2dbcException with {@code state} (and of class {@code type} unless null). */
        private String expectState(String op, Outcome r, String state, Class<? extends R2dbcException> type) {
            if (r.ok()) {
                return op + ": expected SQLSTATE " + state + ", it succeeded with " + r.value;
            }
            if (!state.equals(r.sqlstate())) {
                return op + ": expected SQLSTATE " + state + ", got " + r + stack(r.error);
            }
            if (type != null && !type.isInstance(r.error)) {
                return op + ": SQLSTATE " + state + " should be a " + type.getSimpleName() + ", got " + r;
            }
            return null;
        }

        /** The outcome an INSERT of {@code v} should have now: null (one row) or its SQLSTATE; the model moves on. */
        private String insertExpectation(int v, List<Integer> alsoBefore) {
            if (m.failedTx) {
                return "25P02";
            }
            if (m.readOnlyTx) {
                return "25006";
            }
            if (v < 0) {
                return "23514";
            }
            if (m.visible.contains(v) || alsoBefore.contains(v)) {
                return "23505";
            }
            return null;
        }

        private static Class<? extends R2dbcException> classOf(String state) {
            return state.startsWith("23") ? R2dbcDataIntegrityViolationException.class
                    : state.startsWith("42") ? R2dbcBadGrammarException.class : null;
        }

        private int value() {
            return random.nextInt(12) == 0 ? -1 - random.nextInt(5) : random.nextInt(40);
        }

        // ------------------------------------------------------------------ statements

        private String insert() {
            int v = value();
            boolean generated = random.nextInt(3) == 0;
            String op = "insert $1=" + v + (generated ? " returning" : "");
            Outcome r = call(() -> {
                Statement s = conn.createStatement("INSERT INTO " + table + " VALUES ($1)").bind(0, v);
                if (generated) {
                    return await(Flux.from(s.returnGeneratedValues("v").execute())
                            .concatMap(res -> res.map((row, md) -> row.get("v", Integer.class))));
                }
                return await(Flux.from(s.execute()).concatMap(Result::getRowsUpdated));
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            String expected = insertExpectation(v, List.of());
            if (expected != null) {
                m.failed();
                return expectState(op, r, expected, classOf(expected));
            }
            String wrong = expectOk(op, r);
            m.inserted(List.of(v));
            Object want = generated ? List.of(v) : List.of(1L);
            return wrong == null && !want.equals(r.value) ? op + ": emitted " + r.value + ", expected " + want : wrong;
        }

        /** One statement, several bindings ({@code add()}): one unit, one Result per binding, or one with the error. */
        private String addBatch() {
            int n = 2 + random.nextInt(3);
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add(value());
            }
            String op = "add() batch " + values;
            Outcome r = call(() -> {
                Statement s = conn.createStatement("INSERT INTO " + table + " VALUES ($1)");
                for (int i = 0; i < n; i++) {
                    if (i > 0) {
                        s.add();
                    }
                    s.bind("$1", values.get(i));
                }
                return await(Flux.from(s.execute()).concatMap(Result::getRowsUpdated));
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            String expected = null;
            for (int i = 0; i < n && expected == null; i++) {
                expected = insertExpectation(values.get(i), values.subList(0, i));
            }
            if (expected != null) {
                m.failed();
                return expectState(op, r, expected, classOf(expected));
            }
            String wrong = expectOk(op, r);
            m.inserted(values);
            List<Long> ones = values.stream().map(v -> 1L).toList();
            return wrong == null && !ones.equals(r.value) ? op + ": update counts " + r.value : wrong;
        }

        /** A {@link io.r2dbc.spi.Batch} of INSERTs (one may be malformed): each its own statement, its own Result. */
        private String batch() {
            int n = 1 + random.nextInt(4);
            int bad = random.nextInt(4) == 0 ? random.nextInt(n) : -1;
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add(value());
            }
            String op = "Batch " + values + (bad >= 0 ? " with #" + bad + " malformed" : "");
            Outcome r = call(() -> {
                io.r2dbc.spi.Batch b = conn.createBatch();
                for (int i = 0; i < n; i++) {
                    b.add(i == bad ? "INSERT INTO " + table + " VALUES (" : "INSERT INTO " + table + " VALUES (" + values.get(i) + ")");
                }
                return await(Flux.from(b.execute()).concatMap(res -> Flux.from(res.flatMap(seg ->
                        seg instanceof Result.UpdateCount u ? Mono.just("n" + u.value())
                                : seg instanceof Result.Message msg && msg.exception() != null
                                && !(seg instanceof TuskResult.MessageImpl mi && !mi.error()) ? Mono.just(errorToken(msg))
                                : Mono.<String>empty())).collectList().map(l -> String.join(",", l))));
            });
            if (r.ok() && ((List<?>) r.value).contains(LOST)) {
                // a Batch hands each statement's error over as its Result's error segment: the connection's loss too
                r = new Outcome(null, new R2dbcNonTransientResourceException("a statement of the Batch: " + r.value),
                        false, r.millis);
            }
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            String wrong = expectOk(op, r);
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                // a syntax error is found before the server looks at the transaction: 42601 in a failed one too
                String e = i == bad ? "42601" : insertExpectation(values.get(i), List.of());
                if (e != null) {
                    expected.add("E" + e);
                    m.failed();
                } else {
                    expected.add("n1");
                    m.inserted(List.of(values.get(i)));
                }
            }
            return wrong == null && !expected.equals(r.value) ? op + ": per statement " + r.value + ", expected " + expected : wrong;
        }

        /** What a Batch statement's error segment stands for: E and its SQLSTATE, or {@link #LOST} for the connection's loss. */
        private static String errorToken(Result.Message msg) {
            if (msg.sqlState() == null && msg.exception() instanceof R2dbcNonTransientResourceException) {
                return LOST;
            }
            return "E" + msg.sqlState();
        }

        private static final String LOST = "E(connection lost)";

        private String selectAll(int fetchSize) {
            String op = "select all" + (fetchSize > 0 ? " (fetchSize " + fetchSize + ")" : "");
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT v FROM " + table + " ORDER BY v")
                    .fetchSize(fetchSize).execute()).concatMap(res -> res.map((row, md) -> row.get(0, Integer.class)))));
            return rowsOutcome(op, r, sorted(m.visible));
        }

        /** A query's rows: in a failed transaction 25P02, else exactly {@code expected}; the statement ran. */
        private String rowsOutcome(String op, Outcome r, List<Integer> expected) {
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            m.ran();
            String wrong = expectOk(op, r);
            return wrong == null && !expected.equals(r.value) ? op + ": rows " + r.value + ", expected " + expected : wrong;
        }

        /** {@code take(k)} of a longer result: the first k rows, and the connection goes on. */
        private String takeSome() {
            int rows = 10 + random.nextInt(3000);
            int k = 1 + random.nextInt(5);
            int fetchSize = random.nextBoolean() ? 0 : 1 + random.nextInt(50);
            String op = "take(" + k + ") of " + rows + " rows" + (fetchSize > 0 ? " (fetchSize " + fetchSize + ")" : "");
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT g FROM generate_series(1, $1) g")
                    .bind(0, rows).fetchSize(fetchSize).execute())
                    .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class))).take(k)));
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= k; i++) {
                expected.add(i);
            }
            return rowsOutcome(op, r, expected);
        }

        /** A subscriber that takes one row, then cancels its subscription ({@code Subscription.cancel}). */
        private String cancelMidResult() {
            int fetchSize = random.nextBoolean() ? 0 : 1 + random.nextInt(20);
            String op = "cancel after one row" + (fetchSize > 0 ? " (fetchSize " + fetchSize + ")" : "");
            Outcome r = call(() -> {
                CompletableFuture<Integer> first = new CompletableFuture<>();
                Flux.from(conn.createStatement("SELECT g FROM generate_series(1, 5000) g").fetchSize(fetchSize).execute())
                        .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class)))
                        .subscribe(new BaseSubscriber<Integer>() {
                            @Override
                            protected void hookOnSubscribe(Subscription s) {
                                s.request(1);
                            }

                            @Override
                            protected void hookOnNext(Integer v) {
                                cancel(); // as take(1) does: cancel upstream, then go on
                                first.complete(v);
                            }

                            @Override
                            protected void hookOnError(Throwable t) {
                                first.completeExceptionally(t);
                            }

                            @Override
                            protected void hookOnComplete() {
                                first.complete(null);
                            }
                        });
                return Mono.fromFuture(first).block(userTimeout());
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            m.ran();
            String wrong = expectOk(op, r);
            return wrong == null && !Integer.valueOf(1).equals(r.value) ? op + ": first row " + r.value : wrong;
        }

        /**
         * A statement still running when its subscriber cancels: the driver may cancel it on the server. Inside a
         * transaction that fails it (or not, if the statement ended first): the server's state decides.
         */
        private String cancelBeforeTheAnswer() {
            String op = "pg_sleep(0.3) cancelled after 100 ms";
            Outcome r = call(() -> {
                var d = Flux.from(conn.createStatement("SELECT pg_sleep(0.3), 1").execute())
                        .concatMap(res -> res.map((row, md) -> 1)).subscribe(v -> { }, e -> { });
                Thread.sleep(100);
                d.dispose();
                return null;
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectOk(op, r); // nothing to wait for: the statement fails at once
            }
            m.ran();
            if (m.inTx) {
                String state = serverState(null);
                history.add("   (the server: " + state + ")");
                if ("idle in transaction (aborted)".equals(state)) {
                    m.failedTx = true;
                }
            }
            return expectOk(op, r);
        }

        /** A subscriber that asks for one row at a time, slowly, on its own thread. */
        private String slowSubscriber() {
            int fetchSize = random.nextBoolean() ? 0 : 1 + random.nextInt(3);
            String op = "slow subscriber, request(1) at a time" + (fetchSize > 0 ? " (fetchSize " + fetchSize + ")" : "");
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT v FROM " + table + " ORDER BY v")
                    .fetchSize(fetchSize).execute())
                    .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class)), 1)
                    .publishOn(Schedulers.boundedElastic(), 1)
                    .doOnNext(v -> sleep(2))));
            return rowsOutcome(op, r, sorted(m.visible));
        }

        /** Statements subscribed together: each gets its own answer. */
        private String concurrent() {
            int n = 2 + random.nextInt(6);
            String op = n + " statements subscribed concurrently";
            Outcome r = call(() -> await(Flux.range(0, n).flatMap(i -> Flux.from(conn.createStatement("SELECT $1::int * 10")
                    .bind(0, i).execute()).concatMap(res -> res.map((row, md) -> i + ":" + row.get(0, Integer.class))), n)
                    .sort()));
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                expected.add(i + ":" + i * 10);
            }
            expected.sort(null);
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            m.ran();
            String wrong = expectOk(op, r);
            return wrong == null && !expected.equals(r.value) ? op + ": got " + r.value : wrong;
        }

        private String syntaxError() {
            String op = "SELEC 1";
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELEC 1").execute()).concatMap(Result::getRowsUpdated)));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            m.failed(); // a syntax error is found before the server looks at the transaction: 42601 in a failed one too
            return expectState(op, r, "42601", R2dbcBadGrammarException.class);
        }

        // ------------------------------------------------------------------ transactions

        private String begin() {
            IsolationLevel[] levels = {null, IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ, IsolationLevel.SERIALIZABLE};
            IsolationLevel level = levels[random.nextInt(levels.length)];
            Boolean readOnly = random.nextInt(3) == 0 ? Boolean.valueOf(random.nextBoolean()) : null;
            TransactionDefinition def = new TransactionDefinition() {
                @Override
                @SuppressWarnings("unchecked")
                public <T> T getAttribute(Option<T> option) {
                    if (option.equals(TransactionDefinition.ISOLATION_LEVEL)) {
                        return (T) level;
                    }
                    if (option.equals(TransactionDefinition.READ_ONLY)) {
                        return (T) readOnly;
                    }
                    return null;
                }
            };
            boolean fresh = !m.inTx;
            String op = "beginTransaction(" + (level == null ? "-" : level.asSql()) + ", readOnly " + readOnly + ")";
            Outcome r = call(() -> {
                Mono.from(conn.beginTransaction(def)).block(userTimeout());
                if (!fresh) {
                    return null;
                }
                return await(Flux.from(conn.createStatement("SELECT current_setting('transaction_isolation'),"
                        + " current_setting('transaction_read_only')").execute())
                        .concatMap(res -> res.map((row, md) -> row.get(0, String.class) + "/" + row.get(1, String.class)))).get(0);
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            String wrong = expectOk(op, r);
            if (!fresh) {
                return wrong; // a transaction is open: nothing to do
            }
            m.inTx = true;
            m.readOnlyTx = Boolean.TRUE.equals(readOnly);
            String want = (level != null ? level : m.sessionIsolation).asSql().toLowerCase() + "/" + (m.readOnlyTx ? "on" : "off");
            return wrong == null && !want.equals(r.value) ? op + ": the transaction is " + r.value + ", expected " + want : wrong;
        }

        /** Commit or roll back: nothing to do outside a transaction; a failed transaction's commit says it rolled back. */
        private String endTransaction(boolean commit) {
            String op = commit ? "commitTransaction" : "rollbackTransaction";
            Outcome r = call(() -> Mono.from(commit ? conn.commitTransaction() : conn.rollbackTransaction()).block(userTimeout()));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            boolean failed = m.inTx && m.failedTx;
            m.end(commit);
            if (commit && failed) {
                return r.error instanceof R2dbcRollbackException ? null
                        : op + " of a failed transaction must say it rolled back (R2dbcRollbackException), got " + r;
            }
            return expectOk(op, r);
        }

        private String createSavepoint() {
            String name = "sp" + ++savepointNames;
            String op = "createSavepoint(" + name + ")";
            Outcome r = call(() -> Mono.from(conn.createSavepoint(name)).block(userTimeout()));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            String wrong = expectOk(op, r);
            m.inTx = true; // a savepoint outside a transaction begins one
            m.savepoints.add(new R2dbcModel.Sp(name, new ArrayList<>(m.visible)));
            return wrong;
        }

        private String rollbackToSavepoint() {
            boolean stale = m.savepoints.isEmpty() || random.nextInt(5) == 0;
            if (stale && (m.staleSavepoint == null || !m.inTx)) {
                return createSavepoint();
            }
            int i = stale ? -1 : random.nextInt(m.savepoints.size());
            String name = stale ? m.staleSavepoint : m.savepoints.get(i).name();
            String op = "rollbackTransactionToSavepoint(" + name + (stale ? ", gone" : "") + ")";
            Outcome r = call(() -> Mono.from(conn.rollbackTransactionToSavepoint(name)).block(userTimeout()));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (stale) {
                m.failed(); // the name is looked up in a failed transaction too: 3B001
                return expectState(op, r, "3B001", null);
            }
            String wrong = expectOk(op, r);
            m.visible.clear();
            m.visible.addAll(m.savepoints.get(i).visible());
            m.failedTx = false;
            while (m.savepoints.size() > i + 1) {
                m.staleSavepoint = m.savepoints.remove(m.savepoints.size() - 1).name();
            }
            return wrong;
        }

        private String releaseSavepoint() {
            if (m.savepoints.isEmpty()) {
                return createSavepoint();
            }
            int i = random.nextInt(m.savepoints.size());
            String name = m.savepoints.get(i).name();
            String op = "releaseSavepoint(" + name + ")";
            Outcome r = call(() -> Mono.from(conn.releaseSavepoint(name)).block(userTimeout()));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            String wrong = expectOk(op, r);
            m.staleSavepoint = name;
            while (m.savepoints.size() > i) {
                m.savepoints.remove(m.savepoints.size() - 1);
            }
            return wrong;
        }

        /**
         * R2DBC: "calling this method during an active transaction and the auto-commit mode is changed, the
         * transaction is committed"; a mode unchanged is a no-op.
         */
        private String setAutoCommit(boolean on) {
            String op = "setAutoCommit(" + on + ")";
            Outcome r = call(() -> Mono.from(conn.setAutoCommit(on)).block(userTimeout()));
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            String wrong = expectOk(op, r);
            if (on && m.inTx) {
                m.end(true); // a failed transaction rolls back
            }
            m.autoCommit = on;
            return wrong;
        }

        private String sessionIsolation() {
            IsolationLevel[] levels = {IsolationLevel.READ_COMMITTED, IsolationLevel.REPEATABLE_READ, IsolationLevel.SERIALIZABLE};
            IsolationLevel level = levels[random.nextInt(levels.length)];
            String op = "setTransactionIsolationLevel(" + level.asSql() + ")";
            Outcome r = call(() -> {
                Mono.from(conn.setTransactionIsolationLevel(level)).block(userTimeout());
                return conn.getTransactionIsolationLevel();
            });
            String s = settled(op, r);
            if (s != null) {
                return s.isEmpty() ? null : s;
            }
            if (m.failedTx) {
                return expectState(op, r, "25P02", null);
            }
            String wrong = expectOk(op, r);
            m.sessionIsolation = level;
            return wrong == null && !level.equals(r.value) ? op + ": getTransactionIsolationLevel() " + r.value : wrong;
        }

        // ------------------------------------------------------------------ life cycle and faults

        private String validate(ValidationDepth depth) {
            String op = "validate(" + depth + ")";
            Outcome r = call(() -> Mono.from(conn.validate(depth)).block(userTimeout()));
            log(op, r);
            if (r.hung) {
                return op + " hung";
            }
            if (m.frozen) {
                return r.error == null || r.timedOut() ? null : op + " threw " + r + stack(r.error);
            }
            if (r.error != null) {
                return op + " threw " + r + stack(r.error);
            }
            if (m.faultPending && Boolean.FALSE.equals(r.value)) {
                m.gone(true);
                return null;
            }
            if (m.faultPending && depth == ValidationDepth.LOCAL) {
                return null; // LOCAL cannot know yet
            }
            return Boolean.valueOf(m.usable()).equals(r.value) ? null
                    : op + " returned " + r.value + ", the model says " + (m.usable() ? "usable" : "not usable");
        }

        /** Plain: closes the connection for good. Pooled: gives it back and takes the next lease, which must be clean. */
        private String close() {
            Outcome r = call(() -> Mono.from(conn.close()).block(USER_TIMEOUT));
            log("close", r);
            if (r.hung || r.error != null) {
                return "close: " + r + stack(r.error);
            }
            if (!pooled) {
                m.gone(false);
                return null;
            }
            Outcome lease = call(() -> Mono.from(pool.create()).block(USER_TIMEOUT));
            log("next lease", lease);
            if (!lease.ok()) {
                return "the next lease: " + lease + stack(lease.error);
            }
            conn = (Connection) lease.value;
            int before = m.pid;
            boolean wasLost = m.lost || m.faultPending;
            m.newLease();
            String state = wasLost ? "(lost)" : serverState("idle");
            history.add("   (the previous backend " + before + ": " + state + ")");
            if (!wasLost && state != null && !state.equals("idle")) {
                return "the previous lease's backend is " + state + " after it was given back";
            }
            if (!conn.isAutoCommit()) {
                return "the next lease says isAutoCommit() false";
            }
            String pid = readPid();
            if (pid != null) {
                return "the next lease: " + pid;
            }
            return null;
        }

        private String delay() {
            int ms = random.nextBoolean() ? 0 : 5 + random.nextInt(30);
            proxy.delay(Duration.ofMillis(ms));
            log("delay " + ms + " ms", new Outcome(null, null, false, 0));
            return null;
        }

        private String cut() {
            FaultProxy.Action action = random.nextBoolean() ? FaultProxy.Action.RESET : FaultProxy.Action.CLOSE;
            proxy.failNow(action);
            m.faultPending = true;
            log("cut (" + action + ")", new Outcome(null, null, false, 0));
            return null;
        }

        private String freeze() {
            proxy.failNow(FaultProxy.Action.SILENCE);
            m.faultPending = true;
            m.frozen = true;
            log("freeze", new Outcome(null, null, false, 0));
            return null;
        }

        /** On a closed connection: every statement fails with an R2dbcException, validate says false. */
        private String useAfterClose() {
            if (random.nextBoolean()) {
                return validate(random.nextBoolean() ? ValidationDepth.LOCAL : ValidationDepth.REMOTE);
            }
            String op = "SELECT 1 on a " + (m.lost ? "lost" : "closed") + " connection";
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT 1").execute()).concatMap(Result::getRowsUpdated)));
            log(op, r);
            if (r.hung) {
                return op + " hung";
            }
            if (r.ok()) {
                return op + " succeeded: " + r;
            }
            return r.error instanceof R2dbcException || (m.frozen && r.timedOut()) ? null
                    : op + ": expected an R2dbcException, got " + r + stack(r.error);
        }

        /** A fault injected and not noticed: the next statement must fail (not hang), then validate says false. */
        private String faultNoticed() {
            if (!m.usable() || !m.faultPending) {
                return null;
            }
            Outcome r = call(() -> await(Flux.from(conn.createStatement("SELECT 1").execute()).concatMap(Result::getRowsUpdated)));
            log("end: SELECT 1 after the fault", r);
            if (r.hung) {
                return "a statement after the fault hung";
            }
            if (r.ok()) {
                return "a statement after the fault succeeded";
            }
            if (!(r.error instanceof R2dbcException) && !(m.frozen && r.timedOut())) {
                return "a statement after the fault threw " + r + stack(r.error);
            }
            if (!m.frozen) {
                Outcome v = call(() -> Mono.from(conn.validate(ValidationDepth.LOCAL)).block(USER_TIMEOUT));
                log("end: validate(LOCAL)", v);
                if (!Boolean.FALSE.equals(v.value)) {
                    return "validate(LOCAL) after the fault was noticed: " + v;
                }
            }
            m.gone(true);
            return null;
        }

        // ------------------------------------------------------------------ checks after each step

        /**
         * The backend's state in pg_stat_activity (null: it is gone), once it no longer runs a statement and, when
         * {@code expected} is given, once it is that state, for up to 3 s: a statement cancelled by its subscriber
         * may still be ending, and a cursor's own transaction ends (CLOSE, COMMIT) after its subscriber cancelled.
         */
        private String serverState(String expected) {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
            while (true) {
                String state = db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + m.pid);
                boolean settled = !"active".equals(state) && (expected == null || expected.equals(state));
                if (settled || System.nanoTime() > until) {
                    return state;
                }
                sleep(20);
            }
        }

        private String check() {
            if (m.usable() && !m.faultPending) {
                Outcome ac = call(() -> conn.isAutoCommit());
                if (!ac.ok() || !Boolean.valueOf(m.isAutoCommit()).equals(ac.value)) {
                    return "isAutoCommit() " + ac + ", the model says " + m.isAutoCommit();
                }
                String state = serverState(m.serverState());
                if (!m.serverState().equals(state)) {
                    return "the server shows the backend " + state + ", the model says " + m.serverState();
                }
            }
            String committed = db.adminQuery("SELECT coalesce(string_agg(v::text, ',' ORDER BY v), '') FROM " + table).trim();
            String expected = sorted(m.committed).stream().map(String::valueOf).collect(Collectors.joining(","));
            if (!committed.equals(expected)) {
                return "the table holds [" + committed + "] committed, the model says [" + expected + "]";
            }
            return null;
        }

        private static List<Integer> sorted(List<Integer> values) {
            List<Integer> s = new ArrayList<>(values);
            s.sort(null);
            return s;
        }

        private static void sleep(long ms) {
            try {
                Thread.sleep(ms);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        private static String stack(Throwable t) {
            return ModelRuns.stack(t, 10);
        }
    }
}
