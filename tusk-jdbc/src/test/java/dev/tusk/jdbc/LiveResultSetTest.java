package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A forward-only result set in autocommit reads its rows as they arrive (Tusk's row stream): executeQuery returns
 * after the first rows, and JDBC's semantics stay: another statement on the connection first reads the rest into
 * memory, closing early leaves the connection usable, an error in the middle of the result comes from next() with
 * its SQLSTATE, a timeout or cancel in the middle ends the statement; scrollable result sets and setFetchSize in a
 * transaction are read as before.
 */
@TuskTest
@Timeout(120)
class LiveResultSetTest {
    private static Connection connect(TestDatabase db) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(db));
    }

    private static int one(Connection c, String sql) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
            assertThat(rs.next()).isTrue();
            return rs.getInt(1);
        }
    }

    @Test
    void executeQueryReturnsOnceTheFirstRowsAreInWhileTheServerStillProducesTheRest(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            long start = System.nanoTime();
            try (ResultSet rs = st.executeQuery("SELECT g, repeat('x', 100), CASE WHEN g = 1000 THEN pg_sleep(6) END"
                    + " FROM generate_series(1, 2000) g")) {
                long returned = System.nanoTime() - start;
                assertThat(TimeUnit.NANOSECONDS.toMillis(returned)).as("executeQuery returned before the sleep at row 1000")
                        .isLessThan(5000);
                int n = 0;
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                }
                assertThat(n).isEqualTo(2000);
            }
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isGreaterThanOrEqualTo(6000);
        }
    }

    @Test
    void anotherStatementWhileAResultSetIsOpenReadsItsRestIntoMemoryFirst(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement big = c.createStatement(); Statement other = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT $1::int * 2".replace("$1", "?"))) {
            try (ResultSet rs = big.executeQuery("SELECT g, repeat('y', 50) FROM generate_series(1, 100000) g")) {
                int n = 0;
                for (int i = 0; i < 10; i++) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                }
                // a plain statement, a prepared one and a second live result set read side by side
                assertThat(one(c, "SELECT 42")).isEqualTo(42);
                ps.setInt(1, 21);
                try (ResultSet r2 = ps.executeQuery()) {
                    assertThat(r2.next()).isTrue();
                    assertThat(r2.getInt(1)).isEqualTo(42);
                }
                try (ResultSet r3 = other.executeQuery("SELECT g FROM generate_series(1, 5000) g")) {
                    for (int i = 1; i <= 3; i++) {
                        assertThat(r3.next()).isTrue();
                        assertThat(r3.getInt(1)).isEqualTo(i);
                    }
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                    assertThat(rs.getRow()).isEqualTo(n);
                    assertThat(one(c, "SELECT 7")).isEqualTo(7); // reads the rest of r3 now
                    int m = 3;
                    while (r3.next()) {
                        assertThat(r3.getInt(1)).isEqualTo(++m);
                    }
                    assertThat(m).isEqualTo(5000);
                }
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                    assertThat(rs.getString(2)).hasSize(50);
                }
                assertThat(n).isEqualTo(100000);
                assertThat(rs.isAfterLast()).isTrue();
            }
            c.setAutoCommit(false);
            assertThat(one(c, "SELECT 1")).isEqualTo(1);
            c.commit();
        }
    }

    @Test
    void commitAndAutocommitChangesWhileAResultSetIsOpenKeepItsRows(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 3000) g")) {
                assertThat(rs.next()).isTrue();
                c.setAutoCommit(false);
                assertThat(one(c, "SELECT 5")).isEqualTo(5);
                c.commit();
                int n = 1;
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                }
                assertThat(n).isEqualTo(3000);
            }
        }
    }

    @Test
    void positionQuestionsAnswerAsJdbcSaysOnALiveResultSet(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 3) g")) {
                assertThat(rs.getType()).isEqualTo(ResultSet.TYPE_FORWARD_ONLY);
                assertThat(rs.isBeforeFirst()).isTrue();
                assertThat(rs.getRow()).isZero();
                assertThat(rs.next()).isTrue();
                assertThat(rs.isFirst()).isTrue();
                assertThat(rs.isBeforeFirst()).isFalse();
                assertThat(rs.getRow()).isEqualTo(1);
                assertThat(rs.isLast()).isFalse();
                assertThat(rs.next()).isTrue();
                assertThat(rs.next()).isTrue();
                assertThat(rs.isLast()).isTrue();
                assertThat(rs.getRow()).isEqualTo(3);
                assertThat(rs.getInt(1)).isEqualTo(3); // isLast looked ahead: the current row is still row 3
                assertThat(rs.isAfterLast()).isFalse();
                assertThat(rs.next()).isFalse();
                assertThat(rs.isAfterLast()).isTrue();
                assertThat(rs.getRow()).isZero();
                assertThatThrownBy(() -> rs.getInt(1)).isInstanceOf(SQLException.class).hasMessageContaining("after its last row");
                assertThatThrownBy(rs::previous).isInstanceOf(SQLException.class).hasMessageContaining("scrollable");
            }
            try (ResultSet rs = st.executeQuery("SELECT 1 WHERE false")) {
                assertThat(rs.getMetaData().getColumnCount()).isEqualTo(1);
                assertThat(rs.isBeforeFirst()).isFalse();
                assertThat(rs.next()).isFalse();
                assertThat(rs.isAfterLast()).isFalse();
            }
        }
    }

    @Test
    void closingAResultSetInTheMiddleEndsTheStatementAndTheConnectionGoesOn(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT g, repeat('z', 200) FROM generate_series(1, 20000000) g");
            for (int i = 1; i <= 5; i++) {
                assertThat(rs.next()).isTrue();
            }
            long start = System.nanoTime();
            rs.close();
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).as("closed without reading 20M rows").isLessThan(10);
            assertThat(rs.isClosed()).isTrue();
            assertThat(one(c, "SELECT 11")).isEqualTo(11);
            assertThat(c.isValid(5)).isTrue();
            // the statement re-executed closes its open result set the same way
            ResultSet again = st.executeQuery("SELECT g FROM generate_series(1, 20000000) g");
            assertThat(again.next()).isTrue();
            try (ResultSet small = st.executeQuery("SELECT 3")) {
                assertThat(again.isClosed()).isTrue();
                assertThat(small.next()).isTrue();
                assertThat(small.getInt(1)).isEqualTo(3);
            }
        }
    }

    private static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    @Test
    void closingTheConnectionWithAResultSetInTheMiddleDoesNotWaitForAFrozenServer(TestDatabase db) throws Exception {
        Connection c = connect(db);
        long pid = one(c, "SELECT pg_backend_pid()");
        ResultSet rs = c.createStatement().executeQuery("SELECT g, repeat('f', 200) FROM generate_series(1, 20000000) g");
        assertThat(rs.next()).isTrue();
        signal("STOP", pid);
        try {
            long start = System.nanoTime();
            c.close();
            assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).as("close waited for the server")
                    .isLessThan(5000);
            assertThat(rs.isClosed()).isTrue();
        } finally {
            signal("CONT", pid);
        }
    }

    @Test
    void anErrorInTheMiddleOfTheResultComesFromNextWithItsSqlStateAfterTheRowsBeforeIt(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT 1 / (50000 - g), g FROM generate_series(1, 100000) g");
            int n = 0;
            SQLException error = null;
            try {
                while (rs.next()) {
                    assertThat(rs.getInt(2)).isEqualTo(++n);
                }
            } catch (SQLException e) {
                error = e;
            }
            assertThat((Throwable) error).as("division by zero at row 50,000").isNotNull();
            assertThat(error.getSQLState()).isEqualTo("22012");
            assertThat(n).isEqualTo(49999);
            assertThat(rs.next()).isFalse();
            rs.close();
            assertThat(one(c, "SELECT 12")).isEqualTo(12);
        }
    }

    @Test
    void anErrorArrivingWhileAnotherStatementReadsTheRestIsRaisedByTheResultSetNotTheOtherStatement(TestDatabase db)
            throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT 1 / (50000 - g), g FROM generate_series(1, 100000) g");
            assertThat(rs.next()).isTrue();
            assertThat(one(c, "SELECT 13")).isEqualTo(13);
            int n = 1;
            SQLException error = null;
            try {
                while (rs.next()) {
                    n++;
                }
            } catch (SQLException e) {
                error = e;
            }
            assertThat((Throwable) error).isNotNull();
            assertThat(error.getSQLState()).isEqualTo("22012");
            assertThat(n).isEqualTo(49999);
        }
    }

    @Test
    void aQueryTimeoutInTheMiddleOfTheResultCancelsTheStatement(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.setQueryTimeout(1);
            long start = System.nanoTime();
            ResultSet rs = st.executeQuery("SELECT g, repeat('t', 100), CASE WHEN g = 3000 THEN pg_sleep(60) END"
                    + " FROM generate_series(1, 6000) g");
            int n = 0;
            SQLException error = null;
            try {
                while (rs.next()) {
                    n++;
                }
            } catch (SQLException e) {
                error = e;
            }
            assertThat((Throwable) error).isNotNull();
            assertThat(error.getSQLState()).isEqualTo("57014");
            assertThat(n).isLessThan(3000);
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
            st.setQueryTimeout(0);
            assertThat(one(c, "SELECT 14")).isEqualTo(14);
        }
    }

    @Test
    void cancelFromAnotherThreadInTheMiddleOfTheResultEndsTheStatement(TestDatabase db) throws Exception {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            ResultSet rs = st.executeQuery("SELECT g, repeat('c', 100), CASE WHEN g = 3000 THEN pg_sleep(60) END"
                    + " FROM generate_series(1, 6000) g");
            assertThat(rs.next()).isTrue();
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1000);
                    st.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            long start = System.nanoTime();
            assertThatThrownBy(() -> {
                while (rs.next()) {
                    rs.getInt(1);
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo("57014"));
            assertThat(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start)).isLessThan(30);
            canceller.get(10, TimeUnit.SECONDS);
            assertThat(one(c, "SELECT 15")).isEqualTo(15);
        }
    }

    /**
     * Once another statement read a live result's rest into memory, that result's statement no longer runs on the
     * server: cancelling it must not stop the statement running on the connection then.
     */
    @Test
    @Timeout(60)
    void cancellingAStatementWhoseRestWasReadIntoMemoryDoesNotStopTheStatementRunningNow(TestDatabase db) throws Exception {
        try (Connection c = connect(db); Statement first = c.createStatement(); Statement second = c.createStatement()) {
            ResultSet rs = first.executeQuery("SELECT g FROM generate_series(1, 100000) g");
            assertThat(rs.next()).isTrue();
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(() -> {
                try (ResultSet r = second.executeQuery("SELECT 17 FROM pg_sleep(1.5)")) {
                    r.next();
                    return r.getInt(1);
                } catch (SQLException e) {
                    throw new IllegalStateException(e);
                }
            });
            Thread.sleep(700); // the second statement has read the first one's rest and runs pg_sleep now
            first.cancel();
            assertThat(running.get(20, TimeUnit.SECONDS)).isEqualTo(17);
            int n = 1;
            while (rs.next()) {
                n++;
            }
            assertThat(n).as("the first result's rows, all kept").isEqualTo(100000);
        }
    }

    @Test
    void scrollableResultSetsAreReadAtOnceAndMoveFreely(TestDatabase db) throws SQLException {
        try (Connection c = connect(db);
             Statement st = c.createStatement(ResultSet.TYPE_SCROLL_INSENSITIVE, ResultSet.CONCUR_READ_ONLY);
             ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) g")) {
            assertThat(rs.last()).isTrue();
            assertThat(rs.getRow()).isEqualTo(1000);
            assertThat(rs.isLast()).isTrue();
            assertThat(rs.absolute(500)).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(500);
            assertThat(rs.previous()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(499);
            assertThat(one(c, "SELECT 16")).isEqualTo(16);
            assertThat(rs.first()).isTrue();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void aFetchSizeInATransactionStillReadsThroughAServerSideCursor(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            c.setAutoCommit(false);
            st.setFetchSize(100);
            try (ResultSet rs = st.executeQuery("SELECT g FROM generate_series(1, 1000) g")) {
                assertThat(rs.next()).isTrue();
                assertThat(one(c, "SELECT count(*) FROM pg_cursors WHERE name LIKE 'tusk_jdbc_%'")).isEqualTo(1);
                int n = 1;
                while (rs.next()) {
                    assertThat(rs.getInt(1)).isEqualTo(++n);
                    assertThat(rs.getRow()).isEqualTo(n);
                }
                assertThat(n).isEqualTo(1000);
            }
            c.commit();
        }
    }
}
