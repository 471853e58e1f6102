package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Notify;
import dev.tusk.Row;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(60)
class AsyncNotifyCancelTest {
    private static AsyncConnection<Row> listener(TestDatabase db) {
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("LISTEN events").join();
        return conn;
    }

    /** Requests in batches of 100 as it consumes: a slow, well-behaved subscriber. */
    private static final class Collector implements Flow.Subscriber<Notify> {
        final List<Notify> got = new CopyOnWriteArrayList<>();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final int stopAfter;
        Flow.Subscription subscription;
        int outstanding;

        Collector(int stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            outstanding = 100;
            s.request(100);
        }

        @Override
        public void onNext(Notify n) {
            got.add(n);
            if (--outstanding == 0) {
                outstanding = 100;
                subscription.request(100);
            }
            if (got.size() == stopAfter) {
                subscription.cancel();
                done.countDown();
            }
        }

        @Override
        public void onError(Throwable t) {
            error.set(t);
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }
    }

    @Test
    void aPublisherKeepsUpWithTenThousandNotifications(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = listener(db); Connection<Row> sender = Connection.connect(db.conninfo())) {
            Collector collector = new Collector(10_000);
            conn.notifications().subscribe(collector);
            List<Notify> handled = new CopyOnWriteArrayList<>();
            conn.addNotifyHandler(handled::add);
            sender.setAutocommit(true);
            for (int batch = 0; batch < 10; batch++) {
                sender.execute("SELECT pg_notify('events', g::text) FROM generate_series(%s, %s) g", batch * 1000, batch * 1000 + 999);
            }
            assertThat(collector.done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(collector.error.get()).isNull();
            assertThat(collector.got).extracting(Notify::payload)
                    .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 10_000).mapToObj(Integer::toString).toList());
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (handled.size() < 10_000 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(handled).hasSize(10_000);
        }
    }

    @Test
    void subscribersCompleteWhenTheConnectionCloses(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = listener(db);
        Collector collector = new Collector(Integer.MAX_VALUE);
        conn.notifications().subscribe(collector);
        conn.close();
        assertThat(collector.done.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(collector.error.get()).isNull();
    }

    @Test
    void cancelStopsARunningQuery(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            CompletableFuture<?> sleeping = conn.execute("SELECT pg_sleep(30)");
            Thread.sleep(200);
            long t0 = System.nanoTime();
            conn.cancel().get(10, TimeUnit.SECONDS);
            assertThatThrownBy(() -> sleeping.get(10, TimeUnit.SECONDS)).hasCauseInstanceOf(QueryCanceled.class);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
            conn.rollback().join();
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        }
    }

    /** Waits until {@code list} holds {@code n} items, at most 10 s. */
    private static void awaitSize(List<?> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }

    @Test
    void handlersRunWhileIdleAndDuringOtherStatementsAndCanBeRemoved(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = listener(db); Connection<Row> sender = Connection.connect(db.conninfo())) {
            sender.setAutocommit(true);
            List<String> threads = new CopyOnWriteArrayList<>();
            List<Notify> got = new CopyOnWriteArrayList<>();
            java.util.function.Consumer<Notify> handler = n -> {
                threads.add(Thread.currentThread().getName());
                got.add(n);
            };
            conn.addNotifyHandler(handler);
            sender.execute("NOTIFY events, 'idle'");
            awaitSize(got, 1);
            assertThat(got).extracting(Notify::payload).containsExactly("idle");
            assertThat(got.get(0).pid()).isEqualTo(sender.info().backendPid());
            assertThat(threads).allMatch(t -> t.startsWith("tusk-event-loop-"));

            CompletableFuture<?> busy = conn.execute("SELECT pg_sleep(0.5)");
            sender.execute("NOTIFY events, 'busy'");
            busy.get(10, TimeUnit.SECONDS);
            awaitSize(got, 2);
            assertThat(got).extracting(Notify::payload).containsExactly("idle", "busy");

            conn.removeNotifyHandler(handler);
            sender.execute("NOTIFY events, 'unheard'");
            conn.execute("SELECT 1").join(); // the notification arrives before this result
            assertThat(got).hasSize(2);
        }
    }

    @Test
    void quotedChannelNamesAndTheLargestPayload(TestDatabase db) throws Exception {
        String channel = "Jobs \"urgent\" ☃";
        try (AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
             Connection<Row> sender = Connection.connect(db.conninfo())) {
            conn.execute(new dev.tusk.sql.SQL("LISTEN {}").format(new dev.tusk.sql.Identifier(channel))).join();
            List<Notify> got = new CopyOnWriteArrayList<>();
            conn.addNotifyHandler(got::add);
            sender.setAutocommit(true);
            String payload = "é".repeat(3999) + "x"; // 7999 bytes, the limit is 8000
            sender.execute("SELECT pg_notify(%s, %s)", channel, payload);
            awaitSize(got, 1);
            assertThat(got.get(0).channel()).isEqualTo(channel);
            assertThat(got.get(0).payload()).isEqualTo(payload);
        }
    }

    @Test
    void cancelSafeIsBoundedAndHarmlessWhenIdleAndAfterClose(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join();
        long t0 = System.nanoTime();
        conn.cancelSafe(Duration.ofSeconds(2)).get(5, TimeUnit.SECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofMillis(2_500));
        assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        conn.closeAsync().join();
        conn.cancelSafe(Duration.ofSeconds(2)).handle((v, e) -> null).get(5, TimeUnit.SECONDS); // bounded, whatever it says
        assertThatThrownBy(() -> conn.execute("SELECT 1").join()).hasCauseInstanceOf(dev.tusk.errors.OperationalException.class);
    }
}
