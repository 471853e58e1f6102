package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.Notify;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** A connection lost while it listens: notifications() subscribers get onError, handlers stop being called. */
@TuskTest
@Timeout(30)
class AsyncListenFaultsTest {

    /** Records what a subscriber of notifications() receives. */
    static final class Recorder implements Flow.Subscriber<Notify> {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> end = new CompletableFuture<>(); // null: onComplete
        final AtomicInteger terminals = new AtomicInteger();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Notify n) {
            payloads.add(n.payload());
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

        Throwable awaitEnd() throws Exception {
            return end.get(10, TimeUnit.SECONDS);
        }

        void awaitPayloads(int n) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (payloads.size() < n && System.nanoTime() < deadline) {
                AsyncFaults.sleep(10);
            }
            assertThat(payloads).hasSizeGreaterThanOrEqualTo(n);
        }
    }

    private static AsyncConnection<Row> listening(FaultProxy proxy, TestDatabase db) {
        AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).autocommit(true));
        AsyncFaults.await(c.execute("LISTEN jobs"));
        return c;
    }

    @Test
    void aCutWhileListeningFailsTheSubscribersAndStopsTheHandlers(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = listening(proxy, db)) {
            Recorder sub = new Recorder();
            List<String> handled = new CopyOnWriteArrayList<>();
            c.notifications().subscribe(sub);
            c.addNotifyHandler(n -> handled.add(n.payload()));
            db.admin("NOTIFY jobs, 'one'");
            sub.awaitPayloads(1);
            proxy.failAtServerMessage('A', 1, FaultProxy.Action.CLOSE); // the next notification is cut
            db.admin("NOTIFY jobs, 'two'");
            Throwable t = sub.awaitEnd();
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST).contains("broken");
            assertThat(sub.payloads).containsExactly("one");
            assertThat(handled).containsExactly("one");
            assertThat(c.isBroken()).isTrue();
            db.admin("NOTIFY jobs, 'three'");
            AsyncFaults.sleep(300);
            assertThat(handled).as("handlers hear nothing more").containsExactly("one");
            assertThat(sub.terminals.get()).as("one terminal signal").isEqualTo(1);
        }
    }

    @Test
    void aSubscriberArrivingAfterTheLossFailsAtOnce(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = listening(proxy, db)) {
            proxy.failNow(FaultProxy.Action.RESET);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(5));
            Recorder late = new Recorder();
            c.notifications().subscribe(late);
            Throwable t = late.awaitEnd();
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
        }
    }

    @Test
    void notificationsBufferedBeforeTheCutAreDeliveredBeforeTheError(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = listening(proxy, db)) {
            List<String> got = new CopyOnWriteArrayList<>();
            CompletableFuture<Throwable> end = new CompletableFuture<>();
            Flow.Subscription[] sub = new Flow.Subscription[1];
            c.notifications().subscribe(new Flow.Subscriber<>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                    sub[0] = s; // requests nothing yet: notifications wait in the buffer
                }

                @Override
                public void onNext(Notify n) {
                    got.add(n.payload());
                }

                @Override
                public void onError(Throwable t) {
                    end.complete(t);
                }

                @Override
                public void onComplete() {
                    end.complete(null);
                }
            });
            db.admin("NOTIFY jobs, 'a'; NOTIFY jobs, 'b'");
            AsyncFaults.sleep(300);
            proxy.failNow(FaultProxy.Action.CLOSE);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(5));
            assertThat(end).as("the error waits behind the undelivered notifications").isNotDone();
            sub[0].request(10);
            assertThat(end.get(10, TimeUnit.SECONDS)).isInstanceOf(OperationalException.class);
            assertThat(got).containsExactly("a", "b");
        }
    }

    @Test
    void closingTheConnectionCompletesTheSubscribers(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = listening(proxy, db)) {
            Recorder sub = new Recorder();
            c.notifications().subscribe(sub);
            AsyncFaults.await(c.closeAsync());
            assertThat(sub.awaitEnd()).as("onComplete, not onError").isNull();
            assertThat(c.isBroken()).isFalse();
        }
    }

    @Test
    void aSilentServerDoesNotEndTheSubscription(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = listening(proxy, db)) {
            Recorder sub = new Recorder();
            c.notifications().subscribe(sub);
            proxy.failNow(FaultProxy.Action.SILENCE);
            AsyncFaults.sleep(1000);
            assertThat(sub.end).isNotDone();
            assertThat(c.isBroken()).isFalse();
        }
    }
}
