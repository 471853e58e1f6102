package dev.tusk.r2dbc;

import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionFactories;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.ValidationDepth;
import io.r2dbc.spi.Wrapped;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The transaction-control calls of the SPI against a server that stops answering (a fault proxy that forwards
 * nothing more): ROLLBACK, SAVEPOINT, BEGIN and SET end within {@link TuskConnection#CONTROL_DEADLINE}, COMMIT within
 * {@link TuskConnection#COMMIT_DEADLINE}, with an error saying the connection was closed; the connection then says
 * it is not valid. Through r2dbc-pool, whose release of a lease with a transaction begun through the pool calls
 * rollbackTransaction() first, the release ends and the next borrower gets another connection.
 */
@TuskTest
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TransactionControlDeadlineTest {
    private static final Duration T = Duration.ofSeconds(40);
    /** What a loaded machine adds to a deadline. */
    private static final Duration SLACK = Duration.ofSeconds(2);

    private static String proxied(TestDatabase db, FaultProxy proxy) {
        return R2dbc.url(db).replaceFirst("@[^/]+/", "@127.0.0.1:" + proxy.port() + "/") + "?sslmode=disable";
    }

    private static void run(Connection c, String sql) {
        Flux.from(c.createStatement(sql).execute()).concatMap(Result::getRowsUpdated).blockLast(T);
    }

    private static int pid(Connection c) {
        return Flux.from(c.createStatement("SELECT pg_backend_pid()").execute())
                .concatMap(r -> r.map((row, md) -> row.get(0, Integer.class))).blockFirst(T);
    }

    /**
     * Opens a connection through a proxy, begins a transaction, silences the proxy and runs {@code call}: it must fail
     * within {@code deadline} and the slack, saying the connection was closed, and the connection is then invalid.
     */
    private static void frozenCall(TestDatabase db, Function<TuskConnection, Publisher<Void>> call, Duration deadline,
                                   String says) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            TuskConnection c = (TuskConnection) Mono.from(ConnectionFactories.get(proxied(db, proxy)).create()).block(T);
            try {
                Mono.from(c.beginTransaction()).block(T);
                run(c, "SELECT 1");
                proxy.failNow(FaultProxy.Action.SILENCE);
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> Mono.from(call.apply(c)).block(T));
                Duration took = Duration.ofNanos(System.nanoTime() - t0);
                assertThat(took).as("the call on a server that stopped answering").isLessThan(deadline.plus(SLACK));
                assertThat(t).isInstanceOf(R2dbcNonTransientResourceException.class)
                        .hasMessageContaining("did not answer").hasMessageContaining("the connection was closed")
                        .hasMessageContaining(says);
                assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block(T)).as("valid after the deadline").isFalse();
                assertThat(c.unwrap().isClosed()).isTrue();
            } finally {
                Mono.from(c.close()).onErrorResume(e -> Mono.empty()).block(T);
            }
        }
    }

    @Test
    void rollbackOnAFrozenServerEndsWithinTheControlDeadline(TestDatabase db) {
        frozenCall(db, TuskConnection::rollbackTransaction, TuskConnection.CONTROL_DEADLINE, "rolls back");
    }

    @Test
    void savepointCallsOnAFrozenServerEndWithinTheControlDeadline(TestDatabase db) {
        frozenCall(db, c -> c.createSavepoint("s1"), TuskConnection.CONTROL_DEADLINE, "SAVEPOINT");
        frozenCall(db, c -> c.rollbackTransactionToSavepoint("s1"), TuskConnection.CONTROL_DEADLINE, "ROLLBACK TO");
    }

    @Test
    void commitOnAFrozenServerEndsWithinTheCommitDeadlineAndSaysTheOutcomeIsUnknown(TestDatabase db) {
        frozenCall(db, TuskConnection::commitTransaction, TuskConnection.COMMIT_DEADLINE, "unknown");
    }

    @Test
    void autoCommitOnOnAFrozenServerEndsWithinTheCommitDeadline(TestDatabase db) {
        frozenCall(db, c -> c.setAutoCommit(true), TuskConnection.COMMIT_DEADLINE, "unknown");
    }

    /** How long the query of {@link #longQueryInATransaction} runs: longer than the control deadline. */
    private static final Duration LONG_QUERY = TuskConnection.CONTROL_DEADLINE.plusMillis(1500);

    /**
     * On a new connection, begins a transaction, sends a query of {@link #LONG_QUERY} in it now (its 42 completes the
     * future) and runs {@code body} with them; closes the connection.
     */
    private static void behindALongQuery(TestDatabase db,
                                         java.util.function.BiConsumer<TuskConnection, java.util.concurrent.CompletableFuture<Integer>> body) {
        TuskConnection c = R2dbc.connect(db);
        try {
            Mono.from(c.beginTransaction()).block(T);
            body.accept(c, Flux.from(c.createStatement("SELECT pg_sleep(" + LONG_QUERY.toMillis() / 1000.0 + "), 42")
                    .execute()).concatMap(r -> r.map((row, md) -> row.get(1, Integer.class))).next().toFuture());
        } finally {
            Mono.from(c.close()).block(T);
        }
    }

    /**
     * The deadline is the server's time for the control statement itself: one pipelined behind a query longer than
     * {@link TuskConnection#CONTROL_DEADLINE} waits for it and succeeds, the connection untouched.
     */
    @Test
    void aControlStatementBehindALongQueryWaitsForItAndSucceeds(TestDatabase db) {
        behindALongQuery(db, (c, query) -> {
            long t0 = System.nanoTime();
            Mono.from(c.createSavepoint("behind")).block(T);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the SAVEPOINT waited for the query ahead")
                    .isGreaterThan(LONG_QUERY.minusMillis(500));
            assertThat(query.join()).isEqualTo(42);
            Mono.from(c.commitTransaction()).block(T);
            assertThat(Mono.from(c.validate(ValidationDepth.REMOTE)).block(T)).isTrue();
        });
    }

    /**
     * ROLLBACK is the exception: its deadline counts from when it was issued, the statements ahead included (a frozen
     * statement ahead must not hold r2dbc-pool's release, which begins with rollbackTransaction()). Behind a query
     * longer than {@link TuskConnection#CONTROL_DEADLINE} the connection is closed at the deadline: the ROLLBACK's
     * work is done all the same (the server rolls the transaction back), and the query fails saying the connection
     * was closed, never a silent loss.
     */
    @Test
    void aRollbackBehindALongQueryClosesTheConnectionAtItsDeadlineAndTheQueryFails(TestDatabase db) {
        behindALongQuery(db, (c, query) -> {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Mono.from(c.rollbackTransaction()).block(T));
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the ROLLBACK behind a long query")
                    .isLessThan(TuskConnection.CONTROL_DEADLINE.plus(SLACK));
            assertThat(t).isInstanceOf(R2dbcNonTransientResourceException.class).hasMessageContaining("did not answer ROLLBACK")
                    .hasMessageContaining("1 statement sent before it and not answered fail with the connection closed");
            assertThat(catchThrowable(query::join)).as("the query ahead").hasCauseInstanceOf(R2dbcNonTransientResourceException.class);
            assertThat(Mono.from(c.validate(ValidationDepth.LOCAL)).block(T)).isFalse();
        });
    }

    /**
     * r2dbc-pool releases a lease whose transaction it saw begin by calling rollbackTransaction() (its error ignored)
     * before preRelease(): with the server frozen that release used to wait for ever, and the pool's only slot with it.
     */
    @Test
    void r2dbcPoolsReleaseOfALeaseInATransactionOnAFrozenServerEndsAndTheConnectionIsDropped(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            io.r2dbc.pool.ConnectionPool pool = (io.r2dbc.pool.ConnectionPool) ConnectionFactories.get(
                    proxied(db, proxy).replace("r2dbc:tusk:", "r2dbc:pool:tusk:") + "&initialSize=1&maxSize=1");
            try {
                Connection a = Mono.from(pool.create()).block(T);
                @SuppressWarnings("unchecked")
                TuskConnection tuskA = (TuskConnection) ((Wrapped<Connection>) a).unwrap();
                int pidA = pid(a);
                Mono.from(a.beginTransaction()).block(T); // through the pool: its release rolls back first
                run(a, "SELECT 1");
                proxy.failNow(FaultProxy.Action.SILENCE);
                long t0 = System.nanoTime();
                Mono.from(a.close()).onErrorResume(e -> Mono.empty()).block(T);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("release of a lease in a transaction, server frozen")
                        .isLessThan(TuskConnection.CONTROL_DEADLINE.plus(SLACK));
                assertThat(tuskA.unwrap().isClosed()).as("the connection whose ROLLBACK was not answered").isTrue();
                Connection b = Mono.from(pool.create()).block(T);
                try {
                    assertThat(pid(b)).as("the next borrower's backend").isNotEqualTo(pidA);
                    run(b, "SELECT 2");
                } finally {
                    Mono.from(b.close()).block(T);
                }
            } finally {
                pool.disposeLater().block(T);
            }
        }
    }
}
