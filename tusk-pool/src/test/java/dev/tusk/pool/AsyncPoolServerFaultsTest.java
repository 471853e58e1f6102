package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server stops under an {@link AsyncConnectionPool} and comes back, as {@link PoolServerFaultsTest}. */
@TuskTest
@Timeout(90)
class AsyncPoolServerFaultsTest {

    private static AsyncConnectionPool<Row> pool(TestDatabase db, int size, Duration timeout) {
        AsyncConnectionPool<Row> p = AsyncConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable connect_timeout=3")
                .minSize(size).maxSize(size).timeout(timeout).build();
        p.open();
        return p;
    }

    private static Throwable failure(CompletableFuture<?> f) throws Exception {
        try {
            f.get(20, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            return e.getCause();
        }
        throw new AssertionError("the future must fail");
    }

    private static void awaitAvailable(AsyncConnectionPool<Row> pool, long n) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pool.getStats().get("pool_available") < n && System.nanoTime() < deadline) {
            sleep(20);
        }
        assertThat(pool.getStats().get("pool_available")).isGreaterThanOrEqualTo(n);
    }

    private static int leaseAndQuery(AsyncConnectionPool<Row> pool, Duration within) throws Exception {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try {
                return pool.withConnection(c -> c.execute("SELECT 42").thenApply(cur -> cur.fetchone().getInt(0)))
                        .get(20, TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                sleep(100);
            }
        }
    }

    @Test
    void leasesWhileTheServerIsDownSayItCannotBeReachedAndThePoolRecovers(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (AsyncConnectionPool<Row> pool = pool(db, 2, Duration.ofMillis(1500))) {
            awaitAvailable(pool, 2);
            db.server().stop(StopMode.IMMEDIATE);
            try {
                Throwable t = failure(pool.connection());
                assertThat(t).isInstanceOf(PoolTimeout.class);
                assertThat(t.getMessage()).contains("after 1500 ms").contains("the server cannot be reached")
                        .contains("port " + db.port()).doesNotContain("in use");
                assertThat(t.getCause()).isInstanceOf(OperationalException.class).isNotInstanceOf(PoolTimeout.class);
            } finally {
                db.server().start();
            }
            assertThat(leaseAndQuery(pool, Duration.ofSeconds(30))).isEqualTo(42);
            for (int i = 0; i < 6; i++) {
                int v = i;
                assertThat(pool.withConnection(c -> c.execute("SELECT %s::int", v).thenApply(cur -> cur.fetchone().getInt(0)))
                        .get(20, TimeUnit.SECONDS)).isEqualTo(i);
            }
        }
    }

    @Test
    void aConnectionThatDiedWhileLentIsNotReturnedToTheIdleSet(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (AsyncConnectionPool<Row> pool = pool(db, 1, Duration.ofSeconds(20))) {
            awaitAvailable(pool, 1);
            AsyncConnection<Row> lent = pool.connection().get(20, TimeUnit.SECONDS);
            int oldPid = lent.info().backendPid();
            db.server().restart();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!lent.isBroken() && System.nanoTime() < deadline) {
                sleep(10); // the event loop sees the shutdown without any call
            }
            assertThat(lent.isBroken()).isTrue();
            lent.close(); // given back
            sleep(100);
            AsyncConnection<Row> next = pool.connection().get(20, TimeUnit.SECONDS);
            try {
                assertThat(next).isNotSameAs(lent);
                assertThat(next.info().backendPid()).isNotEqualTo(oldPid);
                assertThat(next.execute("SELECT 1").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(1);
            } finally {
                next.close();
            }
        }
    }

    @Test
    void aBorrowerWhoseConnectionDiesSeesTheLossAndTheNextLeaseWorks(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (AsyncConnectionPool<Row> pool = pool(db, 2, Duration.ofSeconds(20))) {
            awaitAvailable(pool, 2);
            Throwable t = failure(pool.withConnection(c -> c.execute("SELECT 1").thenCompose(cur -> {
                db.server().stop(StopMode.IMMEDIATE); // off the event loop: a blocking call
                return c.execute("SELECT 2");
            }).toCompletableFuture()));
            db.server().start();
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(PoolTimeout.class);
            assertThat(t.getMessage()).matches("(?is).*(lost|broken).*");
            assertThat(leaseAndQuery(pool, Duration.ofSeconds(30))).isEqualTo(42);
        }
    }

    @Test
    void allConnectionsInUseIsNotReportedAsAnUnreachableServer(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = pool(db, 1, Duration.ofMillis(300))) {
            AsyncConnection<Row> busy = pool.connection().get(20, TimeUnit.SECONDS);
            try {
                Throwable t = failure(pool.connection());
                assertThat(t).isInstanceOf(PoolTimeout.class).hasMessageContaining("in use")
                        .hasMessageNotContaining("cannot be reached");
                assertThat(t.getCause()).isNull();
            } finally {
                busy.close();
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
