package dev.tusk.jdbc;

import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** executeBatch as one pipeline (one round trip), and generated keys through RETURNING. */
@TuskTest
@Timeout(120)
class BatchAndKeysTest {
    private static Connection connect(TestDatabase db) throws SQLException {
        Connection c = DriverManager.getConnection(Jdbc.url(db));
        c.createStatement().execute("CREATE TABLE IF NOT EXISTS item (id bigserial PRIMARY KEY, name text UNIQUE, qty int)");
        return c;
    }

    @Test
    void aPreparedBatchOfInsertsAndOneOfUpdatesWithExactCounts(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (name, qty) VALUES (?, ?)")) {
                for (int i = 0; i < 300; i++) {
                    ps.setString(1, "n" + i);
                    ps.setInt(2, i % 3);
                    ps.addBatch();
                }
                int[] counts = ps.executeBatch();
                assertThat(counts).hasSize(300).containsOnly(1);
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE item SET qty = qty + 10 WHERE qty = ?")) {
                for (int q : new int[] {0, 7, 1}) {
                    ps.setInt(1, q);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).containsExactly(100, 0, 100); // @Version-style checks need exact counts
            }
            assertThat(db.adminQuery("SELECT count(*) FROM item WHERE qty >= 10")).isEqualTo("200");
        }
    }

    @Test
    void aFailingPreparedBatchAppliesNothing(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); PreparedStatement ps = c.prepareStatement("INSERT INTO item (name) VALUES (?)")) {
            for (String n : new String[] {"a", "b", "a", "c"}) {
                ps.setString(1, n);
                ps.addBatch();
            }
            assertThatThrownBy(ps::executeBatch).isInstanceOf(BatchUpdateException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"))
                    .satisfies(e -> assertThat(((BatchUpdateException) e).getUpdateCounts()).containsOnly(Statement.EXECUTE_FAILED));
            assertThat(db.adminQuery("SELECT count(*) FROM item")).isEqualTo("0");
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void aStatementBatchRunsInOnePipelineAndReportsWhatRanBeforeAFailure(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.addBatch("INSERT INTO item (name) VALUES ('x'), ('y')");
            st.addBatch("UPDATE item SET qty = 1");
            st.addBatch("DELETE FROM item WHERE name = 'x'");
            assertThat(st.executeBatch()).containsExactly(2, 2, 1);
            st.addBatch("INSERT INTO item (name) VALUES ('z')");
            st.addBatch("INSERT INTO item (name) VALUES ('y')"); // duplicate
            st.addBatch("INSERT INTO item (name) VALUES ('w')");
            assertThatThrownBy(st::executeBatch).isInstanceOf(BatchUpdateException.class)
                    .satisfies(e -> assertThat(((BatchUpdateException) e).getUpdateCounts()).containsExactly(1))
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("23505"));
            assertThat(c.isValid(2)).isTrue();
        }
    }

    @Test
    void aBatchIsOneRoundTripEvenOnASlowLink(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            String url = Jdbc.url(db).replace(":" + db.port() + "/", ":" + proxy.port() + "/");
            try (Connection c = DriverManager.getConnection(url)) {
                c.createStatement().execute("CREATE TABLE slow (id int)");
                proxy.delay(Duration.ofMillis(50)); // each way: one round trip costs at least 100 ms
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO slow VALUES (?) ")) {
                    for (int i = 0; i < 100; i++) {
                        ps.setInt(1, i);
                        ps.addBatch();
                    }
                    long t0 = System.nanoTime();
                    ps.executeBatch();
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(ms).as("100 inserts took %d ms: more than a few round trips", ms).isLessThan(1_500);
                }
                try (Statement st = c.createStatement()) {
                    for (int i = 0; i < 50; i++) {
                        st.addBatch("UPDATE slow SET id = id WHERE id = " + i);
                    }
                    long t0 = System.nanoTime();
                    assertThat(st.executeBatch()).hasSize(50).containsOnly(1);
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    assertThat(ms).as("50 updates took %d ms: more than a few round trips", ms).isLessThan(1_500);
                }
            }
        }
    }

    @Test
    void generatedKeysComeFromReturning(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            try (Statement st = c.createStatement()) {
                assertThat(st.executeUpdate("INSERT INTO item (name, qty) VALUES ('k1', 5), ('k2', 6)", Statement.RETURN_GENERATED_KEYS))
                        .isEqualTo(2);
                try (ResultSet keys = st.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    long first = keys.getLong("id");
                    assertThat(keys.getString("name")).isEqualTo("k1");
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getLong("id")).isEqualTo(first + 1);
                    assertThat(keys.next()).isFalse();
                }
            }
            try (PreparedStatement ps = c.prepareStatement("INSERT INTO item (name) VALUES (?)", new String[] {"id"})) {
                ps.setString(1, "k3");
                assertThat(ps.executeUpdate()).isEqualTo(1);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getMetaData().getColumnCount()).isEqualTo(1);
                    assertThat(keys.getLong(1)).isPositive();
                }
                // a batch with keys: the keys of every row
                for (String n : new String[] {"k4", "k5", "k6"}) {
                    ps.setString(1, n);
                    ps.addBatch();
                }
                assertThat(ps.executeBatch()).containsExactly(1, 1, 1);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    int n = 0;
                    while (keys.next()) {
                        n++;
                    }
                    assertThat(n).isEqualTo(3);
                }
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE item SET qty = 9 WHERE name = ?", Statement.RETURN_GENERATED_KEYS)) {
                ps.setString(1, "k1");
                assertThat(ps.executeUpdate()).isEqualTo(1);
                try (ResultSet keys = ps.getGeneratedKeys()) {
                    assertThat(keys.next()).isTrue();
                    assertThat(keys.getInt("qty")).isEqualTo(9);
                }
            }
        }
    }
}
