package dev.tusk;

import dev.tusk.errors.QueryCanceled;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.connect.CancelsInFlight;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.core.SessionState;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The two ends of a cancel made through a pool's lease ({@link CancelsInFlight}): the request checks its target right
 * before its bytes are written and is dropped unsent when the target ended; a lease's give-back waits (held, not
 * blocking) for every request that passed that point, and a request never confirmed marks the connection as one a
 * late cancel may still reach.
 */
@TuskTest
@Timeout(60)
class CancelGateTest {
    private static final CancelRequester.Gate NEVER = new CancelRequester.Gate() {
        @Override
        public boolean mayWrite() {
            return false;
        }

        @Override
        public void ended(boolean confirmed) {
            throw new AssertionError("a request not written does not end");
        }
    };

    private static boolean cancel(TestDatabase db, Connection<Row> conn, CancelRequester.Gate gate) {
        SessionState s = conn.session.core().session();
        return CancelRequester.cancel(new HostSpec("127.0.0.1", null, db.port()), ConnParams.resolve(Map.of()), false,
                s.backendPid(), s.secretKey(), Duration.ofSeconds(5), gate);
    }

    @Test
    void aRequestWhoseTargetEndedBeforeItsWriteIsNotSent(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            CompletableFuture<Integer> running = CompletableFuture.supplyAsync(
                    () -> conn.execute("SELECT pg_sleep(0.8), 7").fetchone().getInt(1));
            Thread.sleep(200);
            assertThat(cancel(db, conn, NEVER)).as("dropped").isFalse();
            assertThat(running.get(10, TimeUnit.SECONDS)).as("the statement was not cancelled").isEqualTo(7);

            // the same request, let through: the statement is cancelled (the check above can fail)
            conn.rollback();
            CompletableFuture<Integer> again = CompletableFuture.supplyAsync(
                    () -> conn.execute("SELECT pg_sleep(5), 7").fetchone().getInt(1));
            Thread.sleep(200);
            CancelsInFlight cancels = new CancelsInFlight();
            assertThat(cancel(db, conn, cancels.gate(() -> true))).isTrue();
            assertThat(again).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(Exception.class)
                    .withCauseInstanceOf(QueryCanceled.class);
            assertThat(cancels.inFlight()).as("nothing in flight any more").isFalse();
            assertThat(cancels.unconfirmed()).isFalse();
        }
    }

    @Test
    void aGiveBackWaitsForARequestHeldBetweenItsRegistrationAndItsCheck() throws Exception {
        CancelsInFlight cancels = new CancelsInFlight();
        AtomicBoolean leaseLasts = new AtomicBoolean(true);
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch goOn = new CountDownLatch(1);
        CancelRequester.Gate gate = cancels.gate(() -> {
            checking.countDown();
            try {
                goOn.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return leaseLasts.get();
        });
        CompletableFuture<Boolean> mayWrite = CompletableFuture.supplyAsync(gate::mayWrite);
        assertThat(checking.await(10, TimeUnit.SECONDS)).isTrue();
        leaseLasts.set(false); // the lease ends while the request is between its registration and its check
        CountDownLatch givenBack = new CountDownLatch(1);
        assertThat(cancels.inFlight()).isTrue();
        assertThat(cancels.hold(givenBack::countDown, Runnable::run)).as("held").isTrue();
        assertThat(givenBack.getCount()).isEqualTo(1);
        goOn.countDown();
        assertThat(mayWrite.get(10, TimeUnit.SECONDS)).as("the request sees the ended lease").isFalse();
        assertThat(givenBack.await(10, TimeUnit.SECONDS)).as("and lets the give-back go").isTrue();
        assertThat(cancels.unconfirmed()).isFalse();
    }

    @Test
    void aGiveBackWaitsForEveryRequestWrittenAndAnUnconfirmedOneMarksTheConnection() {
        CancelsInFlight cancels = new CancelsInFlight();
        CancelRequester.Gate first = cancels.gate(() -> true);
        CancelRequester.Gate second = cancels.gate(() -> true);
        assertThat(first.mayWrite()).isTrue();
        assertThat(second.mayWrite()).isTrue();
        AtomicInteger givenBack = new AtomicInteger();
        assertThat(cancels.hold(givenBack::incrementAndGet, Runnable::run)).isTrue();
        first.ended(true);
        assertThat(givenBack.get()).as("one request still in flight").isZero();
        second.ended(false);
        assertThat(givenBack.get()).as("given back once, by the last request to end").isEqualTo(1);
        assertThat(cancels.unconfirmed()).as("the second was never confirmed").isTrue();

        assertThat(cancels.inFlight()).isFalse();
        CancelsInFlight idle = new CancelsInFlight();
        assertThat(idle.hold(givenBack::incrementAndGet, Runnable::run)).as("nothing in flight: not held").isFalse();
        assertThat(givenBack.get()).isEqualTo(1);
    }
}
