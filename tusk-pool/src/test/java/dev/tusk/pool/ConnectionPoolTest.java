package dev.tusk.pool;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@TuskTest
@Timeout(120)
class ConnectionPoolTest {
    private static ConnectionPool.Builder<Row> pool(TestDatabase db, String app) {
        return ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app);
    }

    /** Backends of the pool's application name, seen by the server itself. */
    private static int backends(TestDatabase db, String app) {
        return Integer.parseInt(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'"));
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void minSizeConnectionsAreOpenedAndVisibleOnTheServer(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_min").minSize(3).maxSize(5).name("min").build()) {
            pool.open();
            pool.open(); // idempotent
            pool.waitReady(Duration.ofSeconds(20));
            assertThat(pool.getStats()).containsEntry("pool_min", 3L).containsEntry("pool_max", 5L).containsEntry("pool_size", 3L);
            await("3 backends", Duration.ofSeconds(10), () -> backends(db, "p_min") == 3);
        }
        await("closed backends", Duration.ofSeconds(10), () -> backends(db, "p_min") == 0);
    }

    @Test
    void thirtyTwoThreadsTimesAThousandLeasesOnFourConnections(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_load").minSize(2).maxSize(4).open(true).build()) {
            ExecutorService threads = Executors.newFixedThreadPool(32);
            AtomicInteger wrong = new AtomicInteger();
            Set<Integer> pids = ConcurrentHashMap.newKeySet();
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 32; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 1000; i++) {
                        try (Connection<Row> conn = pool.connection()) {
                            pids.add(conn.info().backendPid());
                            if (i % 100 == 0 && conn.execute("SELECT %s::int", thread * 1000 + i).fetchone().getInt(0) != thread * 1000 + i) {
                                wrong.incrementAndGet();
                            }
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertThat(wrong).hasValue(0);
            assertThat(pids).hasSizeLessThanOrEqualTo(4);
            Map<String, Long> stats = pool.getStats();
            assertThat(stats.get("requests_num")).isEqualTo(32_000L);
            assertThat(stats.get("requests_errors")).isZero();
            assertThat(stats.get("pool_available")).as("every lease came back").isEqualTo(stats.get("pool_size"));
            assertThat((long) backends(db, "p_load")).isEqualTo(stats.get("pool_size"));
        }
    }

    @Test
    void aWaiterIsServedWhileOtherThreadsLeaseAndReturnInATightLoop(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_fair").minSize(1).maxSize(1).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(10));
            AtomicInteger spins = new AtomicInteger();
            CountDownLatch stop = new CountDownLatch(1);
            ExecutorService hogs = Executors.newFixedThreadPool(4);
            for (int i = 0; i < 4; i++) {
                hogs.submit(() -> {
                    while (stop.getCount() > 0) {
                        try (Connection<Row> c = pool.connection()) {
                            spins.incrementAndGet();
                        }
                    }
                    return null;
                });
            }
            try {
                await("the hogs to start", Duration.ofSeconds(10), () -> spins.get() > 1000);
                for (int i = 0; i < 20; i++) { // each lease is bounded although newcomers may take freed connections first
                    try (Connection<Row> mine = pool.connection(Duration.ofSeconds(2))) {
                        assertThat(mine.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
                    }
                }
            } finally {
                stop.countDown();
                hogs.shutdown();
                assertThat(hogs.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
            assertThat(pool.getStats().get("requests_errors")).isZero();
        }
    }

    @Test
    void exhaustionTimesOutAndMaxWaitingRefuses(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_exh").minSize(1).maxSize(1).maxWaiting(1)
                .timeout(Duration.ofMillis(300)).open(true).build()) {
            Connection<Row> held = pool.connection();
            long t0 = System.nanoTime();
            assertThatThrownBy(pool::connection).isInstanceOf(PoolTimeout.class).hasMessageContaining("300 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));

            CountDownLatch waiting = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                waiting.countDown();
                try (Connection<Row> c = pool.connection(Duration.ofSeconds(5))) {
                    c.execute("SELECT 1");
                }
            });
            waiter.start();
            waiting.await();
            await("one waiter", Duration.ofSeconds(5), () -> pool.getStats().get("requests_waiting") == 1);
            assertThatThrownBy(pool::connection).isInstanceOf(TooManyRequests.class).hasMessageContaining("maxWaiting 1");
            held.close();
            waiter.join(5000);
            assertThat(waiter.isAlive()).isFalse();
            assertThat(pool.getStats().get("pool_available")).isEqualTo(1L);
        }
    }

    @Test
    void anInterruptedWaiterReturnsPromptlyAndLosesNothing(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_int").minSize(1).maxSize(1).open(true).build()) {
            Connection<Row> held = pool.connection();
            AtomicInteger outcome = new AtomicInteger();
            Thread waiter = new Thread(() -> {
                try {
                    pool.connection(Duration.ofSeconds(30)).close();
                    outcome.set(1);
                } catch (OperationalException e) {
                    outcome.set(e.getMessage().contains("interrupted") ? 2 : 3);
                }
            });
            waiter.start();
            await("the waiter", Duration.ofSeconds(5), () -> pool.getStats().get("requests_waiting") == 1);
            waiter.interrupt();
            waiter.join(2000);
            assertThat(outcome).hasValue(2);
            held.close();
            assertThat(pool.getStats()).containsEntry("pool_available", 1L).containsEntry("requests_waiting", 0L);
        }
    }

    @Test
    void aLeaseGivenBackInATransactionIsRolledBackAndUnusable(TestDatabase db) {
        db.admin("CREATE TABLE pooled (v int)");
        try (ConnectionPool<Row> pool = pool(db, "p_tx").minSize(1).maxSize(1).open(true).build()) {
            Connection<Row> conn = pool.connection();
            conn.execute("INSERT INTO pooled VALUES (1)");
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
            conn.close();
            conn.close(); // idempotent
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(InterfaceException.class)
                    .hasMessageContaining("given back to its pool");
            assertThat(db.adminQuery("SELECT count(*) FROM pooled")).isEqualTo("0");
            try (Connection<Row> again = pool.connection()) {
                assertThat(again.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            }
        }
    }

    @Test
    void withConnectionCommitsOrRollsBack(TestDatabase db) {
        db.admin("CREATE TABLE wc (v int)");
        try (ConnectionPool<Row> pool = pool(db, "p_wc").minSize(1).open(true).build()) {
            long n = pool.withConnection(conn -> conn.execute("INSERT INTO wc VALUES (1) RETURNING v").fetchone().getLong(0));
            assertThat(n).isEqualTo(1);
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> pool.withConnection(conn -> {
                conn.execute("INSERT INTO wc VALUES (2)");
                throw boom;
            })).isSameAs(boom);
            assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM wc")).isEqualTo("1");
        }
    }

    @Test
    void killedConnectionsAreReplacedBeforeTheNextLease(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_kill").minSize(3).maxSize(3).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'p_kill'");
            await("the kill", Duration.ofSeconds(5), () -> backends(db, "p_kill") == 0);
            for (int i = 0; i < 6; i++) {
                try (Connection<Row> conn = pool.connection()) {
                    assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
                }
            }
            assertThat(pool.getStats().get("connections_lost")).isGreaterThanOrEqualTo(1L);
            await("3 fresh backends", Duration.ofSeconds(10), () -> backends(db, "p_kill") == 3);
        }
    }

    @Test
    void thePoolRecoversFromAServerRestartOnItsOwn(TestDatabase db, PostgresServer server) throws Exception {
        assumeTrue(server.isEmbedded(), "needs to stop the server");
        try (ConnectionPool<Row> pool = pool(db, "p_restart").minSize(2).maxSize(2).timeout(Duration.ofSeconds(20))
                .open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            server.stop();
            Thread restarter = new Thread(() -> {
                try {
                    Thread.sleep(1000);
                } catch (InterruptedException e) {
                    return;
                }
                server.start();
            });
            restarter.start();
            try (Connection<Row> conn = pool.connection()) {
                assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
            }
            restarter.join();
            pool.waitReady(Duration.ofSeconds(20));
        }
    }

    @Test
    void maxLifetimeAndMaxIdleRotateConnections(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "p_life").minSize(1).maxSize(3).maxLifetime(Duration.ofMillis(600))
                .maxIdle(Duration.ofMillis(300)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(10));
            int first;
            try (Connection<Row> conn = pool.connection()) {
                first = conn.info().backendPid();
            }
            await("a replaced connection", Duration.ofSeconds(10), () -> {
                try (Connection<Row> conn = pool.connection()) {
                    return conn.info().backendPid() != first;
                }
            });
            List<Connection<Row>> three = List.of(pool.connection(), pool.connection(), pool.connection());
            three.forEach(Connection::close);
            await("shrunk to minSize", Duration.ofSeconds(10), () -> pool.getStats().get("pool_size") == 1);
        }
    }

    @Test
    void configureResetCheckAndCredentialsPerConnection(TestDatabase db) {
        AtomicInteger made = new AtomicInteger();
        AtomicInteger resets = new AtomicInteger();
        AtomicInteger checks = new AtomicInteger();
        try (ConnectionPool<Row> pool = ConnectionPool.builder()
                .credentials(() -> ConnectOptions.builder().conninfo(db.conninfo())
                        .applicationName("p_cred_" + made.incrementAndGet()).build())
                .minSize(1).maxSize(1)
                .configure(conn -> {
                    conn.execute("SET work_mem = '7MB'");
                    conn.commit();
                })
                .reset(conn -> resets.incrementAndGet())
                .check(conn -> {
                    checks.incrementAndGet();
                    ConnectionPool.checkConnection(conn);
                })
                .open(true).build()) {
            try (Connection<Row> conn = pool.connection()) {
                assertThat(conn.execute("SHOW work_mem").fetchone().getString(0)).isEqualTo("7MB");
                assertThat(conn.execute("SHOW application_name").fetchone().getString(0)).isEqualTo("p_cred_1");
            }
            assertThat(resets).hasValue(1);
            assertThat(checks).hasValue(1);
            pool.drain();
            try (Connection<Row> conn = pool.connection()) {
                assertThat(conn.execute("SHOW application_name").fetchone().getString(0))
                        .as("a new connection, with newly computed options").isEqualTo("p_cred_2");
            }
        }
    }

    @Test
    void closedAndUnopenedPoolsSaySo(TestDatabase db) {
        ConnectionPool<Row> pool = pool(db, "p_closed").minSize(0).maxSize(1).build();
        assertThatThrownBy(pool::connection).isInstanceOf(PoolClosed.class).hasMessageContaining("open()");
        pool.open();
        pool.close();
        assertThatThrownBy(pool::connection).isInstanceOf(PoolClosed.class);
        assertThatThrownBy(pool::open).isInstanceOf(PoolClosed.class);
    }

    @Test
    void statsAndPopStats(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db, "p_stats").minSize(1).maxSize(1).open(true).build()) {
            pool.connection().close();
            pool.connection().close();
            assertThat(pool.popStats()).containsKeys("pool_min", "pool_max", "pool_size", "pool_available", "requests_waiting",
                    "usage_ms", "requests_num", "requests_queued", "requests_wait_ms", "requests_errors", "returns_bad",
                    "connections_num", "connections_ms", "connections_errors", "connections_lost")
                    .containsEntry("requests_num", 2L).containsEntry("connections_num", 1L);
            assertThat(pool.getStats()).containsEntry("requests_num", 0L).containsEntry("pool_size", 1L);
        }
    }

    @Test
    void theNullPoolKeepsNothingIdleButBoundsConcurrency(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = NullConnectionPool.builder().conninfo(db.conninfo() + " application_name=p_null")
                .maxSize(2).timeout(Duration.ofMillis(300)).open(true).build()) {
            int pid1;
            try (Connection<Row> conn = pool.connection()) {
                pid1 = conn.info().backendPid();
            }
            try (Connection<Row> conn = pool.connection()) {
                assertThat(conn.info().backendPid()).as("a new connection every time").isNotEqualTo(pid1);
            }
            await("nothing idle", Duration.ofSeconds(5), () -> backends(db, "p_null") == 0);
            Connection<Row> a = pool.connection();
            Connection<Row> b = pool.connection();
            assertThatThrownBy(pool::connection).isInstanceOf(PoolTimeout.class);
            a.close();
            b.close();
        }
    }

    @Test
    void putconnOfAForeignConnectionIsRefused(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db, "p_foreign").minSize(1).maxSize(1).open(true).build();
             Connection<Row> stranger = Connection.connect(db.conninfo())) {
            assertThatThrownBy(() -> pool.putconn(stranger)).isInstanceOf(dev.tusk.errors.ProgrammingException.class)
                    .hasMessageContaining("not lent by pool");
            assertThat(stranger.execute("SELECT 1").fetchone().getInt(0)).as("left untouched").isEqualTo(1);
        }
    }

    @Test
    void reconnectFailedIsCalledWhenTheServerStaysAway(TestDatabase db) throws Exception {
        java.util.concurrent.CountDownLatch failed = new java.util.concurrent.CountDownLatch(1);
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo("host=127.0.0.1 port=1 user=x dbname=x connect_timeout=2")
                .minSize(1).maxSize(1).reconnectTimeout(Duration.ofMillis(800)).reconnectFailed(p -> failed.countDown())
                .open(true).build()) {
            assertThat(failed.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(pool.getStats().get("connections_errors")).isGreaterThanOrEqualTo(2L);
        }
    }
}
