package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blocking pool's lock-free leases under many threads: exclusive, counted exactly, closed cleanly. */
@TuskTest
@Timeout(120)
class PoolContentionTest {
    private static ConnectionPool.Builder<Row> pool(TestDatabase db, String app) {
        return ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app);
    }

    private static int backends(TestDatabase db, String app) {
        return Integer.parseInt(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app + "'"));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    @Test
    void sixteenThreadsNeverHoldTheSameConnectionAtOnce(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "pc_excl").minSize(4).maxSize(4).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            Set<Connection<Row>> held = ConcurrentHashMap.newKeySet();
            Set<Integer> pids = ConcurrentHashMap.newKeySet();
            AtomicInteger shared = new AtomicInteger();
            ExecutorService threads = Executors.newFixedThreadPool(16);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 16; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 3000; i++) {
                        try (Connection<Row> conn = pool.connection()) {
                            if (!held.add(conn)) {
                                shared.incrementAndGet();
                            }
                            if (i % 500 == 0) {
                                pids.add(conn.info().backendPid());
                                conn.execute("SELECT 1").fetchone();
                            }
                            held.remove(conn);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
            threads.shutdown();
            assertThat(shared).as("leases of a connection already lent").hasValue(0);
            assertThat(pids).hasSizeLessThanOrEqualTo(4);
            Map<String, Long> stats = pool.getStats();
            assertThat(stats).containsEntry("requests_num", 48_000L).containsEntry("requests_errors", 0L)
                    .containsEntry("requests_waiting", 0L).containsEntry("pool_size", 4L).containsEntry("pool_available", 4L)
                    .containsEntry("connections_num", 4L).containsEntry("connections_lost", 0L).containsEntry("returns_bad", 0L);
            assertThat(stats.get("requests_queued")).isLessThanOrEqualTo(48_000L);
        }
    }

    @Test
    void popStatsWhileThreadsLeaseLosesNoCount(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "pc_pop").minSize(2).maxSize(2).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            AtomicBoolean leasing = new AtomicBoolean(true);
            AtomicLong popped = new AtomicLong();
            Thread popper = new Thread(() -> {
                while (leasing.get()) {
                    popped.addAndGet(pool.popStats().get("requests_num"));
                }
            });
            popper.start();
            ExecutorService threads = Executors.newFixedThreadPool(8);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                done.add(threads.submit(() -> {
                    for (int i = 0; i < 5000; i++) {
                        pool.connection().close();
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(100, TimeUnit.SECONDS);
            }
            threads.shutdown();
            leasing.set(false);
            popper.join();
            popped.addAndGet(pool.popStats().get("requests_num"));
            assertThat(popped).as("requests_num over every popStats").hasValue(40_000L);
            assertThat(pool.getStats()).containsEntry("pool_available", 2L).containsEntry("requests_waiting", 0L);
        }
    }

    @Test
    void aConnectionFreedWhileOthersWaitReachesEachOfThem(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "pc_wake").minSize(1).maxSize(1).timeout(Duration.ofSeconds(20))
                .open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            Connection<Row> held = pool.connection();
            int waiters = 6;
            CountDownLatch served = new CountDownLatch(waiters);
            List<Thread> threads = new ArrayList<>();
            for (int i = 0; i < waiters; i++) {
                Thread t = new Thread(() -> {
                    try (Connection<Row> c = pool.connection()) {
                        c.execute("SELECT 1").fetchone();
                    }
                    served.countDown();
                });
                t.start();
                threads.add(t);
            }
            await("six waiters", () -> pool.getStats().get("requests_waiting") == waiters);
            held.close(); // one give-back: each waiter passes the connection on to the next
            assertThat(served.await(20, TimeUnit.SECONDS)).isTrue();
            for (Thread t : threads) {
                t.join();
            }
            assertThat(pool.getStats()).containsEntry("requests_errors", 0L).containsEntry("requests_waiting", 0L)
                    .containsEntry("pool_available", 1L).containsEntry("requests_num", 7L).containsEntry("requests_queued", 6L);
        }
    }

    @Test
    void waitersTimingOutOrInterruptedWhileConnectionsAreHandedOverLoseNone(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, "pc_race").minSize(2).maxSize(2).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            AtomicInteger served = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 12; t++) {
                Thread thread = new Thread(() -> {
                    for (int i = 0; i < 300; i++) {
                        // no statement: an interrupt would break it, and this test is about the waiting
                        try (Connection<Row> c = pool.connection(Duration.ofMillis(1 + i % 4))) {
                            for (int spin = 0; spin < 2000; spin++) {
                                Thread.onSpinWait(); // hold it a moment
                            }
                            served.incrementAndGet();
                        } catch (OperationalException e) {
                            refused.incrementAndGet(); // timed out, or interrupted while waiting
                        }
                        Thread.interrupted();
                    }
                });
                thread.start();
                threads.add(thread);
            }
            for (int i = 0; threads.stream().anyMatch(Thread::isAlive); i++) {
                threads.get(i % threads.size()).interrupt();
                Thread.sleep(1);
            }
            Map<String, Long> stats = pool.getStats();
            assertThat(served.get() + refused.get()).isEqualTo(12 * 300);
            assertThat(served.get()).isPositive();
            System.out.printf("handover race: %d leases served, %d timed out or interrupted%n", served.get(), refused.get());
            assertThat(stats).containsEntry("requests_num", 3600L).containsEntry("requests_errors", (long) refused.get())
                    .containsEntry("requests_waiting", 0L).containsEntry("pool_size", 2L)
                    .as("every connection came back").containsEntry("pool_available", 2L);
            try (Connection<Row> c = pool.connection(Duration.ofSeconds(5))) {
                assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
        }
    }

    @Test
    void closingWhileThreadsLeaseLeavesNoConnectionOpen(TestDatabase db) throws Exception {
        String app = "pc_close";
        ConnectionPool<Row> pool = pool(db, app).minSize(3).maxSize(3).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        AtomicInteger leases = new AtomicInteger();
        ExecutorService threads = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            done.add(threads.submit(() -> {
                while (true) {
                    try (Connection<Row> c = pool.connection()) {
                        leases.incrementAndGet();
                    } catch (PoolClosed closed) {
                        return null;
                    }
                }
            }));
        }
        await("leases", () -> leases.get() > 10_000);
        pool.close();
        for (Future<?> f : done) {
            f.get(30, TimeUnit.SECONDS); // each thread ended with PoolClosed
        }
        threads.shutdown();
        await("no backend left", () -> backends(db, app) == 0);
        assertThat(pool.getStats()).containsEntry("pool_size", 0L).containsEntry("pool_available", 0L);
    }

    @Test
    void putconnOfAConnectionGivenBackAlreadyIsRefused(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db, "pc_twice").minSize(1).maxSize(1).open(true).build()) {
            Connection<Row> conn = pool.getconn();
            pool.putconn(conn);
            assertThatThrownBy(() -> pool.putconn(conn)).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("already given back");
            try (Connection<Row> again = pool.connection()) {
                assertThat(again.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
            assertThat(pool.getStats()).containsEntry("pool_available", 1L).containsEntry("requests_num", 2L);
        }
    }
}
