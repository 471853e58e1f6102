package dev.tusk.jdbc;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement keeps the Tusk cursor its live result sets stream from for its next executions; a cursor sees the
 * adapters registered before it was made, so a loader registered on the connection after a statement ran must
 * reach that statement's next execution, and a closed result set of an earlier execution stays closed.
 */
@TuskTest
@Timeout(60)
class StatementCursorReuseTest {
    /** Loads an int4's text as "int:" and the text. */
    private static final class MarkedInt implements Loader<String> {
        @Override
        public Format format() {
            return Format.TEXT;
        }

        @Override
        public String load(ByteBuffer text) {
            return "int:" + StandardCharsets.UTF_8.decode(text);
        }
    }

    private static Object first(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            return rs.getObject(1);
        }
    }

    @Test
    void aLoaderRegisteredAfterAStatementRanReachesItsNextExecution(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=false");
             Statement st = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT ?::int4")) {
            for (int i = 0; i < 5; i++) {
                assertThat(first(st.executeQuery("SELECT 7::int4"))).isEqualTo(7);
                ps.setInt(1, i);
                assertThat(first(ps.executeQuery())).isEqualTo(i);
            }
            c.unwrap(dev.tusk.Connection.class).adapters().registerLoader("int4", new MarkedInt());
            assertThat(first(st.executeQuery("SELECT 8::int4"))).isEqualTo("int:8");
            ps.setInt(1, 9);
            assertThat(first(ps.executeQuery())).isEqualTo("int:9");
        }
    }

    @Test
    void theResultSetOfAnEarlierExecutionStaysClosedAndTheNewOneReadsItsOwnRows(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, ?) g")) {
            ps.setInt(1, 1000);
            ResultSet first = ps.executeQuery();
            assertThat(first.next()).isTrue();
            ps.setInt(1, 3);
            ResultSet second = ps.executeQuery();
            assertThat(first.isClosed()).isTrue();
            int n = 0;
            while (second.next()) {
                assertThat(second.getInt(1)).isEqualTo(++n);
            }
            assertThat(n).isEqualTo(3);
        }
    }

    @Test
    void twoResultSetsOfTheSameStatementTextReadInterleaved(TestDatabase db) throws SQLException {
        String sql = "SELECT g, ?::int4 FROM generate_series(1, 3) g";
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&prepareThreshold=1");
             PreparedStatement a = c.prepareStatement(sql);
             PreparedStatement b = c.prepareStatement(sql)) {
            for (int round = 0; round < 4; round++) { // prepared on the server from the second round on
                a.setInt(1, 10 + round);
                b.setInt(1, 20 + round);
                try (ResultSet ra = a.executeQuery(); ResultSet rb = b.executeQuery()) {
                    for (int g = 1; g <= 3; g++) {
                        assertThat(ra.next()).isTrue();
                        assertThat(rb.next()).isTrue();
                        assertThat(new int[] {ra.getInt(1), ra.getInt(2)}).containsExactly(g, 10 + round);
                        assertThat(new int[] {rb.getInt(1), rb.getInt(2)}).containsExactly(g, 20 + round);
                    }
                    assertThat(ra.next()).isFalse();
                    assertThat(rb.next()).isFalse();
                }
            }
        }
    }

    @Test
    void aPreparedStatementThatFailsRunsAgainWithTheNextValues(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&prepareThreshold=1");
             PreparedStatement ps = c.prepareStatement("SELECT 12 / ?::int4")) {
            for (int round = 0; round < 3; round++) {
                ps.setInt(1, 4);
                assertThat(first(ps.executeQuery())).isEqualTo(3);
                ps.setInt(1, 0);
                org.assertj.core.api.Assertions.assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class)
                        .hasMessageContaining("division by zero");
                ps.setInt(1, 6);
                assertThat(first(ps.executeQuery())).isEqualTo(2);
            }
        }
    }

    @Test
    void aBatchOfTheStatementBetweenItsQueries(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&prepareThreshold=1");
             Statement st = c.createStatement();
             PreparedStatement ins = c.prepareStatement("INSERT INTO reuse_batch VALUES (?)");
             PreparedStatement sel = c.prepareStatement("SELECT count(*)::int4, coalesce(sum(v), 0)::int4 FROM reuse_batch WHERE v > ?")) {
            st.execute("CREATE TEMP TABLE reuse_batch (v int4)");
            int sum = 0;
            for (int round = 1; round <= 3; round++) {
                sel.setInt(1, 0);
                try (ResultSet open = sel.executeQuery()) { // open while the batch runs: read into memory first
                    for (int v = 0; v < 4; v++) {
                        ins.setInt(1, round * 10 + v);
                        ins.addBatch();
                    }
                    assertThat(ins.executeBatch()).containsExactly(1, 1, 1, 1);
                    assertThat(open.next()).isTrue();
                    assertThat(open.getInt(2)).isEqualTo(sum);
                }
                sum += 4 * round * 10 + 6;
                try (ResultSet rs = sel.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(new int[] {rs.getInt(1), rs.getInt(2)}).containsExactly(4 * round, sum);
                }
            }
        }
    }
}
