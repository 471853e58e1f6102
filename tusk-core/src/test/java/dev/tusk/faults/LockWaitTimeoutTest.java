package dev.tusk.faults;

import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.ExecuteOptions;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.Transaction;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * A call with a statement timeout that must first wait for the connection's lock, held by another thread's statement
 * (here a {@code pg_sleep(30)} without a timeout of its own), waits at most its timeout (trust: every blocking call
 * has a deadline): it fails with a QueryCanceled naming the timeout and the busy connection, nothing of it sent, the
 * connection not broken; once the other statement is cancelled, the next call runs and reads its own rows.
 */
@TuskTest
class LockWaitTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** What a loaded machine may add to the timeout. */
    private static final Duration MARGIN = Duration.ofMillis(2500);

    /**
     * Thread A runs a 30 s sleep on {@code conn} (no timeout); then the connection's statement timeout is set and
     * {@code call} runs on this thread: it must fail within the timeout with the busy connection's QueryCanceled. A is
     * then cancelled, and the connection serves this thread's next statement.
     */
    private static void assertLockWaitBounded(TestDatabase db, Connection<Row> conn,
                                              ThrowableAssert.ThrowingCallable call) throws Exception {
        CompletableFuture<Throwable> other = CompletableFuture.supplyAsync(
                () -> catchThrowable(() -> conn.execute("SELECT pg_sleep(30)")));
        try {
            awaitSleeping(db);
            conn.setStatementTimeout(TIMEOUT); // after A started: its statement keeps none
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(call);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plus(MARGIN));
            assertThat(t).isInstanceOf(QueryCanceled.class).hasMessageContaining("statement timeout")
                    .hasMessageContaining("400 ms").hasMessageContaining("another thread's call");
            assertThat(conn.isBroken()).as("isBroken()").isFalse();
        } finally {
            conn.cancel();
        }
        assertThat(other.get(10, TimeUnit.SECONDS)).isInstanceOf(QueryCanceled.class); // A's own cancel
        conn.setStatementTimeout(null);
        conn.rollback(); // A's failed statement aborted the transaction
        assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
    }

    /** Waits until a backend runs the 30 s sleep (the thread running it holds the connection's lock). */
    private static void awaitSleeping(TestDatabase db) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!"1".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)'"
                + " AND state = 'active'"))) {
            assertThat(System.nanoTime()).as("the other thread's sleep started").isLessThan(end);
            Thread.sleep(20);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void executeWithATimeoutWaitsForAnotherThreadsStatementAtMostItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertLockWaitBounded(db, conn, () -> conn.execute("SELECT 1", List.of(),
                    ExecuteOptions.builder().timeout(TIMEOUT).build()));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void executeUnderTheStatementTimeoutWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertLockWaitBounded(db, conn, () -> conn.execute("SELECT 1"));
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void serverCursorFetchWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            var cur = conn.cursor("c");
            cur.execute("SELECT generate_series(1, 3)");
            assertLockWaitBounded(db, conn, () -> cur.fetchone());
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void streamStartWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Cursor<Row> cur = conn.cursor();
            assertLockWaitBounded(db, conn, () -> {
                try (Stream<Row> s = cur.stream("SELECT generate_series(1, 3)")) {
                    s.iterator().hasNext();
                }
            });
            try (Stream<Row> s = cur.stream("SELECT generate_series(1, 3)")) {
                assertThat(s.count()).isEqualTo(3);
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void commitAndRollbackWaitAtMostTheirTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertLockWaitBounded(db, conn, conn::commit);
            assertLockWaitBounded(db, conn, conn::rollback);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void transactionBlockBeginWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE tb (v int)");
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            conn.setAutocommit(true);
            assertLockWaitBounded(db, conn, () -> conn.transaction(tx -> {
                throw new AssertionError("the block's body ran although its BEGIN could not be sent");
            }));
            try (Transaction tx = conn.transaction()) { // the block works afterwards
                conn.execute("INSERT INTO tb VALUES (7)");
                tx.commit();
            }
            assertThat(conn.execute("SELECT v FROM tb").fetchone().getInt(0)).isEqualTo(7);
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void enteringAPipelineWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            assertLockWaitBounded(db, conn, () -> conn.pipeline().close()); // entering pipeline mode
            try (Pipeline p = conn.pipeline()) {
                Cursor<Row> cur = conn.cursor().execute("SELECT 9");
                p.sync();
                assertThat(cur.fetchone().getInt(0)).isEqualTo(9);
            }
        }
    }

    @Test
    @Timeout(value = 60, threadMode = SEPARATE_THREAD)
    void copyStartWaitsAtMostItsTimeout(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE cp (v int)");
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Cursor<Row> cur = conn.cursor();
            assertLockWaitBounded(db, conn, () -> cur.copy("COPY cp FROM STDIN").close());
            try (Copy copy = cur.copy("COPY cp FROM STDIN")) {
                copy.writeRow(5);
                copy.finish();
            }
            assertThat(conn.execute("SELECT v FROM cp").fetchone().getInt(0)).isEqualTo(5);
        }
    }
}
