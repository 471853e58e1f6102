package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The client-side statement timeout on AsyncConnection, mirroring StatementTimeoutTest. */
@TuskTest
@Timeout(60)
class AsyncStatementTimeoutTest {
    private static AsyncConnection<Row> connect(TestDatabase db, Duration timeout) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .statementTimeout(timeout).build()).join();
    }

    @Test
    void aPerCallTimeoutCancelsTheStatementAndSaysSo(TestDatabase db) {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build();
            long start = System.nanoTime();
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(%s)", List.of(30), opts).join())
                    .isInstanceOf(CompletionException.class).cause()
                    .isInstanceOf(QueryCanceled.class)
                    .hasMessageContaining("statement timeout")
                    .hasMessageContaining("200 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
            conn.rollback().join();
            assertThat(conn.execute("SELECT 7").join().fetchone().getInt(0)).isEqualTo(7);
            assertThat(conn.isBroken()).isFalse();
        }
    }

    @Test
    void theConnectionTimeoutAppliesToEveryStatementAndCanBeChanged(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, Duration.ofMillis(300))) {
            assertThat(conn.statementTimeout()).isEqualTo(Duration.ofMillis(300));
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(30)").join()).cause()
                    .isInstanceOf(QueryCanceled.class).hasMessageContaining("300 ms");
            conn.setStatementTimeout(null);
            assertThat(conn.execute("SELECT pg_sleep(0.5), 1").join().fetchone().getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void theClockStartsWhenTheStatementReachesTheHeadOfThePipeline(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, null)) {
            ExecuteOptions quick = ExecuteOptions.builder().timeout(Duration.ofMillis(400)).build();
            CompletableFuture<?> slow = conn.execute("SELECT pg_sleep(0.8)");           // no timeout
            CompletableFuture<dev.tusk.AsyncCursor<Row>> queued = conn.execute("SELECT %s::int", List.of(5), quick);
            slow.join();
            // it waited 800 ms behind the slow one, but ran in far less than its 400 ms
            assertThat(queued.join().fetchone().getInt(0)).isEqualTo(5);
        }
    }

    /**
     * The clock of a statement can run out just as the statement finishes: the cancel request then reaches the
     * server late. The statement's future completes only once the server has handled that cancel, so the late
     * cancel finds the backend idle (PostgreSQL drops it) and never stops the statement sent next, possibly by
     * the next borrower of a pooled connection (found by PoolIsolationTest under load).
     */
    @Test
    void aLateCancelOfAStatementThatFinishedNeverStopsTheNextOne(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, null)) {
            ExecuteOptions tight = ExecuteOptions.builder().timeout(Duration.ofMillis(1)).build();
            for (int i = 0; i < 150; i++) {
                try {
                    conn.execute("SELECT pg_sleep(0.001)", List.of(), tight).join();
                } catch (CompletionException e) {
                    assertThat(e.getCause()).isInstanceOf(QueryCanceled.class);
                }
                // no timeout: only a cancel meant for the statement before could stop this one
                assertThat(conn.execute("SELECT pg_sleep(0.005), %s::int", i).join().fetchone().getInt(1))
                        .isEqualTo(i);
            }
            assertThat(conn.isBroken()).isFalse();
        }
    }

    @Test
    void statementsThatFinishInTimeAreNeverCancelledLater(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = connect(db, Duration.ofMillis(100))) {
            List<CompletableFuture<dev.tusk.AsyncCursor<Row>>> all = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                all.add(conn.execute("SELECT %s::int", i));
            }
            for (int i = 0; i < 200; i++) {
                assertThat(all.get(i).join().fetchone().getInt(0)).isEqualTo(i);
            }
            Thread.sleep(150); // past the last timer: nothing may cancel the next statement
            assertThat(conn.execute("SELECT pg_sleep(0.05), 2").join().fetchone().getInt(1)).isEqualTo(2);
        }
    }

    @Test
    void onlyTheTimedOutStatementFailsAndThePipelineGoesOn(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, null)) {
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build();
            CompletableFuture<?> before = conn.execute("SELECT 1");
            CompletableFuture<?> slow = conn.execute("SELECT pg_sleep(%s)", List.of(30), opts);
            CompletableFuture<dev.tusk.AsyncCursor<Row>> after = conn.execute("SELECT 3");
            before.join();
            assertThatThrownBy(slow::join).cause().isInstanceOf(QueryCanceled.class).hasMessageContaining("200 ms");
            assertThat(after.join().fetchone().getInt(0)).isEqualTo(3);
        }
    }

    @Test
    void aServerSilentAfterTheCancelBreaksTheConnectionAfterAGrace(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port());
             AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                     .host("127.0.0.1").port(proxy.port()).sslmode("disable").autocommit(true)
                     .statementTimeout(Duration.ofMillis(300)).build()).join()) {
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
            proxy.failNow(FaultProxy.Action.SILENCE); // the network is gone; the reply to the cancel never comes
            long start = System.nanoTime();
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(30)").join()).cause()
                    .isInstanceOf(OperationalException.class)
                    .isNotInstanceOf(QueryCanceled.class)
                    .hasMessageContaining("statement timeout")
                    .hasMessageContaining("300 ms")
                    .hasMessageContaining("connection");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1200)).isLessThan(Duration.ofSeconds(15));
            assertThat(conn.isBroken()).isTrue();
            assertThatThrownBy(() -> conn.execute("SELECT 1").join()).cause().isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken");
        }
    }
}
