package dev.tusk.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** HikariCP 7 in front of Tusk's DataSource and Driver. */
@TuskTest
@Timeout(120)
class HikariTest {
    private static HikariConfig config(TestDatabase db, String name) {
        HikariConfig hc = new HikariConfig();
        hc.setDataSource(Jdbc.dataSource(db));
        hc.setPoolName(name);
        hc.setMaximumPoolSize(4);
        hc.setMinimumIdle(1);
        hc.setConnectionTimeout(10_000);
        return hc;
    }

    private static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void hikariLendsTuskConnectionsAndResetsTheirState(TestDatabase db) throws Exception {
        try (HikariDataSource pool = new HikariDataSource(config(db, "tusk-hikari"))) {
            try (Connection c = pool.getConnection()) {
                assertThat(c.isWrapperFor(dev.tusk.Connection.class)).isTrue();
                c.setAutoCommit(false);
                c.setReadOnly(true);
                c.createStatement().execute("SELECT 1");
                c.rollback();
            }
            try (Connection c = pool.getConnection()) {
                assertThat(c.getAutoCommit()).isTrue(); // Hikari restored what the borrower changed
                assertThat(c.isReadOnly()).isFalse();
                assertThat(c.unwrap(dev.tusk.Connection.class).autocommit()).isTrue();
            }
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<Integer>> sums = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int base = t;
                sums.add(threads.submit(() -> {
                    int sum = 0;
                    for (int i = 0; i < 200; i++) {
                        try (Connection c = pool.getConnection();
                             var ps = c.prepareStatement("SELECT ?::int + 1")) {
                            ps.setInt(1, base * 1000 + i);
                            try (ResultSet rs = ps.executeQuery()) {
                                rs.next();
                                sum += rs.getInt(1) - (base * 1000 + i);
                            }
                        }
                    }
                    return sum;
                }));
            }
            for (Future<Integer> f : sums) {
                assertThat(f.get()).isEqualTo(200);
            }
            threads.shutdown();
            assertThat(pool.getHikariPoolMXBean().getTotalConnections()).isLessThanOrEqualTo(4);
        }
    }

    @Test
    void aConnectionKilledOnTheServerIsEvictedAndReplaced(TestDatabase db) throws Exception {
        HikariConfig hc = config(db, "tusk-hikari-evict");
        hc.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(hc)) {
            int first;
            try (Connection c = pool.getConnection()) {
                first = pid(c);
                db.admin("SELECT pg_terminate_backend(" + first + ")");
                // the failure says the connection is gone (SQLSTATE class 08 or 57P01): Hikari evicts it
                assertThatThrownBy(() -> pid(c)).isInstanceOf(SQLException.class)
                        .satisfies(e -> assertThat(((SQLException) e).getSQLState()).matches("08...|57P0."));
            }
            try (Connection c = pool.getConnection()) {
                assertThat(pid(c)).isNotEqualTo(first);
            }
        }
    }

    @Test
    void hikariValidatesWithIsValidOrATestQuery(TestDatabase db) throws Exception {
        HikariConfig hc = config(db, "tusk-hikari-test-query");
        hc.setConnectionTestQuery("SELECT 1");
        hc.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(hc); Connection c = pool.getConnection()) {
            assertThat(c.isValid(2)).isTrue();
        }
        // by driver class and URL, as Spring Boot configures it
        HikariConfig byUrl = new HikariConfig();
        byUrl.setDriverClassName(TuskDriver.class.getName());
        byUrl.setJdbcUrl(Jdbc.url(db));
        byUrl.setMaximumPoolSize(1);
        try (HikariDataSource pool = new HikariDataSource(byUrl); Connection c = pool.getConnection()) {
            assertThat(c.unwrap(dev.tusk.Connection.class).info().dbname()).isEqualTo(db.dbname());
        }
    }
}
