package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import dev.tusk.errors.AdminShutdown;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server itself goes away under an AsyncConnection: an immediate or fast shutdown, then a restart. */
@TuskTest
@Timeout(90)
class AsyncServerFaultsTest {

    private static void crashAndRestart(TestDatabase db) {
        db.server().stop(StopMode.IMMEDIATE);
        db.server().start();
    }

    @Test
    void immediateShutdownDuringATransaction(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int)"); // must survive the crash
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            crashAndRestart(db);
            // the server's reason comes as a WARNING notice, not an ErrorResponse: the error says the connection was lost
            AsyncFaults.assertLost(c, c.execute("INSERT INTO t VALUES (2)"));
            assertThat(AsyncFaults.failure(c.commit())).isNotInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("broken");
        }
        try (AsyncConnection<Row> after = AsyncFaults.direct(db)) {
            assertThat(AsyncFaults.await(after.execute("SELECT count(*) FROM t")).fetchone().getLong(0)).isZero();
        }
    }

    @Test
    void immediateShutdownUnderPipelinedStatements(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.setAutocommit(true));
            List<CompletableFuture<AsyncCursor<Row>>> pending = new ArrayList<>();
            for (int i = 0; i < 100; i++) {
                pending.add(c.execute("SELECT %s::int, pg_sleep(0.02)", i));
            }
            AsyncFaults.await(pending.get(4)); // some have run
            db.server().stop(StopMode.IMMEDIATE);
            int ok = 0;
            int lost = 0;
            for (int i = 0; i < pending.size(); i++) {
                try {
                    assertThat(pending.get(i).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(i);
                    assertThat(lost).as("no success after a failure").isZero();
                    ok++;
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(OperationalException.class);
                    assertThat(e.getCause().getMessage()).matches(Faults.LOST);
                    lost++;
                }
            }
            assertThat(ok).isGreaterThanOrEqualTo(5);
            assertThat(lost).isGreaterThan(0);
            assertThat(ok + lost).isEqualTo(100);
            db.server().start();
            AsyncFaults.assertBrokenAfterwards(c);
        }
        try (AsyncConnection<Row> after = AsyncFaults.direct(db)) {
            assertThat(AsyncFaults.await(after.execute("SELECT 1")).fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void immediateShutdownWhileListening(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.setAutocommit(true));
            AsyncFaults.await(c.execute("LISTEN jobs"));
            AsyncListenFaultsTest.Recorder sub = new AsyncListenFaultsTest.Recorder();
            List<String> handled = new java.util.concurrent.CopyOnWriteArrayList<>();
            c.notifications().subscribe(sub);
            c.addNotifyHandler(n -> handled.add(n.payload()));
            db.admin("NOTIFY jobs, 'before'");
            sub.awaitPayloads(1);
            crashAndRestart(db);
            Throwable t = sub.awaitEnd();
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            db.admin("NOTIFY jobs, 'after'"); // on the restarted server: nobody on the old connection hears it
            AsyncFaults.sleep(300);
            assertThat(handled).containsExactly("before");
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void fastShutdownOfAnIdleConnectionSaysWhy(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.execute("SELECT 1"));
            db.server().stop(StopMode.FAST);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(10));
            db.server().start();
            Throwable t = AsyncFaults.failure(c.execute("SELECT 1"));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken")
                    .hasMessageContaining("terminating connection due to administrator command");
            assertThat(t.getCause()).isInstanceOf(AdminShutdown.class);
        }
    }

    @Test
    void aNewConnectionWorksAfterTheRestartAndOldOnesStayBroken(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        AsyncConnection<Row> old = AsyncFaults.direct(db);
        crashAndRestart(db);
        try (AsyncConnection<Row> fresh = AsyncFaults.direct(db)) {
            assertThat(AsyncFaults.await(fresh.execute("SELECT 5")).fetchone().getInt(0)).isEqualTo(5);
        }
        AsyncFaults.awaitBroken(old, Duration.ofSeconds(10));
        AsyncFaults.assertBrokenAfterwards(old);
    }

    @Test
    void connectingWhileTheServerIsDownFailsClearly(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        db.server().stop(StopMode.IMMEDIATE);
        try {
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(db.conninfo() + " sslmode=disable connect_timeout=5"));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).contains("port " + db.port()).matches("(?is).*(refused|starting up|shutting down).*");
        } finally {
            db.server().start();
        }
    }
}
