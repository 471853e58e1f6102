package dev.tusk.pool;

import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A lease closed while another thread reads its stream or COPY from a server that stopped answering (the backend
 * SIGSTOPped, no statement timeout): the lease's end never waits for that thread's call, which holds the connection
 * (its close of unfinished work takes the connection's lock in bounded time). The connection is closed under the
 * reader, who gets an error instead of waiting for ever, and the pool (either kind) lends another backend. And a
 * lease closed with its stream open (no other thread) ends it within the close's bound.
 * Every wait is bounded by the test itself: a close stuck in {@code Lock.lock()} cannot be interrupted by JUnit.
 */
@TuskTest
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeaseCloseWhileReadingTest {
    /** What the lease's close may take: its own wait for the connection is 50 ms. */
    private static final Duration PROMPT = Duration.ofMillis(1500);
    /** Five million rows, the first at once, in order. */
    private static final String ROWS = "WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r";
    private static final String COPY_OUT = "COPY (" + ROWS + ") TO STDOUT";

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "lease-close-test");
        t.setDaemon(true); // a close that hangs must not keep the JVM
        return t;
    });

    @AfterEach
    void stopThreads() {
        threads.shutdownNow();
    }

    private static ConnectionPool<Row> pool(TestDatabase db, boolean nullPool) {
        String conninfo = db.conninfo() + " sslmode=disable";
        ConnectionPool<Row> pool = nullPool
                ? NullConnectionPool.builder().conninfo(conninfo).maxSize(1).timeout(Duration.ofSeconds(20)).open(true).build()
                : ConnectionPool.builder().conninfo(conninfo).minSize(1).maxSize(1).timeout(Duration.ofSeconds(20))
                        .open(true).build();
        if (!nullPool) {
            pool.waitReady(Duration.ofSeconds(20));
        }
        return pool;
    }

    @Test
    void closingALeaseWhileAnotherThreadReadsItsStreamFromAFrozenServerReturnsAtOnce(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, false)) {
            leaseClosedUnderAStream(pool);
        }
    }

    @Test
    void theNullPoolsLeaseClosedWhileAnotherThreadReadsItsStreamReturnsAtOnce(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, true)) {
            leaseClosedUnderAStream(pool);
        }
    }

    @Test
    void closingALeaseWhileAnotherThreadReadsItsCopyFromAFrozenServerReturnsAtOnce(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, false)) {
            Connection<Row> lease = pool.connection();
            lease.setAutocommit(true);
            int pid = lease.info().backendPid();
            Copy copy = lease.cursor().copy(COPY_OUT);
            assertThat(copy.read()).isNotNull();
            closedUnderTheReader(pool, lease, pid, () -> {
                while (copy.read() != null) { // what the socket holds, then a wait on the frozen server
                    // dropped
                }
                return null;
            });
        }
    }

    /**
     * Without another thread: the lease's end cancels the stream left open as a close does, within the close's bound
     * (internal.blocking.Abandon.ON_CLOSE, 3 s), not the 10 s another statement may wait; the pool drops the broken
     * connection.
     */
    @Test
    void closingALeaseWithItsStreamOpenOnAFrozenServerReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        try (ConnectionPool<Row> pool = pool(db, false)) {
            Connection<Row> lease = pool.connection();
            lease.setAutocommit(true);
            int pid = lease.info().backendPid();
            Stream<Row> rows = lease.cursor().stream(ROWS, List.of(), 100);
            assertThat(rows.iterator().next().getLong(0)).isEqualTo(1);
            FrozenBackend.frozen(pid, () -> {
                Duration took = within(Duration.ofSeconds(3 + 2), () -> {
                    lease.close();
                    return null;
                });
                assertThat(took).as("close() of a lease with its stream open on a frozen server")
                        .isLessThan(Duration.ofSeconds(3 + 2));
                try (Connection<Row> next = pool.connection(Duration.ofSeconds(10))) {
                    assertThat(next.info().backendPid()).as("the frozen connection was lent again").isNotEqualTo(pid);
                    assertThat(next.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
                }
            });
        }
    }

    private void leaseClosedUnderAStream(ConnectionPool<Row> pool) throws Exception {
        Connection<Row> lease = pool.connection();
        lease.setAutocommit(true);
        int pid = lease.info().backendPid();
        Stream<Row> rows = lease.cursor().stream(ROWS, List.of(), 100);
        Iterator<Row> it = rows.iterator();
        assertThat(it.next().getLong(0)).isEqualTo(1);
        closedUnderTheReader(pool, lease, pid, () -> {
            while (it.hasNext()) { // what the socket holds, then a wait on the frozen server
                it.next();
            }
            return null;
        });
    }

    /**
     * Freezes the backend {@code pid}, starts {@code reader} on another thread, closes {@code lease} while it waits
     * and checks: the close returns within {@link #PROMPT}, the reader fails soon after, the next lease gets another
     * backend that answers.
     */
    private void closedUnderTheReader(ConnectionPool<Row> pool, Connection<Row> lease, int pid, Callable<Void> reader)
            throws Exception {
        FrozenBackend.frozen(pid, () -> {
            Future<Throwable> reading = threads.submit(() -> {
                try {
                    reader.call();
                    return null;
                } catch (TuskException e) {
                    return e;
                }
            });
            Thread.sleep(500); // the reader has taken what the socket held: it waits on the server, holding the lock
            assertThat(reading.isDone()).as("the reader still waits on the frozen server").isFalse();
            Duration took = within(PROMPT, () -> {
                lease.close();
                return null;
            });
            assertThat(took).as("close() of the lease while another thread waits on the frozen server")
                    .isLessThan(PROMPT);
            Throwable t = reading.get(5, TimeUnit.SECONDS);
            assertThat(t).as("the reader, after the connection was closed under it").isInstanceOf(TuskException.class);
            try (Connection<Row> next = pool.connection(Duration.ofSeconds(10))) {
                assertThat(next.info().backendPid()).as("the connection left reading was lent again").isNotEqualTo(pid);
                assertThat(next.execute("SELECT 2").fetchone().getInt(0)).isEqualTo(2);
            }
        });
    }

    /** Runs {@code body} on another thread and returns how long it took; fails past {@code bound} plus 3 s (hung). */
    private Duration within(Duration bound, Callable<Void> body) throws Exception {
        Future<Long> f = threads.submit(() -> {
            long t0 = System.nanoTime();
            body.call();
            return System.nanoTime() - t0;
        });
        try {
            return Duration.ofNanos(f.get(bound.toMillis() + 3000, TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new AssertionError("close() of the lease waited for the frozen server", e);
        }
    }
}
