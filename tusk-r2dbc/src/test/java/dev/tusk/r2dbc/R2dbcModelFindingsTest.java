package dev.tusk.r2dbc;

import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.ValidationDepth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Subscription;
import reactor.core.publisher.BaseSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link R2dbcStateMachineTest} found, each as the shortest sequence that showed it, replayable without the
 * model (the seed that found it is named).
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class R2dbcModelFindingsTest {
    private static final Duration T = Duration.ofSeconds(20);

    private static void run(Connection c, String sql) {
        Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).blockLast(T);
    }

    private static String state(TestDatabase db, int pid) {
        return db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid);
    }

    private static int pid(Connection c) {
        return Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockFirst(T);
    }

    /**
     * Seed 50286016467465: the server answers the COMMIT of a failed transaction with ROLLBACK and no error;
     * commitTransaction() completed as if it had committed.
     */
    @Test
    void committingAFailedTransactionSaysItRolledBack(TestDatabase db) {
        db.admin("CREATE TABLE t (v int UNIQUE)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Mono.from(c.beginTransaction()).block(T);
            run(c, "INSERT INTO t VALUES (1)");
            assertThatThrownBy(() -> run(c, "INSERT INTO t VALUES (1)")).isInstanceOf(R2dbcException.class);
            assertThatThrownBy(() -> Mono.from(c.commitTransaction()).block(T))
                    .isInstanceOf(R2dbcRollbackException.class).hasMessageContaining("rolled back");
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
            run(c, "INSERT INTO t VALUES (2)"); // the connection goes on, in auto-commit
            assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("1");
        } finally {
            R2dbc.close(c);
        }
    }

    /**
     * Seed 50286016467479: R2DBC commits when setAutoCommit changes the mode during a transaction; while a
     * transaction begun explicitly (or by a savepoint) is open, isAutoCommit() is false, so setAutoCommit(true) must
     * commit it. It did nothing, and the transaction stayed open.
     */
    @Test
    void setAutoCommitTrueCommitsATransactionBegunExplicitly(TestDatabase db) {
        db.admin("CREATE TABLE t (v int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            Mono.from(c.createSavepoint("s")).block(T);
            run(c, "INSERT INTO t VALUES (1)");
            assertThat(c.isAutoCommit()).isFalse();
            Mono.from(c.setAutoCommit(true)).block(T);
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("1");
            assertThat(state(db, pid(c))).isEqualTo("idle");
        } finally {
            R2dbc.close(c);
        }
    }

    /** Seeds 50286016467475, 50286016467482: validate(REMOTE) said false inside a failed transaction; a pool drops the connection. */
    @Test
    void validateRemoteIsTrueInsideAFailedTransaction(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Mono.from(c.beginTransaction()).block(T);
            assertThatThrownBy(() -> run(c, "SELECT 1/0")).isInstanceOf(R2dbcException.class);
            assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block(T)).isTrue();
            Mono.from(c.rollbackTransaction()).block(T);
            run(c, "SELECT 1");
        } finally {
            R2dbc.close(c);
        }
    }

    /**
     * Seeds 50286016467476, 50286016467480, 50286016467489: with auto-commit off, a query with a fetch size ran in a
     * transaction of its own (BEGIN ... COMMIT) instead of opening the user's, as every other statement does.
     */
    @Test
    void aFetchSizeQueryWithAutoCommitOffOpensTheUsersTransaction(TestDatabase db) {
        TuskConnection c = R2dbc.connect(db);
        try {
            int pid = pid(c);
            Mono.from(c.setAutoCommit(false)).block(T);
            List<Integer> rows = Flux.from(c.createStatement("SELECT g FROM generate_series(1, 5) g").fetchSize(2).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).collectList().block(T);
            assertThat(rows).containsExactly(1, 2, 3, 4, 5);
            assertThat(state(db, pid)).isEqualTo("idle in transaction");
            Mono.from(c.rollbackTransaction()).block(T);
            assertThat(state(db, pid)).isEqualTo("idle");
        } finally {
            R2dbc.close(c);
        }
    }

    /** Seed 50286016467491: a query with a fetch size on a lost connection threw Tusk's OperationalException, not an R2dbcException. */
    @Test
    void aFetchSizeQueryOnALostConnectionFailsWithAnR2dbcException(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            Connection c = Mono.from(ConnectionFactories.get(R2dbc.url(db).replaceFirst("@[^/]+/", "@127.0.0.1:" + proxy.port() + "/")
                    + "?sslmode=disable").create()).block(T);
            try {
                run(c, "SELECT 1");
                proxy.failNow(FaultProxy.Action.RESET);
                assertThatThrownBy(() -> run(c, "SELECT 1")).isInstanceOf(R2dbcNonTransientResourceException.class);
                assertThatThrownBy(() -> Flux.from(c.createStatement("SELECT 1").fetchSize(1).execute())
                        .concatMap(Result::getRowsUpdated).blockLast(T)).isInstanceOf(R2dbcNonTransientResourceException.class);
            } finally {
                Mono.from(c.close()).block(T);
            }
        }
    }

    /**
     * Seed 50286016467466 asked this (not a defect: the model checked the server too early, it now waits): a subscriber
     * that takes one row of a query with a fetch size and cancels; the cursor's own transaction (auto-commit mode)
     * ends after the cancel, before the next statement, which is committed as usual.
     */
    @Test
    void cancellingAFetchSizeQueryEndsItsOwnTransaction(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE t (v int)");
        TuskConnection c = R2dbc.connect(db);
        try {
            int pid = pid(c);
            CompletableFuture<Integer> first = new CompletableFuture<>();
            Flux.from(c.createStatement("SELECT g FROM generate_series(1, 5000) g").fetchSize(6).execute())
                    .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class)))
                    .subscribe(new BaseSubscriber<Integer>() {
                        @Override
                        protected void hookOnSubscribe(Subscription s) {
                            s.request(1);
                        }

                        @Override
                        protected void hookOnNext(Integer v) {
                            cancel(); // as take(1) does: cancel upstream, then go on
                            first.complete(v);
                        }
                    });
            assertThat(first.get(20, TimeUnit.SECONDS)).isEqualTo(1);
            run(c, "INSERT INTO t VALUES (1)");
            assertThat(c.isAutoCommit()).isTrue();
            assertThat(db.adminQuery("SELECT count(*) FROM t")).as("the insert in auto-commit mode is committed").isEqualTo("1");
            assertThat(state(db, pid)).isEqualTo("idle");
        } finally {
            R2dbc.close(c);
        }
    }

    /**
     * Pooled seed 50286016467476: r2dbc-pool rolls back only the transactions it saw begin (beginTransaction); a lease
     * given back with auto-commit off lent the next borrower a connection with auto-commit off, whose statements then
     * ran in a transaction nobody commits, and the session's isolation set through the SPI stayed. The driver now
     * undoes both in {@code Lifecycle.preRelease}, which r2dbc-pool calls.
     */
    @Test
    void aLeaseGivenBackWithAutoCommitOffLendsTheNextBorrowerACleanSession(TestDatabase db) {
        db.admin("CREATE TABLE t (v int)");
        io.r2dbc.pool.ConnectionPool pool = (io.r2dbc.pool.ConnectionPool) ConnectionFactories.get(
                R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:") + "?initialSize=1&maxSize=1");
        try {
            Connection a = Mono.from(pool.create()).block(T);
            int pid = pid(a);
            Mono.from(a.setTransactionIsolationLevel(io.r2dbc.spi.IsolationLevel.SERIALIZABLE)).block(T);
            Mono.from(a.setAutoCommit(false)).block(T);
            run(a, "INSERT INTO t VALUES (1)");
            Mono.from(a.close()).block(T);
            Connection b = Mono.from(pool.create()).block(T);
            try {
                assertThat(pid(b)).isEqualTo(pid);
                assertThat(b.isAutoCommit()).isTrue();
                assertThat(b.getTransactionIsolationLevel()).isEqualTo(io.r2dbc.spi.IsolationLevel.READ_COMMITTED);
                run(b, "INSERT INTO t VALUES (2)");
                assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM t")).as("A's insert rolled back, B's committed")
                        .isEqualTo("2");
                assertThat(state(db, pid)).isEqualTo("idle");
                assertThat(Flux.from(b.createStatement("SHOW default_transaction_isolation").execute())
                        .concatMap(r -> r.map((row, md) -> row.get(0, String.class))).blockFirst(T)).isEqualTo("read committed");
            } finally {
                Mono.from(b.close()).block(T);
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }

    /**
     * A lease given back with a transaction open (auto-commit off: r2dbc-pool does not see it, the driver's
     * preRelease rolls it back) while the server no longer answers must not wait for the ROLLBACK for ever: the pool
     * would never get the connection back. It waits {@link TuskConnection#RELEASE_DEADLINE}, closes the connection,
     * and the pool lends a new one. (A transaction begun with beginTransaction is rolled back by r2dbc-pool itself
     * first, through rollbackTransaction(), bounded by {@link TuskConnection#CONTROL_DEADLINE}: see
     * TransactionControlDeadlineTest.)
     */
    @Test
    void aFrozenLeaseGivenBackInATransactionIsDroppedWithinTheReleaseDeadline(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            io.r2dbc.pool.ConnectionPool pool = (io.r2dbc.pool.ConnectionPool) ConnectionFactories.get(
                    R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:").replaceFirst("@[^/]+/", "@127.0.0.1:" + proxy.port() + "/")
                            + "?sslmode=disable&initialSize=1&maxSize=1");
            try {
                Connection a = Mono.from(pool.create()).block(T);
                int pidA = pid(a);
                Mono.from(a.setAutoCommit(false)).block(T);
                run(a, "SELECT 1");
                proxy.failNow(FaultProxy.Action.SILENCE);
                long t0 = System.nanoTime();
                Mono.from(a.close()).onErrorResume(e -> Mono.empty()).block(T);
                assertThat(Duration.ofNanos(System.nanoTime() - t0))
                        .isLessThan(TuskConnection.RELEASE_DEADLINE.plusSeconds(2));
                Connection b = Mono.from(pool.create()).block(T);
                try {
                    assertThat(pid(b)).isNotEqualTo(pidA);
                    assertThat(b.isAutoCommit()).isTrue();
                } finally {
                    Mono.from(b.close()).block(T);
                }
            } finally {
                pool.disposeLater().block(T);
            }
        }
    }

    /**
     * Pooled seed 46622924798032 (a soak run): statements subscribed concurrently, setAutoCommit(false), a transaction
     * begun and committed through the SPI, an insert (which opens a transaction), close; the next lease of the same
     * connection said isAutoCommit() false. preRelease's ROLLBACK completed while the session reset pipelined after it
     * ran (status ACTIVE), and the connection took ACTIVE for a transaction still open.
     */
    @Test
    void aLeaseGivenBackAfterACommittedTransactionLendsAutoCommitOn(TestDatabase db) {
        db.admin("CREATE TABLE t2 (v int)");
        io.r2dbc.pool.ConnectionPool pool = (io.r2dbc.pool.ConnectionPool) ConnectionFactories.get(
                R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:") + "?initialSize=1&maxSize=1");
        try {
            Connection a = Mono.from(pool.create()).block(T);
            Flux.range(0, 5).flatMap(i -> Flux.from(a.createStatement("SELECT $1::int * 10").bind(0, i).execute())
                    .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class)))).collectList().block(T);
            Mono.from(a.setAutoCommit(false)).block(T);
            Mono.from(a.beginTransaction(io.r2dbc.spi.IsolationLevel.READ_COMMITTED)).block(T);
            Mono.from(a.commitTransaction()).block(T);
            Flux.from(a.createStatement("INSERT INTO t2 VALUES ($1) RETURNING v").bind(0, 2).execute())
                    .concatMap(res -> res.map((row, md) -> row.get(0, Integer.class))).collectList().block(T);
            Mono.from(a.close()).block(T);
            Connection b = Mono.from(pool.create()).block(T);
            try {
                assertThat(b.isAutoCommit()).as("the next lease's auto-commit").isTrue();
            } finally {
                Mono.from(b.close()).block(T);
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }
}
