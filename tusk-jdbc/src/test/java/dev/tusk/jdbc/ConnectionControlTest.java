package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTimeoutException;
import java.sql.Statement;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The connection controls of the list that no framework test reaches: {@code abort} (never waits for the
 * server), {@code setNetworkTimeout} (bounds every statement's wait), result set holdability (a holdable streamed
 * result outlives its transaction's commit) and the {@code prepareThreshold} URL property (0: never prepared on the
 * server, as pgjdbc).
 */
@TuskTest
@Timeout(120)
class ConnectionControlTest {
    private static Connection connect(TestDatabase db, String extra) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(db) + extra);
    }

    private static long one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getLong(1);
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void abortClosesTheConnectionAtOnceAndItsExecutorNeverWaitsForAFrozenServer(TestDatabase db) throws Exception {
        Connection c = connect(db, "");
        long pid = one(c, "SELECT pg_backend_pid()");
        signal("STOP", pid);
        try {
            CountDownLatch done = new CountDownLatch(1);
            Executor executor = task -> new Thread(() -> {
                task.run();
                done.countDown();
            }).start();
            c.abort(executor);
            assertThat(c.isClosed()).as("closed as abort returns").isTrue();
            assertThatThrownBy(() -> c.createStatement()).isInstanceOf(SQLException.class);
            assertThat(done.await(5, TimeUnit.SECONDS)).as("the executor's close did not wait for the stopped server").isTrue();
            c.abort(executor); // again: nothing to do
            assertThatThrownBy(() -> c.abort(null)).isInstanceOf(SQLException.class).hasMessageContaining("executor");
        } finally {
            signal("CONT", pid);
        }
    }

    @Test
    void aNetworkTimeoutEndsAStatementThatWaitsLongerWithSqlTimeoutException(TestDatabase db) throws Exception {
        try (Connection c = connect(db, "")) {
            assertThat(c.getNetworkTimeout()).isZero();
            c.setNetworkTimeout(Runnable::run, 500);
            assertThat(c.getNetworkTimeout()).isEqualTo(500);
            long start = System.nanoTime();
            try (Statement st = c.createStatement()) {
                assertThatThrownBy(() -> st.execute("SELECT pg_sleep(30)")).isInstanceOf(SQLTimeoutException.class);
            }
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(20);
            assertThat(one(c, "SELECT 7")).as("the connection goes on").isEqualTo(7);
            assertThatThrownBy(() -> c.setNetworkTimeout(Runnable::run, -1)).isInstanceOf(SQLException.class);
            c.setNetworkTimeout(Runnable::run, 0);
            assertThat(one(c, "SELECT count(*) FROM (SELECT pg_sleep(0.7)) s")).as("no limit again").isEqualTo(1);
        }
    }

    @Test
    void aHoldableStreamedResultSetIsStillReadAfterItsTransactionCommits(TestDatabase db) throws Exception {
        try (Connection c = connect(db, "")) {
            assertThat(c.getHoldability()).as("pgjdbc's default").isEqualTo(ResultSet.CLOSE_CURSORS_AT_COMMIT);
            assertThatThrownBy(() -> c.setHoldability(42)).isInstanceOf(SQLException.class);
            c.setAutoCommit(false);
            try (Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                    ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
                st.setFetchSize(10);
                try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 100) g")) {
                    assertThat(rs.getHoldability()).isEqualTo(ResultSet.HOLD_CURSORS_OVER_COMMIT);
                    long sum = 0;
                    for (int i = 0; i < 5; i++) {
                        assertThat(rs.next()).isTrue();
                        sum += rs.getInt(1);
                    }
                    c.commit();
                    while (rs.next()) {
                        sum += rs.getInt(1);
                    }
                    assertThat(sum).as("every row, read across the commit").isEqualTo(5050);
                }
            }
            c.setHoldability(ResultSet.HOLD_CURSORS_OVER_COMMIT);
            try (Statement st = c.createStatement()) {
                assertThat(st.getResultSetHoldability()).isEqualTo(ResultSet.HOLD_CURSORS_OVER_COMMIT);
            }
            c.commit();
        }
    }

    private static long preparedAfter(Connection c, int executions) throws SQLException {
        try (var ps = c.prepareStatement("SELECT ?::int + 1")) {
            for (int i = 0; i < executions; i++) {
                ps.setInt(1, i);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(i + 1);
                }
            }
        }
        return one(c, "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%$1::int + 1%'");
    }

    @Test
    void prepareThresholdSaysAfterHowManyExecutionsAStatementIsPreparedOnTheServer(TestDatabase db) throws Exception {
        try (Connection c = connect(db, "")) {
            assertThat(preparedAfter(c, 1)).as("default 5: not after one execution").isZero();
            assertThat(preparedAfter(c, 11)).as("default 5: prepared once past it").isEqualTo(1);
        }
        try (Connection c = connect(db, "&prepareThreshold=1")) {
            assertThat(preparedAfter(c, 2)).as("prepareThreshold=1: prepared by the second execution").isEqualTo(1);
        }
        try (Connection c = connect(db, "&prepareThreshold=0")) {
            assertThat(preparedAfter(c, 12)).as("prepareThreshold=0: never").isZero();
        }
    }
}
