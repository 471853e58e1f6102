package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * executemany under a timeout of its own ({@code executemany(query, sets, returning, timeout)}), on a connection
 * without a statement timeout: on a frozen backend (SIGSTOP) it ends within that timeout and the cancel's grace, the
 * connection broken, as an execute under {@code ExecuteOptions}'s timeout does (tusk-jdbc's batches with a query
 * timeout run through it). Blocking and async.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ExecuteManyTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** The timeout, the cancel's shortest grace (1 s) and what a loaded machine adds. */
    private static final Duration BOUND = TIMEOUT.plusSeconds(1).plusMillis(3500);
    private static final List<List<Object>> SETS = List.of(List.of(1), List.of(2));

    @Test
    void aTimedExecutemanyOnAFrozenBackendEndsWithinItsTimeout(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .build())) {
            conn.execute("CREATE TEMP TABLE frozen_many (v int)");
            FrozenBackend.frozen(conn.info().backendPid(), () -> {
                long t0 = System.nanoTime();
                CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> catchThrowable(
                        () -> conn.cursor().executemany("INSERT INTO frozen_many VALUES (%s)", SETS, false, TIMEOUT)));
                Throwable t = f.get(BOUND.toMillis() + 5000, TimeUnit.MILLISECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(BOUND);
                assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout");
                assertThat(conn.isBroken()).isTrue();
            });
        }
    }

    @Test
    void aTimedAsyncExecutemanyOnAFrozenBackendEndsWithinItsTimeout(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .autocommit(true).build()).get(10, TimeUnit.SECONDS)) {
            conn.execute("CREATE TEMP TABLE frozen_many (v int)").get(10, TimeUnit.SECONDS);
            FrozenBackend.frozen(conn.info().backendPid(), () -> {
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> conn.cursor()
                        .executemany("INSERT INTO frozen_many VALUES (%s)", SETS, false, TIMEOUT)
                        .get(BOUND.toMillis() + 5000, TimeUnit.MILLISECONDS));
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(BOUND);
                assertThat(t).hasCauseInstanceOf(OperationalException.class);
                assertThat(t.getCause()).hasMessageContaining("statement timeout");
            });
        }
    }
}
