package dev.tusk.r2dbc;

import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A user's statement in flight when the server freezes (its backend stopped with SIGSTOP: the socket stays open,
 * nothing comes back), and what must still end: a ROLLBACK queued behind it (r2dbc-pool's release begins with one
 * when it saw the lease begin a transaction) within {@link TuskConnection#CONTROL_DEADLINE} counted from when it was
 * issued, the connection then closed; r2dbc-pool's release of such a lease, in a transaction or not, the subscriber
 * of the statement gone or still waiting, within the same bound, the connection dropped (never lent again) and the
 * next borrower served by a new backend; and {@link TuskConnection#close()}, which never waits for the server.
 * The statement left in flight fails (the connection closed), its subscriber never left waiting; once the backend
 * resumes it sees the closed socket and ends.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrozenInFlightStatementTest {
    /** Longer than any bound here, shorter than FrozenBackend's 30 s safety resume. */
    private static final Duration T = Duration.ofSeconds(20);
    /** What a loaded machine adds to a deadline. */
    private static final Duration SLACK = Duration.ofSeconds(2);
    private static final Duration BOUND = TuskConnection.CONTROL_DEADLINE.plus(SLACK);

    private static int pid(Connection c) {
        return Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockFirst(T);
    }

    /** Sends a statement now; its value, or its error, completes the future. */
    private static CompletableFuture<Integer> inFlight(Connection c) {
        return Flux.from(c.createStatement("SELECT 7").execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).next().toFuture();
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** The statement left in flight failed (the connection closed under it), its subscriber told within the bound. */
    private static void failedUnderTheClose(CompletableFuture<Integer> statement) {
        Throwable t = catchThrowable(() -> statement.get(BOUND.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
        assertThat(t).as("the statement left in flight").isInstanceOf(java.util.concurrent.ExecutionException.class);
        assertThat(t.getCause()).isInstanceOf(R2dbcNonTransientResourceException.class);
    }

    /** r2dbc-pool with a single connection: the next borrower waits for the previous one's release. */
    private static ConnectionPool poolOfOne(TestDatabase db) {
        return (ConnectionPool) ConnectionFactories.get(R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:")
                + "?sslmode=disable&initialSize=1&maxSize=1");
    }

    /** Once resumed, the backend reads the closed socket and ends: nothing stays behind on the server. */
    private static void backendEnds(JdbcTemplate jdbc, int pid) throws InterruptedException {
        long until = System.nanoTime() + T.toNanos();
        while (!jdbc.queryForList("SELECT 1 FROM pg_stat_activity WHERE pid = ?", Integer.class, pid).isEmpty()) {
            assertThat(System.nanoTime() - until).as("backend %d still there after it resumed", pid).isNegative();
            Thread.sleep(50);
        }
    }

    @Test
    void aRollbackBehindAFrozenStatementEndsWithinTheControlDeadlineAndClosesTheConnection(TestDatabase db)
            throws Exception {
        TuskConnection c = R2dbc.connect(db);
        int pid = pid(c);
        try {
            Mono.from(c.beginTransaction()).block(T);
            CompletableFuture<Integer>[] statement = new CompletableFuture[1];
            FrozenBackend.frozen(pid, () -> {
                statement[0] = inFlight(c); // its subscriber waits for it
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> Mono.from(c.rollbackTransaction()).block(T));
                assertThat(since(t0)).as("ROLLBACK behind a statement of a frozen server").isLessThan(BOUND);
                assertThat(t).isInstanceOf(R2dbcNonTransientResourceException.class)
                        .hasMessageContaining("did not answer ROLLBACK").hasMessageContaining("the connection was closed")
                        .hasMessageContaining("sent before it");
                assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
                failedUnderTheClose(statement[0]);
            });
            backendEnds(R2dbc.jdbc(db), pid);
        } finally {
            Mono.from(c.close()).block(T);
        }
    }

    @Test
    void closeWithAFrozenStatementInFlightEndsAtOnceAndTheStatementFails(TestDatabase db) throws Exception {
        TuskConnection c = R2dbc.connect(db);
        int pid = pid(c);
        Mono.from(c.beginTransaction()).block(T);
        FrozenBackend.frozen(pid, () -> {
            CompletableFuture<Integer> statement = inFlight(c);
            long t0 = System.nanoTime();
            Mono.from(c.close()).block(T);
            assertThat(since(t0)).as("close() with a statement of a frozen server in flight").isLessThan(SLACK);
            failedUnderTheClose(statement);
            assertThat(c.unwrap().isClosed()).isTrue();
        });
        backendEnds(R2dbc.jdbc(db), pid);
    }

    /**
     * The other control statements count only their own time (a long query ahead of them is the user's): behind a
     * frozen statement they end when that statement does. With Tusk's client-side statement timeout (ConnectOptions)
     * it does, at the timeout and its grace period (1 s for this one): the connection is then broken, and a SAVEPOINT
     * and a COMMIT queued behind the statement fail with it, neither waiting for ever.
     */
    @Test
    void controlStatementsBehindAFrozenStatementEndWithItsClientSideStatementTimeout(TestDatabase db) throws Exception {
        Duration timeout = Duration.ofMillis(1000);
        TuskConnection c = new TuskConnectionFactory(dev.tusk.ConnectOptions.builder()
                .conninfo(db.conninfo() + " sslmode=disable").statementTimeout(timeout).build()).create().block(T);
        int pid = pid(c);
        try {
            Mono.from(c.beginTransaction()).block(T);
            FrozenBackend.frozen(pid, () -> {
                CompletableFuture<Integer> statement = inFlight(c);
                CompletableFuture<Void> savepoint = Mono.from(c.createSavepoint("s")).toFuture();
                CompletableFuture<Void> commit = Mono.from(c.commitTransaction()).toFuture();
                long t0 = System.nanoTime();
                Duration bound = timeout.plusSeconds(1).plus(SLACK);
                for (CompletableFuture<?> f : List.of(statement, savepoint, commit)) {
                    Throwable t = catchThrowable(() -> f.get(T.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS));
                    assertThat(t).isInstanceOf(java.util.concurrent.ExecutionException.class);
                    assertThat(t.getCause()).isInstanceOf(R2dbcNonTransientResourceException.class);
                }
                assertThat(since(t0)).as("the statement and the control statements behind it").isLessThan(bound);
                assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
            });
            backendEnds(R2dbc.jdbc(db), pid);
        } finally {
            Mono.from(c.close()).block(T);
        }
    }

    /**
     * The usual way there, end to end: a Spring {@code TransactionalOperator} (R2dbcTransactionManager on r2dbc-pool)
     * whose work times out (Reactor's timeout) on a statement the frozen backend never answers. The cancel makes
     * Spring roll back and give the connection back; the pool's single slot is free again within the bound and the
     * next work runs on a new backend.
     */
    @Test
    void aSpringTransactionTimingOutOnAFrozenStatementFreesThePoolsSlot(TestDatabase db) throws Exception {
        ConnectionPool pool = poolOfOne(db);
        org.springframework.r2dbc.core.DatabaseClient client = org.springframework.r2dbc.core.DatabaseClient.create(pool);
        org.springframework.transaction.reactive.TransactionalOperator tx = org.springframework.transaction.reactive
                .TransactionalOperator.create(new org.springframework.r2dbc.connection.R2dbcTransactionManager(pool));
        int[] frozen = {0};
        reactor.core.publisher.Sinks.One<Integer> stopped = reactor.core.publisher.Sinks.one();
        try {
            Mono<Integer> work = client.sql("SELECT pg_backend_pid()").map(row -> row.get(0, Integer.class)).one()
                    .publishOn(reactor.core.scheduler.Schedulers.boundedElastic())
                    .flatMap(pid -> {
                        try {
                            FrozenBackend.signal("STOP", pid); // mid-transaction: the next statement is never answered
                            frozen[0] = pid;
                            stopped.tryEmitValue(pid);
                        } catch (Exception e) {
                            return Mono.error(e);
                        }
                        return client.sql("SELECT 7").map(row -> row.get(0, Integer.class)).one();
                    })
                    .as(tx::transactional)
                    .timeout(stopped.asMono().delayElement(Duration.ofSeconds(1))); // 1 s after the freeze
            Throwable t = catchThrowable(() -> work.block(T));
            assertThat(t).as("the work on a frozen backend").hasCauseInstanceOf(java.util.concurrent.TimeoutException.class);
            assertThat(frozen[0]).as("the backend was frozen").isNotZero();
            long t0 = System.nanoTime();
            Integer next = client.sql("SELECT pg_backend_pid()").map(row -> row.get(0, Integer.class)).one().block(T);
            assertThat(since(t0)).as("the next work, waiting for the pool's only slot").isLessThan(BOUND);
            assertThat(next).as("the next work's backend").isNotEqualTo(frozen[0]);
        } finally {
            if (frozen[0] != 0) {
                FrozenBackend.signal("CONT", frozen[0]);
            }
            pool.disposeLater().block(T);
        }
        backendEnds(R2dbc.jdbc(db), frozen[0]);
    }

    /** How the lease's statement is left when the lease is given back. */
    private enum Left {
        /** its subscriber cancelled first (a request timed out: Reactor's usingWhen cancels, then closes) */
        CANCELLED,
        /** its subscriber still waiting (a fire-and-forget subscribe, then close) */
        WAITING
    }

    @Test
    void r2dbcPoolsReleaseOfALeaseInATransactionWithACancelledFrozenStatementEndsAndDropsTheConnection(TestDatabase db)
            throws Exception {
        pooledReleaseOverAFrozenStatement(db, true, Left.CANCELLED);
    }

    @Test
    void r2dbcPoolsReleaseOfALeaseInATransactionWithAFrozenStatementStillAwaitedEndsAndDropsTheConnection(TestDatabase db)
            throws Exception {
        pooledReleaseOverAFrozenStatement(db, true, Left.WAITING);
    }

    @Test
    void r2dbcPoolsReleaseOfAnAutoCommitLeaseWithAFrozenStatementEndsAndDropsTheConnection(TestDatabase db)
            throws Exception {
        pooledReleaseOverAFrozenStatement(db, false, Left.WAITING);
    }

    /**
     * A pool of one connection; the lease (in a transaction begun through the pool, or in auto-commit) sends a statement
     * the frozen backend never answers, then is given back: the release ends within the bound, the pool holds no
     * connection any more (dropped, not kept idle), the statement failed, and the next borrower works on a new backend.
     */
    private static void pooledReleaseOverAFrozenStatement(TestDatabase db, boolean transaction, Left left)
            throws Exception {
        ConnectionPool pool = poolOfOne(db);
        try {
            Connection a = Mono.from(pool.create()).block(T);
            @SuppressWarnings("unchecked")
            TuskConnection tuskA = (TuskConnection) ((Wrapped<Connection>) a).unwrap();
            int pidA = pid(a);
            if (transaction) {
                Mono.from(a.beginTransaction()).block(T); // through the pool: its release calls rollbackTransaction() first
            }
            FrozenBackend.frozen(pidA, () -> {
                CompletableFuture<Integer> statement = inFlight(a);
                if (left == Left.CANCELLED) {
                    statement.cancel(false);
                }
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> Mono.from(a.close()).block(T));
                assertThat(since(t0)).as("r2dbc-pool's release over a statement of a frozen server").isLessThan(BOUND);
                assertThat(t).as("the release").isNull();
                assertThat(tuskA.unwrap().isClosed()).as("the connection given back").isTrue();
                assertThat(pool.getMetrics().orElseThrow().allocatedSize()).as("connections the pool still holds").isZero();
                if (left == Left.WAITING) {
                    failedUnderTheClose(statement);
                }
            });
            backendEnds(R2dbc.jdbc(db), pidA);
            Connection b = Mono.from(pool.create()).block(T);
            try {
                assertThat(pid(b)).as("the next borrower's backend").isNotEqualTo(pidA);
                assertThat(Flux.from(b.createStatement("SELECT 2").execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockFirst(T)).isEqualTo(2);
            } finally {
                Mono.from(b.close()).block(T);
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }
}
