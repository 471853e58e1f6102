package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection lost while {@link AsyncConnection#stream} publishes a large result: the subscriber gets onError. */
@TuskTest
@Timeout(30)
class AsyncStreamFaultsTest {

    /** Requests {@code batch} rows at a time; records the rows and the one terminal signal. */
    static final class Counter implements Flow.Subscriber<Row> {
        final int batch;
        final AtomicLong rows = new AtomicLong();
        final AtomicLong lastValue = new AtomicLong();
        final AtomicInteger terminals = new AtomicInteger();
        final CompletableFuture<Throwable> end = new CompletableFuture<>();
        Flow.Subscription s;
        long left;

        Counter(int batch) {
            this.batch = batch;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            left = batch;
            s.request(batch);
        }

        @Override
        public void onNext(Row r) {
            rows.incrementAndGet();
            lastValue.set(r.getLong(0));
            if (--left == 0) {
                left = batch;
                s.request(batch);
            }
        }

        @Override
        public void onError(Throwable t) {
            terminals.incrementAndGet();
            end.complete(t);
        }

        @Override
        public void onComplete() {
            terminals.incrementAndGet();
            end.complete(null);
        }
    }

    @Test
    void aResetWhileStreamingEndsInOnError(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('D', 3000, FaultProxy.Action.RESET);
            Counter sub = new Counter(200);
            c.stream("SELECT g::bigint FROM generate_series(1, 100000) g").subscribe(sub);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(sub.rows.get()).as("rows before the cut, never the cut one").isBetween(1L, 2999L);
            assertThat(sub.lastValue.get()).isEqualTo(sub.rows.get()); // in order, none skipped
            AsyncFaults.sleep(200);
            assertThat(sub.terminals.get()).isEqualTo(1);
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void aCloseInsideALargeFetchEndsInOnError(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAfterServerBytes(200_003, FaultProxy.Action.CLOSE); // mid-DataRow, a few FETCHes in
            Counter sub = new Counter(500);
            c.stream("SELECT g::bigint, repeat('q', 100) FROM generate_series(1, 100000) g").subscribe(sub);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(sub.rows.get()).isBetween(500L, 99_999L);
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void aStreamInsideATransactionBlockFailsTheBlockToo(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            Counter sub = new Counter(100);
            CompletableFuture<Object> block = c.transaction(tx -> {
                proxy.failAtServerMessage('D', 1000, FaultProxy.Action.CLOSE);
                c.stream("SELECT g::bigint FROM generate_series(1, 50000) g").subscribe(sub);
                return sub.end.thenApply(t -> {
                    if (t != null) {
                        throw new java.util.concurrent.CompletionException(t);
                    }
                    return null;
                });
            });
            assertThat(sub.end.get(15, TimeUnit.SECONDS)).isInstanceOf(OperationalException.class);
            Throwable t = AsyncFaults.failure(block);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(sub.rows.get()).isBetween(1L, 999L);
        }
    }

    @Test
    void aSlowSubscriberCancellingAfterTheLossGetsNoMoreSignals(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            Counter sub = new Counter(50);
            c.stream("SELECT g::bigint FROM generate_series(1, 100000) g").subscribe(sub);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sub.rows.get() < 1000 && System.nanoTime() < deadline) {
                AsyncFaults.sleep(5);
            }
            proxy.failNow(FaultProxy.Action.CLOSE);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class);
            sub.s.cancel();
            sub.s.request(10);
            AsyncFaults.sleep(200);
            assertThat(sub.terminals.get()).isEqualTo(1);
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void aSilentServerWithSocketTimeoutEndsTheStream(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(600)))) {
            proxy.failAtServerMessage('D', 2000, FaultProxy.Action.SILENCE);
            Counter sub = new Counter(300);
            c.stream("SELECT g::bigint FROM generate_series(1, 100000) g").subscribe(sub);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("socketTimeout");
            assertThat(sub.rows.get()).isBetween(1L, 1999L);
            assertThat(c.isBroken()).isTrue();
        }
    }
}
