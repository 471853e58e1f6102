package dev.tusk.pool.model;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.pool.AsyncConnectionPool;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A row stream made through a pool's lease ends with the lease: a subscriber that asks for nothing more after the
 * lease was given back is told so with onError, never left waiting, and the next borrower gets the connection clean
 * (found by AsyncCloseStressTest's stream left without demand; the model's abandoned streams now rely on it).
 */
@TuskTest
@Timeout(60)
class AsyncLeaseStreamEndTest {
    @Test
    void aStreamWithoutDemandEndsWithItsLease(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .build()) {
            pool.open();
            AsyncConnection<Row> lease = pool.connection().get(20, TimeUnit.SECONDS);
            int pid = lease.info().backendPid();
            AsyncPoolStateMachineTest.Idle sub = new AsyncPoolStateMachineTest.Idle();
            lease.stream("SELECT g FROM generate_series(1, 100000) g").subscribe(sub);
            sub.gotFirst.get(10, TimeUnit.SECONDS);
            lease.close();
            assertThat(sub.ended.get(10, TimeUnit.SECONDS)).isInstanceOf(InterfaceException.class)
                    .hasMessageContaining("given back to its pool");
            AsyncConnection<Row> next = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(next.info().backendPid()).as("the same connection, rolled back and kept").isEqualTo(pid);
            assertThat(next.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(next.execute("SELECT count(*) FROM pg_cursors").get(10, TimeUnit.SECONDS).fetchone().getLong(0))
                    .isZero();
            next.close();
        }
    }
}
