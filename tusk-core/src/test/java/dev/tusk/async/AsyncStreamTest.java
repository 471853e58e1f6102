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
