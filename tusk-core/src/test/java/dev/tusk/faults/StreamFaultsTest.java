package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Network faults in COPY, pipelines, notifications, and a server that goes silent mid-statement. */
@TuskTest
@Timeout(60)
class StreamFaultsTest {

    @Test
    void copyInCutWhileSendingData(TestDatabase db) {
        db.admin("CREATE TABLE t (id int, s text)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.setAutocommit(true);
            proxy.failAfterClientBytes(300_000, FaultProxy.Action.RESET);
            Faults.assertLost(c, () -> {
                try (Copy copy = c.cursor().copy("COPY t FROM STDIN")) {
                    for (int i = 0; i < 2_000_000; i++) {
                        copy.writeRow(i, "some text " + i);
                    }
                    copy.finish();
                }
            });
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0"); // a cut COPY commits nothing
    }

    @Test
    void copyInCutBeforeTheServerConfirms(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.setAutocommit(true);
            Faults.assertLost(c, () -> {
                try (Copy copy = c.cursor().copy("COPY t FROM STDIN")) {
                    copy.writeRow(1);
                    proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // the COPY's CommandComplete
                    copy.finish();
                }
            });
        }
    }

    @Test
    void copyOutCutMidStream(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAtServerMessage('d', 5000, FaultProxy.Action.CLOSE); // the 5000th CopyData
            long[] rows = {0};
            Faults.assertLost(c, () -> {
                try (Copy copy = c.cursor().copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT")) {
                    for (var row : copy.rows()) {
                        rows[0]++;
                    }
                }
            });
            // rows up to the cut, never beyond; a few already buffered may be dropped with the error
            assertThat(rows[0]).isBetween(4000L, 4999L);
        }
    }

    @Test
    void pipelineCutBetweenResults(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.setAutocommit(true);
            proxy.failAtServerMessage('C', 3, FaultProxy.Action.RESET); // two statements answered, then the cut
            Cursor<Row>[] cursors = new Cursor[5];
            Faults.assertLost(c, () -> {
                try (Pipeline p = c.pipeline()) {
                    for (int i = 0; i < 5; i++) {
                        cursors[i] = c.execute("SELECT %s::int", i);
                    }
                    p.sync();
                }
            });
            // the results that arrived before the cut are there; the others fail as lost
            assertThat(cursors[0].fetchone().getInt(0)).isEqualTo(0);
            assertThat(cursors[1].fetchone().getInt(0)).isEqualTo(1);
            Throwable t = catchThrowable(() -> cursors[3].fetchone());
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
        }
    }

    @Test
    void notifiesWaitEndsWhenTheConnectionIsCut(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.setAutocommit(true);
            c.execute("LISTEN jobs");
            db.admin("NOTIFY jobs, 'one'");
            java.util.List<String> got = new java.util.ArrayList<>();
            c.notifies(Duration.ofSeconds(10), 1).forEach(n -> got.add(n.payload()));
            proxy.failAtServerMessage('A', 1, FaultProxy.Action.CLOSE); // the next notification is cut
            CompletableFuture<Void> later = CompletableFuture.runAsync(() -> {
                sleep(300);
                db.admin("NOTIFY jobs, 'two'");
            });
            long t0 = System.nanoTime();
            Faults.assertLost(c, () -> c.notifies(Duration.ofSeconds(30), null).forEach(n -> got.add(n.payload())));
            later.join();
            assertThat(got).containsExactly("one");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
        }
    }

    @Test
    void notifiesWithATimeoutReturnsWhenTheServerIsSilent(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.setAutocommit(true);
            c.execute("LISTEN jobs");
            proxy.failNow(FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            assertThat(c.notifies(Duration.ofMillis(500), null).count()).isZero();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(450), Duration.ofSeconds(5));
            assertThat(c.isBroken()).isFalse(); // silence alone is not a failure
        }
    }

    @Test
    void silentServerMidQueryFailsAfterSocketTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> c = Connection.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(800)).build())) {
            assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            OperationalException e = Faults.assertLost(c, () -> c.execute("SELECT 2"));
            assertThat(e.getMessage()).contains("socketTimeout").contains("800 ms");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(700), Duration.ofSeconds(5));
        }
    }

    @Test
    void socketTimeoutDoesNotBreakANotifiesWaitOrAnIdleConnection(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> c = Connection.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(300)).autocommit(true).build())) {
            c.execute("LISTEN jobs");
            assertThat(c.notifies(Duration.ofMillis(900), null).count()).isZero(); // longer than socketTimeout
            sleep(400);
            assertThat(c.execute("SELECT 3").fetchone().getInt(0)).isEqualTo(3);
            assertThat(c.isBroken()).isFalse();
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
