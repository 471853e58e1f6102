package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.DataException;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** checkAll, drain, resize and bad returns of the blocking pool, seen from the server's pg_stat_activity. */
@TuskTest
@Timeout(60)
class PoolMaintenanceTest {
    private static ConnectionPool.Builder<Row> pool(TestDatabase db, String app) {
        return ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app);
    }

    private static Set<String> backendPids(TestDatabase db, String app) {
        String pids = db.adminQuery("SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity"
                + " WHERE application_name = '" + app + "'");
        return pids.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(pids.split(",")));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void checkAllReplacesDeadIdleConnections(TestDatabase db) throws Exception {
        String app = "pm_checkall";
        try (ConnectionPool<Row> pool = pool(db, app).minSize(2).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(10));
            Set<String> before = backendPids(db, app);
            db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
            await("the backends gone", () -> backendPids(db, app).isEmpty());
            pool.checkAll();
            assertThat(pool.getStats()).containsEntry("connections_lost", 2L);
            await("two new backends", () -> backendPids(db, app).size() == 2);
            assertThat(backendPids(db, app)).doesNotContainAnyElementsOf(before);
            int one = pool.withConnection(c -> c.execute("SELECT 1").fetchone().getInt(0));
            assertThat(one).isEqualTo(1);
        }
    }

    @Test
    void drainReplacesIdleConnectionsAtOnceAndLentOnesWhenReturned(TestDatabase db) throws Exception {
        String app = "pm_drain";
        try (ConnectionPool<Row> pool = pool(db, app).minSize(2).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(10));
            Connection<Row> out = pool.getconn();
            int lentPid = out.info().backendPid();
            Set<String> before = backendPids(db, app);
            pool.drain();
            assertThat(out.execute("SELECT 1").fetchone().getInt(0)).as("a lent connection keeps working").isEqualTo(1);
            await("the idle one replaced", () -> !backendPids(db, app).containsAll(before)
                    && backendPids(db, app).contains(String.valueOf(lentPid)));
            out.close();
            await("every connection replaced", () -> {
                Set<String> now = backendPids(db, app);
                return now.size() == 2 && now.stream().noneMatch(before::contains);
            });
        }
    }

    @Test
    void resizeGrowsAtOnceAndRefusesBadBounds(TestDatabase db) throws Exception {
        String app = "pm_resize";
        try (ConnectionPool<Row> pool = pool(db, app).minSize(1).maxSize(2).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(10));
            pool.resize(3, 5);
            await("three backends", () -> backendPids(db, app).size() == 3);
            assertThat(pool.getStats()).containsEntry("pool_min", 3L).containsEntry("pool_max", 5L);
            assertThatThrownBy(() -> pool.resize(4, 2)).hasMessageContaining("bad pool bounds");
            pool.resize(1, 1);
            assertThat(pool.getStats()).containsEntry("pool_min", 1L).containsEntry("pool_max", 1L);
        }
    }

    @Test
    void aFailedTransactionIsRolledBackAndABrokenConnectionReplacedOnReturn(TestDatabase db) throws Exception {
        String app = "pm_bad";
        try (ConnectionPool<Row> pool = pool(db, app).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(10));
            try (Connection<Row> conn = pool.connection()) {
                assertThatThrownBy(() -> conn.execute("SELECT 1/0")).isInstanceOf(DataException.class);
                assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
            }
            Connection<Row> c = pool.getconn();
            assertThat(c.info().transactionStatus()).as("rolled back on return").isEqualTo(TransactionStatus.IDLE);
            db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app + "'");
            assertThatThrownBy(() -> c.execute("SELECT 1")).isInstanceOf(OperationalException.class);
            assertThat(c.isBroken()).isTrue();
            pool.putconn(c);
            assertThat(pool.getStats()).containsEntry("returns_bad", 1L);
            try (Connection<Row> fresh = pool.connection(Duration.ofSeconds(10))) {
                assertThat(fresh.isBroken()).isFalse();
                assertThat(fresh.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
            await("one backend again", () -> backendPids(db, app).size() == 1);
        }
    }
}
