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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A statement's next live result set reuses the row stream of its previous one once that was closed (Tusk's
 * {@code RowStream}): the same statement run again after each way a result can end (read to its end, closed in the
 * middle, an error in the middle, a query timeout or a cancel, read into memory by another statement, DISCARD ALL
 * or a stale plan between two runs) reads its own rows, columns and errors, nothing of the run before.
 */
@TuskTest
@Timeout(120)
class LiveStreamReuseJdbcTest {
    private static Connection connect(TestDatabase db, String props) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(db) + props);
    }

    private static List<String> rows(ResultSet rs) throws SQLException {
        List<String> out = new ArrayList<>();
        try (rs) {
            int n = rs.getMetaData().getColumnCount();
            while (rs.next()) {
                StringBuilder sb = new StringBuilder();
                for (int i = 1; i <= n; i++) {
                    sb.append(i > 1 ? "|" : "").append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** Reads {@code rs} until it fails, as it must, with SQLSTATE {@code sqlstate}; then closes it. */
    private static void readFails(ResultSet rs, String sqlstate) throws SQLException {
        try (rs) {
            assertThatThrownBy(() -> {
                while (rs.next()) {
                    rs.getInt(1);
                }
            }).isInstanceOfSatisfying(SQLException.class, e -> assertThat(e.getSQLState()).isEqualTo(sqlstate));
        }
    }

    @Test
    void aPointSelectRunAgainAndAgainReadsEachRunsRow(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "");
             Statement st = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM reuse_kv WHERE id = ?")) {
            st.execute("CREATE TEMP TABLE reuse_kv (id int4 PRIMARY KEY, v text)");
            st.execute("INSERT INTO reuse_kv SELECT g, 'v' || g FROM generate_series(1, 50) g");
            for (int i = 0; i < 300; i++) {
                int id = i % 60 + 1; // ids past 50 have no row
                ps.setInt(1, id);
                assertThat(rows(ps.executeQuery())).as("run %d", i)
                        .isEqualTo(id <= 50 ? List.of("v=v" + id) : List.of());
            }
        }
    }

    @Test
    void valuesSetWhileAResultIsOpenChangeOnlyTheNextRun(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "&prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement("SELECT g * ? AS g FROM generate_series(1, ?) g")) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 2);
                ps.setInt(2, 3000);
                try (ResultSet open = ps.executeQuery()) { // the statement bound its values: they are not kept
                    ps.setInt(1, 5);
                    ps.setInt(2, 1);
                    int n = 0;
                    while (open.next()) {
                        assertThat(open.getInt(1)).isEqualTo(2 * ++n);
                    }
                    assertThat(n).isEqualTo(3000);
                }
                assertThat(rows(ps.executeQuery())).containsExactly("g=5");
            }
        }
    }

    @Test
    void aPlainStatementsQueriesEachShowTheirOwnColumns(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, ""); Statement st = c.createStatement()) {
            for (int i = 0; i < 3; i++) {
                assertThat(rows(st.executeQuery("SELECT 1 AS a"))).containsExactly("a=1");
                assertThat(rows(st.executeQuery("SELECT 'x' AS b, 2 AS c"))).containsExactly("b=x|c=2");
                assertThat(st.executeUpdate("CREATE TEMP TABLE IF NOT EXISTS reuse_plain (id int4)")).isZero();
                assertThat(rows(st.executeQuery("SELECT count(*) AS n FROM reuse_plain"))).containsExactly("n=0");
            }
        }
    }

    @Test
    void aResultClosedInTheMiddleLeavesNothingToTheNextRun(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "");
             PreparedStatement ps = c.prepareStatement("SELECT g + ? AS g FROM generate_series(1, ?) g")) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 0);
                ps.setInt(2, 100_000);
                ResultSet big = ps.executeQuery();
                assertThat(big.next()).isTrue();
                big.close(); // cancelled, the rest dropped
                ps.setInt(1, 1000);
                ps.setInt(2, 2);
                assertThat(rows(ps.executeQuery())).containsExactly("g=1001", "g=1002");
            }
        }
    }

    @Test
    void anErrorInTheMiddleIsNotRaisedByTheNextRun(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "");
             PreparedStatement ps = c.prepareStatement("SELECT 10 / (? - g) AS q FROM generate_series(1, 600) g")) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 300);
                readFails(ps.executeQuery(), "22012");
                ps.setInt(1, 1000);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                    }
                    assertThat(n).isEqualTo(600);
                }
            }
        }
    }

    @Test
    void aQueryTimeoutThatFiredLeavesTheNextRunItsWholeTimeout(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT g, CASE WHEN g = 2 THEN pg_sleep(?) END AS s FROM generate_series(1, 3) g")) {
            ps.setQueryTimeout(2);
            for (int round = 0; round < 2; round++) {
                ps.setDouble(1, 30);
                readFails(ps.executeQuery(), "57014");
                ps.setDouble(1, 1.2); // within the timeout, not within what was left of the one before
                assertThat(rows(ps.executeQuery())).containsExactly("g=1|s=null", "g=2|s=", "g=3|s=null");
            }
        }
    }

    @Test
    void aCancelInTheMiddleDoesNotReachTheNextRun(TestDatabase db) throws Exception {
        try (Connection c = connect(db, "");
             PreparedStatement ps = c.prepareStatement(
                     "SELECT g, CASE WHEN g = ? THEN pg_sleep(60) END AS s FROM generate_series(1, 6000) g")) {
            ps.setInt(1, 3000);
            ResultSet rs = ps.executeQuery();
            assertThat(rs.next()).isTrue();
            CompletableFuture<Void> canceller = CompletableFuture.runAsync(() -> {
                try {
                    Thread.sleep(1000);
                    ps.cancel();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            readFails(rs, "57014");
            canceller.get(10, TimeUnit.SECONDS);
            ps.setInt(1, -1);
            try (ResultSet again = ps.executeQuery()) {
                int n = 0;
                while (again.next()) {
                    assertThat(again.getInt(1)).isEqualTo(++n);
                }
                assertThat(n).isEqualTo(6000);
            }
        }
    }

    @Test
    void aResultReadIntoMemoryByAnotherStatementThenTheSameStatementAgain(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "");
             PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, ?) g");
             Statement other = c.createStatement()) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 5000);
                ResultSet open = ps.executeQuery();
                assertThat(open.next()).isTrue();
                assertThat(rows(other.executeQuery("SELECT 7 AS seven"))).containsExactly("seven=7");
                int n = 1;
                while (open.next()) {
                    assertThat(open.getInt(1)).isEqualTo(++n);
                }
                assertThat(n).isEqualTo(5000);
                open.close();
                ps.setInt(1, 2);
                assertThat(rows(ps.executeQuery())).containsExactly("g=1", "g=2");
            }
        }
    }

    @Test
    void discardAllAndAStalePlanBetweenTwoRuns(TestDatabase db) throws SQLException {
        try (Connection c = connect(db, "&prepareThreshold=1");
             Statement st = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT v FROM reuse_stale WHERE id = ?")) {
            st.execute("CREATE TEMP TABLE reuse_stale (id int4, v int4)");
            st.execute("INSERT INTO reuse_stale VALUES (1, 10), (2, 20)");
            for (int i = 0; i < 3; i++) { // prepared on the server, described
                ps.setInt(1, 1);
                assertThat(rows(ps.executeQuery())).containsExactly("v=10");
            }
            st.execute("DISCARD ALL"); // the server forgets the statement (and the temp table)
            st.execute("CREATE TEMP TABLE reuse_stale (id int4, v int4)");
            st.execute("INSERT INTO reuse_stale VALUES (1, 11), (2, 21)");
            for (int i = 0; i < 3; i++) {
                ps.setInt(1, 2);
                assertThat(rows(ps.executeQuery())).containsExactly("v=21");
            }
            st.execute("ALTER TABLE reuse_stale ALTER COLUMN v TYPE text USING 't' || v"); // the result type changes
            for (int i = 0; i < 3; i++) {
                ps.setInt(1, 1);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getMetaData().getColumnTypeName(1)).isEqualTo("text");
                    assertThat(rs.getString(1)).isEqualTo("t11");
                    assertThat(rs.next()).isFalse();
                }
            }
        }
    }
}
