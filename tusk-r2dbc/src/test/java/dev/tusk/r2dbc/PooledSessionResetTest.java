package dev.tusk.r2dbc;

import dev.tusk.Notify;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.Wrapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Through r2dbc-pool with one connection (the next borrower gets the same backend): what a borrower set by SQL does
 * not reach the next one, because {@link TuskConnection#preRelease()} runs Tusk's pool reset on a lease that was
 * used, and only on one.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PooledSessionResetTest {
    private static final Duration T = Duration.ofSeconds(20);

    private static ConnectionPool pool(String url) {
        return (ConnectionPool) ConnectionFactories.get(url.replace("r2dbc:tusk:", "r2dbc:pool:tusk:")
                + (url.contains("?") ? "&" : "?") + "initialSize=1&maxSize=1");
    }

    private static void run(Connection c, String sql) {
        Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).blockLast(T);
    }

    private static String one(Connection c, String sql) {
        return Flux.from(c.createStatement(sql).execute())
                .concatMap(r -> r.map((row, md) -> String.valueOf(row.get(0)))).blockFirst(T);
    }

    private static Connection borrow(ConnectionPool pool) {
        return Mono.from(pool.create()).block(T);
    }

    private static void giveBack(Connection c) {
        Mono.from(c.close()).block(T);
    }

    @SuppressWarnings("unchecked")
    private static TuskConnection tusk(Connection pooled) {
        return (TuskConnection) ((Wrapped<Connection>) pooled).unwrap();
    }

    /**
     * The factory's {@code statementTimeout} and {@code lockWaitTimeout} are the connection's own settings, not a
     * borrower's: the reset of a used lease (RESET ALL among it) must not take them from the next borrower.
     */
    @Test
    void theFactorysTimeoutsOutliveTheResetOfAUsedLease(TestDatabase db) {
        ConnectionPool pool = pool(R2dbc.url(db) + "?statementTimeout=PT7S&lockWaitTimeout=PT3S");
        try {
            for (int lease = 0; lease < 3; lease++) {
                Connection c = borrow(pool);
                try {
                    assertThat(one(c, "SELECT current_setting('statement_timeout') || ',' || current_setting('lock_timeout')"))
                            .as("lease %d", lease).isEqualTo("7s,3s");
                    run(c, "SET statement_timeout = 0"); // the borrower's own: undone at the release
                } finally {
                    giveBack(c);
                }
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }

    @Test
    void adaptersALeaseRegisteredDoNotReachTheNextBorrower(TestDatabase db) {
        ConnectionPool pool = pool(R2dbc.url(db));
        try {
            Connection a = borrow(pool);
            String pid = one(a, "SELECT pg_backend_pid()");
            tusk(a).unwrap().adapters().registerLoader("int4", CursorReuseTest.MARKED_INT);
            assertThat(one(a, "SELECT 7::int4")).isEqualTo("int:7");
            giveBack(a);
            Connection b = borrow(pool);
            String pidB;
            try {
                assertThat(one(b, "SELECT 7::int4")).as("the next borrower reads with the default adapters").isEqualTo("7");
                pidB = one(b, "SELECT pg_backend_pid()");
                assertThat(pidB).as("a connection of its own").isNotEqualTo(pid);
            } finally {
                giveBack(b);
            }
            Connection c = borrow(pool);
            try {
                assertThat(one(c, "SELECT pg_backend_pid()")).as("a lease that registered nothing keeps its connection")
                        .isEqualTo(pidB);
            } finally {
                giveBack(c);
            }
        } finally {
            pool.dispose();
        }
    }

    @Test
    void settingsAndTheSessionAuthorizationAreBackToTheDefaults(TestDatabase db) {
        String role = "r2reset_" + Long.toHexString(System.nanoTime()); // roles are cluster-wide: a fresh name
        db.admin("CREATE ROLE " + role);
        ConnectionPool pool = pool(R2dbc.url(db));
        try {
            Connection a = borrow(pool);
            String pid = one(a, "SELECT pg_backend_pid()");
            String searchPath = one(a, "SHOW search_path");
            String workMem = one(a, "SHOW work_mem");
            String user = one(a, "SELECT current_user");
            run(a, "SET search_path TO x");
            run(a, "SET work_mem = '1234kB'");
            run(a, "SET SESSION AUTHORIZATION " + role);
            assertThat(one(a, "SELECT current_user")).isEqualTo(role);
            giveBack(a);
            Connection b = borrow(pool);
            try {
                assertThat(one(b, "SELECT pg_backend_pid()")).isEqualTo(pid);
                assertThat(one(b, "SHOW search_path")).isEqualTo(searchPath);
                assertThat(one(b, "SHOW work_mem")).isEqualTo(workMem).isNotEqualTo("1234kB");
                assertThat(one(b, "SELECT current_user")).isEqualTo(user);
                assertThat(b.isAutoCommit()).isTrue();
            } finally {
                giveBack(b);
            }
        } finally {
            pool.disposeLater().block(T);
            db.admin("DROP ROLE IF EXISTS " + role);
        }
    }

    @Test
    void locksTempTablesPreparedStatementsAndCursorsAreGone(TestDatabase db) {
        ConnectionPool pool = pool(R2dbc.url(db));
        try {
            Connection a = borrow(pool);
            String pid = one(a, "SELECT pg_backend_pid()");
            run(a, "SELECT pg_advisory_lock(1)");
            run(a, "CREATE TEMP TABLE r2reset_tmp (v int)");
            run(a, "PREPARE r2reset_p AS SELECT 1");
            run(a, "BEGIN; DECLARE r2reset_c CURSOR WITH HOLD FOR SELECT 1; COMMIT");
            assertThat(db.adminQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid)).isEqualTo("1");
            assertThat(one(a, "SELECT count(*) FROM pg_cursors WHERE name = 'r2reset_c'")).isEqualTo("1");
            giveBack(a);
            Connection b = borrow(pool);
            try {
                assertThat(one(b, "SELECT pg_backend_pid()")).isEqualTo(pid);
                assertThat(db.adminQuery("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = " + pid))
                        .as("advisory locks held by the backend").isEqualTo("0");
                assertThat(db.adminQuery("SELECT count(*) FROM pg_class WHERE relname = 'r2reset_tmp'")).isEqualTo("0");
                assertThat(one(b, "SELECT count(*) FROM pg_prepared_statements WHERE name = 'r2reset_p'")).isEqualTo("0");
                assertThat(one(b, "SELECT count(*) FROM pg_cursors WHERE name = 'r2reset_c'")).isEqualTo("0");
                run(b, "PREPARE r2reset_p AS SELECT 2"); // the name is free again
            } finally {
                giveBack(b);
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }

    /**
     * The old borrower's LISTEN is gone and its notification subscription ended with its lease: a notification on its
     * channel reaches nobody; the next borrower's own LISTEN works.
     */
    @Test
    void theNextBorrowerGetsNoNotificationOfTheOldListen(TestDatabase db) throws Exception {
        ConnectionPool pool = pool(R2dbc.url(db));
        try {
            Connection a = borrow(pool);
            String pid = one(a, "SELECT pg_backend_pid()");
            CompletableFuture<List<Notify>> seenByA = tusk(a).getNotifications().collectList().toFuture();
            run(a, "LISTEN r2reset_old");
            giveBack(a);
            assertThat(seenByA.get(10, TimeUnit.SECONDS)).as("A's subscription completes with its lease").isEmpty();
            Connection b = borrow(pool);
            try {
                assertThat(one(b, "SELECT pg_backend_pid()")).isEqualTo(pid);
                CompletableFuture<Notify> first = tusk(b).getNotifications().next().toFuture();
                run(b, "LISTEN r2reset_new");
                db.admin("NOTIFY r2reset_old, 'old'");
                db.admin("NOTIFY r2reset_new, 'new'"); // a session's notifications arrive in commit order
                assertThat(first.get(10, TimeUnit.SECONDS).channel()).isEqualTo("r2reset_new");
            } finally {
                giveBack(b);
            }
        } finally {
            pool.disposeLater().block(T);
        }
    }

    /**
     * A lease that sent nothing goes back without a round trip: with the server frozen its release is immediate and
     * the connection stays; a lease that did something (here a notification subscription) waits for the reset, and
     * with the server frozen the connection is closed after {@link TuskConnection#RELEASE_DEADLINE}.
     */
    @Test
    void onlyAUsedLeaseCostsAResetRoundTrip(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            ConnectionPool pool = pool(R2dbc.url(db).replaceFirst("@[^/]+/", "@127.0.0.1:" + proxy.port() + "/")
                    + "?sslmode=disable");
            try {
                Connection a = borrow(pool);
                run(a, "SET work_mem = '1234kB'");
                giveBack(a);
                Connection b = borrow(pool);
                TuskConnection conn = tusk(b);
                proxy.failNow(FaultProxy.Action.SILENCE);
                long t0 = System.nanoTime();
                giveBack(b);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("release of an unused lease")
                        .isLessThan(Duration.ofSeconds(1));
                assertThat(conn.unwrap().isClosed()).isFalse();
                Connection c = borrow(pool);
                assertThat(tusk(c)).isSameAs(conn);
                tusk(c).getNotifications().subscribe();
                t0 = System.nanoTime();
                Mono.from(c.close()).onErrorResume(e -> Mono.empty()).block(T);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("release of a used lease, server frozen")
                        .isGreaterThan(TuskConnection.RELEASE_DEADLINE.minusMillis(500))
                        .isLessThan(TuskConnection.RELEASE_DEADLINE.plusSeconds(2));
                assertThat(conn.unwrap().isClosed()).isTrue();
            } finally {
                pool.disposeLater().block(T);
            }
        }
    }
}
