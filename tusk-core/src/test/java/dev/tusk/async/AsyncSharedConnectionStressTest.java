package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.ConnectOptions;
import dev.tusk.Rollback;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The async twin of {@code SharedConnectionStressTest}: threads submitting at once to one {@link AsyncConnection}
 * statements, statements chained from completions (on the loop thread), {@code join()} of an unfinished future from a
 * completion (refused with an InterfaceException, never a self-deadlock), streams, transaction blocks, pipeline
 * blocks, COPY TO, cancels; with {@code close} on, the test's thread closes the connection under them. Oracle: every
 * statement reads its own token back; a failure is a {@link TuskException}; every future settles within its deadline;
 * afterwards the connection is idle and usable (or visibly closed, not broken).
 *
 * <p>{@code -Dtusk.asyncShared.millis} (default 2500 per case), {@code .threads} (4), {@code .seed}.
 */
@TuskTest
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AsyncSharedConnectionStressTest {
    private static final long MILLIS = Long.getLong("tusk.asyncShared.millis", 2500);
    private static final int THREADS = Integer.getInteger("tusk.asyncShared.threads", 4);
    private static final long SEED = ModelRuns.seed("tusk.asyncShared", System.nanoTime());
    private static final long DEADLINE_MS = 30_000;

    @ParameterizedTest
    @ValueSource(strings = {"autocommit", "transactions", "autocommit+close", "transactions+close"})
    void threadsSubmittingToOneConnectionEachReadTheirOwnRows(String mode, TestDatabase db) throws Exception {
        boolean autocommit = mode.startsWith("autocommit");
        boolean closeUnder = mode.endsWith("+close");
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .autocommit(autocommit).statementTimeout(Duration.ofSeconds(10)).build()).get(10, TimeUnit.SECONDS);
        Run run = new Run(conn);
        List<Thread> workers = new ArrayList<>();
        long end = System.nanoTime() + MILLIS * 1_000_000L;
        for (int i = 0; i < THREADS; i++) {
            long seed = SEED + i;
            int id = i;
            Thread t = new Thread(() -> run.work(id, new Random(seed), end), "async-shared-" + i);
            t.setDaemon(true);
            workers.add(t);
            t.start();
        }
        if (closeUnder) {
            Thread.sleep(MILLIS / 4 + new Random(SEED).nextInt((int) Math.max(1, MILLIS / 2)));
            conn.closeAsync().get(10, TimeUnit.SECONDS);
        }
        for (Thread t : workers) {
            t.join(MILLIS + DEADLINE_MS + 10_000);
            if (t.isAlive()) {
                run.failures.add(t.getName() + " hung");
            }
        }
        String summary = mode + " seed=" + SEED + " ops=" + run.ops.get() + " errors=" + run.errors;
        System.out.println("[AsyncSharedConnectionStressTest] " + summary);
        assertThat(run.failures).as(summary).isEmpty();
        if (closeUnder) {
            assertThat(conn.isClosed()).isTrue();
            assertThat(conn.isBroken()).isFalse();
            return;
        }
        assertThat(conn.isBroken()).as(summary).isFalse();
        conn.rollback().get(10, TimeUnit.SECONDS);
        assertThat(conn.info().pipelineStatus()).as(summary).isEqualTo(dev.tusk.PipelineStatus.OFF);
        assertThat(conn.info().transactionStatus()).as(summary).isEqualTo(TransactionStatus.IDLE);
        assertThat(conn.execute("SELECT %s::text", "last").get(10, TimeUnit.SECONDS).fetchone().getString(0))
                .isEqualTo("last");
        conn.commit().get(10, TimeUnit.SECONDS);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        conn.closeAsync().get(10, TimeUnit.SECONDS);
    }

    private static final class Run {
        final AsyncConnection<Row> conn;
        final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        final Map<String, Integer> errors = new ConcurrentHashMap<>();
        final AtomicLong ops = new AtomicLong();

        Run(AsyncConnection<Row> conn) {
            this.conn = conn;
        }

        void work(int id, Random random, long end) {
            int n = 0;
            List<CompletableFuture<?>> inFlight = new ArrayList<>();
            while (System.nanoTime() < end && failures.isEmpty()) {
                String tok = "t" + id + "_" + n++;
                int op = random.nextInt(100);
                String name = opName(op);
                CompletableFuture<?> f;
                try {
                    f = start(name, tok, random);
                } catch (Throwable t) {
                    f = CompletableFuture.failedFuture(t);
                }
                inFlight.add(f.handle((v, e) -> {
                    settle(name, tok, e);
                    return null;
                }));
                if (inFlight.size() >= 8 || random.nextInt(4) == 0) {
                    awaitAll(inFlight);
                }
            }
            awaitAll(inFlight);
        }

        private void awaitAll(List<CompletableFuture<?>> inFlight) {
            for (CompletableFuture<?> f : inFlight) {
                try {
                    f.get(DEADLINE_MS, TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    failures.add("a future still pending after " + DEADLINE_MS + " ms");
                } catch (InterruptedException | ExecutionException e) {
                    failures.add("awaiting: " + e);
                }
            }
            inFlight.clear();
        }

        private void settle(String name, String tok, Throwable e) {
            Throwable t = e;
            while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
                t = t.getCause();
            }
            if (t == null) {
                ops.incrementAndGet();
            } else if (t instanceof TuskException) {
                String msg = String.valueOf(t.getMessage());
                int nl = msg.indexOf('\n');
                msg = nl < 0 ? msg : msg.substring(0, nl);
                errors.merge(name + ": " + t.getClass().getSimpleName() + ": "
                        + msg.substring(0, Math.min(msg.length(), 140)), 1, Integer::sum);
            } else {
                failures.add(name + " " + tok + ": " + t + " " + ModelRuns.stack(t, 12));
            }
        }

        static String opName(int op) {
            return op < 25 ? "select" : op < 35 ? "chained" : op < 45 ? "joinInCallback" : op < 55 ? "stream"
                    : op < 65 ? "transaction" : op < 75 ? "pipeline" : op < 83 ? "copyOut" : op < 90 ? "rows"
                    : op < 95 ? "rollback" : op < 98 ? "commit" : "cancel";
        }

        CompletableFuture<?> start(String name, String tok, Random random) {
            switch (name) {
                case "select":
                    return conn.execute("SELECT %s::text", tok).thenAccept(c -> same(tok, c));
                case "chained":
                    return conn.execute("SELECT %s::text", tok).thenCompose(c -> {
                        same(tok, c);
                        return conn.execute("SELECT %s::text", tok + "-2");
                    }).thenAccept(c -> same(tok + "-2", c));
                case "joinInCallback": {
                    CompletableFuture<AsyncCursor<Row>> slow = conn.execute("SELECT %s::text FROM pg_sleep(0.01)", tok + "-s");
                    return conn.execute("SELECT %s::text", tok).thenApply(c -> {
                        same(tok, c);
                        try {
                            slow.join(); // done already, or refused: never waits on the loop thread
                        } catch (InterfaceException refused) {
                            assertThat(refused).hasMessageContaining("event-loop thread");
                        }
                        return c;
                    }).thenCompose(c -> slow).thenAccept(c -> same(tok + "-s", c));
                }
                case "stream": {
                    int count = random.nextInt(100) + 1;
                    CompletableFuture<List<String>> got = new CompletableFuture<>();
                    conn.stream("SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count)
                            .subscribe(new Collect(got));
                    return got.thenAccept(rows -> rows(tok, count, rows));
                }
                case "transaction":
                    return conn.transaction(tx -> conn.execute("SELECT %s::text", tok).thenApply(c -> {
                        same(tok, c);
                        if (random.nextInt(4) == 0) {
                            throw new Rollback(tx);
                        }
                        return c;
                    }));
                case "pipeline": {
                    AsyncPipeline p = conn.pipeline();
                    CompletableFuture<AsyncCursor<Row>> a = conn.execute("SELECT %s::text", tok);
                    CompletableFuture<AsyncCursor<Row>> b = conn.execute("SELECT %s::text", tok + "-2");
                    return p.closeAsync().thenCompose(v -> a).thenAccept(c -> same(tok, c))
                            .thenCompose(v -> b).thenAccept(c -> same(tok + "-2", c));
                }
                case "copyOut": {
                    int count = random.nextInt(20) + 1;
                    return conn.cursor().copy("COPY (SELECT %s || '-' || g FROM generate_series(1, %s) g) TO STDOUT",
                            tok, count).thenCompose(copy -> {
                                CompletableFuture<List<String>> got = new CompletableFuture<>();
                                copy.rows().subscribe(new Flow.Subscriber<List<String>>() {
                                    final List<String> rows = new ArrayList<>();

                                    public void onSubscribe(Flow.Subscription s) {
                                        s.request(Long.MAX_VALUE);
                                    }

                                    public void onNext(List<String> row) {
                                        rows.add(row.get(0));
                                    }

                                    public void onError(Throwable t) {
                                        got.completeExceptionally(t);
                                    }

                                    public void onComplete() {
                                        got.complete(rows);
                                    }
                                });
                                return got;
                            }).thenAccept(rows -> rows(tok, count, rows));
                }
                case "rows": {
                    int count = random.nextInt(20) + 1;
                    return conn.execute("SELECT %s || '-' || g FROM generate_series(1, %s) g", tok, count)
                            .thenAccept(c -> rows(tok, count, c.fetchall().stream().map(r -> r.getString(0)).toList()));
                }
                case "rollback":
                    return conn.rollback();
                case "commit":
                    return conn.commit();
                case "cancel":
                    return conn.cancel();
                default:
                    throw new AssertionError(name);
            }
        }

        private static void same(String tok, AsyncCursor<Row> c) {
            Row r = c.fetchone();
            assertThat(r).as("the row of " + tok).isNotNull();
            assertThat(r.getString(0)).isEqualTo(tok);
        }

        private static void rows(String tok, int count, List<String> got) {
            assertThat(got).as("the rows of " + tok).hasSize(count);
            for (int i = 0; i < count; i++) {
                assertThat(got.get(i)).isEqualTo(tok + "-" + (i + 1));
            }
        }
    }

    /** Collects a stream's rows (their first column) into {@code done}. */
    private record Collect(CompletableFuture<List<String>> done, List<String> rows) implements Flow.Subscriber<Row> {
        Collect(CompletableFuture<List<String>> done) {
            this(done, new ArrayList<>());
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Row r) {
            rows.add(r.getString(0));
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onComplete() {
            done.complete(rows);
        }
    }
}
