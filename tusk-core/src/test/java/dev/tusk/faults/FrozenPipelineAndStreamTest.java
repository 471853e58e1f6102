package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncPipeline;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Pipeline;
import dev.tusk.Row;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * Pipeline mode and streams against a backend frozen by SIGSTOP in the middle of their work (session 36, the
 * code moved to internal/op PipelineState and StreamStep): {@code sync()}, {@code close()}, a pipelined cursor's
 * fetch and a stream's next chunk each return within the statement timeout and the cancel's grace, with an
 * OperationalException, and the connection then says it is broken; a close from another thread ends a wait
 * that has no deadline at all. Never a hang, never a result that looks like success.
 */
@TuskTest
@Timeout(value = 45, threadMode = SEPARATE_THREAD)
class FrozenPipelineAndStreamTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** Five million rows, the first at once, in order. */
    private static final String ROWS = "WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r";
    /** The timeout, the cancel's shortest grace (1 s) and what a loaded machine adds. */
    private static final Duration BOUND = TIMEOUT.plusSeconds(1).plusMillis(3500);

    private static Connection<Row> connect(TestDatabase db, Duration statementTimeout) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(statementTimeout).build());
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Runs {@code body} with the backend stopped (see {@link FrozenBackend#frozen}). */
    private static void frozen(int pid, FrozenBackend.Body body) throws Exception {
        FrozenBackend.frozen(pid, body);
    }

    /** After a deadline ran out: broken, closed, refusing the next call at once, and close() does not wait. */
    private static void assertBrokenAndQuick(Connection<Row> conn) {
        assertThat(conn.isBroken()).as("isBroken() after the deadline ran out").isTrue();
        assertThat(conn.isClosed()).isTrue();
        long t0 = System.nanoTime();
        assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class);
        conn.close();
        assertThat(since(t0)).isLessThan(Duration.ofMillis(1000));
    }

    @Test
    void pipelineSyncOnAFrozenBackendEndsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, TIMEOUT);
        int pid = conn.info().backendPid();
        Pipeline p = conn.pipeline();
        Cursor<Row> cur = conn.execute("SELECT 1");
        frozen(pid, () -> {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(p::sync);
            assertThat(since(t0)).as("sync() on a frozen backend").isLessThan(BOUND);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout");
            assertThat(catchThrowable(cur::fetchone)).as("the pipelined cursor after the failed sync")
                    .isInstanceOf(TuskException.class);
            long c0 = System.nanoTime();
            catchThrowable(p::close);
            assertThat(since(c0)).as("close() of the pipeline after the loss").isLessThan(Duration.ofMillis(1000));
            assertBrokenAndQuick(conn);
        });
    }

    @Test
    void pipelineCloseOnAFrozenBackendEndsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, TIMEOUT);
        int pid = conn.info().backendPid();
        Pipeline p = conn.pipeline();
        conn.execute("SELECT 1");
        conn.execute("SELECT 2");
        frozen(pid, () -> {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(p::close);
            assertThat(since(t0)).as("close() of a pipeline on a frozen backend").isLessThan(BOUND);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertBrokenAndQuick(conn);
        });
    }

    @Test
    void aPipelinedCursorsFetchOnAFrozenBackendEndsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, TIMEOUT);
        int pid = conn.info().backendPid();
        Pipeline p = conn.pipeline();
        Cursor<Row> cur = conn.execute("SELECT 42");
        frozen(pid, () -> {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(cur::fetchone);
            assertThat(since(t0)).as("fetchone() of a pipelined statement on a frozen backend").isLessThan(BOUND);
            assertThat(t).isInstanceOf(OperationalException.class);
            catchThrowable(p::close);
            assertBrokenAndQuick(conn);
        });
    }

    @Test
    void aStreamsNextChunkOnAFrozenBackendEndsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        Duration timeout = Duration.ofSeconds(2); // the whole statement's: long enough to start the stream
        Connection<Row> conn = connect(db, timeout);
        int pid = conn.info().backendPid();
        // rows produced as they are sent (a generate_series in FROM is made whole before its first row)
        Stream<Row> rows = conn.cursor().stream(ROWS, List.of(), 100);
        Iterator<Row> it = rows.iterator();
        assertThat(it.next().getLong(0)).isEqualTo(1);
        frozen(pid, () -> {
            long t0 = System.nanoTime();
            long expected = 2;
            Throwable t = null;
            try {
                while (it.hasNext()) { // what the socket already holds, then a wait that must end
                    long v = it.next().getLong(0);
                    assertThat(v).as("rows in order, none skipped").isEqualTo(expected++);
                }
            } catch (TuskException e) {
                t = e;
            }
            assertThat(t).as("a stream whose backend froze ended quietly after %d rows", expected - 1)
                    .isInstanceOf(OperationalException.class);
            // the timeout, the cancel's grace (as long as the timeout) and the margin
            assertThat(since(t0)).as("the stream's wait on a frozen backend").isLessThan(timeout.multipliedBy(2).plusMillis(3500));
            long c0 = System.nanoTime();
            rows.close();
            assertThat(since(c0)).isLessThan(Duration.ofMillis(1000));
            assertBrokenAndQuick(conn);
        });
    }

    @Test
    void closingAStreamOnAFrozenBackendEndsInBoundedTime(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, null); // no statement timeout: only the close's own bound (Abandon.ON_CLOSE, 3 s)
        int pid = conn.info().backendPid();
        // rows produced as they are sent (a generate_series in FROM is made whole before its first row)
        Stream<Row> rows = conn.cursor().stream(ROWS, List.of(), 100);
        Iterator<Row> it = rows.iterator();
        assertThat(it.next().getLong(0)).isEqualTo(1);
        frozen(pid, () -> {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(rows::close);
            assertThat(since(t0)).as("close() of a stream on a frozen backend").isLessThan(Duration.ofSeconds(15));
            // either it says so, or it is quiet but the connection then tells the truth
            assertThat(t == null || t instanceof OperationalException).as("close() raised " + t).isTrue();
            assertBrokenAndQuick(conn);
        });
    }

    @Test
    void closeFromAnotherThreadEndsASyncThatHasNoDeadline(TestDatabase db) throws Exception {
        Connection<Row> conn = connect(db, null);
        int pid = conn.info().backendPid();
        Pipeline p = conn.pipeline();
        conn.execute("SELECT 1");
        frozen(pid, () -> {
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread syncing = new Thread(() -> failure.set(catchThrowable(p::sync)));
            syncing.start();
            Thread.sleep(300); // in the read by now
            long t0 = System.nanoTime();
            conn.close();
            assertThat(since(t0)).as("close() from another thread").isLessThan(Duration.ofMillis(1000));
            syncing.join(5000);
            assertThat(syncing.isAlive()).as("sync() still blocked after close() from another thread").isFalse();
            assertThat(failure.get()).isInstanceOf(OperationalException.class);
            assertThat(conn.isClosed()).isTrue();
        });
    }

    // ---------------------------------------------------------------- async

    @Test
    void anAsyncPipelineSyncOnAFrozenBackendEndsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder()
                .conninfo(db.conninfo() + " sslmode=disable").autocommit(true).statementTimeout(TIMEOUT).build())
                .get(20, TimeUnit.SECONDS);
        int pid = conn.info().backendPid();
        try {
            AsyncPipeline p = conn.pipeline();
            CompletableFuture<?> first = conn.execute("SELECT 1");
            frozen(pid, () -> {
                long t0 = System.nanoTime();
                CompletableFuture<Void> sync = p.sync();
                Throwable t = failure(sync, BOUND);
                assertThat(since(t0)).as("the async sync on a frozen backend").isLessThan(BOUND);
                assertThat(t).isInstanceOf(OperationalException.class);
                failure(first, Duration.ofSeconds(2)); // done before the freeze, or failed with the loss: never pending
                assertThat(failure(p.closeAsync(), Duration.ofSeconds(2))).isNotNull();
                assertThat(conn.isBroken()).isTrue();
                assertThat(failure(conn.execute("SELECT 1"), Duration.ofSeconds(2))).isInstanceOf(OperationalException.class);
            });
        } finally {
            conn.closeAsync().get(5, TimeUnit.SECONDS);
        }
    }

    /** The failure {@code f} completes with within {@code within} (null: it succeeded); a hang fails the test. */
    private static Throwable failure(CompletableFuture<?> f, Duration within) throws Exception {
        try {
            f.get(within.toMillis(), TimeUnit.MILLISECONDS);
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("a future did not complete within " + within, e);
        }
    }
}
