package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing a stream never waits for another thread's statement on the same connection, nor for the server behind
 * it (the soak helper's finding, session 43): a close while another thread holds the connection returns at once,
 * whether the stream was already settled (interrupted, or read into memory) or still runs (being read by that
 * thread); the holder ends a stream still running, and the connection is then usable, or visibly broken when the
 * server froze. Every wait here is bounded by the test itself: a close stuck in {@code Lock.lock()} cannot be
 * interrupted by JUnit's timeout.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamCloseWhileLockedTest {
    /** What a close may take while another thread holds the connection (its own bound is 50 ms). */
    private static final Duration PROMPT = Duration.ofMillis(1000);
    /** Five million rows, the first at once, in order. */
    private static final String ROWS = "WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r";

    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "stream-close-test");
        t.setDaemon(true); // a close that hangs must not keep the JVM
        return t;
    });

    private static Connection<Row> connect(TestDatabase db, Duration statementTimeout) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(statementTimeout).build());
    }

    /** Closes {@code rows} on another thread and returns how long it took; fails past {@link #PROMPT} (hung). */
    private Duration closeElsewhere(Stream<?> rows) throws Exception {
        Future<Long> f = threads.submit(() -> {
            long t0 = System.nanoTime();
            rows.close();
            return System.nanoTime() - t0;
        });
        long nanos;
        try {
            nanos = f.get(PROMPT.toMillis() + 2000, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("close() of a stream waited for another thread's statement", e);
        }
        return Duration.ofNanos(nanos);
    }

    /** Waits (bounded) until another thread holds the connection's lock. */
    private static void awaitHeldElsewhere(Connection<?> conn) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!(conn.lock.isLocked() && !conn.lock.isHeldByCurrentThread())) {
            assertThat(System.nanoTime()).as("another thread took the connection").isLessThan(end);
            Thread.sleep(5);
        }
    }

    @Test
    void closingSettledStreamsWhileAnotherThreadsStatementRunsReturnsAtOnce(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, null);
        try {
            Stream<Row> interrupted = conn.cursor().stream(ROWS, List.of(), 100);
            assertThat(interrupted.iterator().next().getLong(0)).isEqualTo(1);
            // kept: read into memory by the next statement (as a JDBC live ResultSet)
            Stream<Row> kept = conn.cursor().stream("SELECT generate_series(1, 1000)", List.of(), null, true);
            Iterator<Row> keptRows = kept.iterator();
            assertThat(keptRows.next().getInt(0)).isEqualTo(1);
            Future<Integer> statement = threads.submit(
                    () -> conn.execute("SELECT 7 FROM pg_sleep(3)").fetchone().getInt(0));
            awaitHeldElsewhere(conn);
            assertThat(closeElsewhere(interrupted)).as("close of an interrupted stream").isLessThan(PROMPT);
            assertThat(closeElsewhere(kept)).as("close of a stream read into memory").isLessThan(PROMPT);
            assertThat(statement.get(20, TimeUnit.SECONDS)).as("the other thread's statement, not disturbed")
                    .isEqualTo(7);
            assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
            assertThat(conn.isBroken()).isFalse();
        } finally {
            conn.close();
        }
    }

    @Test
    void closingAStreamAnotherThreadReadsReturnsAtOnceAndThatThreadEndsIt(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, null);
        try {
            // nothing reaches the client for 3 s (the server sends its rows once its buffer fills or it ends)
            Stream<Row> rows = conn.cursor().stream(
                    "SELECT g FROM generate_series(1, 3) g, pg_sleep(3)", List.of(), 1);
            Iterator<Row> it = rows.iterator();
            Future<Boolean> reading = threads.submit(it::hasNext); // holds the lock while it waits for rows
            awaitHeldElsewhere(conn);
            assertThat(closeElsewhere(rows)).as("close of a stream another thread reads").isLessThan(PROMPT);
            reading.get(20, TimeUnit.SECONDS); // whatever it says: the stream was closed meanwhile
            assertThat(ActiveWork.activeStream(conn)).as("the reader ended the stream its consumer closed").isNull();
            assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
            assertThat(conn.isBroken()).isFalse();
        } finally {
            conn.close();
        }
    }

    @Test
    void aStreamClosedWhileAnotherThreadHeldTheConnectionIsEndedByTheNextStatementAndNotReused(TestDatabase db)
            throws Exception {
        Connection<Row> conn = connect(db, null);
        try {
            Cursor<Row> cursor = conn.cursor();
            RowStream<Row> rows = cursor.liveRows(ROWS, null, null, false); // a driver's: reused once closed
            assertThat(rows.next().getLong(0)).isEqualTo(1);
            conn.lock.lock(); // this thread holds the connection: the close on another one only marks the stream
            try {
                assertThat(closeElsewhere(Stream.of().onClose(rows::close))).isLessThan(PROMPT);
                assertThat(ActiveWork.activeStream(conn)).as("still running until the lock's holder acts").isNotNull();
            } finally {
                conn.lock.unlock();
            }
            long t0 = System.nanoTime();
            assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42); // ends it (not read to memory)
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(15));
            assertThat(ActiveWork.activeStream(conn)).isNull();
            assertThat(cursor.closedStream).as("a stream closed without the lock is never reused").isNull();
            RowStream<Row> next = cursor.liveRows("SELECT generate_series(1, 3)", null, null, false);
            assertThat(next).as("a new stream, not the one closed without the lock").isNotSameAs(rows);
            assertThat(next.next().getInt(0)).isEqualTo(1);
            assertThat(next.next().getInt(0)).isEqualTo(2);
            assertThat(next.next().getInt(0)).isEqualTo(3);
            assertThat(next.hasNext()).isFalse();
            next.close();
            assertThat(cursor.closedStream).as("a stream closed with the lock is kept for reuse").isSameAs(next);
        } finally {
            conn.close();
        }
    }

    @Test
    void onAFrozenServerClosesReturnAtOnceAndTheConnectionSaysItIsBroken(TestDatabase db) throws Exception {
        Duration timeout = Duration.ofSeconds(2);
        Connection<Row> conn = connect(db, timeout);
        int pid = conn.info().backendPid();
        try {
            Stream<Row> interrupted = conn.cursor().stream("SELECT generate_series(1, 1000)", List.of(), null, false);
            Stream<Row> rows = conn.cursor().stream(ROWS, List.of(), 100); // interrupts the first
            Iterator<Row> it = rows.iterator();
            assertThat(it.next().getLong(0)).isEqualTo(1);
            FrozenBackend.frozen(pid, () -> {
                Future<Throwable> reading = threads.submit(() -> {
                    try {
                        while (it.hasNext()) { // what the socket holds, then a wait on the frozen server
                            it.next();
                        }
                        return null;
                    } catch (TuskException e) {
                        return e;
                    }
                });
                awaitHeldElsewhere(conn);
                Thread.sleep(500); // the reader has taken what the socket held: it waits on the server now
                awaitHeldElsewhere(conn);
                assertThat(closeElsewhere(interrupted)).as("close of an interrupted stream").isLessThan(PROMPT);
                assertThat(closeElsewhere(rows)).as("close of the running stream").isLessThan(PROMPT);
                Throwable t = reading.get(20, TimeUnit.SECONDS); // the statement timeout, the cancel's grace
                assertThat(t == null || t instanceof OperationalException).as("the reader got " + t).isTrue();
                assertThat(conn.isBroken()).as("a frozen server's connection says so").isTrue();
            });
        } finally {
            conn.close();
        }
    }
}
