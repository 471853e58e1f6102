package dev.tusk.jdbc;

import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code Statement.cancel()} on a pooled DataSource's connection is a cancel through the pool's lease: one still on its
 * way when the JDBC connection is closed (its lease ended) must not stop the next borrower's statement. The fault
 * proxy holds the cancel's bytes (written by the client, not yet at the server) while the statement it meant to stop
 * ends on the server (its execute() waits for its cancel), the connection is closed and the next borrower starts
 * {@code pg_sleep}; then lets them go.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PooledStatementCancelTest {
    @Test
    void aStatementCancelStillInFlightWhenItsConnectionClosedNeverStopsTheNextBorrower(TestDatabase db) throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             ConnectionPool<Row> pool = ConnectionPool.builder().options(ConnectOptions.builder().conninfo(db.conninfo())
                             .host("127.0.0.1").port(proxy.port()).sslmode("disable").build())
                     .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            TuskPooledDataSource ds = new TuskPooledDataSource(pool);
            for (int round = 0; round < 3; round++) {
                Connection a = ds.getConnection();
                int pidA = PooledDataSourceTest.pid(a);
                Statement st = a.createStatement();
                Future<Boolean> running = threads.submit(() -> st.execute("SELECT pg_sleep(0.5)"));
                Thread.sleep(150); // executing: cancel() sends a request
                proxy.holdFromStart();
                Future<?> cancel = threads.submit(() -> {
                    st.cancel();
                    return null;
                });
                assertThat(proxy.awaitHeldClientBytes(16, Duration.ofSeconds(10))).as("the cancel request reached the proxy").isTrue();
                awaitIdle(db, pidA); // A's statement is over on the server (its end waits for its cancel in the client)
                a.close(); // the lease ends while the cancel is on its way
                proxy.releaseHeldAfter(Duration.ofMillis(300));
                try (Connection b = ds.getConnection(); Statement sb = b.createStatement()) {
                    assertThat(PooledDataSourceTest.pid(b)).as("round %d: the same connection", round).isEqualTo(pidA);
                    try (ResultSet rs = sb.executeQuery("SELECT pg_sleep(0.6), 7")) {
                        rs.next();
                        assertThat(rs.getInt(2)).as("round %d: B's statement is not cancelled", round).isEqualTo(7);
                    }
                }
                assertThat(running.get(10, TimeUnit.SECONDS)).as("A's statement ended undisturbed: its cancel arrived after it")
                        .isTrue();
                cancel.get(10, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    /** Waits until backend {@code pid} runs nothing. */
    private static void awaitIdle(TestDatabase db, int pid) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid + " AND state = 'idle'").trim().equals("1")) {
            assertThat(System.nanoTime()).as("backend %d idle within 10 s", pid).isLessThan(deadline);
            Thread.sleep(5);
        }
    }
}
