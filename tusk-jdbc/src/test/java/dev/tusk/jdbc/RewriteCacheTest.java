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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A connection rewrites each SQL text once (prepared, plain with escapes, plain without): the same text met again in
 * another of those roles is rewritten for that role, and a text met again in the same role gives the same answers.
 */
@TuskTest
@Timeout(60)
class RewriteCacheTest {
    @Test
    void theSameTextPreparedThenRunPlainKeepsItsQuestionMarkOperator(TestDatabase db) throws SQLException {
        String sql = "SELECT '{\"a\": 1}'::jsonb ? 'a'";
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            try (PreparedStatement ps = c.prepareStatement("SELECT '{\"a\": 1}'::jsonb ?? ?")) { // ?? is the operator
                ps.setString(1, "a");
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) { // here ? is a placeholder
                assertNoValueForParameterOne(ps);
            }
            for (int i = 0; i < 2; i++) { // run plain, the same text is the operator, twice
                try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(sql)) {
                    assertThat(rs.next()).isTrue();
                    assertThat(rs.getBoolean(1)).isTrue();
                }
            }
            try (PreparedStatement ps = c.prepareStatement(sql)) { // and prepared again, a placeholder again
                assertNoValueForParameterOne(ps);
            }
        }
    }

    private static void assertNoValueForParameterOne(PreparedStatement ps) {
        assertThatThrownBy(ps::executeQuery).isInstanceOf(SQLException.class)
                .hasMessageContaining("no value specified for parameter 1");
    }

    @Test
    void escapeProcessingOffIsHonouredForATextRunBeforeWithEscapes(TestDatabase db) throws SQLException {
        String sql = "SELECT {fn ucase('tusk')}";
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery(sql)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("TUSK");
            }
            st.setEscapeProcessing(false);
            assertThatThrownBy(() -> st.executeQuery(sql)).isInstanceOf(SQLException.class)
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("42601"));
            st.setEscapeProcessing(true);
            try (ResultSet rs = st.executeQuery(sql)) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).isEqualTo("TUSK");
            }
        }
    }

    @Test
    void aSelectIntoMetAgainStillReturnsNoRows(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            for (int i = 0; i < 3; i++) {
                try (PreparedStatement ps = c.prepareStatement("SELECT ?::int AS x INTO TEMP made_" + (i % 2 == 0 ? "a" : "b"))) {
                    ps.setInt(1, i);
                    assertThat(ps.execute()).isFalse();
                    assertThat(ps.getUpdateCount()).isEqualTo(1);
                }
                c.createStatement().execute("DROP TABLE made_" + (i % 2 == 0 ? "a" : "b"));
            }
        }
    }
}
