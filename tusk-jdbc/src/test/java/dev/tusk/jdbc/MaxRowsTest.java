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

/**
 * {@code setMaxRows} stops the server: the statement's Execute asks for that many rows, so the rest of a huge result
 * is never produced (a sequence advanced per row shows how many rows the server made) and the connection is ready
 * at once.
 */
@TuskTest
@Timeout(60)
class MaxRowsTest {
    private static final String MILLION = "SELECT g, nextval('made'), repeat('x', 200) FROM generate_series(1, 1000000) g";

    private static Connection connect(TestDatabase db) throws SQLException {
        return DriverManager.getConnection(Jdbc.url(db));
    }

    private static int count(ResultSet rs) throws SQLException {
        int n = 0;
        while (rs.next()) {
            n++;
            assertThat(rs.getInt(1)).isEqualTo(n);
        }
        return n;
    }

    private static long made(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT last_value FROM made")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void aMillionRowQueryWithMaxRowsTenMakesTenRowsOnTheServerAndTheConnectionGoesOn(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            c.createStatement().execute("CREATE SEQUENCE made");
            long started = System.nanoTime();
            try (Statement st = c.createStatement()) {
                st.setMaxRows(10);
                try (ResultSet rs = st.executeQuery(MILLION)) {
                    assertThat(count(rs)).isEqualTo(10);
                }
            }
            assertThat(made(c)).isLessThanOrEqualTo(11); // not a million: the server stopped
            try (PreparedStatement ps = c.prepareStatement(MILLION.replace("1000000", "?"))) {
                ps.setMaxRows(10);
                for (int i = 0; i < 7; i++) { // past the prepare threshold: the prepared statement is limited too
                    ps.setInt(1, 1_000_000);
                    try (ResultSet rs = ps.executeQuery()) {
                        assertThat(count(rs)).isEqualTo(10);
                    }
                }
            }
            assertThat(made(c)).isLessThanOrEqualTo(8 * 11);
            assertThat((System.nanoTime() - started) / 1_000_000).as("ms for 8 limited queries").isLessThan(20_000);
            // the connection is clean: the next statements see everything
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM generate_series(1, 1000)")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getLong(1)).isEqualTo(1000);
            }
            try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT generate_series(1, 50)")) {
                assertThat(count(rs)).isEqualTo(50); // no limit on another statement
            }
        }
    }

    @Test
    void maxRowsInsideATransactionLeavesItUsable(TestDatabase db) throws SQLException {
        try (Connection c = connect(db)) {
            c.createStatement().execute("CREATE SEQUENCE made");
            c.createStatement().execute("CREATE TABLE kept (id int)");
            c.setAutoCommit(false);
            c.createStatement().executeUpdate("INSERT INTO kept VALUES (1)");
            try (PreparedStatement ps = c.prepareStatement(MILLION)) {
                ps.setMaxRows(3);
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(count(rs)).isEqualTo(3);
                }
            }
            assertThat(made(c)).isLessThanOrEqualTo(4);
            c.createStatement().executeUpdate("INSERT INTO kept VALUES (2)");
            c.commit();
            assertThat(db.adminQuery("SELECT count(*) FROM kept")).isEqualTo("2");
            assertThat(c.unwrap(dev.tusk.Connection.class).isBroken()).isFalse();
        }
    }

    @Test
    void maxRowsLargerThanTheResultReturnsItAll(TestDatabase db) throws SQLException {
        try (Connection c = connect(db); Statement st = c.createStatement()) {
            st.setMaxRows(100);
            try (ResultSet rs = st.executeQuery("SELECT generate_series(1, 5)")) {
                assertThat(count(rs)).isEqualTo(5);
            }
            // several statements in one string go as written (simple protocol): the limit applies on the client
            assertThat(st.execute("SELECT 1; SELECT generate_series(1, 200)")).isTrue();
            assertThat(count(st.getResultSet())).isEqualTo(1);
            assertThat(st.getMoreResults()).isTrue();
            assertThat(count(st.getResultSet())).isEqualTo(100);
        }
    }
}
