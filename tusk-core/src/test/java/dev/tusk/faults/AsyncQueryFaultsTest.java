package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import dev.tusk.errors.AdminShutdown;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Faults while an AsyncConnection runs statements: every pending future fails (none hangs) with an
 * OperationalException saying the connection was lost, and the connection says it is broken.
 */
@TuskTest
@Timeout(30)
class AsyncQueryFaultsTest {

    @Test
    void closedBeforeTheResultOfASimpleQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.CLOSE);
            var e = AsyncFaults.assertLost(c, c.execute("SELECT 1"));
            assertThat(e.getMessage()).contains("end of stream");
        }
    }

    @Test
    void resetBeforeTheResultOfAParameterisedQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('2', 1, FaultProxy.Action.RESET); // BindComplete
            var e = AsyncFaults.assertLost(c, c.execute("SELECT %s::int", 7));
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }

    @Test
    void resetWhileSendingALargeQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAfterClientBytes(100, FaultProxy.Action.RESET);
            String big = "x".repeat(4_000_000); // more than the socket buffers: the write is still going on
            AsyncFaults.assertLost(c, c.execute("SELECT length(%s)", big));
        }
    }

    @Test
    void closedInTheMiddleOfALargeResult(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('D', 50_000, FaultProxy.Action.CLOSE);
            AsyncFaults.assertLost(c, c.execute("SELECT g, repeat('y', 20) FROM generate_series(1, 200000) g"));
        }
    }

    @Test
    void cutInsideADataRowMessage(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAfterServerBytes(100_003, FaultProxy.Action.CLOSE); // almost surely mid-message
            AsyncFaults.assertLost(c, c.execute("SELECT g, repeat('y', 50) FROM generate_series(1, 100000) g"));
        }
    }

    @Test
    void aCutInTheMiddleOfPipelinedStatementsFailsEveryLaterOneWithTheSameError(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.setAutocommit(true));
            // CLOSE, not RESET: an RST may make the kernel drop the answers already received but not yet read
            proxy.failAtServerMessage('D', 50, FaultProxy.Action.CLOSE);
            List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pending.add(c.execute("SELECT %s::int", i));
            }
            int ok = 0;
            Set<String> messages = new HashSet<>();
            for (int i = 0; i < pending.size(); i++) {
                try {
                    AsyncCursor<Row> cur = pending.get(i).get(10, TimeUnit.SECONDS); // none may hang
                    assertThat(i).as("only statements before the cut succeed").isEqualTo(ok);
                    assertThat(cur.fetchone().getInt(0)).isEqualTo(i);
                    ok++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(OperationalException.class);
                    assertThat(e.getCause().getMessage()).matches(Faults.LOST);
                    messages.add(e.getCause().getMessage());
                }
            }
            assertThat(ok).as("the 49 statements answered before the cut").isEqualTo(49);
            // those queued when the cut came fail with it; any submitted after it was seen say "broken" with it as the reason
            assertThat(messages).as("one reason for all").allMatch(m -> m.contains("end of stream"));
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void aResetUnderPipelinedStatementsFailsThemAllAndNoneHangs(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('D', 50, FaultProxy.Action.RESET);
            List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pending.add(c.execute("SELECT %s::int", i));
            }
            int failed = 0;
            for (CompletableFuture<AsyncCursor<Row>> f : pending) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(OperationalException.class);
                    assertThat(e.getCause().getMessage()).matches(Faults.LOST);
                    failed++;
                }
            }
            assertThat(failed).as("the statements after the cut").isGreaterThanOrEqualTo(151);
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void statementsSubmittedAfterTheLossFailAtOnceSayingBroken(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("SELECT 1"));
            proxy.failNow(FaultProxy.Action.RESET);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(5)); // noticed by the event loop with no statement running
            long t0 = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                Throwable t = AsyncFaults.failure(c.execute("SELECT %s::int", i));
                assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            Throwable tx = AsyncFaults.failure(c.transaction(t -> c.execute("SELECT 1")));
            assertThat(tx).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
            assertThat(AsyncFaults.failure(c.setAutocommit(true))).isInstanceOf(OperationalException.class);
        }
    }

    @Test
    void serverGoneWhileIdleIsNoticedWithoutAnyCall(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            assertThat(AsyncFaults.await(c.execute("SELECT 1")).fetchone().getInt(0)).isEqualTo(1);
            proxy.failNow(FaultProxy.Action.CLOSE);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(5));
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void terminatedWhileIdleSaysWhyWithTheServersSqlstate(TestDatabase db) {
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            int pid = c.info().backendPid();
            assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(5));
            Throwable t = AsyncFaults.failure(c.execute("SELECT 1"));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken")
                    .hasMessageContaining("terminating connection due to administrator command");
            assertThat(t.getCause()).as("the loss itself, with the server's SQLSTATE").isInstanceOf(AdminShutdown.class);
            assertThat(((AdminShutdown) t.getCause()).sqlstate()).isEqualTo("57P01");
        }
    }

    @Test
    void terminatedWhileBusySaysWhy(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            int pid = c.info().backendPid();
            CompletableFuture<AsyncCursor<Row>> sleeping = c.execute("SELECT pg_sleep(30)");
            CompletableFuture<AsyncCursor<Row>> queued = c.execute("SELECT 2");
            while (!"active".equals(db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid))) {
                AsyncFaults.sleep(20);
            }
            db.admin("SELECT pg_terminate_backend(" + pid + ")");
            Throwable t = AsyncFaults.failure(sleeping);
            assertThat(t).isInstanceOf(AdminShutdown.class)
                    .hasMessageContaining("terminating connection due to administrator command");
            Throwable q = AsyncFaults.failure(queued);
            assertThat(q).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("terminating connection due to administrator command").hasMessageContaining("broken");
            assertThat(c.isBroken()).isTrue();
        }
    }
}
