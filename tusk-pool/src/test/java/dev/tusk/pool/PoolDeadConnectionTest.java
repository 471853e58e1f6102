package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * trust #20: a connection whose backend is gone (terminated, killed: the socket is at end of stream) is
 * never lent, however shortly before the lease it died, as long as it was not given back less than a
 * millisecond before the lease (a connection that recent is trusted without a system call).
 */
@TuskTest
@Timeout(value = 180, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PoolDeadConnectionTest {

    private static ConnectionPool<Row> pool(String conninfo) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(conninfo + " sslmode=disable").minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(60)).open(true).build();
        pool.waitReady(Duration.ofSeconds(30));
        return pool;
    }

    /** The pid of the connection a lease gets, after a statement on it. */
    private static int leaseAndGiveBack(ConnectionPool<Row> pool) {
        try (Connection<Row> c = pool.connection()) {
            assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            c.rollback();
            return c.info().backendPid();
        }
    }

    /** The next lease gets a live connection: another backend, which answers. */
    private static void nextLeaseIsAlive(ConnectionPool<Row> pool, int deadPid) {
        try (Connection<Row> c = pool.connection()) {
            assertThat(c.info().backendPid()).as("the dead backend's connection was lent").isNotEqualTo(deadPid);
            assertThat(c.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            c.rollback();
        }
    }

    // trust #20
    @Test
    void aTerminatedBackendIsNeverLent(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db.conninfo())) {
            for (int i = 0; i < 40; i++) {
                int pid = leaseAndGiveBack(pool);
                // waits until the backend has exited: its FATAL message and end of stream are on the socket
                assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
                if (i % 2 == 1) {
                    Thread.sleep(i % 4 == 1 ? 5 : 50);
                }
                nextLeaseIsAlive(pool, pid);
            }
        }
    }

    // trust #20, the AsyncConnectionPool (its event loop reads the end of stream as soon as it arrives)
    @Test
    void aTerminatedBackendIsNeverLentByTheAsyncPool(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(60)).build()) {
            pool.open();
            for (int i = 0; i < 20; i++) {
                AsyncConnection<Row> c = pool.connection().get(30, TimeUnit.SECONDS);
                c.execute("SELECT 1").get(10, TimeUnit.SECONDS);
                int pid = c.info().backendPid();
                c.close();
                assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
                AsyncConnection<Row> next = pool.connection().get(30, TimeUnit.SECONDS);
                // the statement first: a connection that answers is not the dead one (the pid check after it would
                // also fail if the system reused the pid at once)
                assertThat(next.execute("SELECT 2").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(2);
                assertThat(next.info().backendPid()).as("the dead backend's connection was lent").isNotEqualTo(pid);
                next.close();
            }
        }
    }

    /**
     * The async pool looks at an idle connection's socket itself before it lends it (session 38, issue 23 item 3: the
     * blocking pool's rule in PoolCore): with every event loop held busy, so that no loop has read the end of a
     * backend terminated while its connection was idle, the next lease still gets a live connection and its first
     * statement succeeds (before, the dead connection was lent and its statement failed with OperationalException
     * once the loop read the end: model seed 2888716643562).
     */
    @Test
    void aTerminatedBackendIsNotLentByTheAsyncPoolWhileTheEventLoopIsBehind(TestDatabase db) throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable")
                .minSize(1).maxSize(1).timeout(Duration.ofSeconds(60)).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(30)).get(30, TimeUnit.SECONDS);
            int loops = (int) Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("tusk-event-loop-")).count(); // the shared group, started
            for (int round = 0; round < 3; round++) {
                AsyncConnection<Row> c = pool.connection().get(30, TimeUnit.SECONDS);
                c.execute("SELECT 1").get(10, TimeUnit.SECONDS);
                int pid = c.info().backendPid();
                c.close();
                List<AsyncConnection<Row>> holders = new ArrayList<>();
                CountDownLatch held = new CountDownLatch(loops);
                CountDownLatch release = new CountDownLatch(1);
                Set<String> heldThreads = ConcurrentHashMap.newKeySet();
                CompletableFuture<AsyncConnection<Row>> next;
                try {
                    for (int i = 0; i < loops; i++) { // one connection on each loop (they are handed out in turn)
                        AsyncConnection<Row> h = AsyncConnection.connect(db.conninfo() + " sslmode=disable").get(30, TimeUnit.SECONDS);
                        holders.add(h);
                    }
                    for (AsyncConnection<Row> h : holders) { // each loop completes its statement, then waits here
                        h.execute("SELECT pg_sleep(0.05)").thenRun(() -> {
                            heldThreads.add(Thread.currentThread().getName());
                            held.countDown();
                            try {
                                release.await(30, TimeUnit.SECONDS);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        });
                    }
                    assertThat(held.await(10, TimeUnit.SECONDS)).as("every event loop held").isTrue();
                    assertThat(heldThreads).as("the threads held").hasSize(loops);
                    assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ", 10000)")).isEqualTo("t");
                    Thread.sleep(2); // idle for longer than the pool trusts without a look
                    next = pool.connection(Duration.ofSeconds(30));
                    Thread.sleep(100);
                } finally {
                    release.countDown();
                }
                AsyncConnection<Row> n = next.get(30, TimeUnit.SECONDS);
                try {
                    assertThat(n.execute("SELECT 2").get(10, TimeUnit.SECONDS).fetchone().getInt(0))
                            .as("round %d: the first statement of the lease after the backend ended", round).isEqualTo(2);
                    assertThat(n.info().backendPid()).as("the dead backend's connection was lent").isNotEqualTo(pid);
                } finally {
                    n.close();
                    holders.forEach(AsyncConnection::close);
                }
            }
        }
    }

    // trust #20: no FATAL message, only the end of stream (the postmaster then restarts every backend)
    @Test
    void aKilledBackendIsNeverLent() throws Exception {
        try (EmbeddedPostgresServer server = PostgresServer.dedicated(b -> { });
             TestDatabase db = server.createDatabase("killed");
             ConnectionPool<Row> pool = pool(db.conninfo())) {
            for (long delay : new long[] {5, 60, 400}) {
                int pid = leaseAndGiveBack(pool);
                ProcessHandle backend = ProcessHandle.of(pid).orElseThrow();
                backend.destroyForcibly(); // SIGKILL
                backend.onExit().get(10, TimeUnit.SECONDS);
                Thread.sleep(delay);
                nextLeaseIsAlive(pool, pid);
            }
        }
    }
}
