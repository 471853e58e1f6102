package dev.tusk.jdbc;

import dev.tusk.Copy;
import dev.tusk.ExecuteOptions;
import dev.tusk.Cursor;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.ServerCursor;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The CLOSE a closed streaming result set queues (its server-side cursor, see {@link ServerCursorCloseTest}) goes
 * before whatever talks to the server next on that session: {@code isValid}, and every statement of the Tusk connection
 * {@code unwrap} hands out (execute, stream, COPY, a server-side cursor, commit). The cursor is looked for in
 * {@code pg_cursors} by the same session: through the path under test (which must have closed it first), or, where
 * that path cannot tell, through a pipeline, which sends nothing of its own before its statements.
 */
@TuskTest
@Timeout(60)
class QueuedCursorCloseTest {
    private static final java.util.concurrent.ExecutorService THREADS = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "queued-cursor-close-test");
        t.setDaemon(true);
        return t;
    });
    private static final String CURSORS = "SELECT count(*)::int FROM pg_cursors WHERE name LIKE 'tusk_jdbc_%'";

    @Test
    void isValidSendsTheQueuedClose(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            closedAfterOneRow(c, st);
            assertThat(c.isValid(5)).isTrue();
            assertThat(cursorsSeenByAPipeline(c)).as("the cursor after isValid").isZero();
            c.rollback();
        }
    }

    /**
     * With the server frozen, isValid(1) with a CLOSE queued answers false after one timed-out round trip (its second
     * and the cancel's grace of as long, about 2 s), not two of them (about 4 s).
     */
    @Test
    void isValidWithACloseQueuedKeepsItsTimeoutOnAFrozenServer(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            int pid = PooledDataSourceTest.pid(c);
            closedAfterOneRow(c, st);
            FrozenBackend.frozen(pid, () -> {
                long t0 = System.nanoTime();
                assertThat(c.isValid(1)).isFalse();
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("isValid(1)").isLessThan(3500);
            });
        }
    }

    /**
     * With the server frozen, a statement with a query timeout and a CLOSE queued before it fails within about that
     * timeout (the CLOSE's and the cancel's grace), not when the server wakes: the CLOSE waits under the statement's
     * deadline, through JDBC and through the unwrapped connection alike.
     */
    @Test
    void aTimedStatementWithACloseQueuedFailsInTimeOnAFrozenServer(TestDatabase db) throws Exception {
        for (boolean unwrapped : new boolean[] {false, true}) {
            try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
                int pid = PooledDataSourceTest.pid(c);
                closedAfterOneRow(c, st);
                st.setQueryTimeout(1);
                FrozenBackend.frozen(pid, () -> {
                    long t0 = System.nanoTime();
                    java.util.concurrent.Future<?> running = THREADS.submit(() -> unwrapped
                            ? tusk(c).execute("SELECT 1", List.of(), new ExecuteOptions(null, null, Duration.ofSeconds(1)))
                            : st.executeQuery("SELECT 1"));
                    assertThatThrownBy(() -> running.get(8, TimeUnit.SECONDS)) // without the fix: a TimeoutException
                            .as(unwrapped ? "unwrapped" : "JDBC").isInstanceOf(java.util.concurrent.ExecutionException.class);
                    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(6000);
                });
            }
        }
    }

    /**
     * Each call of the driver's own that talks to the server (catalog queries, schema, client info, isolation, savepoints,
     * commit, rollback, a plain statement without a query timeout) sends a queued CLOSE first: with a network timeout
     * set and the server frozen, that CLOSE waits no longer than the call itself would (the network timeout, then the
     * cancel's grace), and the call fails in time, never when the server wakes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"getTables", "getMaxConnections", "getSchema", "setSchema", "setClientInfo",
            "getTransactionIsolation", "setTransactionIsolation", "setSavepoint", "commit", "rollback",
            "setAutoCommit", "executeQuery", "unwrappedExecute"})
    void aDriverCallWithACloseQueuedEndsWithinTheNetworkTimeoutOnAFrozenServer(String call, TestDatabase db)
            throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             Statement st = call.equals("setTransactionIsolation") ? holding(c) : c.createStatement()) {
            int pid = PooledDataSourceTest.pid(c);
            if (call.equals("setTransactionIsolation")) { // a held cursor's CLOSE, outside a transaction, autocommit on
                ResultSet rs = ServerCursorCloseTest.streamingRead(c, st);
                c.commit();
                rs.close();
                c.setAutoCommit(true);
                assertThat(cursorsSeenByAPipeline(c)).as("the held cursor, open").isEqualTo(1);
            } else {
                closedAfterOneRow(c, st);
            }
            c.setNetworkTimeout(THREADS, 1000);
            FrozenBackend.frozen(pid, () -> {
                long t0 = System.nanoTime();
                java.util.concurrent.Future<?> running = THREADS.submit(() -> {
                    switch (call) {
                        case "getTables" -> c.getMetaData().getTables(null, null, "%", null);
                        case "getMaxConnections" -> c.getMetaData().getMaxConnections();
                        case "getSchema" -> c.getSchema();
                        case "setSchema" -> c.setSchema("public");
                        case "setClientInfo" -> c.setClientInfo("ApplicationName", "frozen");
                        case "getTransactionIsolation" -> c.getTransactionIsolation();
                        case "setTransactionIsolation" -> c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                        case "setSavepoint" -> c.setSavepoint();
                        case "commit" -> c.commit();
                        case "rollback" -> c.rollback();
                        case "setAutoCommit" -> c.setAutoCommit(true); // commits the transaction
                        case "executeQuery" -> {
                            try (Statement s = c.createStatement()) {
                                s.executeQuery("SELECT 1");
                            }
                        }
                        case "unwrappedExecute" -> tusk(c).execute("SELECT 1");
                        default -> throw new IllegalArgumentException(call);
                    }
                    return null;
                });
                Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> running.get(10, TimeUnit.SECONDS));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(t).as(call + " on a frozen server: a TimeoutException is a call waiting for the server")
                        .isInstanceOf(java.util.concurrent.ExecutionException.class);
                assertThat(ms).as(call + " on a frozen server, ms").isLessThan(6000);
                assertThat(c.isValid(1)).as("the connection after " + call).isFalse();
            });
        }
    }

    /**
     * A batch with a query timeout (and no network timeout), a CLOSE queued before it, on a frozen server: the CLOSE
     * waits under the batch's deadline and the batch fails in time (before: the CLOSE waited under the connection's
     * deadline, none, for ever; a PreparedStatement's batch did not even run under its query timeout).
     */
    @ParameterizedTest
    @ValueSource(strings = {"Statement", "PreparedStatement", "PreparedStatementWithoutClose", "rewrittenInserts"})
    void aBatchWithAQueryTimeoutEndsInTimeOnAFrozenServer(String kind, TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            int pid = PooledDataSourceTest.pid(c);
            c.setAutoCommit(false);
            try (Statement ddl = c.createStatement()) {
                ddl.execute("CREATE TEMP TABLE frozen_batch (v int)");
            }
            if (!kind.equals("PreparedStatementWithoutClose")) {
                closedAfterOneRow(c, st);
            }
            Statement batch;
            if (kind.equals("Statement")) {
                batch = c.createStatement();
                batch.addBatch("INSERT INTO frozen_batch VALUES (1)");
                batch.addBatch("INSERT INTO frozen_batch VALUES (2)");
            } else {
                java.sql.PreparedStatement ps = c.prepareStatement(kind.equals("rewrittenInserts")
                        ? "INSERT INTO frozen_batch VALUES (?)" : "UPDATE frozen_batch SET v = ? WHERE v = 0");
                for (int i = 0; i < 2; i++) {
                    ps.setInt(1, i);
                    ps.addBatch();
                }
                batch = ps;
            }
            batch.setQueryTimeout(1);
            FrozenBackend.frozen(pid, () -> {
                long t0 = System.nanoTime();
                java.util.concurrent.Future<?> running = THREADS.submit(() -> batch.executeBatch());
                Throwable t = org.assertj.core.api.Assertions.catchThrowable(() -> running.get(10, TimeUnit.SECONDS));
                long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
                assertThat(t).as(kind + " batch on a frozen server: a TimeoutException is a call waiting for the server")
                        .isInstanceOf(java.util.concurrent.ExecutionException.class);
                assertThat(ms).as(kind + " batch on a frozen server, ms").isLessThan(6000);
            });
            batch.close();
        }
    }

    /** isValid on a connection with autocommit off and no transaction: the CLOSE of a held cursor opens none. */
    @Test
    void isValidClosesAHeldCursorWithoutOpeningATransaction(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             Statement st = holding(c)) {
            ResultSet rs = ServerCursorCloseTest.streamingRead(c, st);
            c.commit();
            rs.close();
            assertThat(c.isValid(5)).isTrue();
            assertThat(tusk(c).info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
            assertThat(cursorsSeenByAPipeline(c)).as("the held cursor after isValid").isZero();
        }
    }

    @Test
    void anExecuteOfTheUnwrappedConnectionSendsTheQueuedClose(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            closedAfterOneRow(c, st);
            assertThat(tusk(c).execute(CURSORS).fetchone().getInt(0)).isZero();
            c.rollback();
        }
    }

    @Test
    void aStreamOfTheUnwrappedConnectionSendsTheQueuedClose(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            closedAfterOneRow(c, st);
            try (Stream<Row> rows = tusk(c).cursor().stream(CURSORS)) {
                assertThat(rows.map(r -> r.getInt(0)).toList()).containsExactly(0);
            }
            c.rollback();
        }
    }

    @Test
    void aCopyOfTheUnwrappedConnectionSendsTheQueuedClose(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            closedAfterOneRow(c, st);
            StringBuilder out = new StringBuilder();
            try (Copy copy = tusk(c).cursor().copy("COPY (" + CURSORS + ") TO STDOUT")) {
                for (byte[] b : copy) {
                    out.append(new String(b, StandardCharsets.UTF_8));
                }
            }
            assertThat(out.toString().trim()).isEqualTo("0");
            c.rollback();
        }
    }

    @Test
    void aServerCursorOfTheUnwrappedConnectionSendsTheQueuedClose(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            closedAfterOneRow(c, st);
            try (ServerCursor<Row> cur = tusk(c).cursor("mine")) {
                cur.execute(CURSORS.replace("%", "%%")); // psycopg placeholders: a literal % doubled
                assertThat(cur.fetchone().getInt(0)).isZero();
            }
            c.rollback();
        }
    }

    /** A held cursor's CLOSE goes before a commit of the Tusk connection, which it would outlive. */
    @Test
    void aCommitOfTheUnwrappedConnectionSendsTheQueuedCloseOfAHeldCursor(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             Statement st = holding(c)) {
            closedAfterOneRow(c, st);
            tusk(c).commit();
            assertThat(cursorsSeenByAPipeline(c)).as("the held cursor after the commit").isZero();
        }
    }

    /** A transaction ended through the Tusk connection: the CLOSE of a cursor of it does not fail the next one. */
    @Test
    void aCursorWhoseTransactionTheUnwrappedConnectionEndedIsNotClosedInTheNextOne(TestDatabase db)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            ResultSet rs = ServerCursorCloseTest.streamingRead(c, st);
            dev.tusk.Connection<Row> t = tusk(c);
            t.commit(); // the cursor ends with its transaction
            assertThat(t.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1); // a new transaction
            rs.close();
            assertThat(t.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            assertThat(t.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.INTRANS);
            c.commit();
        }
    }

    /**
     * An XA branch whose held cursor's result set was closed prepares: its CLOSE goes before PREPARE TRANSACTION (which
     * refuses a transaction with a cursor WITH HOLD still open).
     */
    @Test
    void anXaBranchWhoseHeldCursorWasClosedPrepares(TestDatabase db) throws Exception {
        javax.sql.XAConnection xac = new TuskXADataSource(Jdbc.url(db)).getXAConnection();
        try {
            javax.transaction.xa.XAResource res = xac.getXAResource();
            Connection c = xac.getConnection();
            XaTest.TestXid x = XaTest.TestXid.of("held-cursor", "b1");
            res.start(x, javax.transaction.xa.XAResource.TMNOFLAGS);
            try (Statement st = holding(c)) {
                st.setFetchSize(10);
                ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 100) g");
                assertThat(rs.next()).isTrue();
                rs.close();
            }
            res.end(x, javax.transaction.xa.XAResource.TMSUCCESS);
            assertThat(res.prepare(x)).isEqualTo(javax.transaction.xa.XAResource.XA_OK);
            res.commit(x, false);
        } finally {
            xac.close();
        }
    }

    /** A pooled JDBC connection given back with a CLOSE queued: the next borrower sees no cursor, on either face. */
    @Test
    void theNextBorrowerOfAPooledConnectionSeesNoCursorOfTheLastOne(TestDatabase db) throws SQLException {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(5)).open(true).build()) {
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            int pid;
            try (Connection c = ds.getConnection();
                 Statement st = holding(c)) {
                pid = PooledDataSourceTest.pid(c);
                ResultSet rs = ServerCursorCloseTest.streamingRead(c, st);
                c.commit(); // held over the commit
                rs.close(); // its CLOSE queued
            }
            try (Connection c = ds.getConnection()) {
                assertThat(PooledDataSourceTest.pid(c)).isEqualTo(pid); // the same session
                c.setAutoCommit(false);
                assertThat(cursorsSeenByAPipeline(c)).as("the last borrower's cursor").isZero();
                try (Statement st = c.createStatement(); ResultSet r = st.executeQuery("SELECT 5")) {
                    assertThat(r.next()).isTrue();
                    assertThat(r.getInt(1)).isEqualTo(5);
                }
                c.commit(); // the transaction was not failed by a CLOSE of the last borrower's
            }
            int count = pool.withConnection(t -> {
                assertThat(t.info().backendPid()).isEqualTo(pid);
                return t.execute(CURSORS).fetchone().getInt(0);
            });
            assertThat(count).isZero();
        }
    }

    /** Autocommit off; a streaming result set of {@code st} read one row and closed: its CLOSE is queued. */
    private static void closedAfterOneRow(Connection c, Statement st) throws SQLException {
        ResultSet rs = ServerCursorCloseTest.streamingRead(c, st);
        assertThat(cursorsSeenByAPipeline(c)).as("the result set's cursor, open").isEqualTo(1);
        rs.close();
    }

    /** A statement whose cursors are declared WITH HOLD. */
    private static Statement holding(Connection c) throws SQLException {
        return c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY, ResultSet.HOLD_CURSORS_OVER_COMMIT);
    }

    /** The cursors of the session, counted in a pipeline (before which nothing else is sent). */
    private static int cursorsSeenByAPipeline(Connection c) throws SQLException {
        dev.tusk.Connection<Row> t = tusk(c);
        Cursor<Row> cur;
        try (Pipeline p = t.pipeline()) {
            cur = t.execute(CURSORS);
        }
        return cur.fetchone().getInt(0);
    }

    private static dev.tusk.Connection<Row> tusk(Connection c) throws SQLException {
        @SuppressWarnings("unchecked")
        dev.tusk.Connection<Row> t = c.unwrap(dev.tusk.Connection.class);
        return t;
    }
}
