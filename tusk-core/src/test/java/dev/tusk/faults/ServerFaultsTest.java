package dev.tusk.faults;

import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.AdminShutdown;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The server goes away by itself: an immediate shutdown, or pg_terminate_backend. */
@TuskTest
@Timeout(90)
class ServerFaultsTest {

    private static Connection<Row> direct(TestDatabase db) {
        return Connection.connect(db.conninfo() + " sslmode=disable");
    }

    private static void crashAndRestart(TestDatabase db) {
        db.server().stop(StopMode.IMMEDIATE);
        db.server().start();
    }

    @Test
    void immediateShutdownDuringATransaction(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int)"); // must survive a crash
        try (Connection<Row> c = direct(db)) {
            c.execute("INSERT INTO t VALUES (1)");
            crashAndRestart(db);
            // the server's reason ("terminating connection due to immediate shutdown command") comes as a
            // WARNING notice, not an ErrorResponse, so the error can only say the connection was lost
            Faults.assertLost(c, () -> c.execute("INSERT INTO t VALUES (2)"));
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void immediateShutdownDuringCopyIn(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int, s text)");
        try (Connection<Row> c = direct(db)) {
            c.setAutocommit(true);
            Faults.assertLost(c, () -> {
                try (Copy copy = c.cursor().copy("COPY t FROM STDIN")) {
                    for (int i = 0; i < 1000; i++) {
                        copy.writeRow(i, "row " + i);
                    }
                    crashAndRestart(db);
                    for (int i = 0; i < 2_000_000; i++) { // enough to overflow the socket buffers
                        copy.writeRow(i, "row " + i);
                    }
                    copy.finish();
                }
            });
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void immediateShutdownDuringCopyOut(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> c = direct(db)) {
            c.setAutocommit(true);
            long[] rows = {0};
            Faults.assertLost(c, () -> {
                try (Copy copy = c.cursor().copy("COPY (SELECT g, repeat('z', 100) FROM generate_series(1, 3000000) g) TO STDOUT")) {
                    for (var row : copy.rows()) {
                        if (++rows[0] == 10) {
                            crashAndRestart(db);
                        }
                    }
                }
            });
            assertThat(rows[0]).isBetween(10L, 2_999_999L);
        }
    }

    @Test
    void immediateShutdownDuringAPipeline(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> c = direct(db)) {
            Faults.assertLost(c, () -> {
                try (Pipeline p = c.pipeline()) {
                    Cursor<Row> a = c.execute("SELECT 1");
                    p.sync();
                    assertThat(a.fetchone().getInt(0)).isEqualTo(1);
                    crashAndRestart(db);
                    c.execute("SELECT 2");
                    c.execute("SELECT 3");
                    p.sync();
                }
            });
        }
    }

    @Test
    void immediateShutdownWhileWaitingForNotifications(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> c = direct(db)) {
            c.setAutocommit(true);
            c.execute("LISTEN jobs");
            CompletableFuture<Void> crash = CompletableFuture.runAsync(() -> {
                sleep(300);
                crashAndRestart(db);
            });
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> c.notifies(Duration.ofSeconds(30), null).forEach(n -> { }));
            crash.join();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(25));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            Faults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void terminatedWhileIdleSaysWhy(TestDatabase db) {
        try (Connection<Row> c = direct(db)) {
            int pid = c.info().backendPid();
            assertThat(db.adminQuery("SELECT pg_terminate_backend(" + pid + ")")).isEqualTo("t");
            waitUntilGone(db, pid);
            OperationalException e = Faults.assertLost(c, () -> c.execute("SELECT 1"));
            assertThat(e).isInstanceOf(AdminShutdown.class);
            assertThat(e.sqlstate()).isEqualTo("57P01");
            assertThat(e.getMessage()).contains("terminating connection due to administrator command");
        }
    }

    @Test
    void terminatedWhileBusySaysWhy(TestDatabase db) throws Exception {
        try (Connection<Row> c = direct(db)) {
            int pid = c.info().backendPid();
            CompletableFuture<Void> kill = CompletableFuture.runAsync(() -> {
                while (!"active".equals(db.adminQuery("SELECT state FROM pg_stat_activity WHERE pid = " + pid))) {
                    sleep(20);
                }
                db.admin("SELECT pg_terminate_backend(" + pid + ")");
            });
            OperationalException e = Faults.assertLost(c, () -> c.execute("SELECT pg_sleep(30)"));
            kill.get(10, TimeUnit.SECONDS);
            assertThat(e).isInstanceOf(AdminShutdown.class);
            assertThat(e.getMessage()).contains("terminating connection due to administrator command");
        }
    }

    private static void waitUntilGone(TestDatabase db, int pid) {
        while (!"0".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid))) {
            sleep(20);
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
