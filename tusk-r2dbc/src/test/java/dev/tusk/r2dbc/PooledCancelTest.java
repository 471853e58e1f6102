package dev.tusk.r2dbc;

import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.pool.ConnectionPool;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.ConnectionFactory;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.ValidationDepth;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.jdbc.core.JdbcTemplate;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A subscriber that cancels mid-statement makes tusk-r2dbc send a CancelRequest; with r2dbc-pool in front, the
 * connection goes back to the pool as the subscription ends. A request still on its way then must not stop the next
 * borrower's statement: the fault proxy holds the cancel's bytes (written by the client, not yet at the server) while
 * the statement it meant to stop ends, the connection is released and the next borrower starts {@code pg_sleep};
 * then lets them go.
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PooledCancelTest {
    private static final Duration T = Duration.ofSeconds(30);

    private static ConnectionPool pool(TestDatabase db, FaultProxy proxy) {
        String url = R2dbc.url(db).replace("r2dbc:tusk:", "r2dbc:pool:tusk:")
                .replace("@" + (db.host().contains(":") ? "[" + db.host() + "]" : db.host()) + ":" + db.port() + "/",
                        "@127.0.0.1:" + proxy.port() + "/");
        ConnectionFactory cf = ConnectionFactories.get(url + "?sslmode=disable&initialSize=1&maxSize=1");
        assertThat(cf).isInstanceOf(ConnectionPool.class);
        return (ConnectionPool) cf;
    }

    private static int pid(Connection c) {
        return Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                .flatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockFirst(T);
    }

    /** Waits until the server shows backend {@code pid} idle: the statement it ran has ended. */
    private static void awaitIdle(JdbcTemplate jdbc, int pid) throws InterruptedException {
        long until = System.nanoTime() + T.toNanos();
        while (true) {
            List<String> s = jdbc.queryForList("SELECT state FROM pg_stat_activity WHERE pid = ?", String.class, pid);
            if (s.equals(List.of("idle"))) {
                return;
            }
            assertThat(System.nanoTime() - until).as("backend %d still shows %s", pid, s).isNegative();
            Thread.sleep(20);
        }
    }

    /** Subscribes to a long statement on {@code a} and cancels the subscription while it runs, the cancel held. */
    private static void cancelHeld(Connection a, FaultProxy proxy) throws InterruptedException {
        Disposable running = Flux.from(a.createStatement("SELECT pg_sleep(0.5)").execute())
                .flatMap(r -> r.map((row, md) -> 1)).subscribe(x -> { }, e -> { });
        Thread.sleep(150); // executing
        proxy.holdFromStart();
        running.dispose(); // the subscriber cancels: tusk-r2dbc asks the server to cancel the statement
        assertThat(proxy.awaitHeldClientBytes(16, Duration.ofSeconds(10))).as("the cancel request reached the proxy").isTrue();
        proxy.stopHoldingNew();
    }

    /** What a test does with a pool of one connection through {@code proxy}. */
    private interface Body {
        void run(ConnectionPool pool, FaultProxy proxy, JdbcTemplate jdbc) throws Exception;
    }

    private static void withPool(TestDatabase db, Body body) throws Exception {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port())) {
            ConnectionPool pool = pool(db, proxy);
            try {
                body.run(pool, proxy, R2dbc.jdbc(db));
            } finally {
                pool.disposeLater().block(T);
            }
        }
    }

    /** {@code SELECT pg_sleep(0.6), 7}'s 7: long enough for a cancel released meanwhile to stop it. */
    private static Integer sleepThenSeven(Connection c) {
        return Flux.from(c.createStatement("SELECT pg_sleep(0.6), 7").execute())
                .flatMap(r -> r.map((row, md) -> row.get(1, Integer.class))).blockFirst(T);
    }

    @Test
    void aCancelStillInFlightWhenItsConnectionIsReleasedNeverStopsTheNextBorrower(TestDatabase db) throws Exception {
        withPool(db, (pool, proxy, jdbc) -> {
            for (int round = 0; round < 3; round++) {
                Connection a = Mono.from(pool.create()).block(T);
                int pidA = pid(a);
                cancelHeld(a, proxy);
                awaitIdle(jdbc, pidA); // A's statement ended before its cancel arrived
                Mono.from(a.close()).subscribe(); // released while the cancel is on its way
                proxy.releaseHeldAfter(Duration.ofMillis(300));
                Connection b = Mono.from(pool.create()).block(T);
                try {
                    assertThat(pid(b)).as("round %d: the same connection", round).isEqualTo(pidA);
                    assertThat(sleepThenSeven(b)).as("round %d: B's statement is not cancelled", round).isEqualTo(7);
                } finally {
                    Mono.from(b.close()).block(T);
                }
            }
        });
    }

    @Test
    void aCancelStillInFlightNeverStopsTheNextStatementOnTheSameConnection(TestDatabase db) throws Exception {
        withPool(db, (pool, proxy, jdbc) -> {
            Connection a = Mono.from(pool.create()).block(T);
            try {
                for (int round = 0; round < 2; round++) {
                    int pidA = pid(a);
                    cancelHeld(a, proxy);
                    awaitIdle(jdbc, pidA);
                    proxy.releaseHeldAfter(Duration.ofMillis(300));
                    assertThat(sleepThenSeven(a)).as("round %d: the next statement is not cancelled", round).isEqualTo(7);
                }
            } finally {
                Mono.from(a.close()).block(T);
            }
        });
    }

    /** The pool lends a connection on another backend than {@code pid}'s. */
    private static void assertThePoolDropped(ConnectionPool pool, int pid) {
        Connection c = Mono.from(pool.create()).block(T);
        try {
            assertThat(pid(c)).as("the pool dropped the connection").isNotEqualTo(pid);
        } finally {
            Mono.from(c.close()).block(T);
        }
    }

    /**
     * A lease given back while its cancel request is unconfirmed: the session reset of {@code preRelease} waits for
     * the request (a late cancel must not stop the reset), at most {@link TuskConnection#RELEASE_DEADLINE}; then the
     * connection is closed and the pool lends a new one.
     */
    @Test
    void aCancelNeverConfirmedClosesTheConnectionAndThePoolDropsIt(TestDatabase db) throws Exception {
        withPool(db, (pool, proxy, jdbc) -> {
            Connection a = Mono.from(pool.create()).block(T);
            int pidA = pid(a);
            cancelHeld(a, proxy); // held for good: the request's 10 s deadline passes unconfirmed
            awaitIdle(jdbc, pidA);
            long t0 = System.nanoTime();
            Mono.from(a.close()).onErrorResume(e -> Mono.empty()).block(T);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TuskConnection.RELEASE_DEADLINE.plusSeconds(2));
            assertThePoolDropped(pool, pidA);
        });
    }

    /** On the lease itself: the next statement waits for the cancel request, then is refused; the pool drops the connection. */
    @Test
    void aStatementAfterACancelNeverConfirmedIsRefusedAndThePoolDropsTheConnection(TestDatabase db) throws Exception {
        withPool(db, (pool, proxy, jdbc) -> {
            Connection a = Mono.from(pool.create()).block(T);
            int pidA = pid(a);
            cancelHeld(a, proxy);
            awaitIdle(jdbc, pidA);
            try {
                assertThatThrownBy(() -> pid(a)).as("the statement waited for the cancel, then was refused")
                        .isInstanceOf(R2dbcNonTransientResourceException.class).hasMessageContaining("not confirmed");
                assertThat(Mono.from(a.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
            } finally {
                Mono.from(a.close()).block(T);
            }
            assertThePoolDropped(pool, pidA);
        });
    }
}
