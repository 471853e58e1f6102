package dev.tusk.jdbc;

import dev.tusk.Row;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** One pool for both faces: a DataSource over Tusk's ConnectionPool. */
@TuskTest
@Timeout(120)
class PooledDataSourceTest {
    static int pid(Connection c) throws SQLException {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getInt(1);
        }
    }

    @Test
    void jdbcAndTuskShareTheSameConnections(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(2)).open(true).build()) {
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            int jdbcPid;
            try (Connection c = ds.getConnection()) {
                assertThat(c.getAutoCommit()).isTrue(); // JDBC's default, though the pool's connections start without
                jdbcPid = pid(c);
                c.setAutoCommit(false);
                c.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
                c.setSchema("pg_catalog");
                c.createStatement().execute("CREATE TABLE public.shared (id int)");
                // left open: closing gives the connection back with the transaction rolled back
            }
            int tuskPid = pool.withConnection(conn -> {
                assertThat(conn.autocommit()).isFalse(); // as the pool lent it to Tusk code
                assertThat(conn.isolationLevel()).isNull();
                assertThat(conn.execute("SELECT current_schema()").fetchone().getString(0)).isEqualTo("public");
                assertThat(conn.execute("SELECT to_regclass('public.shared') IS NULL").fetchone().getBoolean(0)).isTrue();
                return conn.info().backendPid();
            });
            assertThat(tuskPid).isEqualTo(jdbcPid); // one connection, both faces
            JdbcTemplate t = new JdbcTemplate(ds);
            t.execute("CREATE TABLE shared (id int)");
            t.update("INSERT INTO shared VALUES (?)", 1);
            long n = pool.withConnection(conn -> conn.execute("SELECT count(*) FROM shared").fetchone().getLong(0));
            assertThat(n).isEqualTo(1);
            // a lease beyond the pool's size times out as a transient connection error
            try (Connection held = ds.getConnection()) {
                ds.setLoginTimeout(1);
                assertThatThrownBy(ds::getConnection).isInstanceOf(SQLTransientConnectionException.class);
                assertThat(held.isValid(1)).isTrue();
            }
        }
    }

    @Test
    void aPoolMadeFromAUrl(TestDatabase db) throws Exception {
        Properties p = new Properties();
        p.setProperty("ApplicationName", "pooled-jdbc");
        try (TuskPooledDataSource ds = TuskPooledDataSource.create(Jdbc.url(db), p, 1, 3)) {
            try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery(
                    "SELECT current_setting('application_name')")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("pooled-jdbc");
            }
            assertThat(ds.pool().getStats()).containsKey("pool_size");
        }
    }

    @Test
    void aLeaseThatRanNothingGoesBackWithoutARoundTrip(TestDatabase db) throws Exception {
        try (TuskPooledDataSource ds = TuskPooledDataSource.create(Jdbc.url(db), new Properties(), 1, 1)) {
            long pid;
            try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getLong(1);
            } // used: its session is reset as it goes back, while the server still answers
            Process stop = new ProcessBuilder("kill", "-STOP", Long.toString(pid)).inheritIO().start();
            assertThat(stop.waitFor(10, java.util.concurrent.TimeUnit.SECONDS) && stop.exitValue() == 0).isTrue();
            try {
                long start = System.nanoTime();
                for (int i = 0; i < 200; i++) {
                    try (Connection c = ds.getConnection()) {
                        assertThat(c.getAutoCommit()).isTrue();
                    }
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).as("200 leases on a stopped backend: no round trip")
                        .isLessThan(Duration.ofSeconds(5));
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(pid)).inheritIO().start().waitFor();
            }
            try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                assertThat(rs.getLong(1)).as("the same connection all along").isEqualTo(pid);
            }
        }
    }

    /**
     * The URL's JDBC properties, read once for the pool (with the statement rewrites its leases share), still hold on
     * every lease: a later one as on the first, a statement prepared again on another lease as on the first.
     */
    @Test
    void everyLeaseHasTheUrlsJdbcProperties(TestDatabase db) throws Exception {
        Properties p = new Properties();
        p.setProperty("defaultRowFetchSize", "7");
        p.setProperty("escapeSyntaxCallMode", "call");
        p.setProperty("readOnly", "true");
        p.setProperty("reWriteBatchedInserts", "false");
        try (TuskPooledDataSource ds = TuskPooledDataSource.create(Jdbc.url(db), p, 1, 2)) {
            for (int lease = 0; lease < 3; lease++) {
                try (Connection c = ds.getConnection(); Connection other = ds.getConnection()) {
                    for (Connection conn : new Connection[] {c, other}) {
                        assertThat(conn.createStatement().getFetchSize()).isEqualTo(7);
                        assertThat(conn.isReadOnly()).isTrue();
                        assertThat(conn.nativeSQL("{call f(?)}")).isEqualTo("CALL f($1)");
                        assertThat(conn.getMetaData().getUserName()).isEqualTo(db.superuser());
                        try (var ps = conn.prepareStatement("SELECT ?::int + 1")) {
                            ps.setInt(1, lease);
                            try (ResultSet rs = ps.executeQuery()) {
                                assertThat(rs.next()).isTrue();
                                assertThat(rs.getInt(1)).isEqualTo(lease + 1);
                            }
                        }
                    }
                }
            }
        }
    }
}
