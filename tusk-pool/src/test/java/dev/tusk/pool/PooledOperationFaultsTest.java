package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.AsyncPipeline;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Notify;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The connection is cut in the middle of each kind of operation on a leased connection, blocking and async:
 * the borrower sees the loss (an unknown outcome for a commit), the pool never lends that connection again, and
 * the next lease works on a new backend.
 */
@TuskTest
@Timeout(60)
class PooledOperationFaultsTest {
    private static final String LOST = "(?is).*(connection to the server lost|the server closed the connection|connection is broken"
            + "|connection reset|broken pipe|end of stream|lost while committing|could not be sent).*";

    enum Operation {
        QUERY, LARGE_RESULT, COPY_IN, COPY_OUT, PIPELINE, COMMIT, LISTEN
    }

    private static ConnectOptions<Row> via(FaultProxy proxy, TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1").port(proxy.port()).sslmode("disable").build();
    }

    // ------------------------------------------------------------------ blocking

    @ParameterizedTest
    @EnumSource(Operation.class)
    void aBlockingBorrowerSeesTheLossAndTheNextLeaseWorks(Operation op, TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS pf_" + op + " (id int, s text)");
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             ConnectionPool<Row> pool = ConnectionPool.builder().options(via(proxy, db))
                     .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).open(true).build()) {
            pool.waitReady(Duration.ofSeconds(20));
            int pid;
            Throwable t;
            try (Connection<Row> c = pool.connection()) {
                pid = c.info().backendPid();
                t = catchThrowable(() -> runBlocking(op, c, proxy, db));
                assertThat(c.isBroken()).as("isBroken() after the cut").isTrue();
            }
            assertLost(op, t);
            int next = pool.withConnection(c -> c.info().backendPid());
            assertThat(next).as("a new backend, not the cut one").isNotEqualTo(pid);
            int seven = pool.withConnection(c -> c.execute("SELECT 7").fetchone().getInt(0));
            assertThat(seven).isEqualTo(7);
        }
    }

    private static void runBlocking(Operation op, Connection<Row> c, FaultProxy proxy, TestDatabase db) {
        String table = "pf_" + op;
        switch (op) {
            case QUERY -> {
                proxy.failAtServerMessage('D', 1, FaultProxy.Action.RESET);
                c.execute("SELECT 1");
            }
            case LARGE_RESULT -> {
                proxy.failAtServerMessage('D', 5000, FaultProxy.Action.CLOSE);
                c.execute("SELECT generate_series(1, 100000)");
            }
            case COPY_IN -> {
                proxy.failAfterClientBytes(200_000, FaultProxy.Action.RESET);
                try (Copy copy = c.cursor().copy("COPY " + table + " FROM STDIN")) {
                    for (int i = 0; i < 2_000_000; i++) {
                        copy.writeRow(i, "row " + i);
                    }
                    copy.finish();
                }
            }
            case COPY_OUT -> {
                proxy.failAtServerMessage('d', 5000, FaultProxy.Action.CLOSE);
                try (Copy copy = c.cursor().copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT")) {
                    copy.rows().forEach(r -> { });
                }
            }
            case PIPELINE -> {
                proxy.failAtServerMessage('C', 3, FaultProxy.Action.RESET);
                try (Pipeline p = c.pipeline()) {
                    for (int i = 0; i < 5; i++) {
                        c.execute("INSERT INTO " + table + " VALUES (%s, 'p')", i);
                    }
                    p.sync();
                }
            }
            case COMMIT -> {
                c.execute("INSERT INTO " + table + " VALUES (1, 'c')");
                proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT's CommandComplete
                c.commit();
            }
            case LISTEN -> {
                c.setAutocommit(true);
                c.execute("LISTEN pf_jobs");
                proxy.failAtServerMessage('A', 1, FaultProxy.Action.CLOSE);
                CompletableFuture.runAsync(() -> db.admin("NOTIFY pf_jobs, 'cut'"));
                c.notifies(Duration.ofSeconds(20), null).forEach(n -> { });
            }
        }
    }

    // ------------------------------------------------------------------ async

    @ParameterizedTest
    @EnumSource(Operation.class)
    void anAsyncBorrowerSeesTheLossAndTheNextLeaseWorks(Operation op, TestDatabase db) throws Exception {
        db.admin("CREATE TABLE IF NOT EXISTS pfa_" + op + " (id int, s text)");
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().options(via(proxy, db))
                     .minSize(1).maxSize(1).timeout(Duration.ofSeconds(20)).build()) {
            pool.open();
            AsyncConnection<Row> c = pool.connection().get(20, TimeUnit.SECONDS);
            int pid = c.info().backendPid();
            Throwable t = failure(runAsync(op, c, proxy, db));
            assertThat(c.isBroken()).as("isBroken() after the cut").isTrue();
            c.close(); // given back broken
            assertLost(op, t);
            int next = pool.withConnection(n -> CompletableFuture.completedFuture(n.info().backendPid())).get(20, TimeUnit.SECONDS);
            assertThat(next).as("a new backend, not the cut one").isNotEqualTo(pid);
            assertThat(pool.withConnection(n -> n.execute("SELECT 7").thenApply(cur -> cur.fetchone().getInt(0)))
                    .get(20, TimeUnit.SECONDS)).isEqualTo(7);
        }
    }

    private static CompletableFuture<?> runAsync(Operation op, AsyncConnection<Row> c, FaultProxy proxy, TestDatabase db) {
        String table = "pfa_" + op;
        switch (op) {
            case QUERY -> {
                proxy.failAtServerMessage('D', 1, FaultProxy.Action.RESET);
                return c.execute("SELECT 1");
            }
            case LARGE_RESULT -> {
                proxy.failAtServerMessage('D', 5000, FaultProxy.Action.CLOSE);
                return c.execute("SELECT generate_series(1, 100000)");
            }
            case COPY_IN -> {
                proxy.failAfterClientBytes(200_000, FaultProxy.Action.RESET);
                // the producer runs on a thread of its own: it waits on write futures, which the event loop must not
                return c.cursor().copy("COPY " + table + " FROM STDIN").thenComposeAsync(copy -> {
                    CompletableFuture<Void> last = CompletableFuture.completedFuture(null);
                    for (int i = 0; i < 2_000_000 && !last.isCompletedExceptionally(); i++) {
                        last = copy.writeRow(i, "row " + i);
                        if (!last.isDone()) {
                            last.handle((v, e) -> null).join(); // back-pressure, off the event loop
                        }
                    }
                    return copy.finish();
                }, java.util.concurrent.ForkJoinPool.commonPool());
            }
            case COPY_OUT -> {
                proxy.failAtServerMessage('d', 5000, FaultProxy.Action.CLOSE);
                return c.cursor().copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT").thenCompose(PooledOperationFaultsTest::drain);
            }
            case PIPELINE -> {
                proxy.failAtServerMessage('C', 3, FaultProxy.Action.RESET);
                AsyncPipeline p = c.pipeline();
                List<CompletableFuture<?>> all = new ArrayList<>();
                for (int i = 0; i < 5; i++) {
                    all.add(c.execute("INSERT INTO " + table + " VALUES (%s, 'p')", i));
                }
                all.add(p.closeAsync());
                return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new));
            }
            case COMMIT -> {
                return c.execute("INSERT INTO " + table + " VALUES (1, 'c')").thenCompose(cur -> {
                    proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT's CommandComplete
                    return c.commit();
                });
            }
            case LISTEN -> {
                CompletableFuture<Void> ended = new CompletableFuture<>();
                return c.setAutocommit(true).thenCompose(v -> c.execute("LISTEN pf_jobs")).thenCompose(cur -> {
                    c.notifications().subscribe(new Flow.Subscriber<Notify>() {
                        public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        public void onNext(Notify n) {
                        }

                        public void onError(Throwable t) {
                            ended.completeExceptionally(t);
                        }

                        public void onComplete() {
                            ended.complete(null);
                        }
                    });
                    proxy.failAtServerMessage('A', 1, FaultProxy.Action.CLOSE);
                    CompletableFuture.runAsync(() -> db.admin("NOTIFY pf_jobs, 'cut'"));
                    return ended;
                });
            }
            default -> throw new IllegalArgumentException(op.name());
        }
    }

    /** Reads a COPY TO to its end; the future fails with the COPY's error. */
    private static CompletableFuture<Long> drain(AsyncCopy copy) {
        return copy.read().thenCompose(chunk -> chunk == null ? copy.finish() : drain(copy));
    }

    // ------------------------------------------------------------------ both

    private static Throwable failure(CompletableFuture<?> f) throws InterruptedException {
        try {
            Object v = f.get(30, TimeUnit.SECONDS);
            throw new AssertionError("the operation must fail, it completed with " + v);
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
                t = t.getCause();
            }
            return t;
        } catch (TimeoutException e) {
            throw new AssertionError("the operation neither failed nor completed within 30 s: a hang");
        }
    }

    private static void assertLost(Operation op, Throwable t) {
        assertThat(t).as(op + " must fail").isInstanceOf(OperationalException.class);
        assertThat(t.getMessage()).matches(LOST);
        if (op == Operation.COMMIT) {
            assertThat(t).isInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
        }
    }
}
