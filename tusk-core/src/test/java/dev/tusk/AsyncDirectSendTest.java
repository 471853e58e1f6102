package dev.tusk;

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

/**
 * A statement submitted on an idle AsyncConnection leaves from the submitting thread: it reaches the server
 * even while the connection's event loop is busy, and statements queued for the loop keep their order. Submitted
 * behind others while the loop sleeps, it leaves from the submitting thread too, without waking the loop.
 */
@TuskTest
@Timeout(60)
class AsyncDirectSendTest {

    @Test
    void anIdleConnectionsStatementReachesTheServerWhileItsLoopIsBusy(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE direct_send (id int)");
        List<AsyncConnection<Row>> opened = new ArrayList<>();
        try (Connection<Row> observer = Connection.connect(db.conninfo())) {
            AsyncConnection<Row> a = open(db, opened);
            AsyncConnection<Row> b = open(db, opened);
            while (b.driver().loop() != a.driver().loop()) { // the shared group hands out its loops in turn
                b = open(db, opened);
            }
            CountDownLatch inCallback = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            // a task of a's that blocks holds the loop thread (tasks and callbacks must not block: this one does on purpose)
            CompletableFuture<Void> stuck = CompletableFuture.runAsync(() -> {
                inCallback.countDown();
                awaitQuietly(release);
            }, a.driver()::execute);
            assertThat(inCallback.await(10, TimeUnit.SECONDS)).isTrue();
            try {
                CompletableFuture<AsyncCursor<Row>> insert = b.execute("INSERT INTO direct_send VALUES (%s)", 1);
                assertThat(countWithin(observer, 10_000)).as("rows the server has while the loop is busy").isEqualTo(1);
                assertThat(insert.isDone()).as("the INSERT's future, whose answer waits for the loop").isFalse();
            } finally {
                release.countDown();
            }
            stuck.get(10, TimeUnit.SECONDS);
            assertThat(b.execute("SELECT count(*) FROM direct_send").get(10, TimeUnit.SECONDS).fetchone().getLong(0))
                    .isEqualTo(1);
        } finally {
            opened.forEach(AsyncConnection::close);
        }
    }

    @Test
    void statementsSentDirectlyAndQueuedKeepTheirOrder(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE direct_order (n serial, v int)");
        try (AsyncConnection<Row> conn = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).get(15, TimeUnit.SECONDS)) {
            for (int round = 0; round < 50; round++) {
                // the first of each burst finds the connection idle and leaves at once; the rest queue for the loop
                List<CompletableFuture<AsyncCursor<Row>>> burst = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    burst.add(conn.execute("INSERT INTO direct_order (v) VALUES (%s) RETURNING n", round * 5 + i));
                }
                for (CompletableFuture<AsyncCursor<Row>> f : burst) {
                    f.get(10, TimeUnit.SECONDS);
                }
            }
            List<Row> rows = conn.execute("SELECT v FROM direct_order ORDER BY n").get(10, TimeUnit.SECONDS).fetchall();
            assertThat(rows).hasSize(250);
            for (int i = 0; i < rows.size(); i++) {
                assertThat(rows.get(i).getInt(0)).as("row %d", i).isEqualTo(i);
            }
        }
    }

    @Test
    void aStatementSubmittedBehindOthersWhileTheLoopSleepsLeavesFromTheCallersThread(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).get(15, TimeUnit.SECONDS)) {
            int sentHere = 0;
            for (int round = 0; round < 10; round++) {
                // the replies of the statements behind it wait for this one: the loop has nothing to do but sleep
                CompletableFuture<AsyncCursor<Row>> slow = conn.execute("SELECT pg_sleep(0.2)");
                Thread.sleep(20);
                List<CompletableFuture<AsyncCursor<Row>>> behind = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    int before = conn.driver().core().pendingCount();
                    behind.add(conn.execute("SELECT %s::int", round * 4 + i));
                    // sent from this thread, the statement is in the connection's pipeline when execute returns; queued for
                    // the loop, it gets there only once the loop woke up and ran its task
                    if (conn.driver().core().pendingCount() == before + 1) {
                        sentHere++;
                    }
                }
                slow.get(10, TimeUnit.SECONDS);
                for (int i = 0; i < 4; i++) {
                    assertThat(behind.get(i).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(round * 4 + i);
                }
            }
            assertThat(sentHere).as("of 40 statements submitted behind another while the loop slept, sent at once")
                    .isGreaterThanOrEqualTo(20);
        }
    }

    @Test
    void threadsTakingTurnsWithTheLoopGetTheirOwnAnswers(TestDatabase db) throws Exception {
        int threads = 3; // few enough that the connection often goes idle between answers
        int perThread = 1000;
        try (AsyncConnection<Row> conn = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).get(15, TimeUnit.SECONDS)) {
            java.util.concurrent.ConcurrentLinkedQueue<String> problems = new java.util.concurrent.ConcurrentLinkedQueue<>();
            List<Thread> started = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                Thread th = new Thread(() -> {
                    try {
                        for (int i = 0; i < perThread; i++) {
                            int n = thread * perThread + i;
                            // joined one by one, a thread often finds the connection idle and sends itself, racing
                            // the loop reading the others' answers and the other threads sending theirs
                            CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s::int, %s::text", n, "t" + n);
                            if (i % 3 == 0) { // and now and then a second one queued behind it
                                CompletableFuture<AsyncCursor<Row>> g = conn.execute("SELECT %s::int + 1", n);
                                int next = g.get(15, TimeUnit.SECONDS).fetchone().getInt(0);
                                if (next != n + 1) {
                                    problems.add("query " + n + " + 1 got " + next);
                                }
                            }
                            Row r = f.get(15, TimeUnit.SECONDS).fetchone();
                            if (r.getInt(0) != n || !r.getString(1).equals("t" + n)) {
                                problems.add("query " + n + " got " + r.getInt(0) + ", " + r.getString(1));
                            }
                        }
                    } catch (Exception e) {
                        problems.add(e.toString());
                    }
                });
                started.add(th);
                th.start();
            }
            for (Thread th : started) {
                th.join(60_000);
            }
            assertThat(problems).isEmpty();
            assertThat(conn.isBroken()).isFalse();
            assertThat(conn.execute("SELECT 1").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(1);
        }
    }

    private static AsyncConnection<Row> open(TestDatabase db, List<AsyncConnection<Row>> opened) throws Exception {
        AsyncConnection<Row> c = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).get(15, TimeUnit.SECONDS);
        opened.add(c);
        return c;
    }

    /** The table's row count once it is 1, or what it is after {@code millis}. */
    private static long countWithin(Connection<Row> observer, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        long count;
        while ((count = observer.execute("SELECT count(*) FROM direct_send").fetchone().getLong(0)) != 1
                && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        return count;
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
