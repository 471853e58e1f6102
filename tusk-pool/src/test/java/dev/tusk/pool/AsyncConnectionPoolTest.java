package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(120)
class AsyncConnectionPoolTest {
    private static AsyncConnectionPool.Builder<Row> pool(TestDatabase db, String app) {
        return AsyncConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app);
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(10);
        }
    }

    @Test
    void tenThousandConcurrentLeasesOnFourConnections(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = pool(db, "ap_load").minSize(2).maxSize(4).build()) {
            pool.open();
            List<CompletableFuture<Integer>> all = new ArrayList<>();
            for (int i = 0; i < 10_000; i++) {
                int n = i;
                all.add(pool.withConnection(conn -> conn.execute("SELECT %s::int", n).thenApply(c -> c.fetchone().getInt(0))));
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).get(90, TimeUnit.SECONDS);
            for (int i = 0; i < all.size(); i++) {
                assertThat(all.get(i).join()).isEqualTo(i);
            }
            await("every lease back", () -> pool.getStats().get("pool_available").equals(pool.getStats().get("pool_size")));
            assertThat(pool.getStats().get("pool_size")).isLessThanOrEqualTo(4L);
            assertThat(pool.getStats().get("requests_errors")).isZero();
            assertThat(Long.parseLong(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ap_load'")))
                    .isEqualTo(pool.getStats().get("pool_size"));
        }
    }

    @Test
    void exhaustionTimesOutAndACancelledLeaseLosesNothing(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = pool(db, "ap_exh").minSize(1).maxSize(1).timeout(Duration.ofMillis(300)).build()) {
            pool.open();
            AsyncConnection<Row> held = pool.connection().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pool.connection().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PoolTimeout.class);
            CompletableFuture<AsyncConnection<Row>> cancelled = pool.connection();
            cancelled.cancel(false);
            held.close();
            await("the connection back", () -> pool.getStats().get("pool_available") == 1);
            AsyncConnection<Row> again = pool.connection().get(10, TimeUnit.SECONDS);
            assertThat(again.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
            again.close();
        }
    }

    @Test
    void aLeaseGivenBackInATransactionIsRolledBack(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ap (v int)");
        try (AsyncConnectionPool<Row> pool = pool(db, "ap_tx").minSize(1).maxSize(1).build()) {
            pool.open();
            AsyncConnection<Row> conn = pool.connection().get(10, TimeUnit.SECONDS);
            conn.execute("INSERT INTO ap VALUES (1)").join();
            conn.close();
            assertThatThrownBy(() -> conn.execute("SELECT 1").join()).hasMessageContaining("given back to its pool");
            AsyncConnection<Row> next = pool.connection().get(10, TimeUnit.SECONDS);
            assertThat(next.execute("SELECT count(*) FROM ap").join().fetchone().getLong(0)).isZero();
            next.close();
            assertThat(pool.withConnection(c -> c.execute("INSERT INTO ap VALUES (2)")).thenApply(c -> 1)
                    .get(10, TimeUnit.SECONDS)).isEqualTo(1);
            assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM ap")).isEqualTo("2");
        }
    }

    @Test
    void aClosedPoolSaysSo(TestDatabase db) {
        AsyncConnectionPool<Row> pool = pool(db, "ap_closed").minSize(0).maxSize(1).build();
        assertThatThrownBy(() -> pool.connection().join()).hasCauseInstanceOf(PoolClosed.class);
        pool.open();
        pool.close();
        assertThatThrownBy(() -> pool.connection().join()).hasCauseInstanceOf(PoolClosed.class);
    }

    @Test
    void configureCheckMaxIdleDrainAndStats(TestDatabase db) throws Exception {
        java.util.concurrent.atomic.AtomicInteger checks = new java.util.concurrent.atomic.AtomicInteger();
        try (AsyncConnectionPool<Row> pool = pool(db, "ap_cfg").minSize(1).maxSize(3).maxIdle(Duration.ofMillis(200))
                .configure(c -> c.execute("SET work_mem = '9MB'").thenCompose(x -> c.commit()))
                .check(c -> {
                    checks.incrementAndGet();
                    return c.execute("SELECT 1");
                })
                .build()) {
            pool.open();
            AsyncConnection<Row> a = pool.connection().get(10, TimeUnit.SECONDS);
            assertThat(a.execute("SHOW work_mem").join().fetchone().getString(0)).isEqualTo("9MB");
            int pidA = a.info().backendPid();
            AsyncConnection<Row> b = pool.connection().get(10, TimeUnit.SECONDS);
            AsyncConnection<Row> c = pool.connection().get(10, TimeUnit.SECONDS);
            a.rollback().join();
            b.rollback().join();
            c.rollback().join();
            a.close();
            b.close();
            c.close();
            assertThat(checks).hasValue(3);
            await("shrunk to minSize after maxIdle", () -> pool.getStats().get("pool_size") == 1);
            pool.drain();
            await("a fresh connection", () -> pool.getStats().get("pool_available") == 1);
            AsyncConnection<Row> fresh = pool.connection().get(10, TimeUnit.SECONDS);
            assertThat(fresh.info().backendPid()).isNotEqualTo(pidA);
            fresh.close();
            assertThat(pool.popStats()).containsKeys("usage_ms", "requests_num", "connections_num", "connections_lost")
                    .containsEntry("requests_num", 4L);
            assertThat(pool.getStats()).containsEntry("requests_num", 0L);
        }
    }
}
