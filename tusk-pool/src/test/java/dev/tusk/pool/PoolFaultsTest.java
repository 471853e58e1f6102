package dev.tusk.pool;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Network faults under a pool: the borrower sees the failure, the pool never lends a broken connection again. */
@TuskTest
@Timeout(60)
class PoolFaultsTest {
    @Test
    void connectionsResetByTheNetworkAreReplaced(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             ConnectionPool<Row> pool = ConnectionPool.builder().options(ConnectOptions.builder().conninfo(db.conninfo())
                     .host("127.0.0.1").port(proxy.port()).sslmode("disable").build())
                     .minSize(3).maxSize(3).timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            Connection<Row> lent = pool.connection();
            proxy.failNow(FaultProxy.Action.RESET); // every connection, lent or idle
            assertThatThrownBy(() -> lent.execute("SELECT 1")).isInstanceOf(OperationalException.class);
            lent.close(); // given back broken: replaced
            Thread.sleep(1100); // idle for over a second: the pool probes with a read, which sees the reset
            for (int i = 0; i < 10; i++) {
                try (Connection<Row> c = pool.connection()) {
                    assertThat(c.execute("SELECT %s::int", i).fetchone().getInt(0)).isEqualTo(i);
                }
            }
            assertThat(pool.getStats().get("connections_num")).as("replacements were opened").isGreaterThan(3L);
        }
    }

    @Test
    void aSilentNetworkEndsInATimeoutNotAHang(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             ConnectionPool<Row> pool = ConnectionPool.builder().options(ConnectOptions.builder().conninfo(db.conninfo())
                     .host("127.0.0.1").port(proxy.port()).sslmode("disable").socketTimeout(Duration.ofSeconds(2)).build())
                     .minSize(1).maxSize(1).timeout(Duration.ofSeconds(10)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            proxy.failNow(FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pool.withConnection(c -> c.execute("SELECT 1").fetchone()))
                    .isInstanceOf(OperationalException.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        }
    }
}
