package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.ThreadKinds;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A borrower interrupted in the middle of a statement of its lease, in a transaction, on a platform or a virtual
 * thread (JDK 21+), over TCP or a Unix-domain socket: its statement fails saying it was interrupted, the lease it
 * gives back (interrupt status still set) costs the pool no slot, and the next borrower gets a clean, working
 * connection, never a reply or a transaction of the interrupted one.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolInterruptTest {
    @ParameterizedTest
    @CsvSource({"tcp, platform", "unix, platform", "tcp, virtual", "unix, virtual"})
    void anInterruptedBorrowerLosesNoSlotAndLeavesNothingToTheNext(String transport, String threads, TestDatabase db)
            throws Exception {
        db.admin("CREATE TABLE interrupted_t (v int)");
        String conninfo = "unix".equals(transport) ? db.unixSocketConninfo() : db.conninfo() + " sslmode=disable";
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(conninfo).minSize(1).maxSize(1).open(true)
                .build()) {
            CompletableFuture<Object[]> outcome = new CompletableFuture<>();
            CompletableFuture<Void> running = new CompletableFuture<>();
            Thread borrower = ThreadKinds.start(threads, () -> {
                Throwable t = null;
                try (Connection<Row> a = pool.connection(Duration.ofSeconds(10))) {
                    a.execute("INSERT INTO interrupted_t VALUES (1)");
                    running.complete(null);
                    t = catchThrowable(() -> a.execute("SELECT pg_sleep(20), 'for a'"));
                } catch (Throwable e) {
                    t = t == null ? e : t;
                } finally {
                    outcome.complete(new Object[] {t, Thread.interrupted()});
                }
            });
            assumeTrue(borrower != null, "virtual threads need JDK 21+ to run the tests");
            running.get(10, TimeUnit.SECONDS);
            Thread.sleep(300); // the sleep is sent, the borrower waits for it
            borrower.interrupt();
            Object[] out = outcome.get(10, TimeUnit.SECONDS);
            assertThat((Throwable) out[0]).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted");
            assertThat(out[1]).as("the interrupt status is kept for the borrower").isEqualTo(true);
            try (Connection<Row> b = pool.connection(Duration.ofSeconds(10))) {
                assertThat(b.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                assertThat(b.execute("SELECT 'for b'").fetchone().getString(0)).isEqualTo("for b");
                assertThat(b.execute("SELECT count(*) FROM interrupted_t").fetchone().getLong(0))
                        .as("the interrupted borrower's transaction was not committed").isZero();
            }
            assertThat(pool.getStats()).containsEntry("pool_size", 1L).containsEntry("pool_available", 1L)
                    .containsEntry("requests_waiting", 0L);
        }
    }
}
