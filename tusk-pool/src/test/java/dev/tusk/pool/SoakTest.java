package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded soak: 64 threads over a pool of 8 and 1,000 async statements in flight, with cancels and
 * server-side kills mixed in. Every answer is checked; afterwards no connection is leaked (the server's
 * own count) and the heap is where it started. Short in CI; longer with {@code -Dtusk.soak.seconds=600}.
 */
@TuskTest
@Timeout(value = 30, unit = TimeUnit.MINUTES)
class SoakTest {
    private static final long SECONDS = Long.getLong("tusk.soak.seconds", 15);

    private final AtomicLong ok = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong canceled = new AtomicLong();

    @Test
    void soak(TestDatabase db) throws Exception {
        String app = "soak";
        long heapBefore = usedHeapAfterGc();
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(SECONDS);
        try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app)
                .minSize(4).maxSize(8).timeout(Duration.ofSeconds(30)).open(true).build()) {
            ExecutorService threads = Executors.newFixedThreadPool(64);
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                workers.add(threads.submit(() -> blockingWorker(pool, end)));
            }
            Future<?> async = threads.submit(() -> asyncWorker(db, end));
            Future<?> killer = threads.submit(() -> killer(db, app, end));
            for (Future<?> f : workers) {
                f.get(SECONDS + 120, TimeUnit.SECONDS);
            }
            async.get(120, TimeUnit.SECONDS);
            killer.get(120, TimeUnit.SECONDS);
            threads.shutdown();

            assertThat(wrong).as("wrong results").hasValue(0);
            assertThat(ok.get()).as("answers checked").isGreaterThan(1000);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            while (!pool.getStats().get("pool_available").equals(pool.getStats().get("pool_size")) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(pool.getStats().get("pool_available")).as("every lease came back").isEqualTo(pool.getStats().get("pool_size"));
            deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
            long server;
            do {
                server = Long.parseLong(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'"));
            } while (server != pool.getStats().get("pool_size") && System.nanoTime() < deadline && sleep(50));
            assertThat(server).as("no leaked connection on the server").isEqualTo(pool.getStats().get("pool_size"));
        }
        assertThat(usedHeapAfterGc() - heapBefore).as("heap growth").isLessThan(64L << 20);
        System.out.printf("soak %d s: %d answers checked, %d wrong, %d canceled, %d lost to kills%n",
                SECONDS, ok.get(), wrong.get(), canceled.get(), lost.get());
    }

    private void blockingWorker(ConnectionPool<Row> pool, long end) {
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        while (System.nanoTime() < end) {
            int n = rnd.nextInt(1_000_000);
            try {
                if (rnd.nextInt(200) == 0) {
                    pool.withConnection(conn -> {
                        CompletableFuture.runAsync(() -> {
                            sleep(20);
                            conn.cancel();
                        });
                        return conn.execute("SELECT pg_sleep(5)").fetchone();
                    });
                } else {
                    int got = pool.withConnection(conn -> conn.execute("SELECT %s::int + 1", n).fetchone().getInt(0));
                    count(got == n + 1);
                }
            } catch (QueryCanceled e) {
                canceled.incrementAndGet();
            } catch (OperationalException e) {
                lost.incrementAndGet(); // a killed backend: the pool replaces it
            }
        }
    }

    private void asyncWorker(TestDatabase db, long end) {
        Semaphore inFlight = new Semaphore(1000);
        List<AsyncConnection<Row>> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                conns.add(AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join());
            }
            long i = 0;
            while (System.nanoTime() < end) {
                inFlight.acquire();
                int idx = (int) (i++ % conns.size());
                AsyncConnection<Row> c = conns.get(idx);
                if (c.isClosed()) {
                    c = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
                    conns.set(idx, c);
                }
                int n = ThreadLocalRandom.current().nextInt(1_000_000);
                c.execute("SELECT %s::int * 2", n).whenComplete((cur, e) -> {
                    if (e == null) {
                        count(cur.fetchone().getInt(0) == n * 2);
                    } else {
                        lost.incrementAndGet();
                    }
                    inFlight.release();
                });
            }
            inFlight.acquire(1000); // wait for the last ones
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            conns.forEach(AsyncConnection::close);
        }
    }

    private void killer(TestDatabase db, String app, long end) {
        while (System.nanoTime() < end) {
            sleep(2000);
            try {
                db.admin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = '" + app
                        + "' ORDER BY random() LIMIT 1");
            } catch (RuntimeException ignored) {
                // nothing to kill right now
            }
        }
    }

    private void count(boolean right) {
        (right ? ok : wrong).incrementAndGet();
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return true;
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        for (int i = 0; i < 3; i++) {
            System.gc();
            sleep(50);
        }
        return rt.totalMemory() - rt.freeMemory();
    }
}
