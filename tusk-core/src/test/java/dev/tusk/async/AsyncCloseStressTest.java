package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Closing async connections in every state a user can close one in leaves no backend behind and no future
 * hanging: idle, after joined (the caller reads the reply itself) and not joined statements, with statements in
 * flight (joined on another thread or not), from a completion on the event loop, inside a transaction, with a
 * pipeline open, while a stream or a COPY TO is half read, after the server terminated the backend (a failure
 * recorded: no Terminate is written), concurrently from several threads, and from the connect future's own
 * completion.
 * Each round opens one connection per state at once; afterwards every statement future must have settled and
 * every backend pid must be gone from {@code pg_stat_activity} (read on connections of their own) within a deadline.
 *
 * <p>Longer on demand: {@code -Dtusk.closeStress.rounds=N} (default 3, a few seconds), {@code
 * -Dtusk.closeStress.seed=S} to replay a round's random delays.
 */
@TuskTest
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AsyncCloseStressTest {
    private static final int ROUNDS = Integer.getInteger("tusk.closeStress.rounds", 3);
    private static final long SETTLE_SECONDS = 10;

    /** The states a connection is closed in. */
    enum Way {
        IDLE_NEVER_USED, AFTER_JOINED, AFTER_NOT_JOINED, IN_FLIGHT_NOT_JOINED, IN_FLIGHT_JOINED_ELSEWHERE,
        FROM_COMPLETION, FROM_FAILED_COMPLETION, IN_TRANSACTION, MANY_QUEUED_FROM_A_COMPLETION, TERMINATED_BY_SERVER,
        TERMINATED_WHILE_IN_FLIGHT, CONCURRENT_CLOSES, FROM_CONNECT_COMPLETION, PIPELINE_OPEN, STREAM_HALF_READ,
        COPY_OUT_HALF_READ, CLOSE_ASYNC_THEN_STATEMENT
    }

    @Test
    void everyBackendIsGoneAndEveryFutureSettlesWhateverStateTheConnectionIsClosedIn(TestDatabase db) throws Exception {
        long seed = Long.getLong("tusk.closeStress.seed", System.nanoTime());
        Random random = new Random(seed);
        for (int round = 0; round < ROUNDS; round++) {
            String app = "close_stress_" + round + "_" + Long.toHexString(seed);
            String conninfo = db.conninfo() + " application_name=" + app;
            Map<Way, Integer> pids = new ConcurrentHashMap<>();
            List<CompletableFuture<?>> settles = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            for (Way way : Way.values()) {
                settles.add(run(way, conninfo, db, pids, random.nextInt(20), threads));
            }
            for (int i = 0; i < settles.size(); i++) {
                try {
                    settles.get(i).handle((v, e) -> null).get(SETTLE_SECONDS, TimeUnit.SECONDS);
                } catch (TimeoutException e) {
                    throw new AssertionError("seed " + seed + ": closed " + Way.values()[i] + ", a future still pending after "
                            + SETTLE_SECONDS + " s", e);
                }
            }
            for (Thread t : threads) {
                t.join(TimeUnit.SECONDS.toMillis(SETTLE_SECONDS));
                assertThat(t.isAlive()).as("seed %s: a thread joining a statement of a closed connection returned", seed)
                        .isFalse();
            }
            assertThat(pids).as("seed %s: every way ran", seed).hasSize(Way.values().length);
            awaitGone(db, app, pids, seed);
        }
    }

    /**
     * A stream's subscriber with no demand left has no FETCH in flight to fail: it still hears, with onError, that
     * the connection was closed, or lost (it waited for ever before).
     */
    @Test
    void aStreamSubscriberWithNoDemandLeftHearsThatTheConnectionClosedOrWasLost(TestDatabase db) throws Exception {
        for (boolean lost : new boolean[] {false, true}) {
            AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).get(20, TimeUnit.SECONDS);
            FirstThenNothing<Row> sub = new FirstThenNothing<>();
            conn.stream("SELECT g FROM generate_series(1, 100000) g").subscribe(sub);
            assertThat(sub.first.await(10, TimeUnit.SECONDS)).isTrue();
            if (lost) {
                db.adminQuery("SELECT pg_terminate_backend(" + conn.info().backendPid() + ")");
            } else {
                conn.close();
            }
            assertThat(sub.ended.get(10, TimeUnit.SECONDS)).as(lost ? "lost" : "closed")
                    .isInstanceOf(dev.tusk.errors.OperationalException.class)
                    .hasMessageContaining(lost ? "broken" : "closed");
            conn.close();
        }
    }

    /** Opens a connection, closes it as {@code way} says; the future settles once all it started has. */
    private static CompletableFuture<?> run(Way way, String conninfo, TestDatabase db, Map<Way, Integer> pids, int delayMillis,
            List<Thread> threads) throws Exception {
        if (way == Way.FROM_CONNECT_COMPLETION) {
            return AsyncConnection.connect(conninfo).thenAccept(c -> {
                pids.put(way, c.info().backendPid());
                c.close();
            });
        }
        AsyncConnection<Row> conn = AsyncConnection.connect(conninfo).get(20, TimeUnit.SECONDS);
        int pid = conn.info().backendPid();
        pids.put(way, pid);
        switch (way) {
            case IDLE_NEVER_USED:
                conn.close();
                return conn.closeAsync();
            case AFTER_JOINED:
                conn.execute("SELECT 1").get(10, TimeUnit.SECONDS);
                conn.close();
                return conn.closeAsync();
            case AFTER_NOT_JOINED: {
                CountDownLatch done = new CountDownLatch(1);
                conn.execute("SELECT 1").whenComplete((c, e) -> done.countDown());
                assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
                conn.close();
                return conn.closeAsync();
            }
            case IN_FLIGHT_NOT_JOINED: {
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT pg_sleep(0.05)");
                sleep(delayMillis);
                conn.close();
                return CompletableFuture.allOf(f, conn.closeAsync());
            }
            case IN_FLIGHT_JOINED_ELSEWHERE: {
                CompletableFuture<Object> joined = new CompletableFuture<>();
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT pg_sleep(0.3)");
                Thread t = new Thread(() -> {
                    try {
                        joined.complete(f.get(30, TimeUnit.SECONDS));
                    } catch (Throwable e) {
                        joined.completeExceptionally(e);
                    }
                }, "close-stress-joiner");
                t.start();
                threads.add(t);
                sleep(delayMillis);
                conn.close();
                return CompletableFuture.allOf(joined, conn.closeAsync());
            }
            case FROM_COMPLETION:
                return conn.execute("SELECT 1").thenAccept(c -> conn.close());
            case FROM_FAILED_COMPLETION:
                return conn.execute("SELECT 1/0").whenComplete((c, e) -> conn.close());
            case IN_TRANSACTION:
                conn.execute("SELECT 1").get(10, TimeUnit.SECONDS); // autocommit off: a transaction stays open
                assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.INTRANS);
                conn.close();
                return conn.closeAsync();
            case MANY_QUEUED_FROM_A_COMPLETION: {
                List<CompletableFuture<?>> all = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT %s", i);
                    if (i == 4) {
                        f = f.whenComplete((c, e) -> conn.close());
                    }
                    all.add(f);
                }
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
            }
            case TERMINATED_BY_SERVER:
                db.adminQuery("SELECT pg_terminate_backend(" + pid + ")");
                return conn.execute("SELECT 1").handle((c, e) -> null).thenCompose(v -> conn.closeAsync());
            case TERMINATED_WHILE_IN_FLIGHT: {
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT pg_sleep(5)");
                db.adminQuery("SELECT pg_terminate_backend(" + pid + ")");
                return f.handle((c, e) -> null).thenCompose(v -> conn.closeAsync());
            }
            case CONCURRENT_CLOSES: {
                CompletableFuture<AsyncCursor<Row>> f = conn.execute("SELECT 1");
                CountDownLatch go = new CountDownLatch(1);
                List<CompletableFuture<?>> all = new ArrayList<>(List.of(f));
                for (int i = 0; i < 3; i++) {
                    all.add(CompletableFuture.runAsync(() -> {
                        await(go);
                        conn.close();
                    }));
                }
                all.add(CompletableFuture.supplyAsync(() -> {
                    await(go);
                    return conn.closeAsync();
                }).thenCompose(c -> c));
                go.countDown();
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
            }
            case PIPELINE_OPEN: {
                AsyncPipeline p = conn.pipeline();
                CompletableFuture<AsyncCursor<Row>> a = conn.execute("SELECT 1");
                CompletableFuture<AsyncCursor<Row>> b = conn.execute("SELECT pg_sleep(0.02)");
                sleep(delayMillis);
                conn.close();
                return CompletableFuture.allOf(a, b, p.closeAsync(), conn.closeAsync());
            }
            case STREAM_HALF_READ: {
                FirstThenNothing<Row> sub = new FirstThenNothing<>();
                conn.stream("SELECT g FROM generate_series(1, 1000000) g").subscribe(sub);
                assertThat(sub.first.await(10, TimeUnit.SECONDS)).isTrue();
                conn.close();
                return CompletableFuture.allOf(sub.ended, conn.closeAsync());
            }
            case COPY_OUT_HALF_READ: {
                AsyncCopy copy = conn.cursor().copy("COPY (SELECT g FROM generate_series(1, 1000000) g) TO STDOUT")
                        .get(10, TimeUnit.SECONDS);
                FirstThenNothing<byte[]> sub = new FirstThenNothing<>();
                copy.chunks().subscribe(sub);
                assertThat(sub.first.await(10, TimeUnit.SECONDS)).isTrue();
                conn.close();
                return CompletableFuture.allOf(sub.ended, copy.finish(), conn.closeAsync());
            }
            case CLOSE_ASYNC_THEN_STATEMENT: {
                CompletableFuture<Void> closed = conn.closeAsync();
                return CompletableFuture.allOf(closed, conn.execute("SELECT 1"));
            }
            default:
                throw new AssertionError(way);
        }
    }

    /** Waits until no backend of {@code app} is left, and none of {@code pids}. */
    private static void awaitGone(TestDatabase db, String app, Map<Way, Integer> pids, long seed) throws InterruptedException {
        String pidList = pids.values().stream().map(String::valueOf).collect(Collectors.joining(","));
        String query = "SELECT coalesce(string_agg(pid || ' ' || coalesce(state, '') || ' ' || query, '; '), '')"
                + " FROM pg_stat_activity WHERE application_name = '" + app + "' OR pid IN (" + pidList + ")";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(SETTLE_SECONDS);
        String left;
        while (!(left = db.adminQuery(query)).isEmpty() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertThat(left).as("seed %s: backends still there (pids by way: %s)", seed, pids).isEmpty();
    }

    /** A subscriber that takes one item and then asks for nothing more; {@code ended}: its onError or onComplete. */
    static final class FirstThenNothing<T> implements Flow.Subscriber<T> {
        final CountDownLatch first = new CountDownLatch(1);
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        public void onSubscribe(Flow.Subscription s) {
            s.request(1);
        }

        public void onNext(T item) {
            first.countDown();
        }

        public void onError(Throwable t) {
            ended.complete(t);
        }

        public void onComplete() {
            ended.complete(null);
        }
    }

    private static void sleep(int millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
