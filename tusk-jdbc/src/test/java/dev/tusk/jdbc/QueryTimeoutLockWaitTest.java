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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code setQueryTimeout} covers a statement's wait for the connection, busy with another thread's statement (here a
 * 30 s sleep without a timeout): the statement fails with SQLTimeoutException (57014) within its timeout, nothing of it
 * sent, and the connection serves the next statement once the other one is cancelled.
 */
@TuskTest
@Timeout(60)
class QueryTimeoutLockWaitTest {
    @Test
    void queryTimeoutBoundsTheWaitForAnotherThreadsStatement(TestDatabase db) throws Exception {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db)); Statement sleeper = c.createStatement();
             Statement st = c.createStatement()) {
            CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(() -> {
                try {
                    sleeper.execute("SELECT pg_sleep(30)");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"1".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity"
                    + " WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'"))) {
                assertThat(System.nanoTime()).as("the other thread's sleep started").isLessThan(end);
                Thread.sleep(20);
            }
            st.setQueryTimeout(1);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> st.executeQuery("SELECT 1"))
                    .isInstanceOf(SQLTimeoutException.class).hasMessageContaining("another thread's call")
                    .satisfies(e -> assertThat(((SQLException) e).getSQLState()).isEqualTo("57014"));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(4_000);
            sleeper.cancel();
            assertThat(other.get(10, TimeUnit.SECONDS)).isInstanceOf(SQLException.class);
            try (ResultSet rs = st.executeQuery("SELECT 42")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getInt(1)).isEqualTo(42);
            }
        }
    }
}
