package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

@TuskTest
@Timeout(60)
class NotifyTest {

    private static Connection<Row> listener(TestDatabase db, String channel) {
        Connection<Row> c = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        c.execute("LISTEN \"" + channel.replace("\"", "\"\"") + "\"");
        return c;
    }

    @Test
    void queuedWhenNoHandlerAndDrainedWithoutWaiting(TestDatabase db) {
        try (Connection<Row> l = listener(db, "jobs"); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            n.execute("NOTIFY jobs, 'one'");
            n.execute("SELECT pg_notify('jobs', 'two')");
            List<Notify> got = new ArrayList<>();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (got.size() < 2 && System.nanoTime() < deadline) {
                got.addAll(l.notifies());
            }
            assertThat(got).extracting(Notify::payload).containsExactly("one", "two");
            assertThat(got.get(0).channel()).isEqualTo("jobs");
            assertThat(got.get(0).pid()).isEqualTo(n.info().backendPid());
            long t0 = System.nanoTime();
            assertThat(l.notifies()).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(500);
        }
    }

    @Test
    void handlersSeeNotificationsArrivingDuringAnotherQuery(TestDatabase db) {
        try (Connection<Row> l = listener(db, "during"); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            List<Notify> seen = new CopyOnWriteArrayList<>();
            l.addNotifyHandler(seen::add);
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException ignored) {
                    return;
                }
                n.execute("NOTIFY during, 'mid-query'");
            });
            t.start();
            l.execute("SELECT pg_sleep(1.5)");
            assertThat(seen).extracting(Notify::payload).containsExactly("mid-query");
            assertThat(l.notifies()).isEmpty(); // handled, so not queued
        }
    }

    @Test
    void notifiesWithTimeoutAndStopAfter(TestDatabase db) {
        try (Connection<Row> l = listener(db, "Odd \"Name\""); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            long t0 = System.nanoTime();
            assertThat(l.notifies(Duration.ofMillis(300), null).toList()).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(250L, 3_000L);
            for (int i = 0; i < 5; i++) {
                n.execute("SELECT pg_notify(%s, %s)", "Odd \"Name\"", "p" + i);
            }
            assertThat(l.notifies(Duration.ofSeconds(10), 3).map(Notify::payload).toList()).containsExactly("p0", "p1", "p2");
            assertThat(l.notifies(Duration.ofSeconds(10), 2).map(Notify::payload).toList()).containsExactly("p3", "p4");
        }
    }

    @Test
    void largestPayload(TestDatabase db) {
        try (Connection<Row> l = listener(db, "big"); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            String payload = "é".repeat(3999) + "x"; // 7999 bytes, the limit is 8000
            n.execute("SELECT pg_notify('big', %s)", payload);
            assertThat(l.notifies(Duration.ofSeconds(10), 1).toList().get(0).payload()).isEqualTo(payload);
        }
    }

    @Test
    void channelNamesThatNeedQuoting(TestDatabase db) {
        String channel = "Jobs \"urgent\" ☃";
        try (Connection<Row> l = listener(db, channel); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            n.execute("SELECT pg_notify(%s, %s)", channel, "go");
            Notify got = l.notifies(Duration.ofSeconds(10), 1).toList().get(0);
            assertThat(got.channel()).isEqualTo(channel);
            assertThat(got.payload()).isEqualTo("go");
        }
    }

    @Test
    void waitingForNotificationsEndsWhenTheConnectionCloses(TestDatabase db) throws Exception {
        Connection<Row> l = listener(db, "closing");
        Thread closer = new Thread(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            l.close();
        });
        closer.start();
        long t0 = System.nanoTime();
        List<Notify> got = l.notifies(Duration.ofSeconds(30), null).toList();
        assertThat(got).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        closer.join();
        assertThat(l.isClosed()).isTrue();
    }

    @Test
    void tenThousandNotificationsEachOnce(TestDatabase db) {
        try (Connection<Row> l = listener(db, "flood"); Connection<Row> n = Connection.connect(db.conninfo())) {
            n.setAutocommit(true);
            n.execute("SELECT pg_notify('flood', g::text) FROM generate_series(1, 10000) g");
            Set<String> seen = new HashSet<>();
            List<String> all = new ArrayList<>();
            Consumer<Notify> h = x -> {
                all.add(x.payload());
                seen.add(x.payload());
            };
            l.addNotifyHandler(h);
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (all.size() < 10_000 && System.nanoTime() < deadline) {
                l.notifies();
            }
            l.removeNotifyHandler(h);
            assertThat(all).hasSize(10_000);
            assertThat(seen).hasSize(10_000);
        }
    }
}
