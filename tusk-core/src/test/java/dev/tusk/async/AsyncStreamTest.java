package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

@TuskTest
@Timeout(60)
class AsyncStreamTest {
    /** Requests 100 rows at a time and sums column 0; cancels after {@code stopAfter} rows. */
    private static final class Summer implements Flow.Subscriber<Row> {
        final AtomicLong sum = new AtomicLong();
        final AtomicLong count = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicReference<Throwable> error = new AtomicReference<>();
        final long stopAfter;
        Flow.Subscription s;
        int outstanding;

        Summer(long stopAfter) {
            this.stopAfter = stopAfter;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            outstanding = 100;
            s.request(100);
        }

        @Override
        public void onNext(Row r) {
            sum.addAndGet(r.getLong(0));
            if (count.incrementAndGet() == stopAfter) {
                s.cancel();
                done.countDown();
                return;
            }
            if (--outstanding == 0) {
                outstanding = 100;
                s.request(100);
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

    /**
     * With demand beyond one chunk, the next chunk's FETCH is on its way while the subscriber still consumes the
     * current one (the server counts rows on a sequence as it produces them); with demand for one chunk only,
     * nothing more is fetched.
     */
    @Test
    void theNextChunkIsFetchedWhileTheSubscriberConsumesOnlyAsFarAsDemandGoes(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join();
             dev.tusk.Connection<Row> watch = dev.tusk.Connection.connect(dev.tusk.ConnectOptions.builder()
                     .conninfo(db.conninfo()).autocommit(true).build())) { // blocking: onNext runs on conn's event loop
            watch.execute("CREATE SEQUENCE IF NOT EXISTS stream_prefetch_seq");
            for (long wanted : new long[] {Long.MAX_VALUE, 500}) {
                watch.execute("SELECT setval('stream_prefetch_seq', 1, false)");
                AtomicLong seenDuringFirstRow = new AtomicLong(-1);
                AtomicLong count = new AtomicLong();
                CountDownLatch firstChunk = new CountDownLatch(1);
                CountDownLatch done = new CountDownLatch(1);
                conn.stream("SELECT g, nextval('stream_prefetch_seq') FROM generate_series(1, 3000) g").subscribe(new Flow.Subscriber<>() {
                    Flow.Subscription s;

                    @Override
                    public void onSubscribe(Flow.Subscription s) {
                        this.s = s;
                        s.request(wanted);
                    }

                    @Override
                    public void onNext(Row r) {
                        if (count.incrementAndGet() == 1) { // wait, up to 5 s, for the server to produce more rows
                            // (polled from a thread of its own: onNext runs on the event loop, where blocking calls are refused)
                            Thread poll = new Thread(() -> {
                                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(wanted == 500 ? 1 : 5);
                                long made;
                                do {
                                    made = watch.execute("SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM stream_prefetch_seq")
                                            .fetchone().getLong(0);
                                } while (made <= 500 && System.nanoTime() < deadline);
                                seenDuringFirstRow.set(made);
                            });
                            poll.start();
                            try {
                                poll.join(10_000);
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        }
                        if (count.get() == 500) {
                            firstChunk.countDown();
                            if (wanted == 500) {
                                s.cancel();
                                done.countDown();
                            }
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        done.countDown();
                    }

                    @Override
                    public void onComplete() {
                        done.countDown();
                    }
                });
                assertThat(done.await(30, TimeUnit.SECONDS)).isTrue();
                if (wanted == 500) {
                    assertThat(seenDuringFirstRow.get()).as("rows produced with demand for one chunk").isEqualTo(500);
                    assertThat(count.get()).isEqualTo(500);
                } else {
                    assertThat(seenDuringFirstRow.get()).as("rows produced while the first row was consumed").isGreaterThan(500);
                    assertThat(count.get()).isEqualTo(3000);
                }
            }
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void twoHundredThousandRowsArriveAsRequested(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            Summer s = new Summer(Long.MAX_VALUE);
            conn.stream("SELECT g FROM generate_series(1, %s) g", 200_000).subscribe(s);
            assertThat(s.done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.error.get()).isNull();
            assertThat(s.count.get()).isEqualTo(200_000);
            assertThat(s.sum.get()).isEqualTo(200_000L * 200_001 / 2);
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
            conn.rollback().join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    @Test
    void cancellingMidwayLeavesNoCursorBehind(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            Summer s = new Summer(250);
            conn.stream("SELECT g FROM generate_series(1, 1000000) g").subscribe(s);
            assertThat(s.done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.count.get()).isEqualTo(250);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            long open;
            do {
                open = conn.execute("SELECT count(*) FROM pg_cursors").join().fetchone().getLong(0);
                conn.rollback().join();
            } while (open > 0 && System.nanoTime() < deadline);
            assertThat(open).isZero();
        }
    }

    @Test
    void anErrorReachesTheSubscriber(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            Summer s = new Summer(Long.MAX_VALUE);
            conn.stream("SELECT 1 / (g - 500) FROM generate_series(1, 1000) g").subscribe(s);
            assertThat(s.done.await(30, TimeUnit.SECONDS)).isTrue();
            assertThat(s.error.get()).hasMessageContaining("division by zero");
            assertThat(conn.execute("SELECT 2").join().fetchone().getInt(0)).isEqualTo(2);
        }
    }
}
