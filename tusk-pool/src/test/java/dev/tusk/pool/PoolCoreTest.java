package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What both pools get from their one core ({@link PoolCore}), tested on both: the reconnect backoff (its jitter,
 * its bounds following {@code reconnectTimeout}), the warning logged when the pool gives up reconnecting, and
 * the maintenance that finds an idle connection whose backend was terminated and replaces it before any
 * borrower sees it. These three once differed between the blocking and the async pool.
 */
@TuskTest
@Timeout(60)
class PoolCoreTest {
    /** The pools, behind what these tests need of them. */
    enum Kind {
        BLOCKING, ASYNC
    }

    interface AnyPool extends AutoCloseable {
        Map<String, Long> stats();

        /** Leases two connections at once, runs a statement on each, and returns their backend pids. */
        List<Integer> leaseTwoAndQuery() throws Exception;

        @Override
        void close();
    }

    /** The settings both builders share, set once through their common type ({@link PoolConfig}). */
    private static <P, B extends PoolConfig<Row, P, B>> B settings(B builder, String conninfo, int size,
                                                                  Duration reconnectTimeout, Runnable gaveUp) {
        return builder.conninfo(conninfo).name("core-" + ThreadLocalRandom.current().nextInt(1 << 20)).minSize(size)
                .maxSize(size).maxIdle(Duration.ofMillis(200)).reconnectTimeout(reconnectTimeout)
                .reconnectFailed(p -> gaveUp.run());
    }

    private static AnyPool open(Kind kind, String conninfo, int size, Duration reconnectTimeout, Runnable gaveUp) {
        if (kind == Kind.BLOCKING) {
            ConnectionPool<Row> pool = settings(ConnectionPool.builder(), conninfo, size, reconnectTimeout, gaveUp).build();
            pool.open();
            return new AnyPool() {
                @Override
                public Map<String, Long> stats() {
                    return pool.getStats();
                }

                @Override
                public List<Integer> leaseTwoAndQuery() {
                    try (Connection<Row> a = pool.connection(Duration.ofSeconds(20));
                         Connection<Row> b = pool.connection(Duration.ofSeconds(20))) {
                        return List.of(a.execute("SELECT pg_backend_pid()").fetchone().getInt(0),
                                b.execute("SELECT pg_backend_pid()").fetchone().getInt(0));
                    }
                }

                @Override
                public void close() {
                    pool.close();
                }
            };
        }
        AsyncConnectionPool<Row> pool = settings(AsyncConnectionPool.builder(), conninfo, size, reconnectTimeout, gaveUp).build();
        pool.open();
        return new AnyPool() {
            @Override
            public Map<String, Long> stats() {
                return pool.getStats();
            }

            @Override
            public List<Integer> leaseTwoAndQuery() throws Exception {
                AsyncConnection<Row> a = pool.connection().get(20, TimeUnit.SECONDS);
                AsyncConnection<Row> b = pool.connection().get(20, TimeUnit.SECONDS);
                try {
                    return List.of(a.execute("SELECT pg_backend_pid()").get(10, TimeUnit.SECONDS).fetchone().getInt(0),
                            b.execute("SELECT pg_backend_pid()").get(10, TimeUnit.SECONDS).fetchone().getInt(0));
                } finally {
                    a.close();
                    b.close();
                }
            }

            @Override
            public void close() {
                pool.close();
            }
        };
    }

    /**
     * A server that refuses every connection: it accepts and closes at once, noting when. Attempts closer than
     * 50 ms to the previous one are the same attempt's retries (another address or protocol), counted once.
     */
    private static final class RefusingServer implements AutoCloseable {
        final ServerSocket socket;
        final List<Long> attempts = new CopyOnWriteArrayList<>();
        private final Thread acceptor;

        RefusingServer() throws IOException {
            socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            acceptor = new Thread(() -> {
                while (!socket.isClosed()) {
                    try (Socket s = socket.accept()) {
                        long now = System.nanoTime();
                        if (attempts.isEmpty() || now - attempts.get(attempts.size() - 1) > TimeUnit.MILLISECONDS.toNanos(50)) {
                            attempts.add(now);
                        }
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "refusing-server");
            acceptor.setDaemon(true);
            acceptor.start();
        }

        /**
         * One failed connection outside the pool, not counted: the first failure of a JVM loads the classes of
         * the error path, which on a loaded machine delays the pool's first retry by hundreds of milliseconds.
         */
        void warmUp(Kind kind) throws InterruptedException {
            try {
                if (kind == Kind.BLOCKING) {
                    Connection.connect(conninfo()).close();
                } else {
                    AsyncConnection.connect(ConnectOptions.of(conninfo())).get(10, TimeUnit.SECONDS).close();
                }
            } catch (RuntimeException | ExecutionException | TimeoutException expected) {
                // refused, as it should
            }
            System.getLogger("dev.tusk.pool").log(System.Logger.Level.DEBUG, "warm-up");
            Thread.sleep(100);
            attempts.clear();
        }

        String conninfo() {
            return "host=127.0.0.1 port=" + socket.getLocalPort() + " user=nobody dbname=nothing sslmode=disable connect_timeout=5";
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }

    /** Log records of the pools' logger ({@code System.Logger} "dev.tusk.pool", which goes to java.util.logging). */
    private static final class LogCapture extends Handler implements AutoCloseable {
        private final Logger logger = Logger.getLogger("dev.tusk.pool");
        final List<LogRecord> records = new CopyOnWriteArrayList<>();

        LogCapture() {
            logger.addHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            logger.removeHandler(this);
        }
    }

    private static void await(String what, Duration timeout, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            assertThat(System.nanoTime()).as(what).isLessThan(deadline);
            Thread.sleep(10);
        }
    }

    private static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void reconnectingBacksOffWithinBoundsFollowingReconnectTimeoutThenGivesUpWithAWarning(Kind kind) throws Exception {
        // reconnectTimeout 2 s: delays start at 200 ms (a tenth), double up to 500 ms (a quarter), each ±10%, and
        // the last attempt is at the 2 s deadline at most: about 0, 200, 600, 1100, 1600, 2000 ms
        try (RefusingServer server = new RefusingServer(); LogCapture log = new LogCapture()) {
            server.warmUp(kind);
            backOffAndGiveUp(kind, server, log);
        }
    }

    private static void backOffAndGiveUp(Kind kind, RefusingServer server, LogCapture log) throws Exception {
        CountDownLatch gaveUp = new CountDownLatch(1);
        AtomicLong gaveUpAt = new AtomicLong();
        try (AnyPool pool = open(kind, server.conninfo(), 1, Duration.ofSeconds(2), () -> {
                 gaveUpAt.set(System.nanoTime());
                 gaveUp.countDown();
             })) {
            assertThat(gaveUp.await(20, TimeUnit.SECONDS)).as("reconnectFailed called").isTrue();
            // the attempts until it gave up (the maintenance then starts again, as it keeps minSize)
            List<Long> attempts = server.attempts.stream().filter(t -> t - gaveUpAt.get() <= 0).toList();
            long first = attempts.get(0);
            List<Long> gaps = new ArrayList<>();
            for (int i = 1; i < attempts.size(); i++) {
                gaps.add(millis(attempts.get(i) - attempts.get(i - 1)));
            }
            String seen = "attempts at " + attempts.stream().map(t -> millis(t - first)).toList() + " ms";
            // a loaded machine wakes the pool's worker late, never early: the bounds below allow for that
            assertThat(attempts.size()).as(seen).isBetween(4, 9);
            // the first delay is a tenth of reconnectTimeout (180..220 ms), the next one twice that (360..440 ms)
            assertThat(gaps.get(0)).as(seen).isBetween(130L, 700L);
            assertThat(gaps.get(1)).as(seen).isGreaterThanOrEqualTo(310L);
            // none above a quarter of reconnectTimeout (450..550 ms), where a fixed 10 s bound doubles on to 1 s and 2 s
            for (long gap : gaps) {
                assertThat(gap).as(seen).isLessThan(1000L);
            }
            // it kept trying until the deadline and gave up there, not after one more long delay (at 3.15 s at
            // the earliest with 500 ms doubling)
            long last = attempts.get(attempts.size() - 1);
            assertThat(millis(last - first)).as(seen).isBetween(1500L, 2900L);
            assertThat(millis(gaveUpAt.get() - first)).as(seen).isBetween(1950L, 3000L);
            assertThat(pool.stats().get("connections_errors")).isGreaterThanOrEqualTo(attempts.size());
            // and said so, as a warning naming the pool and the last error
            List<LogRecord> warnings = log.records.stream().filter(r -> r.getLevel() == Level.WARNING
                    && r.getMessage().contains("reconnection failed")).toList();
            assertThat(warnings).isNotEmpty();
            assertThat(warnings.get(0).getMessage()).contains("pool 'core-").contains("giving up").contains("PT2S");
        }
    }

    @Test
    void theBackoffIsJitteredByTenPercentAndBoundedByReconnectTimeout() {
        long second = TimeUnit.SECONDS.toNanos(1);
        long timeout = TimeUnit.MINUTES.toNanos(5);
        // the default 5 min: 500 ms, doubling to 10 s
        assertThat(PoolCore.Backoff.next(0, timeout)).isEqualTo(second / 2);
        assertThat(PoolCore.Backoff.next(second * 8, timeout)).isEqualTo(second * 10);
        // a short reconnectTimeout scales both bounds down
        assertThat(PoolCore.Backoff.next(0, second)).isEqualTo(second / 10);
        assertThat(PoolCore.Backoff.next(second / 5, second)).isEqualTo(second / 4);
        // ±10%, never past the deadline
        assertThat(PoolCore.Backoff.jittered(second, timeout, 0.0)).isEqualTo(second * 9 / 10);
        assertThat(PoolCore.Backoff.jittered(second, timeout, 0.999999)).isBetween(second * 109 / 100, second * 11 / 10);
        assertThat(PoolCore.Backoff.jittered(second, second / 3, 0.5)).isEqualTo(second / 3);
        // drawn afresh each time: 200 delays spread over most of the ±10%
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 200; i++) {
            long d = PoolCore.Backoff.jittered(second, timeout, ThreadLocalRandom.current().nextDouble());
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertThat(max - min).isGreaterThan(second / 10);
    }

    @ParameterizedTest
    @EnumSource(Kind.class)
    void maintenanceReplacesAnIdleConnectionWhoseBackendWasTerminatedBeforeAnyBorrowerSeesIt(Kind kind, TestDatabase db)
            throws Exception {
        String app = "core_maint_" + kind.name().toLowerCase();
        try (AnyPool pool = open(kind, db.conninfo() + " application_name=" + app, 2, Duration.ofSeconds(30), () -> { })) {
            String backends = "SELECT coalesce(string_agg(pid::text, ',' ORDER BY pid), '') FROM pg_stat_activity"
                    + " WHERE application_name = '" + app + "'";
            await("two connections", Duration.ofSeconds(20), () -> db.adminQuery(backends).split(",").length == 2
                    && pool.stats().get("pool_available") == 2);
            String[] before = db.adminQuery(backends).split(",");
            String victim = before[0];
            db.adminQuery("SELECT pg_terminate_backend(" + victim + ")");
            // no lease: the maintenance (every 50 ms with maxIdle 200 ms) finds it dead and opens another
            await("the terminated backend replaced", Duration.ofSeconds(20), () -> {
                String now = db.adminQuery(backends);
                return !List.of(now.split(",")).contains(victim) && now.split(",").length == 2
                        && pool.stats().get("pool_available") == 2;
            });
            Map<String, Long> stats = pool.stats();
            assertThat(stats).containsEntry("requests_num", 0L).containsEntry("connections_lost", 1L)
                    .containsEntry("connections_num", 3L).containsEntry("returns_bad", 0L);
            List<Integer> pids = pool.leaseTwoAndQuery(); // both idle connections work
            assertThat(pids).doesNotContain(Integer.parseInt(victim)).doesNotHaveDuplicates();
            assertThat(pool.stats()).containsEntry("requests_errors", 0L).containsEntry("connections_lost", 1L);
        }
    }
}
