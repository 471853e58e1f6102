package dev.tusk.jdbc;

import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing a result set streamed through a server-side cursor (a fetch size in a transaction) never waits for the
 * server (session 44): the cursor's CLOSE goes before the connection's next round trip. With the backend frozen
 * (SIGSTOP) the close returns at once; once it wakes, the next statement answers right and the cursor is gone. The
 * test bounds its own waits (a close stuck on the socket cannot be interrupted by JUnit's timeout).
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCursorCloseTest {
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "server-cursor-close-test");
        t.setDaemon(true);
        return t;
    });

    @Test
    void closingAStreamingResultSetOnAFrozenServerReturnsAtOnceAndTheConnectionAnswersRightAfter(TestDatabase db)
            throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            int pid = one(c, "SELECT pg_backend_pid()");
            c.setAutoCommit(false);
            st.setFetchSize(10);
            ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) g");
            assertThat(rs.next()).isTrue();
            assertThat(cursors(c)).as("the result set's server-side cursor").isEqualTo(1);
            FrozenBackend.frozen(pid, () -> {
                long t0 = System.nanoTime();
                Future<?> closing = threads.submit(() -> {
                    rs.close();
                    return null;
                });
                closing.get(3, TimeUnit.SECONDS); // without the fix: waits for the server (a TimeoutException)
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("ResultSet.close()").isLessThan(1000);
                assertThat(rs.isClosed()).isTrue();
            });
            assertThat(one(c, "SELECT 42")).isEqualTo(42);
            assertThat(cursors(c)).as("the cursor, closed before the next statement").isZero();
            c.commit();
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void closingTheStatementOfAStreamingResultSetOnAFrozenServerReturnsAtOnce(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            int pid = one(c, "SELECT pg_backend_pid()");
            c.setAutoCommit(false);
            Statement st = c.createStatement();
            st.setFetchSize(5);
            ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 100) g");
            assertThat(rs.next()).isTrue();
            FrozenBackend.frozen(pid, () -> {
                long t0 = System.nanoTime();
                threads.submit(() -> {
                    st.close();
                    return null;
                }).get(3, TimeUnit.SECONDS);
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).as("Statement.close()").isLessThan(1000);
            });
            assertThat(rs.isClosed()).isTrue();
            assertThat(cursors(c)).isZero();
            c.rollback();
        }
    }

    /** A ROLLBACK TO SAVEPOINT that ends the cursor comes after its CLOSE: the transaction goes on unharmed. */
    @Test
    void aCursorClosedBeforeARollbackToSavepointThatEndsItLeavesTheTransactionUsable(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            Savepoint sp = c.setSavepoint();
            st.setFetchSize(10);
            ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 100) g");
            assertThat(rs.next()).isTrue();
            rs.close();
            c.rollback(sp);
            assertThat(one(c, "SELECT 7")).isEqualTo(7);
            c.commit();
        }
    }

    /** A cursor WITH HOLD closed before the commit does not outlive it. */
    @Test
    void aHoldableCursorClosedBeforeTheCommitIsGoneAfterIt(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                     ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            ResultSet rs = streamingRead(c, st);
            rs.close();
            c.commit();
            assertThat(cursors(c)).isZero();
            c.commit();
        }
    }

    /** A cursor WITH HOLD that outlived its commit is closed when its result set is, outside any transaction too. */
    @Test
    void aHoldableCursorClosedAfterTheCommitIsGoneAtTheNextStatement(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             Statement st = c.createStatement(ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY,
                     ResultSet.HOLD_CURSORS_OVER_COMMIT)) {
            ResultSet rs = streamingRead(c, st);
            c.commit();
            assertThat(rs.next()).isTrue(); // held over the commit
            c.setAutoCommit(true);
            rs.close();
            assertThat(cursors(c)).isZero();
        }
    }

    /**
     * Autocommit off; a result set of {@code st} (WITH HOLD if {@code st} holds its cursors) of 100 rows streamed
     * through a server-side cursor, 10 a fetch, its first row read (QueuedCursorCloseTest's too).
     */
    static ResultSet streamingRead(Connection c, Statement st) throws SQLException {
        c.setAutoCommit(false);
        st.setFetchSize(10);
        ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 100) g");
        assertThat(rs.next()).isTrue();
        return rs;
    }

    private static int cursors(Connection c) throws SQLException {
        return one(c, "SELECT count(*)::int FROM pg_cursors WHERE name LIKE 'tusk_jdbc_%'");
    }

    private static int one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet r = st.executeQuery(sql)) {
            assertThat(r.next()).isTrue();
            return r.getInt(1);
        }
    }
}
