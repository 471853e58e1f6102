package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The server stops under a {@link ConnectionPool} and comes back: leases fail with a PoolTimeout that says the
 * server cannot be reached (with the connection error as its cause), the pool recovers after the restart, and a
 * connection that died while lent never goes back to the idle set.
 */
@TuskTest
@Timeout(90)
class PoolServerFaultsTest {

    private static ConnectionPool<Row> pool(TestDatabase db, int size, Duration timeout) {
        return ConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable connect_timeout=3")
                .minSize(size).maxSize(size).timeout(timeout).open(true).build();
    }

    /** A lease that works within {@code within}, retried until then (the pool reconnects with a backoff). */
    private static int leaseAndQuery(ConnectionPool<Row> pool, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            try (Connection<Row> c = pool.connection(Duration.ofSeconds(2))) {
                return c.execute("SELECT 42").fetchone().getInt(0);
            } catch (OperationalException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
            }
        }
    }

    @Test
    void leasesWhileTheServerIsDownSayItCannotBeReachedAndThePoolRecovers(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database must survive the immediate stop
        try (ConnectionPool<Row> pool = pool(db, 2, Duration.ofSeconds(2))) {
            pool.waitReady(Duration.ofSeconds(20));
            db.server().stop(StopMode.IMMEDIATE);
            try {
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> pool.connection(Duration.ofMillis(1500)).close());
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(8));
                assertThat(t).isInstanceOf(PoolTimeout.class);
                assertThat(t.getMessage()).contains("after 1500 ms").contains("the server cannot be reached")
                        .contains("port " + db.port()).doesNotContain("in use");
                assertThat(t.getCause()).as("the connection error").isInstanceOf(OperationalException.class)
                        .isNotInstanceOf(PoolTimeout.class);
                assertThat(pool.getStats().get("connections_errors")).isPositive();
            } finally {
                db.server().start();
            }
            assertThat(leaseAndQuery(pool, Duration.ofSeconds(30))).isEqualTo(42);
            // every connection now works: the dead ones were replaced, not lent
            for (int i = 0; i < 6; i++) {
                try (Connection<Row> c = pool.connection(Duration.ofSeconds(20))) {
                    assertThat(c.execute("SELECT %s::int", i).fetchone().getInt(0)).isEqualTo(i);
                }
            }
        }
    }

    @Test
    void aConnectionThatDiedWhileLentIsNotReturnedToTheIdleSet(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (ConnectionPool<Row> pool = pool(db, 1, Duration.ofSeconds(20))) {
            pool.waitReady(Duration.ofSeconds(20));
            Connection<Row> lent = pool.connection();
            int oldPid = lent.info().backendPid();
            db.server().restart(); // fast: the server tells every backend's client it is shutting down
            long lostBefore = pool.getStats().getOrDefault("returns_bad", 0L);
            lent.close(); // given back without the borrower noticing anything
            assertThat(pool.getStats().get("pool_available")).as("not idle").isZero();
            assertThat(pool.getStats().getOrDefault("returns_bad", 0L)).isEqualTo(lostBefore + 1);
            try (Connection<Row> c = pool.connection()) {
                assertThat(c.info().backendPid()).isNotEqualTo(oldPid);
                assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
        }
    }

    @Test
    void aBorrowerWhoseConnectionDiesSeesTheLossAndTheNextLeaseWorks(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (ConnectionPool<Row> pool = pool(db, 2, Duration.ofSeconds(20))) {
            pool.waitReady(Duration.ofSeconds(20));
            Throwable t = catchThrowable(() -> pool.withConnection(c -> {
                c.execute("SELECT 1");
                db.server().stop(StopMode.IMMEDIATE);
                db.server().start();
                return c.execute("SELECT 2");
            }));
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(PoolTimeout.class);
            // the server announced the immediate shutdown with a WARNING before closing: the error says so
            assertThat(t.getMessage()).contains("the server closed the connection")
                    .contains("terminating connection due to immediate shutdown command").contains("broken");
            assertThat(leaseAndQuery(pool, Duration.ofSeconds(30))).isEqualTo(42);
            assertThat(pool.getStats().get("pool_size")).isLessThanOrEqualTo(2L);
        }
    }

    @Test
    void allConnectionsInUseIsNotReportedAsAnUnreachableServer(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db, 1, Duration.ofSeconds(20))) {
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> busy = pool.connection()) {
                Throwable t = catchThrowable(() -> pool.connection(Duration.ofMillis(300)));
                assertThat(t).isInstanceOf(PoolTimeout.class).hasMessageContaining("in use")
                        .hasMessageNotContaining("cannot be reached");
                assertThat(t.getCause()).isNull();
                assertThat(busy.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
        }
    }
}
