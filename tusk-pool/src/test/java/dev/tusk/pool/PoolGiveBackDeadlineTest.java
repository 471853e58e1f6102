package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A borrower gives back a connection it used while the server is frozen (its backend SIGSTOPped): the pool's
 * own ROLLBACK and session reset wait at most {@link PoolFront#REPAIR_TIMEOUT} and the cancel's grace, then the
 * connection is closed and replaced. The blocking pool's close() returns, the async pool's slot comes back: the
 * next borrower gets another backend, which answers.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolGiveBackDeadlineTest {

    /** The repair's deadline plus the most grace a cancel gets, plus scheduling slack. */
    private static final Duration BOUND = PoolFront.REPAIR_TIMEOUT.plusSeconds(10 + 10);

    private static void signal(String sig, int pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
        assertThat(p.waitFor()).as("kill -" + sig + " " + pid).isZero();
    }

    @Test
    void closeOfAUsedLeaseOnAFrozenServerReturnsWithinTheRepairDeadline(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(60)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(30));
            Connection<Row> c = pool.connection();
            c.execute("SELECT 1"); // a transaction is open: the give-back rolls it back and resets the session
            int pid = c.info().backendPid();
            long elapsed;
            signal("STOP", pid);
            try {
                long start = System.nanoTime();
                c.close();
                elapsed = System.nanoTime() - start;
            } finally {
                signal("CONT", pid);
            }
            assertThat(Duration.ofNanos(elapsed)).as("close() of a used lease on a frozen server").isLessThan(BOUND);
            try (Connection<Row> next = pool.connection()) {
                assertThat(next.info().backendPid()).as("the frozen connection was lent again").isNotEqualTo(pid);
                assertThat(next.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            }
        }
    }

    @Test
    void theAsyncPoolGetsItsSlotBackFromAFrozenServerWithinTheRepairDeadline(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable")
                .minSize(1).maxSize(1).timeout(BOUND).build()) {
            pool.open();
            AsyncConnection<Row> c = pool.connection().get(30, TimeUnit.SECONDS);
            c.execute("SELECT 1").get(10, TimeUnit.SECONDS);
            int pid = c.info().backendPid();
            signal("STOP", pid);
            try {
                c.close(); // the repair runs on the event loop; the only slot comes back when it ends
                AsyncConnection<Row> next = pool.connection().get(BOUND.toSeconds() + 10, TimeUnit.SECONDS);
                try {
                    assertThat(next.info().backendPid()).as("the frozen connection was lent again").isNotEqualTo(pid);
                    assertThat(next.execute("SELECT 2").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(2);
                } finally {
                    next.close();
                }
            } finally {
                signal("CONT", pid);
            }
        }
    }
}
