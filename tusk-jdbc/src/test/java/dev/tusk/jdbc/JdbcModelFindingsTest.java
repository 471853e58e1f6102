package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import dev.tusk.testing.FaultProxy;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link JdbcStateMachineTest} found, each as the shortest sequence that showed it, replayable without the
 * model (the seed that found it is named).
 */
@TuskTest
@Timeout(60)
class JdbcModelFindingsTest {
    /** Seed 32693830423053: isValid(1) inside a failed transaction said false, so a pool would drop a good connection. */
    @Test
    void isValidIsTrueInsideAFailedTransaction(TestDatabase db) throws SQLException {
        try (Connection c = Jdbc.dataSource(db).getConnection(); Statement s = c.createStatement()) {
            c.setAutoCommit(false);
            assertThatThrownBy(() -> s.executeQuery("SELECT 1/0")).isInstanceOf(SQLException.class);
            assertThat(c.isValid(1)).isTrue();
            c.rollback();
            s.executeQuery("SELECT 1").close();
        }
    }

    /**
     * Seed 25289881995755 (a soak run): with autocommit off and no transaction open, isValid() opened one (as any
     * statement does), so setTransactionIsolation then refused ("inside a transaction") though the application
     * had just rolled back.
     */
    @Test
    void isValidNeverOpensATransaction(TestDatabase db) throws SQLException {
        try (Connection c = Jdbc.dataSource(db).getConnection()) {
            c.setAutoCommit(false);
            assertThat(c.isValid(1)).isTrue();
            c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
            c.setReadOnly(true);
            assertThat(c.getAutoCommit()).isFalse();
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SHOW transaction_isolation")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("serializable");
            }
            c.rollback();
        }
    }

    /**
     * Seeds 32693830423049 and 32693830423052: after abort() (or a lost connection) the connection said closed but
     * its statements said open, and a result set read on from rows it had buffered.
     */
    @Test
    void statementsAndResultSetsAreClosedWithTheirConnectionAfterAbortAndAfterALoss(TestDatabase db) throws SQLException {
        Connection c = Jdbc.dataSource(db).getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT generate_series(1, 3)");
        assertThat(rs.next()).isTrue();
        c.abort(Runnable::run);
        assertThat(c.isClosed()).isTrue();
        assertThat(s.isClosed()).isTrue();
        assertThat(rs.isClosed()).isTrue();
        assertThatThrownBy(rs::next).isInstanceOf(SQLException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> s.executeQuery("SELECT 1")).isInstanceOf(SQLException.class).hasMessageContaining("closed");

        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            Connection lost = new TuskDataSource(Jdbc.url(db).replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/")
                    + "&sslmode=disable").getConnection();
            Statement ls = lost.createStatement();
            ResultSet lrs = ls.executeQuery("SELECT generate_series(1, 3)");
            assertThat(lrs.next()).isTrue();
            proxy.failNow(FaultProxy.Action.RESET);
            assertThatThrownBy(() -> lost.createStatement().executeQuery("SELECT 1")).isInstanceOf(SQLException.class);
            assertThat(lost.isClosed()).isTrue();
            assertThat(ls.isClosed()).isTrue();
            assertThat(lrs.isClosed()).isTrue();
            assertThatThrownBy(lrs::next).isInstanceOf(SQLException.class).hasMessageContaining("closed");
            lost.close();
        }
    }

    /** A frozen server with a network timeout: the next statement fails within it (plus the cancel's grace) and the connection says closed. */
    @Test
    void aFrozenServerEndsTheNextStatementWithinTheNetworkTimeout(TestDatabase db) throws SQLException {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            Connection c = new TuskDataSource(Jdbc.url(db).replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/")
                    + "&sslmode=disable").getConnection();
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("CREATE TEMP TABLE frozen (v int)");
            c.setNetworkTimeout(Runnable::run, 500);
            proxy.failNow(FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            assertThatThrownBy(c::commit).isInstanceOf(SQLException.class);
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isValid(1)).isFalse();
            c.close();
        }
    }

    /**
     * Seed 32693830423187: a result set streaming from a server-side cursor (fetch size, autocommit off) left open
     * over a commit; running its statement again in the next transaction closed it with CLOSE, which failed there
     * (the cursor had ended with its transaction) and silently aborted the application's new transaction.
     */
    @Test
    void aCursorLeftOpenOverACommitNeverFailsTheNextTransaction(TestDatabase db) throws SQLException {
        try (Connection c = Jdbc.dataSource(db).getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE cursor_over_commit (v int)");
            s.execute("INSERT INTO cursor_over_commit SELECT generate_series(1, 10)");
            c.setAutoCommit(false);
            s.setFetchSize(2);
            ResultSet rs = s.executeQuery("SELECT v FROM cursor_over_commit ORDER BY v");
            assertThat(rs.next()).isTrue();
            c.commit();
            s.executeQuery("SELECT v FROM cursor_over_commit ORDER BY v").next(); // closes rs (JDBC), in a new transaction
            assertThat(s.executeUpdate("INSERT INTO cursor_over_commit VALUES (11)")).isEqualTo(1);
            c.commit();

            ResultSet left = s.executeQuery("SELECT v FROM cursor_over_commit ORDER BY v");
            assertThat(left.next()).isTrue();
            c.rollback();
            Statement other = c.createStatement();
            assertThat(other.executeUpdate("INSERT INTO cursor_over_commit VALUES (12)")).isEqualTo(1);
            // reading on past the end of its transaction: a clear error, and the open transaction is untouched
            left.next();
            assertThatThrownBy(() -> {
                while (left.next()) {
                    // the first batch is in memory; the next one would need the cursor
                }
            }).isInstanceOf(SQLException.class).hasMessageContaining("ended with the transaction");
            left.close();
            assertThat(other.executeUpdate("INSERT INTO cursor_over_commit VALUES (13)")).isEqualTo(1);
            c.commit();
            try (ResultSet count = other.executeQuery("SELECT count(*) FROM cursor_over_commit")) {
                count.next();
                assertThat(count.getInt(1)).isEqualTo(13);
            }
        }
    }

    /**
     * setNetworkTimeout now bounds the driver's own round trips through the Tusk connection's statement timeout:
     * on a pooled connection that must end with the lease, never reach the next borrower (JDBC or Tusk).
     */
    @Test
    void aNetworkTimeoutEndsWithThePooledConnectionsLease(TestDatabase db) throws Exception {
        try (dev.tusk.pool.ConnectionPool<dev.tusk.Row> pool = dev.tusk.pool.ConnectionPool.builder().conninfo(db.conninfo())
                .minSize(1).maxSize(1).timeout(java.time.Duration.ofSeconds(5)).open(true).build()) {
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            try (Connection c = ds.getConnection()) {
                c.setNetworkTimeout(Runnable::run, 200);
                assertThatThrownBy(() -> c.createStatement().execute("SELECT pg_sleep(1)")).isInstanceOf(SQLException.class);
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                assertThat(c.getNetworkTimeout()).isZero();
                assertThat(s.execute("SELECT pg_sleep(0.4)")).isTrue(); // longer than the last lease's timeout
            }
            pool.withConnection(conn -> {
                assertThat(conn.statementTimeout()).isNull();
                conn.execute("SELECT pg_sleep(0.4)");
                return null;
            });
        }
    }

    /**
     * Seen in the pooled model runs' log: a lease that prepared a statement registered the driver's parameter
     * dumper on the pooled connection, so the pool closed it on return ("adapters were registered through the
     * lease") and every JDBC lease with a PreparedStatement cost a new connection.
     */
    @Test
    void aPreparedStatementDoesNotCostThePoolItsConnection(TestDatabase db) throws Exception {
        try (dev.tusk.pool.ConnectionPool<dev.tusk.Row> pool = dev.tusk.pool.ConnectionPool.builder().conninfo(db.conninfo())
                .minSize(1).maxSize(1).timeout(java.time.Duration.ofSeconds(5)).open(true).build()) {
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            java.util.Set<Integer> pids = new java.util.HashSet<>();
            for (int i = 0; i < 4; i++) {
                try (Connection c = ds.getConnection(); java.sql.PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid() + ? - ?")) {
                    ps.setInt(1, i);
                    ps.setObject(2, i, java.sql.Types.INTEGER);
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        pids.add(rs.getInt(1));
                    }
                }
            }
            // the pool's first connection may predate the driver's registration: at most it is replaced once
            assertThat(pids).hasSizeLessThanOrEqualTo(2);
        }
    }

    /**
     * Seeds 45044568930457, 45044568930463, 45044568930479, 45044568930487 (plain) and 45068363130912 (pooled), op
     * "cancel() racing the end of its statement": a Statement's cancel() that saw the statement running was still on
     * its way when the statement ended, and the server then stopped the next statement on the connection (57014, a
     * statement nobody cancelled). Here the proxy holds the cancel request until the first statement is over on the
     * server; the statement's end must wait for its cancel, which then finds the backend idle and stops nothing.
     */
    @Test
    void aCancelRacingItsStatementsEndNeverStopsTheNextStatement(TestDatabase db) throws Exception {
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Connection c = new TuskDataSource(Jdbc.url(db).replaceFirst("//[^/]+/", "//127.0.0.1:" + proxy.port() + "/")
                     + "&sslmode=disable").getConnection();
             Statement first = c.createStatement(); Statement next = c.createStatement()) {
            int pid;
            try (ResultSet rs = first.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            java.util.concurrent.Future<Integer> statements = threads.submit(() -> {
                first.execute("SELECT pg_sleep(0.5)");
                try (ResultSet rs = next.executeQuery("SELECT pg_sleep(0.8), 7")) {
                    rs.next();
                    return rs.getInt(2);
                }
            });
            awaitBackend(db, pid, "state = 'active' AND query = 'SELECT pg_sleep(0.5)'");
            proxy.holdFromStart(); // the cancel's connection: its request is held once written
            java.util.concurrent.Future<?> cancel = threads.submit(() -> {
                first.cancel();
                return null;
            });
            assertThat(proxy.awaitHeldClientBytes(16, java.time.Duration.ofSeconds(10))).as("the cancel request was written").isTrue();
            awaitBackend(db, pid, "NOT (state = 'active' AND query = 'SELECT pg_sleep(0.5)')"); // the first statement is over
            Thread.sleep(100); // without the wait at its end, the next statement runs by now
            proxy.releaseHeld();
            assertThat(statements.get(20, java.util.concurrent.TimeUnit.SECONDS)).as("the next statement ran undisturbed").isEqualTo(7);
            cancel.get(20, java.util.concurrent.TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
    }

    private static void awaitBackend(TestDatabase db, int pid, String condition) throws InterruptedException {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        while (!db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND " + condition).trim().equals("1")) {
            assertThat(System.nanoTime()).as("backend %d: %s within 10 s", pid, condition).isLessThan(deadline);
            Thread.sleep(5);
        }
    }

    /**
     * Found while reading what the model's cancel op reaches: {@code cancel()} during a PreparedStatement's
     * executeBatch() did nothing (the batch was not marked running), so a batch waiting for a row lock went on waiting
     * (a hang the application could not end). It must end with a BatchUpdateException (57014) soon after the cancel.
     */
    @Test
    void cancelStopsAPreparedBatchWaitingForALock(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE batch_cancel (id int PRIMARY KEY, v int)");
        db.admin("INSERT INTO batch_cancel VALUES (1, 0)");
        java.util.concurrent.ExecutorService threads = java.util.concurrent.Executors.newCachedThreadPool();
        try (Connection holder = Jdbc.dataSource(db).getConnection(); Connection c = Jdbc.dataSource(db).getConnection();
             java.sql.PreparedStatement ps = c.prepareStatement("UPDATE batch_cancel SET v = ? WHERE id = 1")) {
            holder.setAutoCommit(false);
            try (Statement s = holder.createStatement()) {
                s.execute("UPDATE batch_cancel SET v = 1 WHERE id = 1"); // holds the row lock until rolled back
            }
            int pid = backendPid(c);
            for (int i = 0; i < 3; i++) {
                ps.setInt(1, 10 + i);
                ps.addBatch();
            }
            java.util.concurrent.Future<Throwable> batch = threads.submit(() -> {
                try {
                    ps.executeBatch();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });
            awaitBackend(db, pid, "wait_event_type = 'Lock'");
            long t0 = System.nanoTime();
            ps.cancel();
            Throwable t;
            try {
                t = batch.get(5, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                holder.rollback(); // lets a batch that ignored the cancel end
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(t).as("the batch after cancel()").isInstanceOf(java.sql.BatchUpdateException.class);
            assertThat(((SQLException) t).getSQLState()).isEqualTo("57014");
            assertThat(ms).as("ms from cancel() to the batch's end").isLessThan(3000);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM batch_cancel")) {
                rs.next();
                assertThat(rs.getInt(1)).as("nothing of the cancelled batch applied").isEqualTo(0);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }
}
