package dev.tusk;

import dev.tusk.internal.io.EventLoop;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * A statement submitted on its connection's own event-loop thread while nothing else is in flight (chained in
 * another's completion) is sent right there, without a task of its own, unless tasks of that connection wait before
 * it; the statements of one loop turn leave in one write. Submitted on another loop's thread while its connection is
 * busy, it goes through its own loop as before.
 */
@TuskTest
@Timeout(60)
class AsyncLoopSendTest {

    private static AsyncConnection<Row> open(TestDatabase db, boolean autocommit) throws Exception {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(autocommit).build()).get(15, TimeUnit.SECONDS);
    }

    /** Commands the connection has sent whose replies have not all arrived (read on the connection's own loop). */
    private static int pending(AsyncConnection<Row> conn) {
        return conn.driver().core().pendingCount();
    }

    @Test
    void aStatementChainedOnItsLoopIsSentInTheCompletionAndAnswersInOrder(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, true)) {
            CompletableFuture<Integer> chain = CompletableFuture.completedFuture(0);
            List<Boolean> sentAtOnce = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                int n = i;
                chain = chain.thenCompose(sum -> {
                    boolean onLoop = EventLoop.isEventLoopThread();
                    int before = onLoop ? pending(conn) : -1;
                    CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s::int", n);
                    if (onLoop) {
                        sentAtOnce.add(pending(conn) == before + 1);
                    }
                    return f.thenApply(c -> {
                        assertThat(c.fetchone().getInt(0)).isEqualTo(n);
                        return sum + 1;
                    });
                });
            }
            assertThat(chain.get(30, TimeUnit.SECONDS)).isEqualTo(200);
            assertThat(sentAtOnce).as("statements chained on the loop").hasSizeGreaterThan(150).doesNotContain(false);
        }
    }

    @Test
    void aStatementSubmittedOnTheLoopWaitsForTheTasksQueuedBeforeIt(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, false)) {
            conn.execute("CREATE TEMP TABLE loop_order (v int)").get(10, TimeUnit.SECONDS);
            conn.commit().get(10, TimeUnit.SECONDS);
            for (int round = 0; round < 20; round++) {
                int r = round;
                CompletableFuture<Object> afterCommit = conn.execute("INSERT INTO loop_order SELECT %s FROM pg_sleep(0.02)", r)
                        .thenCompose(c -> {
                            assertThat(EventLoop.isEventLoopThread()).as("completed on the loop").isTrue();
                            CompletableFuture<Void> commit = conn.commit(); // a task queued for the loop
                            int before = pending(conn);
                            CompletableFuture<AsyncCursor<Row>> xid = conn.execute("SELECT pg_current_xact_id_if_assigned()");
                            assertThat(pending(conn)).as("not sent before the COMMIT queued first").isEqualTo(before);
                            return commit.thenCombine(xid, (v, x) -> x.fetchone().get(0));
                        });
                // sent after the COMMIT, the SELECT runs in a new transaction that has written nothing
                assertThat(afterCommit.get(10, TimeUnit.SECONDS)).as("round %d", r).isNull();
                conn.commit().get(10, TimeUnit.SECONDS);
            }
            assertThat(conn.execute("SELECT count(*) FROM loop_order").get(10, TimeUnit.SECONDS).fetchone().getLong(0))
                    .isEqualTo(20);
        }
    }

    @Test
    void aStatementSubmittedOnAnotherConnectionsLoopGoesThroughItsOwnLoop(TestDatabase db) throws Exception {
        assumeThat(Runtime.getRuntime().availableProcessors()).as("the shared group has two loops").isGreaterThan(1);
        List<AsyncConnection<Row>> opened = new ArrayList<>();
        try {
            AsyncConnection<Row> a = open(db, true);
            opened.add(a);
            AsyncConnection<Row> b = open(db, true);
            opened.add(b);
            while (b.driver().loop() == a.driver().loop()) { // the shared group hands out its loops in turn
                b = open(db, true);
                opened.add(b);
            }
            AsyncConnection<Row> neighbour = open(db, true); // shares b's loop
            opened.add(neighbour);
            while (neighbour.driver().loop() != b.driver().loop()) {
                neighbour = open(db, true);
                opened.add(neighbour);
            }
            AsyncConnection<Row> other = b;
            for (int round = 0; round < 10; round++) {
                CompletableFuture<AsyncCursor<Row>> slow = other.execute("SELECT pg_sleep(0.05)"); // b has one in flight
                CountDownLatch inTask = new CountDownLatch(1);
                CountDownLatch release = new CountDownLatch(1);
                // b's loop is held busy by a task of its neighbour's: nothing waits in b's own queue
                CompletableFuture<Void> held = CompletableFuture.runAsync(() -> {
                    inTask.countDown();
                    awaitQuietly(release);
                }, neighbour.driver()::execute);
                assertThat(inTask.await(10, TimeUnit.SECONDS)).isTrue();
                int n = round;
                CompletableFuture<Integer> sentAtOnce = new CompletableFuture<>();
                CompletableFuture<CompletableFuture<AsyncCursor<Row>>> submitted =
                        a.execute("SELECT pg_sleep(0.02)").thenApply(c -> {
                            int before = pending(other); // b's loop is stopped: nothing else changes it meanwhile
                            CompletableFuture<AsyncCursor<Row>> f = other.execute("SELECT %s::int", n);
                            sentAtOnce.complete(pending(other) - before);
                            return f;
                        });
                try {
                    assertThat(sentAtOnce.get(10, TimeUnit.SECONDS)).as("statements b sent on a's loop").isZero();
                } finally {
                    release.countDown();
                }
                held.get(10, TimeUnit.SECONDS);
                slow.get(10, TimeUnit.SECONDS);
                assertThat(submitted.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(n);
            }
        } finally {
            opened.forEach(AsyncConnection::close);
        }
    }

    @Test
    void aStatementThatCannotBeWrittenOnTheLoopFailsItsFutureOnly(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, true)) {
            CompletableFuture<Throwable> failure = conn.execute("SELECT pg_sleep(0.02)").thenCompose(c ->
                    conn.execute("SELECT '\uD800'") // a lone surrogate: the text cannot be encoded
                            .handle((v, e) -> e));
            Throwable e = failure.get(10, TimeUnit.SECONDS);
            assertThat(e).as("the statement's error").isNotNull();
            assertThat(conn.isBroken()).isFalse();
            CompletableFuture<Integer> next = conn.execute("SELECT 1").thenCompose(c -> conn.execute("SELECT 2::int"))
                    .thenApply(c -> c.fetchone().getInt(0));
            assertThat(next.get(10, TimeUnit.SECONDS)).isEqualTo(2);
        }
    }

    @Test
    void statementsSubmittedInOneLoopTurnLeaveInOneWrite(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db, true)) {
            for (int round = 0; round < 10; round++) {
                long[] writesBefore = new long[1];
                // a task on the loop (a statement's completion is one too, but there the first statement, sent while the
                // connection is idle, leaves with the write that follows the read of the reply that completed it)
                CompletableFuture<List<CompletableFuture<AsyncCursor<Row>>>> submitted = CompletableFuture.supplyAsync(() -> {
                    assertThat(EventLoop.isEventLoopThread()).as("on the loop").isTrue();
                    writesBefore[0] = conn.driver().writes();
                    List<CompletableFuture<AsyncCursor<Row>>> fs = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        fs.add(conn.execute("SELECT %s::int", i));
                    }
                    return fs;
                }, conn.driver()::execute);
                CompletableFuture<List<Integer>> all = submitted.thenCompose(fs -> {
                    return CompletableFuture.allOf(fs.toArray(CompletableFuture[]::new)).thenApply(v -> {
                        List<Integer> out = new ArrayList<>();
                        for (CompletableFuture<AsyncCursor<Row>> f : fs) {
                            out.add(f.join().fetchone().getInt(0));
                        }
                        return out;
                    });
                });
                assertThat(all.get(10, TimeUnit.SECONDS)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
                assertThat(conn.driver().writes() - writesBefore[0]).as("socket writes for 10 statements").isEqualTo(1);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
