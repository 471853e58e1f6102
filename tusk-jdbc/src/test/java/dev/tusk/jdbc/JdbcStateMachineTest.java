package dev.tusk.jdbc;

import dev.tusk.Conninfo;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test of a JDBC {@link Connection} from {@link TuskDataSource} (trust issue): random sequences of what
 * frameworks and users do (statements, prepared statements with cleared parameters, batches with a failing row,
 * result sets left open, autocommit switches, commit/rollback, savepoints, isolation/read-only, a failing statement
 * in a transaction, query timeouts, cancel from another thread (also racing the end of its statement, the next
 * statement following at once; and a live result's cancel racing another thread's statement that reads its rest
 * first), closing things in any order and using them after,
 * isValid, abort, network timeouts) with faults through a {@link FaultProxy} (the server freezes, the connection is
 * cut). After every step {@link JdbcModel} is checked against what JDBC reports: the step's outcome, isClosed(),
 * getAutoCommit(), each statement's isClosed(), and the table's committed values read over another connection.
 * Every step runs under a deadline, so a hang fails with its seed.
 *
 * <p>{@value #DEFAULT_SEQUENCES} sequences of {@value #DEFAULT_STEPS} steps by default; soak and replay with
 * {@code -Dtusk.jdbcmodel.sequences=N -Dtusk.jdbcmodel.steps=M -Dtusk.jdbcmodel.seed=S|random}.
 */
@TuskTest
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class JdbcStateMachineTest {
    static final int DEFAULT_SEQUENCES = 12;
    /** Sequences from a fresh seed on every run (printed with the replay command when one fails). */
    static final int RANDOM_SEQUENCES = 3;
    /** Sequences on connections of a {@link TuskPooledDataSource} (a pool of one, through the proxy). */
    static final int POOLED_SEQUENCES = 8;
    /** Seeds that found a defect (see {@link JdbcModelFindingsTest}), replayed on every run. */
    static final long[] FOUND_SEEDS = {
        32693830423049L, // statements said open after abort()
        32693830423052L, // a result set read on after abort()
        32693830423053L, // isValid() false inside a failed transaction
        32693830423054L, // a result set read on after the connection was lost
        32693830423187L, // CLOSE of a cursor from a committed transaction aborted the next one
        25289881995755L, // isValid() opened a transaction (autocommit off)
        45044568930457L, // a cancel() racing its statement's end stopped the next statement
        45044568930487L, // the same, on a fresh statement
    };
    static final int DEFAULT_STEPS = 30;
    static final long DEFAULT_SEED = 0x1dbc_2026_1207L;
    static final long STEP_DEADLINE_MILLIS = 10_000;
    static final long MAX_RUN_MILLIS = 18 * 60_000;
    static final int STEPS_AFTER_CLOSE = 4;
    /** The prefix of the system properties that size, seed and replay a run. */
    static final String PROPERTIES = "tusk.jdbcmodel";

    @Test
    void randomSequencesKeepTheJdbcConnectionTrue(TestDatabase db) {
        assertPasses(db, runs(), false);
    }

    @Test
    void sequencesFromAFreshSeedKeepTheJdbcConnectionTrue(TestDatabase db) {
        if (ModelRuns.seedGiven(PROPERTIES)) {
            return; // a replay runs the seed it names only
        }
        assertPasses(db, runs().baseSeed(System.nanoTime()).sequences(RANDOM_SEQUENCES).steps(DEFAULT_STEPS), false);
    }

    @Test
    void sequencesOnPooledConnectionsKeepTheJdbcConnectionTrue(TestDatabase db) {
        assertPasses(db, runs().name("JdbcStateMachineTest (pooled)")
                .sequences(Integer.getInteger(PROPERTIES + ".pooledSequences", POOLED_SEQUENCES)), true);
    }

    @Test
    void theSeedsThatFoundDefectsStayFixed(TestDatabase db) {
        for (long seed : FOUND_SEEDS) {
            // each seed replays the way it was found: as sequence (seed - DEFAULT_SEED) of the default run
            assertPasses(db, runs().baseSeed(seed).sequences(1).steps(DEFAULT_STEPS), false);
        }
    }

    /** A run as {@code -Dtusk.jdbcmodel.sequences/steps/seed} say. */
    static ModelRuns runs() {
        return ModelRuns.fromProperties("JdbcStateMachineTest", PROPERTIES, DEFAULT_SEQUENCES, DEFAULT_STEPS, DEFAULT_SEED)
                .timeCap(MAX_RUN_MILLIS);
    }

    /**
     * Runs the sequences; fails with every failing sequence's report.
     *
     * @param pooled the connections come from a {@link TuskPooledDataSource} (close gives the lease back)
     */
    static void assertPasses(TestDatabase db, ModelRuns runs, boolean pooled) {
        ModelRuns.Report report = runs.run("jdbc-model",
                (seed, index, steps, threads) -> new Sequence(db, runs, seed, index, steps, threads, pooled));
        assertThat(report.failures()).as(report.summary()).isEmpty();
    }

    /** A step's outcome: what it returned or threw, or that it hung. */
    record Result(Object value, Throwable error, boolean hung, long millis) {
        boolean ok() {
            return !hung && error == null;
        }

        SQLException sql() {
            return error instanceof SQLException e ? e : null;
        }

        String sqlstate() {
            return error instanceof SQLException e ? String.valueOf(e.getSQLState()) : "";
        }

        @Override
        public String toString() {
            if (hung) {
                return "HUNG";
            }
            if (error == null) {
                return "ok " + (value instanceof int[] a ? Arrays.toString(a) : value) + " (" + millis + " ms)";
            }
            String msg = String.valueOf(error.getMessage());
            return error.getClass().getSimpleName() + "[" + sqlstate() + "](" + (msg.length() > 160 ? msg.substring(0, 160) : msg)
                    + ") (" + millis + " ms)";
        }
    }

    /** One random sequence on a fresh connection through a fresh proxy. */
    static final class Sequence extends ModelRuns.Sequence {
        private final TestDatabase db;
        private final ModelRuns runs;
        private final StepThreads threads;
        private final JdbcModel m = new JdbcModel();
        private final String table;
        private Random random;
        private FaultProxy proxy;
        private Connection conn;
        private final boolean pooled;
        private dev.tusk.pool.ConnectionPool<dev.tusk.Row> pool;

        Sequence(TestDatabase db, ModelRuns runs, long seed, int index, int steps, StepThreads threads, boolean pooled) {
            super(seed, index, steps);
            this.pooled = pooled;
            this.db = db;
            this.runs = runs;
            this.threads = threads;
            this.table = "jdbc_model_" + (pooled ? "p" : "") + index + "_" + Long.toUnsignedString(seed, 36);
        }

        @Override
        public String run() {
            random = new Random(seed);
            db.admin("CREATE TABLE " + table + " (v int CHECK (v >= 0))");
            proxy = FaultProxy.start(db.host(), db.port()).triggersOnlyOnConnection(1);
            String failure = null;
            try {
                if (pooled) {
                    pool = dev.tusk.pool.ConnectionPool.builder()
                            .conninfo(db.conninfo() + " host=127.0.0.1 port=" + proxy.port() + " sslmode=disable")
                            .minSize(0).maxSize(1).timeout(java.time.Duration.ofSeconds(5)).open(true).build();
                    conn = new TuskPooledDataSource(pool).getConnection();
                } else {
                    conn = new TuskDataSource(url(db, proxy.port())).getConnection();
                }
                history.add("connect " + m);
                int afterClose = 0;
                for (int step = 0; step < steps && failure == null; step++) {
                    if (!m.usable() && afterClose++ >= STEPS_AFTER_CLOSE) {
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
            } catch (SQLException e) {
                failure = "connect failed: " + e;
            } finally {
                if (conn != null) {
                    Result closed = call(() -> {
                        conn.close();
                        return null;
                    });
                    if (closed.hung && failure == null) {
                        failure = "close() at the end hung";
                    }
                }
                if (pool != null) {
                    Result closed = call(() -> {
                        pool.close();
                        return null;
                    });
                    if (closed.hung && failure == null) {
                        failure = "closing the pool at the end hung";
                    }
                }
                proxy.close();
            }
            if (failure == null) {
                return null;
            }
            return runs.report(pooled ? "pooled sequence" : "sequence", index, seed, failure, history);
        }

        /** A fault that was injected and not yet noticed must end the next statement: an SQLException, then isClosed(). */
        private String faultNoticed() {
            if (!m.usable() || !m.faultPending) {
                return null;
            }
            if (proxy.acceptedConnections() == 0) {
                return "the connection did not go through the proxy";
            }
            Result r = call(() -> {
                try (Statement s = conn.createStatement()) {
                    return s.execute("SELECT 1");
                }
            });
            log("end: SELECT 1 after the injected fault", r);
            if (r.hung) {
                return "a statement after the injected " + (m.frozen ? "freeze" : "cut") + " hung";
            }
            if (!(r.error instanceof SQLException) || !connectionClosed()) {
                return "a statement after the injected " + (m.frozen ? "freeze" : "cut") + " ended with " + r
                        + " and isClosed()=" + connectionClosed() + ": expected an SQLException, then isClosed()";
            }
            m.gone(true);
            return null;
        }

        private static String url(TestDatabase db, int port) {
            Map<String, String> p = Conninfo.parse(db.conninfo());
            StringBuilder url = new StringBuilder("jdbc:tusk:postgresql://127.0.0.1:").append(port).append('/')
                    .append(db.dbname()).append("?sslmode=disable&user=").append(enc(db.superuser()));
            if (p.get("password") != null) {
                url.append("&password=").append(enc(p.get("password")));
            }
            return url.toString();
        }

        private static String enc(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8);
        }

        // ------------------------------------------------------------------ running a step

        private Result call(Callable<Object> body) {
            StepThreads.Outcome o = threads.call(body, STEP_DEADLINE_MILLIS);
            return new Result(o.value(), o.error(), o.hung(), o.millis());
        }

        /** Runs one random operation; returns what is wrong with its outcome, or null. */
        private String step() {
            int x = random.nextInt(100);
            if (!m.usable()) {
                return useAfterClose(x);
            }
            if (x < 10) {
                return insert();
            } else if (x < 18) {
                return insertPrepared();
            } else if (x < 24) {
                return batch();
            } else if (x < 31) {
                return selectAndLeaveOpen();
            } else if (x < 36) {
                return continueResult();
            } else if (x < 42) {
                return setAutoCommit(random.nextBoolean());
            } else if (x < 49) {
                return commit();
            } else if (x < 54) {
                return rollback();
            } else if (x < 59) {
                return setSavepoint();
            } else if (x < 63) {
                return rollbackToSavepoint();
            } else if (x < 66) {
                return releaseSavepoint();
            } else if (x < 68) {
                return isolation();
            } else if (x < 70) {
                return readOnly(random.nextInt(3) == 0);
            } else if (x < 74) {
                return divisionByZero();
            } else if (x < 75) {
                return queryTimeout();
            } else if (x < 76) {
                return cancelFromAnotherThread();
            } else if (x < 80) {
                return closeSomething();
            } else if (x < 83) {
                return isValid();
            } else if (x < 84) {
                return abort();
            } else if (x < 85) {
                return closeConnection();
            } else if (x < 88) {
                return networkTimeout();
            } else if (x < 90) {
                return cut();
            } else if (x < 92) {
                return freeze();
            } else if (x < 95) {
                return cancelRacingTheEnd();
            } else if (x < 97) {
                return cancelLiveResultRacingAnotherStatement();
            } else {
                return readVisible();
            }
        }

        private void log(String op, Result r) {
            history.add(history.size() + " " + op + " -> " + r);
        }

        /** How an operation's outcome was settled by the rules every operation shares; {@code failure} null: it passed. */
        record Verdict(String failure) {
            static final Verdict PASSED = new Verdict(null);
        }

        /**
         * The outcome rules every operation starts with: a hang is a failure; anything but an SQLException is a
         * failure; with a fault pending an SQLException loses the connection; and, when {@code refusedInFailedTx},
         * inside a failed transaction the operation must fail with 25P02. Returns the step's verdict when these
         * settle it, or null when the operation's own rules apply.
         */
        private Verdict settled(String op, Result r, boolean refusedInFailedTx) {
            log(op, r);
            if (r.hung) {
                return new Verdict(op + " hung: no answer within " + STEP_DEADLINE_MILLIS + " ms");
            }
            if (r.error != null && !(r.error instanceof SQLException)) {
                return new Verdict(op + " threw " + r.error + " (not an SQLException)" + stack(r.error));
            }
            if (m.faultPending && r.error != null && connectionClosed()) {
                m.gone(true); // the step noticed the fault (a client-side error leaves the connection as it was)
                return Verdict.PASSED;
            }
            if (refusedInFailedTx && m.failedTx) {
                return new Verdict(expectSqlState(op, r, "25P02"));
            }
            return null;
        }

        private String expectOk(String op, Result r) {
            return r.ok() ? null : op + ": expected success, got " + r + stack(r.error);
        }

        private String expectSqlState(String op, Result r, String... states) {
            if (r.ok()) {
                return op + ": expected an SQLException with SQLSTATE " + String.join("/", states) + ", it succeeded";
            }
            if (states.length > 0 && !Arrays.asList(states).contains(r.sqlstate())) {
                return op + ": expected SQLSTATE " + String.join("/", states) + ", got " + r + stack(r.error);
            }
            return null;
        }

        // ------------------------------------------------------------------ operations

        private Statement statement() throws SQLException {
            List<JdbcModel.Handle<Statement>> open = m.statements.stream().filter(h -> !h.closed).toList();
            if (!open.isEmpty() && random.nextBoolean()) {
                JdbcModel.Handle<Statement> h = open.get(random.nextInt(open.size()));
                closeResultsOf(h);
                return h.object;
            }
            Statement s = conn.createStatement();
            m.statements.add(new JdbcModel.Handle<>(s));
            return s;
        }

        /** JDBC: running a statement again closes its current result set. */
        private void closeResultsOf(JdbcModel.Handle<? extends Statement> h) {
            for (JdbcModel.OpenResult r : m.results) {
                if (r.owner == h) {
                    r.closed = true;
                }
            }
        }

        private String insert() {
            int v = random.nextInt(1000);
            Result r = call(() -> statement().executeUpdate("INSERT INTO " + table + " VALUES (" + v + ")"));
            return insertOutcome("insert " + v, r, List.of(v));
        }

        private String insertOutcome(String op, Result r, List<Integer> values) {
            Verdict settled = settled(op, r, true);
            if (settled != null) {
                return settled.failure();
            }
            if (m.readOnly && (!m.autocommit || !r.ok())) {
                String wrong = expectSqlState(op, r, "25006");
                m.failed();
                return wrong;
            }
            String wrong = expectOk(op, r);
            if (wrong == null && values.size() == 1 && !Integer.valueOf(1).equals(r.value)) {
                wrong = op + ": executeUpdate returned " + r.value + ", expected 1";
            }
            m.inserted(values);
            return wrong;
        }

        private String insertPrepared() {
            int v = random.nextInt(1000);
            boolean clear = random.nextInt(4) == 0;
            Result r = call(() -> {
                PreparedStatement ps = conn.prepareStatement("INSERT INTO " + table + " VALUES (?)");
                m.prepared.add(new JdbcModel.Handle<>(ps));
                ps.setInt(1, v + 1);
                ps.clearParameters();
                if (!clear) {
                    ps.setInt(1, v);
                }
                return ps.executeUpdate();
            });
            if (!clear) {
                return insertOutcome("prepared insert " + v, r, List.of(v));
            }
            String op = "prepared insert with its parameters cleared";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (r.ok()) {
                return op + ": succeeded without a parameter value";
            }
            String msg = String.valueOf(r.error.getMessage());
            if (!msg.contains("1") && !msg.toLowerCase().contains("parameter")) {
                return op + ": the message does not say which parameter is missing: " + msg;
            }
            return null; // a client-side error: the transaction is untouched
        }

        private String batch() {
            int n = 1 + random.nextInt(4);
            int failAt = random.nextInt(3) == 0 ? random.nextInt(n) : -1;
            boolean prepared = random.nextBoolean();
            List<Integer> values = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                values.add(i == failAt ? -1 : random.nextInt(1000));
            }
            String op = (prepared ? "prepared " : "") + "batch " + values;
            Result r = call(() -> {
                if (prepared) {
                    PreparedStatement ps = conn.prepareStatement("INSERT INTO " + table + " VALUES (?)");
                    m.prepared.add(new JdbcModel.Handle<>(ps));
                    for (int v : values) {
                        ps.setInt(1, v);
                        ps.addBatch();
                    }
                    return ps.executeBatch();
                }
                Statement s = statement();
                for (int v : values) {
                    s.addBatch("INSERT INTO " + table + " VALUES (" + v + ")");
                }
                return s.executeBatch();
            });
            Verdict settled = settled(op, r, true);
            if (settled != null) {
                return settled.failure();
            }
            if (m.readOnly && (!m.autocommit || !r.ok())) {
                m.failed();
                return r.ok() ? op + ": succeeded in a read-only transaction" : null;
            }
            if (failAt >= 0) {
                if (r.ok()) {
                    return op + ": a row violating the CHECK constraint succeeded";
                }
                if (!(r.error instanceof BatchUpdateException)) {
                    return op + ": expected a BatchUpdateException, got " + r;
                }
                if (!r.sqlstate().equals("23514")) {
                    return op + ": expected SQLSTATE 23514, got " + r;
                }
                m.failed(); // a batch is one transaction: in autocommit none of its rows stay
                return null;
            }
            String wrong = expectOk(op, r);
            if (wrong == null) {
                int[] counts = (int[]) r.value;
                if (counts.length != n || Arrays.stream(counts).anyMatch(k -> k != 1 && k != Statement.SUCCESS_NO_INFO)) {
                    wrong = op + ": update counts " + Arrays.toString(counts);
                }
            }
            m.inserted(values);
            return wrong;
        }

        private String selectAndLeaveOpen() {
            int fetchSize = random.nextBoolean() ? 0 : 1 + random.nextInt(3);
            Object[] made = new Object[2];
            Result r = call(() -> {
                List<JdbcModel.Handle<Statement>> open = m.statements.stream().filter(h -> !h.closed).toList();
                JdbcModel.Handle<Statement> h;
                if (!open.isEmpty() && random.nextBoolean()) {
                    h = open.get(random.nextInt(open.size()));
                    closeResultsOf(h);
                } else {
                    h = new JdbcModel.Handle<>(conn.createStatement());
                    m.statements.add(h);
                }
                h.object.setFetchSize(fetchSize);
                made[0] = h;
                ResultSet rs = h.object.executeQuery("SELECT v FROM " + table + " ORDER BY v");
                made[1] = rs;
                return rs.next() ? rs.getInt(1) : null;
            });
            String op = "select (fetch size " + fetchSize + "), read one row, leave open";
            Verdict settled = settled(op, r, true);
            if (settled != null) {
                return settled.failure();
            }
            String wrong = expectOk(op, r);
            List<Integer> expected = sorted(m.visible);
            m.ran();
            if (wrong != null) {
                return wrong;
            }
            Integer first = expected.isEmpty() ? null : expected.get(0);
            if (!java.util.Objects.equals(first, r.value)) {
                return op + ": first row " + r.value + ", the model says " + first + " of " + expected;
            }
            @SuppressWarnings("unchecked")
            JdbcModel.Handle<Statement> owner = (JdbcModel.Handle<Statement>) made[0];
            m.results.add(new JdbcModel.OpenResult((ResultSet) made[1], owner,
                    new ArrayList<>(expected.isEmpty() ? expected : expected.subList(1, expected.size()))));
            return null;
        }

        private String continueResult() {
            if (m.results.isEmpty()) {
                return readVisible();
            }
            JdbcModel.OpenResult res = m.results.get(random.nextInt(m.results.size()));
            Result r = call(() -> {
                List<Integer> got = new ArrayList<>();
                while (res.rs.next()) {
                    got.add(res.rs.getInt(1));
                }
                return got;
            });
            String op = "read the rest of an open result set" + (res.closed ? " (closed)" : "");
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (res.closed) {
                return r.ok() ? op + ": read " + r.value + " from a closed result set" : closedMessage(op, r);
            }
            if (r.ok()) {
                if (!r.value.equals(res.remaining)) {
                    return op + ": read " + r.value + ", expected " + res.remaining + " (silently wrong rows)";
                }
                res.remaining.clear();
                return null;
            }
            // a cursor may legitimately end with its transaction; then the error must say so (not be a wrong value)
            history.add("   (result set ended with an error: " + r + ")");
            return null;
        }

        private String readVisible() {
            Result r = call(() -> {
                try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM " + table + " ORDER BY v")) {
                    List<Integer> got = new ArrayList<>();
                    while (rs.next()) {
                        got.add(rs.getInt(1));
                    }
                    return got;
                }
            });
            String op = "select all";
            Verdict settled = settled(op, r, true);
            if (settled != null) {
                return settled.failure();
            }
            m.ran();
            String wrong = expectOk(op, r);
            if (wrong == null && !r.value.equals(sorted(m.visible))) {
                return op + ": the session sees " + r.value + ", the model " + sorted(m.visible);
            }
            return wrong;
        }

        private String setAutoCommit(boolean on) {
            Result r = call(() -> {
                conn.setAutoCommit(on);
                return null;
            });
            String op = "setAutoCommit(" + on + ")";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            String wrong = expectOk(op, r);
            if (on && !m.autocommit && m.inTx) {
                m.commitOrRollback(true); // JDBC: switching autocommit on commits (a failed transaction rolls back)
            }
            m.autocommit = on;
            return wrong;
        }

        private String commit() {
            return endTransaction(true);
        }

        private String rollback() {
            return endTransaction(false);
        }

        private String endTransaction(boolean commit) {
            Result r = call(() -> {
                if (commit) {
                    conn.commit();
                } else {
                    conn.rollback();
                }
                return null;
            });
            String op = commit ? "commit" : "rollback";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (m.autocommit) {
                return r.ok() ? op + ": succeeded in autocommit mode" : null;
            }
            boolean failed = m.failedTx;
            m.commitOrRollback(commit);
            if (commit && failed) {
                return r.error instanceof java.sql.SQLTransactionRollbackException ? null
                        : op + ": of a failed transaction must say it rolled back, got " + r;
            }
            return expectOk(op, r);
        }

        private String setSavepoint() {
            boolean named = random.nextBoolean();
            Result r = call(() -> named ? conn.setSavepoint("sp" + random.nextInt(1000)) : conn.setSavepoint());
            String op = "setSavepoint" + (named ? "(name)" : "()");
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (m.autocommit) {
                return r.ok() ? op + ": succeeded in autocommit mode" : null;
            }
            if (m.failedTx) {
                return expectSqlState(op, r, "25P02");
            }
            String wrong = expectOk(op, r);
            if (wrong == null) {
                m.ran();
                m.savepoints.add(new JdbcModel.Sp((Savepoint) r.value, new ArrayList<>(m.visible)));
            }
            return wrong;
        }

        private String rollbackToSavepoint() {
            boolean stale = m.savepoints.isEmpty() || random.nextInt(5) == 0;
            if (stale && m.stale == null) {
                return setSavepoint();
            }
            int i = stale ? -1 : random.nextInt(m.savepoints.size());
            Savepoint sp = stale ? m.stale : m.savepoints.get(i).savepoint();
            Result r = call(() -> {
                conn.rollback(sp);
                return null;
            });
            String op = "rollback(" + (stale ? "a released savepoint" : "savepoint " + i) + ")";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (stale || m.autocommit) {
                if (r.ok()) {
                    return op + ": succeeded" + (m.autocommit ? " in autocommit mode" : "");
                }
                if (!m.autocommit) {
                    m.failed();
                }
                return null;
            }
            String wrong = expectOk(op, r);
            m.visible.clear();
            m.visible.addAll(m.savepoints.get(i).visible());
            m.failedTx = false;
            while (m.savepoints.size() > i + 1) {
                m.stale = m.savepoints.remove(m.savepoints.size() - 1).savepoint();
            }
            return wrong;
        }

        private String releaseSavepoint() {
            if (m.savepoints.isEmpty()) {
                return setSavepoint();
            }
            int i = random.nextInt(m.savepoints.size());
            Savepoint sp = m.savepoints.get(i).savepoint();
            Result r = call(() -> {
                conn.releaseSavepoint(sp);
                return null;
            });
            String op = "releaseSavepoint(" + i + ")";
            Verdict settled = settled(op, r, true);
            if (settled != null) {
                return settled.failure();
            }
            String wrong = expectOk(op, r);
            m.stale = sp;
            while (m.savepoints.size() > i) {
                m.savepoints.remove(m.savepoints.size() - 1);
            }
            return wrong;
        }

        private String isolation() {
            int[] levels = {Connection.TRANSACTION_READ_COMMITTED, Connection.TRANSACTION_REPEATABLE_READ,
                    Connection.TRANSACTION_SERIALIZABLE};
            int level = levels[random.nextInt(levels.length)];
            return characteristic("setTransactionIsolation(" + level + ")", level, () -> {
                conn.setTransactionIsolation(level);
                return conn.getTransactionIsolation();
            }, () -> { });
        }

        private String readOnly(boolean on) {
            return characteristic("setReadOnly(" + on + ")", on, () -> {
                conn.setReadOnly(on);
                return conn.isReadOnly();
            }, () -> m.readOnly = on);
        }

        /** Sets a session characteristic and reads it back: refused inside a transaction, else what was set. */
        private String characteristic(String op, Object value, Callable<Object> setAndGet, Runnable applied) {
            Result r = call(setAndGet);
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            if (m.inTx) {
                return r.ok() ? op + ": succeeded inside a transaction" : null;
            }
            String wrong = expectOk(op, r);
            if (wrong == null) {
                applied.run();
                if (!value.equals(r.value)) {
                    wrong = op + ": reading it back says " + r.value;
                }
            }
            return wrong;
        }

        private String divisionByZero() {
            return failingStatement("SELECT 1/0", "22012", 10_000, () -> {
                try (ResultSet rs = statement().executeQuery("SELECT 1/0")) {
                    return rs.next();
                }
            });
        }

        private String queryTimeout() {
            return failingStatement("setQueryTimeout(1) + pg_sleep(5)", "57014", 4000, () -> {
                Statement s = statement();
                s.setQueryTimeout(1);
                try {
                    return s.execute("SELECT pg_sleep(5)");
                } finally {
                    s.setQueryTimeout(0);
                }
            });
        }

        private String cancelFromAnotherThread() {
            return failingStatement("pg_sleep(3) cancelled from another thread", "57014", 2500, () -> {
                Statement s = statement();
                Future<?> canceller = threads.executor().submit(() -> {
                    Thread.sleep(300);
                    s.cancel();
                    return null;
                });
                try {
                    return s.execute("SELECT pg_sleep(3)");
                } finally {
                    canceller.get(5, TimeUnit.SECONDS);
                }
            });
        }

        /**
         * {@code Statement.cancel()} from another thread racing the end of that statement, while the statement's
         * thread goes on with another statement at once: the cancel may stop the statement it was made for (57014),
         * never the next one. In autocommit only (neither outcome then changes the model).
         */
        private String cancelRacingTheEnd() {
            if (!m.autocommit) {
                return readVisible();
            }
            long delayMicros = random.nextInt(3000);
            Result r = call(() -> {
                Statement s = statement();
                Future<?> canceller = threads.executor().submit(() -> {
                    java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1000);
                    s.cancel();
                    return null;
                });
                String first;
                try {
                    s.execute("SELECT pg_sleep(0.001)");
                    first = "ok";
                } catch (SQLException e) {
                    if (!"57014".equals(e.getSQLState())) {
                        canceller.get(5, TimeUnit.SECONDS);
                        throw e;
                    }
                    first = "57014";
                }
                try (Statement next = conn.createStatement()) {
                    next.execute("SELECT pg_sleep(0.03)");
                } catch (SQLException e) {
                    canceller.get(5, TimeUnit.SECONDS);
                    throw new SQLException("the statement after one whose cancel() raced its end (" + first + ", cancel "
                            + delayMicros + " us in) failed: " + e.getMessage(), e.getSQLState(), e);
                }
                canceller.get(5, TimeUnit.SECONDS);
                return first;
            });
            String op = "cancel() racing the end of its statement (" + delayMicros + " us), then another statement";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            m.ran();
            return expectOk(op, r);
        }

        /**
         * A live result set is open (its first row read); another thread runs a statement, which first reads the live
         * result's rest into memory, while this one cancels the live result's statement after a random delay. The
         * other statement is never cancelled; the live result has all its rows or fails with 57014. In autocommit
         * only (a live result set needs it; neither outcome changes the model).
         */
        private String cancelLiveResultRacingAnotherStatement() {
            if (!m.autocommit) {
                return readVisible();
            }
            long delayMicros = random.nextInt(1500);
            int rows = 2000 + random.nextInt(3000);
            Result r = call(() -> {
                try (Statement live = conn.createStatement(); Statement other = conn.createStatement()) {
                    ResultSet rs = live.executeQuery("SELECT g FROM generate_series(1, " + rows + ") g");
                    if (!rs.next()) {
                        throw new SQLException("the live result had no first row");
                    }
                    Future<Integer> next = threads.executor().submit(() -> {
                        try (ResultSet o = other.executeQuery("SELECT 17 FROM pg_sleep(0.03)")) {
                            o.next();
                            return o.getInt(1);
                        }
                    });
                    java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1000);
                    live.cancel();
                    try {
                        if (next.get(5, TimeUnit.SECONDS) != 17) {
                            throw new SQLException("the other statement's answer is not its own");
                        }
                    } catch (java.util.concurrent.ExecutionException e) {
                        throw new SQLException("the statement that read a live result's rest failed when that result's"
                                + " cancel() raced it (" + delayMicros + " us): " + e.getCause().getMessage(),
                                e.getCause() instanceof SQLException q ? q.getSQLState() : null, e.getCause());
                    }
                    int n = 1;
                    try {
                        while (rs.next()) {
                            n++;
                        }
                    } catch (SQLException e) {
                        if ("57014".equals(e.getSQLState())) {
                            return "live result cancelled";
                        }
                        throw e;
                    }
                    if (n != rows) {
                        throw new SQLException("the live result had " + n + " rows of " + rows);
                    }
                    return "all rows";
                }
            });
            String op = "cancel() of a live result (" + rows + " rows) racing another statement (" + delayMicros + " us)";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            m.ran();
            return expectOk(op, r);
        }

        /** A statement that fails on the server with {@code state} within {@code maxMillis}; it fails a transaction. */
        private String failingStatement(String op, String state, long maxMillis, Callable<Object> body) {
            Result r = call(body);
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            String wrong = expectSqlState(op, r, m.failedTx ? "25P02" : state);
            if (wrong == null && r.millis > maxMillis) {
                wrong = op + ": took " + r.millis + " ms";
            }
            m.failed();
            return wrong;
        }

        private String closeSomething() {
            int what = random.nextInt(3);
            String op;
            Result r;
            if (what == 0 && !m.results.isEmpty()) {
                JdbcModel.OpenResult res = m.results.get(random.nextInt(m.results.size()));
                op = "close a result set";
                r = call(() -> {
                    res.rs.close();
                    return res.rs.isClosed();
                });
                res.closed = true;
            } else if (what == 1 && !m.prepared.isEmpty()) {
                JdbcModel.Handle<PreparedStatement> h = m.prepared.get(random.nextInt(m.prepared.size()));
                op = "close a prepared statement";
                r = call(() -> {
                    h.object.close();
                    return h.object.isClosed();
                });
                h.closed = true;
            } else if (!m.statements.isEmpty()) {
                JdbcModel.Handle<Statement> h = m.statements.get(random.nextInt(m.statements.size()));
                op = "close a statement";
                r = call(() -> {
                    h.object.close();
                    return h.object.isClosed();
                });
                h.closed = true;
                closeResultsOf(h);
            } else {
                return isValid();
            }
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            String wrong = expectOk(op, r);
            return wrong == null && !Boolean.TRUE.equals(r.value) ? op + ": isClosed() is false after close()" : wrong;
        }

        private String isValid() {
            Result r = call(() -> conn.isValid(1));
            String op = "isValid(1)";
            log(op, r);
            if (r.hung || r.error != null) {
                return op + ": " + r + stack(r.error);
            }
            if (m.faultPending && Boolean.FALSE.equals(r.value)) {
                m.gone(true);
                return null;
            }
            if (!Boolean.valueOf(m.usable()).equals(r.value)) {
                return op + " returned " + r.value + ", the model says " + (m.usable() ? "usable" : "closed");
            }
            return null;
        }

        private String abort() {
            return endConnection("abort", true);
        }

        private String closeConnection() {
            return endConnection("close the connection", false);
        }

        /** close() or abort(): never fails, never waits for the server, and the connection says closed at once. */
        private String endConnection(String op, boolean abort) {
            Result r = call(() -> {
                if (abort) {
                    conn.abort(Runnable::run);
                } else {
                    conn.close();
                }
                return conn.isClosed();
            });
            log(op, r);
            if (r.hung || r.error != null) {
                return op + ": " + r + stack(r.error);
            }
            m.gone(false);
            return Boolean.TRUE.equals(r.value) ? null : op + ": isClosed() false right after it";
        }

        private String networkTimeout() {
            // no timeout at all means waiting for a frozen server for ever (as in pgjdbc): a frozen sequence keeps one
            int ms = random.nextBoolean() && !m.frozen ? 0 : 500 + random.nextInt(1500);
            Result r = call(() -> {
                conn.setNetworkTimeout(Runnable::run, ms);
                return conn.getNetworkTimeout();
            });
            String op = "setNetworkTimeout(" + ms + ")";
            Verdict settled = settled(op, r, false);
            if (settled != null) {
                return settled.failure();
            }
            m.networkTimeoutMillis = ms;
            String wrong = expectOk(op, r);
            return wrong == null && !Integer.valueOf(ms).equals(r.value) ? op + ": getNetworkTimeout() " + r.value : wrong;
        }

        private String cut() {
            FaultProxy.Action action = random.nextBoolean() ? FaultProxy.Action.RESET : FaultProxy.Action.CLOSE;
            proxy.failNow(action);
            m.faultPending = true;
            log("cut (" + action + ")", new Result(null, null, false, 0));
            return null;
        }

        /** The server stops answering; the user has a network timeout (as a pool would set), so steps must end. */
        private String freeze() {
            if (m.networkTimeoutMillis == 0) {
                Result r = call(() -> {
                    conn.setNetworkTimeout(Runnable::run, 700);
                    return null;
                });
                Verdict settled = settled("setNetworkTimeout(700) before a freeze", r, false);
                if (settled != null) {
                    return settled.failure();
                }
                m.networkTimeoutMillis = 700;
            }
            proxy.failNow(FaultProxy.Action.SILENCE);
            m.faultPending = true;
            m.frozen = true;
            log("freeze", new Result(null, null, false, 0));
            return null;
        }

        /** On a closed or lost connection: every use is an SQLException that says so, at once. */
        private String useAfterClose(int x) {
            String op;
            Result r;
            if (x < 20) {
                op = "createStatement on a closed connection";
                r = call(conn::createStatement);
            } else if (x < 35) {
                op = "commit on a closed connection";
                r = call(() -> {
                    conn.commit();
                    return null;
                });
            } else if (x < 50) {
                op = "setAutoCommit on a closed connection";
                r = call(() -> {
                    conn.setAutoCommit(!m.autocommit);
                    return null;
                });
            } else if (x < 70 && !m.statements.isEmpty()) {
                JdbcModel.Handle<Statement> h = m.statements.get(random.nextInt(m.statements.size()));
                op = "executeQuery on a statement of a closed connection";
                r = call(() -> h.object.executeQuery("SELECT 1"));
            } else if (x < 80 && !m.prepared.isEmpty()) {
                JdbcModel.Handle<PreparedStatement> h = m.prepared.get(random.nextInt(m.prepared.size()));
                op = "executeUpdate on a prepared statement of a closed connection";
                r = call(() -> {
                    h.object.setInt(1, 1);
                    return h.object.executeUpdate();
                });
            } else if (x < 90 && !m.results.isEmpty()) {
                JdbcModel.OpenResult res = m.results.get(random.nextInt(m.results.size()));
                op = "next() on a result set of a closed connection";
                r = call(() -> res.rs.next());
            } else {
                return isValid();
            }
            log(op, r);
            if (r.hung) {
                return op + " hung";
            }
            if (r.ok()) {
                return op + " succeeded: " + r;
            }
            return closedMessage(op, r);
        }

        private String closedMessage(String op, Result r) {
            if (!(r.error instanceof SQLException)) {
                return op + ": expected an SQLException, got " + r + stack(r.error);
            }
            String msg = String.valueOf(r.error.getMessage()).toLowerCase();
            if (!msg.contains("closed") && !msg.contains("lost") && !msg.contains("broken")) {
                return op + ": the message does not say the object is closed: " + r;
            }
            return null;
        }

        // ------------------------------------------------------------------ checks after each step

        private String check() {
            Result closed = call(() -> conn.isClosed());
            if (closed.hung || closed.error != null) {
                return "isClosed(): " + closed;
            }
            if (m.closed && !Boolean.TRUE.equals(closed.value)) {
                return "isClosed() is false, the model says " + (m.lost ? "lost" : "closed");
            }
            if (m.usable() && !m.faultPending && Boolean.TRUE.equals(closed.value)) {
                return "isClosed() is true, the model says usable";
            }
            if (m.faultPending && Boolean.TRUE.equals(closed.value)) {
                m.gone(true);
            }
            if (m.usable()) {
                Result ac = call(() -> conn.getAutoCommit());
                if (!ac.ok() || !Boolean.valueOf(m.autocommit).equals(ac.value)) {
                    return "getAutoCommit() " + ac + ", the model says " + m.autocommit;
                }
                for (JdbcModel.Handle<Statement> h : m.statements) {
                    if (statementClosed(h.object) != h.closed) {
                        return "a statement's isClosed() is " + !h.closed + ", the model says " + h.closed;
                    }
                }
                for (JdbcModel.Handle<PreparedStatement> h : m.prepared) {
                    if (statementClosed(h.object) != h.closed) {
                        return "a prepared statement's isClosed() is " + !h.closed + ", the model says " + h.closed;
                    }
                }
            } else {
                for (JdbcModel.Handle<Statement> h : m.statements) {
                    if (!statementClosed(h.object)) {
                        return "a statement of a closed connection says it is open";
                    }
                }
            }
            String committed = db.adminQuery("SELECT coalesce(string_agg(v::text, ',' ORDER BY v), '') FROM " + table).trim();
            String expected = sorted(m.committed).stream().map(String::valueOf).collect(Collectors.joining(","));
            if (!committed.equals(expected)) {
                return "the table holds [" + committed + "] committed, the model says [" + expected + "]";
            }
            return null;
        }

        private boolean connectionClosed() {
            try {
                return conn.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        private static boolean statementClosed(Statement s) {
            try {
                return s.isClosed();
            } catch (SQLException e) {
                return true;
            }
        }

        private static List<Integer> sorted(List<Integer> values) {
            List<Integer> s = new ArrayList<>(values);
            s.sort(null);
            return s;
        }

        private static String stack(Throwable t) {
            return ModelRuns.stack(t, 10);
        }
    }
}
