package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.UndefinedTable;
import dev.tusk.internal.async.AsyncAccess;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The door a driver built on AsyncConnection (tusk-r2dbc) goes through: a statement whose outcome is handed to a
 * callback on the event loop instead of a future, and a cancel request through the caller's gate.
 */
@TuskTest
@Timeout(60)
class AsyncAccessTest {
    @SuppressWarnings("unchecked")
    private static final AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>> TUSK =
            (AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>>) AsyncAccess.hooks();

    private static AsyncConnection<Row> open(TestDatabase db) throws Exception {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())
                .get(15, TimeUnit.SECONDS);
    }

    /** Runs {@code sql} through the door; the future holds what the callback got (the cursor's first value, or the error). */
    private static CompletableFuture<Object> run(AsyncCursor<Row> cur, String sql, Object[] params, List<Boolean> onLoop) {
        CompletableFuture<Object> got = new CompletableFuture<>();
        BiConsumer<AsyncCursor<?>, Throwable> done = (c, e) -> {
            onLoop.add(EventLoop.isEventLoopThread());
            got.complete(e != null ? e : ((Row) c.fetchone()).get(0));
        };
        TUSK.execute(cur, sql, params, done);
        return got;
    }

    @Test
    void statementsChainedInTheirCallbacksAreAnsweredInOrderOnTheLoop(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db)) {
            AsyncCursor<Row> cur = conn.rawCursor();
            List<Integer> seen = Collections.synchronizedList(new ArrayList<>());
            List<Boolean> onLoop = Collections.synchronizedList(new ArrayList<>());
            CompletableFuture<Void> all = new CompletableFuture<>();
            BiConsumer<AsyncCursor<?>, Throwable>[] next = new BiConsumer[1];
            next[0] = (c, e) -> {
                onLoop.add(EventLoop.isEventLoopThread());
                if (e != null) {
                    all.completeExceptionally(e);
                    return;
                }
                seen.add(((Row) c.fetchone()).getInt(0));
                if (seen.size() == 100) {
                    all.complete(null);
                } else {
                    TUSK.execute(cur, "SELECT $1::int", new Object[] {seen.size()}, next[0]);
                }
            };
            TUSK.execute(cur, "SELECT $1::int", new Object[] {0}, next[0]);
            all.get(30, TimeUnit.SECONDS);
            List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                expected.add(i);
            }
            assertThat(seen).isEqualTo(expected);
            assertThat(onLoop).doesNotContain(false);
            assertThat(run(conn.cursor(), "SELECT 'simple'", null, onLoop).get(10, TimeUnit.SECONDS)).isEqualTo("simple");
        }
    }

    @Test
    void anErrorGoesToTheCallbackAndTheConnectionGoesOn(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db)) {
            List<Boolean> onLoop = Collections.synchronizedList(new ArrayList<>());
            assertThat(run(conn.rawCursor(), "SELECT * FROM no_such_table_here", new Object[0], onLoop).get(10, TimeUnit.SECONDS))
                    .isInstanceOf(UndefinedTable.class);
            assertThat(run(conn.rawCursor(), "SELECT $1::int + 1", new Object[] {41}, onLoop).get(10, TimeUnit.SECONDS)).isEqualTo(42);
        }
    }

    @Test
    void onAClosedConnectionTheCallbackHearsAtOnceOnTheCallersThread(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = open(db);
        AsyncCursor<Row> cur = conn.rawCursor();
        conn.closeAsync().get(10, TimeUnit.SECONDS);
        List<Boolean> onLoop = Collections.synchronizedList(new ArrayList<>());
        CompletableFuture<Object> got = run(cur, "SELECT 1", new Object[0], onLoop);
        assertThat(got).isDone();
        assertThat(got.get()).isInstanceOf(RuntimeException.class);
        assertThat(onLoop).containsExactly(false);
    }

    @Test
    void aGatedCancelIsSentOnlyWhenItsGateAllows(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = open(db)) {
            for (boolean allow : new boolean[] {false, true}) {
                CompletableFuture<AsyncCursor<Row>> sleeping = conn.execute("SELECT pg_sleep(1)");
                Thread.sleep(150);
                AtomicBoolean confirmed = new AtomicBoolean();
                TUSK.cancel(conn, Duration.ofSeconds(10), new CancelRequester.Gate() {
                    @Override
                    public boolean mayWrite() {
                        return allow;
                    }

                    @Override
                    public void ended(boolean ok) {
                        confirmed.set(ok);
                    }
                }).get(15, TimeUnit.SECONDS);
                if (allow) {
                    assertThat(confirmed).as("the server confirmed the request").isTrue();
                    assertThat(sleeping).failsWithin(10, TimeUnit.SECONDS).withThrowableOfType(Exception.class)
                            .withRootCauseInstanceOf(QueryCanceled.class);
                } else {
                    assertThat(sleeping.get(10, TimeUnit.SECONDS)).as("nothing sent: the statement ran to its end").isNotNull();
                    assertThat(confirmed).isFalse();
                }
            }
        }
    }
}
