package dev.tusk.jdbc;

import dev.tusk.Row;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Codecs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A JDBC borrower of a {@link TuskPooledDataSource} against the next borrower (session 45's hunt): closing a
 * connection whose statement another thread still runs neither waits for it (the DataSource used to roll back
 * first, which waited for the statement: forever on a frozen server) nor lends that session to the next borrower.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PooledBorrowerIsolationTest {

    @Test
    void closingAJdbcConnectionWhileAnotherThreadRunsAStatementReturnsAtOnce(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            Connection a = ds.getConnection();
            a.setAutoCommit(false);
            int pidA = PooledDataSourceTest.pid(a);
            CountDownLatch started = new CountDownLatch(1);
            Thread t = new Thread(() -> {
                try (Statement st = a.createStatement()) {
                    started.countDown();
                    st.execute("SELECT pg_sleep(20)");
                } catch (Exception expected) {
                    // the connection went away under it
                }
            });
            t.start();
            started.await();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!"1".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(20)'"))) {
                assertThat(System.nanoTime()).isLessThan(deadline);
                Thread.sleep(10);
            }
            long t0 = System.nanoTime();
            a.close();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("close() never waits for the statement")
                    .isLessThan(Duration.ofSeconds(5));
            t.join(30_000);
            assertThat(t.isAlive()).isFalse();
            try (Connection b = ds.getConnection()) {
                assertThat(PooledDataSourceTest.pid(b)).as("a's connection, still busy, was replaced").isNotEqualTo(pidA);
            }
        }
    }
    private static String text(Connection c) throws Exception {
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT 'x'::text")) {
            assertThat(rs.next()).isTrue();
            return String.valueOf(rs.getObject(1));
        }
    }

    private static void loadTextAs(AdaptersMap adapters, String word) {
        adapters.registerLoader("text", Codecs.textLoader(s -> word));
        adapters.registerLoader("text", Codecs.binaryLoader(b -> word));
    }

    // the Tusk connection unwrapped from a pooled JDBC connection is the pool's lease: the adapters map taken from it
    // and kept after close() changed the next borrower's values; the lease's own registrations serve it only
    @Test
    void adaptersOfAnUnwrappedLeaseReachThatLeaseOnly(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            AdaptersMap kept;
            try (Connection a = ds.getConnection()) {
                assertThat(text(a)).isEqualTo("x");
                kept = a.unwrap(dev.tusk.Connection.class).adapters();
            }
            try (Connection b = ds.getConnection()) {
                assertThat(text(b)).as("the next borrower's text").isEqualTo("x");
                loadTextAs(kept, "STALE");
                assertThat(text(b)).as("the next borrower's text after a stale registration").isEqualTo("x");
            }
            try (Connection c = ds.getConnection()) {
                loadTextAs(c.unwrap(dev.tusk.Connection.class).adapters(), "MINE");
                assertThat(text(c)).as("the lease's own registration").isEqualTo("MINE");
            }
            try (Connection d = ds.getConnection()) {
                assertThat(text(d)).as("the text of the borrower after it").isEqualTo("x");
            }
        }
    }
}
