package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A server that goes silent under an AsyncConnection: {@code socketTimeout} (ConnectOptions) bounds every wait for
 * the server as it does for the blocking Connection; without it silence is not a failure.
 */
@TuskTest
@Timeout(30)
class AsyncSilenceFaultsTest {

    @Test
    void silentServerMidQueryFailsAfterSocketTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(800)))) {
            assertThat(AsyncFaults.await(c.execute("SELECT 1")).fetchone().getInt(0)).isEqualTo(1);
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            OperationalException e = AsyncFaults.assertLost(c, c.execute("SELECT 2"));
            assertThat(e.getMessage()).contains("socketTimeout").contains("800 ms").contains("broken");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        }
    }

    @Test
    void everyPipelinedStatementFailsWhenTheServerGoesSilent(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(500)).autocommit(true))) {
            proxy.failAtServerMessage('D', 10, FaultProxy.Action.SILENCE);
            List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
            for (int i = 0; i < 50; i++) {
                pending.add(c.execute("SELECT %s::int", i));
            }
            for (int i = 0; i < 9; i++) {
                assertThat(AsyncFaults.await(pending.get(i)).fetchone().getInt(0)).isEqualTo(i);
            }
            for (int i = 9; i < 50; i++) {
                assertThat(AsyncFaults.failure(pending.get(i))).isInstanceOf(OperationalException.class)
                        .hasMessageContaining("socketTimeout");
            }
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void aSlowButSteadyResultIsNotTimedOut(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(400)))) {
            proxy.throttle(100_000); // ~1.5 s for the result, but bytes arrive all along
            long t0 = System.nanoTime();
            AsyncCursor<Row> cur = AsyncFaults.await(c.execute("SELECT g, repeat('z', 100) FROM generate_series(1, 1200) g"));
            assertThat(cur.fetchall()).hasSize(1200);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(800));
            assertThat(c.isBroken()).isFalse();
        }
    }

    @Test
    void socketTimeoutDoesNotBreakAnIdleOrListeningConnection(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(300)).autocommit(true))) {
            AsyncFaults.await(c.execute("LISTEN jobs"));
            AsyncFaults.sleep(1000); // idle for longer than socketTimeout
            assertThat(c.isBroken()).isFalse();
            db.admin("NOTIFY jobs, 'x'");
            AsyncFaults.sleep(500);
            assertThat(AsyncFaults.await(c.execute("SELECT 3")).fetchone().getInt(0)).isEqualTo(3);
            AsyncFaults.sleep(500); // the statement after an idle period gets a full socketTimeout again
            assertThat(AsyncFaults.await(c.execute("SELECT 4")).fetchone().getInt(0)).isEqualTo(4);
            assertThat(c.isBroken()).isFalse();
        }
    }

    @Test
    void aStatementLongerThanSocketTimeoutFailsAsTheBlockingDriverDoes(TestDatabase db) {
        try (AsyncConnection<Row> c = AsyncFaults.connect(dev.tusk.ConnectOptions.builder().conninfo(db.conninfo())
                .sslmode("disable").socketTimeout(Duration.ofMillis(500)))) {
            Throwable t = AsyncFaults.failure(c.execute("SELECT pg_sleep(3)"));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("raise socketTimeout");
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void withoutSocketTimeoutSilenceIsNotAFailureAndCloseEndsTheWait(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.SILENCE);
            CompletableFuture<AsyncCursor<Row>> f = c.execute("SELECT 1");
            assertThatThrownBy(() -> f.get(1, TimeUnit.SECONDS)).isInstanceOf(TimeoutException.class);
            assertThat(c.isBroken()).isFalse();
            c.close();
            Throwable t = AsyncFaults.failure(f);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("close()");
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isBroken()).as("closed by the user, not lost").isFalse();
        }
    }
}
