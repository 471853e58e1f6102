package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.CursorFactory;
import dev.tusk.Row;
import dev.tusk.RowFactory;
import dev.tusk.Rows;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's missing pool API, ported from psycopg_pool's {@code tests/pool/test_pool.py}, {@code test_pool_async.py}
 * and {@code test_null_pool.py}, on both pools; and the connection attributes a borrower changed, put back when
 * the connection returns.
 */
@Timeout(60)
@TuskTest
class PsycopgParityPoolApiTest {

    /**
     * The settable connection attributes (psycopg's prepare_threshold, prepared_max, row_factory, cursor_factory)
     * a borrower changed are those of the pool's options again for the next borrower, as the other client-side
     * settings (autocommit...) are.
     */
    @Test
    @SuppressWarnings("unchecked")
    void attributesABorrowerChangedAreResetForTheNext(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build()) {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20));
            try (Connection<Row> c = pool.connection()) {
                c.setPrepareThreshold(null);
                c.setPreparedMax(3);
                c.setCursorFactory(CursorFactory.CLIENT_CURSOR);
                c.setRowFactory((RowFactory<Row>) (RowFactory<?>) Rows.row());
                assertThat(c.cursorFactory()).isEqualTo(CursorFactory.CLIENT_CURSOR);
            }
            try (Connection<Row> c = pool.connection()) {
                assertThat(c.prepareThreshold()).isEqualTo(5);
                assertThat(c.preparedMax()).isEqualTo(100);
                assertThat(c.cursorFactory()).isEqualTo(CursorFactory.CURSOR);
                assertThat(c.cursor()).isExactlyInstanceOf(dev.tusk.Cursor.class);
            }
        }
        AsyncConnectionPool<Row> apool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1).build();
        try {
            apool.open();
            AsyncConnection<Row> c = apool.connection().get(20, TimeUnit.SECONDS);
            c.setPrepareThreshold(0);
            c.setCursorFactory(CursorFactory.RAW_CURSOR);
            assertThat(c.cursor()).isExactlyInstanceOf(dev.tusk.AsyncRawCursor.class);
            c.execute("SELECT $1::int", 1).get(20, TimeUnit.SECONDS);
            c.close();
            AsyncConnection<Row> d = apool.connection().get(20, TimeUnit.SECONDS);
            assertThat(d.prepareThreshold()).isEqualTo(5);
            assertThat(d.cursorFactory()).isEqualTo(CursorFactory.CURSOR);
            assertThat(d.cursor()).isExactlyInstanceOf(dev.tusk.AsyncCursor.class);
            d.close();
        } finally {
            apool.close();
        }
    }

    /**
     * psycopg test_pool.py / test_pool_async.py::test_defaults and test_resize: the settings read back as
     * psycopg_pool's attributes ({@code min_size}, {@code max_size}, {@code timeout}, {@code max_idle},
     * {@code max_lifetime}, {@code num_workers}); min and max follow resize().
     */
    @Test
    void settingsReadBackAndFollowResize(TestDatabase db) {
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).build()) {
            assertThat(pool.minSize()).isEqualTo(4);
            assertThat(pool.maxSize()).isEqualTo(4);
            assertThat(pool.timeout()).isEqualTo(Duration.ofSeconds(30));
            assertThat(pool.maxIdle()).isEqualTo(Duration.ofMinutes(10));
            assertThat(pool.maxLifetime()).isEqualTo(Duration.ofHours(1));
            assertThat(pool.numWorkers()).isEqualTo(3);
            pool.resize(2, 6);
            assertThat(pool.minSize()).isEqualTo(2);
            assertThat(pool.maxSize()).isEqualTo(6);
        }
        AsyncConnectionPool<Row> apool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(3)
                .timeout(Duration.ofSeconds(7)).maxIdle(Duration.ofSeconds(70)).maxLifetime(Duration.ofMinutes(7))
                .numWorkers(2).build();
        try {
            assertThat(apool.minSize()).isEqualTo(1);
            assertThat(apool.maxSize()).isEqualTo(3);
            assertThat(apool.timeout()).isEqualTo(Duration.ofSeconds(7));
            assertThat(apool.maxIdle()).isEqualTo(Duration.ofSeconds(70));
            assertThat(apool.maxLifetime()).isEqualTo(Duration.ofMinutes(7));
            assertThat(apool.numWorkers()).isEqualTo(2);
            apool.resize(0, 5);
            assertThat(apool.minSize()).isZero();
            assertThat(apool.maxSize()).isEqualTo(5);
        } finally {
            apool.close();
        }
        AsyncConnectionPool<Row> nullPool = AsyncNullConnectionPool.builder().conninfo(db.conninfo()).maxSize(2).build();
        assertThat(nullPool.minSize()).isZero();
        assertThat(nullPool.maxSize()).isEqualTo(2);
        nullPool.close();
    }

    /**
     * psycopg test_pool.py::test_close_no_threads (and test_pool_async.py's): close(timeout) returns once the
     * pool's worker threads have stopped; the pool is closed; a lease fails with PoolClosed. The async pool's
     * close(timeout) is a future.
     */
    @Test
    void closeWithTimeoutWaitsForTheWorkers(TestDatabase db) throws Exception {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).name("closing-b").minSize(2).build();
        pool.open();
        pool.waitReady(Duration.ofSeconds(20));
        assertThat(workerThreads("closing-b")).isNotEmpty();
        pool.close(Duration.ofSeconds(5));
        assertThat(pool.isClosed()).isTrue();
        assertThat(workerThreads("closing-b")).isEmpty();
        assertThatThrownBy(pool::connection).isInstanceOf(PoolClosed.class);
        assertThatThrownBy(() -> pool.close(Duration.ofSeconds(-1))).isInstanceOf(dev.tusk.errors.ProgrammingException.class);

        AsyncConnectionPool<Row> apool = AsyncConnectionPool.builder().conninfo(db.conninfo()).name("closing-a").minSize(2).build();
        apool.open();
        apool.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
        AsyncConnection<Row> held = apool.connection().get(20, TimeUnit.SECONDS);
        CompletableFuture<Void> closed = apool.close(Duration.ofSeconds(5));
        closed.get(10, TimeUnit.SECONDS);
        assertThat(apool.isClosed()).isTrue();
        assertThat(workerThreads("closing-a")).isEmpty();
        assertThatThrownBy(() -> apool.connection().get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(PoolClosed.class);
        held.close(); // a lent connection is closed when given back
        AsyncConnectionPool<Row> never = AsyncConnectionPool.builder().conninfo(db.conninfo()).build();
        never.closeAsync().get(1, TimeUnit.SECONDS); // never opened: nothing to wait for
    }

    private static List<Thread> workerThreads(String pool) throws InterruptedException {
        long deadline = System.nanoTime() + 200_000_000L; // a worker thread ends just after the executor says so
        List<Thread> alive;
        do {
            alive = Thread.getAllStackTraces().keySet().stream()
                    .filter(t -> t.getName().startsWith("tusk-pool-" + pool + "-worker-") && t.isAlive()).toList();
            if (!alive.isEmpty()) {
                Thread.sleep(10);
            }
        } while (!alive.isEmpty() && System.nanoTime() < deadline);
        return alive;
    }

    /**
     * psycopg test_pool_async.py::test_wait_ready and test_wait_closed: waitReady completes once minSize connections
     * are open; it fails with PoolTimeout when they cannot be (nothing listens on the port), PoolClosed once closed.
     */
    @Test
    void asyncWaitReadyCompletesOrTimesOut(TestDatabase db) throws Exception {
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(2).build();
        try {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            assertThat(pool.getStats().get("pool_available")).isEqualTo(2L);
        } finally {
            pool.close();
        }
        assertThatThrownBy(() -> pool.waitReady(Duration.ofSeconds(1)).get(10, TimeUnit.SECONDS))
                .hasCauseInstanceOf(PoolClosed.class);
        AsyncConnectionPool<Row> unreachable = AsyncConnectionPool.builder().conninfo("host=127.0.0.1 port=1 connect_timeout=1")
                .minSize(1).build();
        try {
            unreachable.open();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> unreachable.waitReady(Duration.ofMillis(300)).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PoolTimeout.class).hasMessageContaining("not ready");
            assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
        } finally {
            unreachable.close();
        }
    }

    /**
     * psycopg test_pool_async.py::test_check: check() runs the check on every idle connection and replaces those
     * that fail it (counted in connections_lost); the others stay.
     */
    @Test
    void asyncCheckReplacesTheIdleConnectionsThatFail(TestDatabase db) throws Exception {
        AtomicBoolean reject = new AtomicBoolean();
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(2)
                .check(c -> reject.get() ? CompletableFuture.failedFuture(new IllegalStateException("rejected"))
                        : c.execute("SELECT 1"))
                .build();
        try {
            pool.open();
            pool.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            Set<Integer> before = pids(pool);
            pool.check().get(20, TimeUnit.SECONDS);
            assertThat(pids(pool)).isEqualTo(before); // all passed: kept
            reject.set(true);
            pool.check().get(20, TimeUnit.SECONDS);
            reject.set(false);
            assertThat(pool.getStats().get("connections_lost")).isEqualTo(2L);
            pool.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            Set<Integer> after = pids(pool);
            assertThat(after).hasSize(2).doesNotContainAnyElementsOf(before);
        } finally {
            pool.close();
        }
        AsyncConnectionPool<Row> plain = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).build();
        try {
            plain.open();
            plain.waitReady(Duration.ofSeconds(20)).get(30, TimeUnit.SECONDS);
            plain.check().get(20, TimeUnit.SECONDS); // the default check: an empty query in autocommit
            assertThat(plain.getStats().getOrDefault("connections_lost", 0L)).isZero();
            AsyncConnection<Row> c = plain.connection().get(20, TimeUnit.SECONDS);
            assertThat(c.autocommit()).isFalse();
            assertThat(c.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
            c.close();
        } finally {
            plain.close();
        }
    }

    /** The backend pids of the pool's two connections, leased together. */
    private static Set<Integer> pids(AsyncConnectionPool<Row> pool) throws Exception {
        AsyncConnection<Row> a = pool.connection().get(20, TimeUnit.SECONDS);
        AsyncConnection<Row> b = pool.connection().get(20, TimeUnit.SECONDS);
        Set<Integer> out = new HashSet<>(List.of(a.info().backendPid(), b.info().backendPid()));
        a.close();
        b.close();
        long deadline = System.nanoTime() + 10_000_000_000L; // a give-back completes on the event loop
        while (pool.getStats().get("pool_available") < 2 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        return out;
    }

    /**
     * psycopg test_pool_async.py::test_queue_timeout_override: connection(timeout) waits that long, not the
     * pool's timeout, before PoolTimeout.
     */
    @Test
    void asyncConnectionWithATimeoutOverridesThePools(TestDatabase db) throws Exception {
        AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(30)).build();
        try {
            pool.open();
            AsyncConnection<Row> held = pool.connection().get(20, TimeUnit.SECONDS);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> pool.connection(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(PoolTimeout.class);
            assertThat(System.nanoTime() - t0).isBetween(150_000_000L, 5_000_000_000L);
            held.close();
            pool.connection(Duration.ofSeconds(5)).get(10, TimeUnit.SECONDS).close();
        } finally {
            pool.close();
        }
    }

    /**
     * psycopg test_null_pool_async.py::test_connection_not_lost / test_its_no_pool and test_max_size: each lease of
     * an AsyncNullConnectionPool is a new connection, closed when given back (none idle); maxSize bounds the open
     * ones, a lease beyond it waits for a give-back, or fails with PoolTimeout.
     */
    @Test
    void asyncNullPoolOpensAConnectionPerLeaseWithinMaxSize(TestDatabase db) throws Exception {
        AsyncConnectionPool<Row> pool = AsyncNullConnectionPool.builder().conninfo(db.conninfo()).maxSize(1)
                .timeout(Duration.ofSeconds(10)).build();
        try (Connection<Row> witness = Connection.connect(db.conninfo())) {
            // in autocommit: inside a transaction the server shows pg_stat_activity as it was at the transaction's
            // first look, so a backend still there then would stay there for every later poll
            witness.setAutocommit(true);
            pool.open();
            AsyncConnection<Row> first = pool.connection().get(20, TimeUnit.SECONDS);
            int pid1 = first.info().backendPid();
            first.execute("SELECT 1").get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> pool.connection(Duration.ofMillis(200)).get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(PoolTimeout.class);
            CompletableFuture<AsyncConnection<Row>> waiting = pool.connection();
            Thread.sleep(100);
            assertThat(waiting).isNotDone();
            first.close();
            AsyncConnection<Row> second = waiting.get(20, TimeUnit.SECONDS);
            int pid2 = second.info().backendPid();
            assertThat(pid2).isNotEqualTo(pid1);
            assertThat(witness.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", pid2).fetchone().getLong(0))
                    .as("the witness sees the second connection's backend while it is open").isEqualTo(1);
            second.close();
            long deadline = System.nanoTime() + 10_000_000_000L;
            long alive;
            do {
                alive = witness.execute("SELECT count(*) FROM pg_stat_activity WHERE pid IN (%s, %s)", pid1, pid2)
                        .fetchone().getLong(0);
                if (alive > 0) {
                    Thread.sleep(20);
                }
            } while (alive > 0 && System.nanoTime() < deadline);
            assertThat(alive).as("both closed when given back (first pid %s, second pid %s); still there: %s", pid1,
                    pid2, alive == 0 ? "" : stillThere(witness, pid1, pid2)).isZero();
            assertThat(pool.getStats().get("pool_available")).isZero();
        } finally {
            pool.close();
        }
    }

    /** What the server says of backends a test expected gone: pid, state, last query, wait event, since when. */
    private static String stillThere(Connection<Row> witness, int... pids) {
        StringBuilder out = new StringBuilder();
        for (int pid : pids) {
            witness.execute("SELECT pid, state, query, wait_event_type, wait_event, state_change::text"
                    + " FROM pg_stat_activity WHERE pid = %s", pid).fetchall().forEach(r -> out.append(r).append("; "));
        }
        return out.toString();
    }
}
