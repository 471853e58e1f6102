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
}
