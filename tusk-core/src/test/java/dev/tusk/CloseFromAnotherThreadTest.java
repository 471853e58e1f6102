package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * close() from another thread never waits for the statement running on the connection, nor for the server: the
 * socket is shut, the running statement fails saying the connection was closed (trust #4).
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseFromAnotherThreadTest {

    // trust #4
    @Test
    void closeDuringALongStatementReturnsAtOnceAndTheStatementFailsSayingClosed(TestDatabase db) throws Exception {
        Connection<Row> conn = Connection.connect(db.conninfo());
        CompletableFuture<Throwable> running = CompletableFuture.supplyAsync(
                () -> catchThrowable(() -> conn.execute("SELECT pg_sleep(20)")));
        awaitActive(db, conn.info().backendPid());
        long start = System.nanoTime();
        conn.close();
        assertThat(millis(start)).isLessThan(2000);
        Throwable t = running.get(5, TimeUnit.SECONDS);
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
        assertThat(conn.isClosed()).isTrue();
        assertThat(conn.isBroken()).isFalse(); // closed by the user, not lost
        assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class)
                .hasMessageContaining("closed");
        conn.close(); // idempotent
    }

    // trust #4: a frozen backend (SIGSTOP) answers nothing, close still returns at once
    @Test
    void closeWhileTheBackendIsFrozenReturnsAtOnce(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        Connection<Row> conn = Connection.connect(db.conninfo());
        long pid = conn.info().backendPid();
        CopyAbandonTest.signal("STOP", pid);
        try {
            CompletableFuture<Throwable> running = CompletableFuture.supplyAsync(
                    () -> catchThrowable(() -> conn.execute("SELECT 1")));
            while (!conn.lock.isLocked() && !running.isDone()) {
                Thread.sleep(5);
            }
            Thread.sleep(200); // the statement is sent and waits for the frozen server
            long start = System.nanoTime();
            // on a thread of its own, so that a close() that waits cannot keep this test from resuming the backend
            CompletableFuture.runAsync(conn::close).get(10, TimeUnit.SECONDS);
            assertThat(millis(start)).isLessThan(2000);
            assertThat(running.get(5, TimeUnit.SECONDS)).isInstanceOf(OperationalException.class).hasMessageContaining("closed");
            assertThat(conn.isClosed()).isTrue();
            assertThat(conn.isBroken()).isFalse();
        } finally {
            CopyAbandonTest.signal("CONT", pid);
        }
    }

    private static void awaitActive(TestDatabase db, int pid) throws InterruptedException {
        while (!"active".equals(db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid))) {
            Thread.sleep(20);
        }
    }

    private static long millis(long start) {
        return (System.nanoTime() - start) / 1_000_000L;
    }
}
