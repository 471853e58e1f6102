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
}
