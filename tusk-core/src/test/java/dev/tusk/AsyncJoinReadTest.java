package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * A caller joining a statement's future while nothing else is in flight reads the reply on its own thread (the
 * event loop is not involved: the statement completes while the loop is held busy, and the future's dependents
 * run on the joining thread); in every other case the loop reads, as before: a future nobody joins, one joined
 * while another statement is in flight, a {@code get(timeout)} that expires, an interrupted caller, a listening
 * connection; and the deadlines hold while the caller reads (statement timeout against a frozen backend, close
 * from another thread), as does the loop's watch over an idle connection afterwards; a future completed on another
 * thread (cancelled by the user) wakes its reading caller at once.
 */
@TuskTest
@Timeout(value = 90, threadMode = SEPARATE_THREAD)
class AsyncJoinReadTest {

    private static AsyncConnection<Row> open(TestDatabase db, Duration statementTimeout) throws Exception {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(statementTimeout).build()).get(15, TimeUnit.SECONDS);
    }

    private static long readByCaller(AsyncConnection<Row> conn) {
        return conn.driver().repliesReadByCallers();
    }

    /** What thread a future's dependents ran on: the loop's (true) or another (false). */
    private static CompletableFuture<Boolean> completedOnLoop(CompletableFuture<?> f) {
        assertThat(f.isDone()).as("registered before completion").isFalse();
        return f.handle((v, e) -> EventLoop.isEventLoopThread());
    }

    /** Holds the thread of {@code conn}'s event loop busy (a task of another connection's) until the latch is counted down. */
    private static CountDownLatch holdLoop(AsyncConnection<Row> conn) throws InterruptedException {
        CountDownLatch in = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        CompletableFuture.runAsync(() -> {
            in.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, conn.driver()::execute);
        assertThat(in.await(10, TimeUnit.SECONDS)).isTrue();
        return release;
    }

    @Test
    void aJoinedStatementCompletesOnTheJoiningThreadWhileTheLoopIsBusy(TestDatabase db) throws Exception {
        java.util.List<AsyncConnection<Row>> opened = new java.util.ArrayList<>();
        try {
            AsyncConnection<Row> other = open(db, null);
            opened.add(other);
            AsyncConnection<Row> conn = open(db, null);
            opened.add(conn);
            while (conn.driver().loop() != other.driver().loop()) { // the shared group hands out its loops in turn
                conn = open(db, null);
                opened.add(conn);
            }
            conn.execute("SELECT 1").join(); // settled
            CountDownLatch release = holdLoop(other);
            try {
                for (int i = 0; i < 20; i++) {
                    CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT pg_sleep(0.02), %s::int", i);
                    CompletableFuture<Boolean> onLoop = completedOnLoop(f);
                    long before = readByCaller(conn);
                    assertThat(f.join().fetchone().getInt(1)).isEqualTo(i);
                    assertThat(onLoop.getNow(null)).as("completed on the loop").isFalse();
                    assertThat(readByCaller(conn)).isEqualTo(before + 1);
                    assertThat(conn.execute("SELECT %s::int", -i).get().fetchone().getInt(0)).isEqualTo(-i);
                    assertThat(conn.execute("SELECT %s::int", i).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(i);
                }
            } finally {
                release.countDown();
            }
        } finally {
            opened.forEach(AsyncConnection::close);
        }
    }

    @Test
    void aFutureNobodyJoinsCompletesOnTheLoop(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            for (int i = 0; i < 20; i++) {
                conn.execute("SELECT 1").join(); // the caller read, the loop perhaps stopped watching
                long before = readByCaller(conn);
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s::int, pg_sleep(0.02)", i);
                CompletableFuture<Boolean> onLoop = completedOnLoop(f);
                long t0 = System.nanoTime();
                assertThat(onLoop.get(10, TimeUnit.SECONDS)).isTrue(); // nobody joins f itself
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
                assertThat(readByCaller(conn)).isEqualTo(before);
                assertThat(f.getNow(null).fetchone().getInt(0)).isEqualTo(i);
            }
        }
    }

    @Test
    void aJoinWithAnotherStatementInFlightLeavesTheReadToTheLoop(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            for (int i = 0; i < 20; i++) {
                long before = readByCaller(conn);
                CompletableFuture<AsyncCursor<Row>> first = conn.execute("SELECT pg_sleep(0.1), 1");
                CompletableFuture<AsyncCursor<Row>> second = conn.execute("SELECT %s::int", i);
                assertThat(second.join().fetchone().getInt(0)).isEqualTo(i);
                assertThat(first.isDone()).isTrue();
                assertThat(first.join().fetchone().getInt(1)).isEqualTo(1);
                assertThat(readByCaller(conn)).as("replies read by the joining caller").isEqualTo(before);
            }
        }
    }

    @Test
    void aGetWhoseTimeoutExpiresHandsTheReadBack(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            long before = readByCaller(conn);
            CompletableFuture<AsyncCursor<Row>> slow = conn.execute("SELECT pg_sleep(0.6), 7");
            CompletableFuture<Boolean> onLoop = completedOnLoop(slow);
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> slow.get(100, TimeUnit.MILLISECONDS));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(TimeoutException.class);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(100)).isLessThan(Duration.ofMillis(500));
            assertThat(onLoop.get(10, TimeUnit.SECONDS)).as("the loop read the reply").isTrue();
            assertThat(readByCaller(conn)).isEqualTo(before);
            assertThat(slow.getNow(null).fetchone().getInt(1)).isEqualTo(7);
            // the connection idle again, a joining caller reads (the loop may still be finishing the slow statement
            // when onLoop completes, or not yet be scheduled on a loaded machine: a join in that moment is left to
            // the loop, so joins go on for up to 2 s until one is read by its caller)
            long until = System.nanoTime() + Duration.ofSeconds(2).toNanos();
            while (readByCaller(conn) == before && System.nanoTime() < until) {
                assertThat(conn.execute("SELECT 8").join().fetchone().getInt(0)).isEqualTo(8);
            }
            assertThat(readByCaller(conn)).isEqualTo(before + 1);
        }
    }

    @Test
    void anInterruptedCallerHandsTheReadBack(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            long before = readByCaller(conn);
            CompletableFuture<AsyncCursor<Row>> slow = conn.execute("SELECT pg_sleep(0.6), 7");
            CompletableFuture<Boolean> onLoop = completedOnLoop(slow);
            Thread me = Thread.currentThread();
            CompletableFuture.runAsync(me::interrupt, CompletableFuture.delayedExecutor(150, TimeUnit.MILLISECONDS));
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(slow::get);
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(Thread.interrupted()).isFalse(); // get() threw InterruptedException, which clears the flag
            assertThat(t).isInstanceOf(InterruptedException.class);
            assertThat(took).isLessThan(Duration.ofMillis(550));
            assertThat(onLoop.get(10, TimeUnit.SECONDS)).as("the loop read the reply").isTrue();
            assertThat(readByCaller(conn)).isEqualTo(before);
            assertThat(slow.getNow(null).fetchone().getInt(1)).isEqualTo(7);
            // join() is not interruptible: an interrupted caller still gets its result (from the loop), flag kept
            me.interrupt();
            try {
                assertThat(conn.execute("SELECT 9").join().fetchone().getInt(0)).isEqualTo(9);
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            } finally {
                Thread.interrupted();
            }
        }
    }

    @Test
    void aListeningConnectionKeepsTheReadOnTheLoop(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            AtomicReference<String> got = new AtomicReference<>();
            CountDownLatch heard = new CountDownLatch(1);
            conn.addNotifyHandler(n -> {
                got.set(n.payload());
                heard.countDown();
            });
            conn.execute("LISTEN join_read").join();
            long before = readByCaller(conn);
            conn.execute("SELECT pg_sleep(0.02)").join();
            assertThat(readByCaller(conn)).isEqualTo(before);
            db.admin("NOTIFY join_read, 'hello'");
            assertThat(heard.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(got.get()).isEqualTo("hello");
        }
    }

    @Test
    void theLoopSeesAnIdleConnectionEndAfterJoins(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, null)) {
            int pid = conn.execute("SELECT pg_backend_pid()").join().fetchone().getInt(0);
            for (int i = 0; i < 5; i++) {
                conn.execute("SELECT 1").join();
            }
            db.admin("SELECT pg_terminate_backend(" + pid + ")");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!conn.isBroken() && System.nanoTime() < deadline) {
                Thread.sleep(5); // no call: the loop notices by itself
            }
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.isClosed()).isTrue();
        }
    }

    @Test
    void aJoinedStatementAgainstAFrozenBackendKeepsItsTimeout(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, Duration.ofMillis(300))) {
            int pid = conn.execute("SELECT pg_backend_pid()").join().fetchone().getInt(0);
            conn.execute("SELECT 1").join();
            signal("STOP", pid);
            try {
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> conn.execute("SELECT 1").join());
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                // 300 ms, then the cancel's grace of 1 s, plus what a loaded machine adds
                assertThat(took).isLessThan(Duration.ofMillis(1300 + 3500));
                assertThat(t).hasRootCauseInstanceOf(OperationalException.class);
                assertThat(t.getCause()).hasMessageContaining("statement timeout");
                assertThat(conn.isBroken()).isTrue();
            } finally {
                signal("CONT", pid);
            }
        }
    }

    @Test
    void aCloseFromAnotherThreadEndsAJoinOnAFrozenBackend(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = open(db, null);
        int pid = conn.execute("SELECT pg_backend_pid()").join().fetchone().getInt(0);
        conn.execute("SELECT 1").join();
        signal("STOP", pid);
        try {
            CompletableFuture.runAsync(conn::close, CompletableFuture.delayedExecutor(200, TimeUnit.MILLISECONDS));
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> conn.execute("SELECT 1").get());
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(took).isLessThan(Duration.ofSeconds(3));
            assertThat(t).isInstanceOf(ExecutionException.class).hasCauseInstanceOf(OperationalException.class);
            assertThat(conn.isClosed()).isTrue();
        } finally {
            signal("CONT", pid);
        }
    }

    /**
     * A joining caller waits on the socket without a timer: a future completed on another thread (the user cancels it,
     * completes it, or has it completed asynchronously) wakes it at once, while the frozen backend never answers.
     */
    @Test
    void aJoinedFutureCompletedElsewhereWakesItsReadingCaller(TestDatabase db) throws Exception {
        for (String how : new String[] {"cancel", "complete", "completeExceptionally", "completeAsync"}) {
            AsyncConnection<Row> conn = open(db, null);
            int pid = conn.execute("SELECT pg_backend_pid()").join().fetchone().getInt(0);
            conn.execute("SELECT 1").join();
            long readBefore = readByCaller(conn);
            signal("STOP", pid);
            try {
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT 1");
                Executor later = CompletableFuture.delayedExecutor(300, TimeUnit.MILLISECONDS);
                IllegalStateException mine = new IllegalStateException("completed by the test");
                switch (how) {
                    case "cancel" -> later.execute(() -> f.cancel(true));
                    case "complete" -> later.execute(() -> f.complete(null));
                    case "completeExceptionally" -> later.execute(() -> f.completeExceptionally(mine));
                    default -> f.completeAsync(() -> null, later);
                }
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(f::join);
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).as(how).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(3));
                switch (how) {
                    case "cancel" -> assertThat(t).as(how).isInstanceOf(CancellationException.class);
                    case "completeExceptionally" -> assertThat(t).as(how).hasCause(mine);
                    default -> assertThat(t).as(how).isNull();
                }
                assertThat(readByCaller(conn)).as(how + ": nothing read, the backend is stopped").isEqualTo(readBefore);
            } finally {
                signal("CONT", pid);
                conn.close();
            }
        }
    }

    private static void signal(String sig, int pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kill -" + sig + " " + pid).isZero();
    }
}
