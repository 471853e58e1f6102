package dev.tusk.pool.model;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Notify;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.pool.AsyncConnectionPool;
import dev.tusk.pool.ConnectionPool;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * New findings of {@link PoolStateMachineTest} and {@link AsyncPoolStateMachineTest} (trust issue, model-based tests), each reduced to the smallest
 * sequence. Disabled until fixed: each says the seed that found it and the model operation that stays in
 * {@link PoolStateMachineTest#KNOWN_DEFECTS} until then.
 */
@TuskTest
@Timeout(60)
class PoolFindingsTest {
    private static ConnectionPool<Row> pool(TestDatabase db, String app) {
        return ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(5)).open(true).build();
    }

    // trust, new finding (PoolStateMachineTest seed 158334508732935, op staleUseAfterRelease): the pool lends the
    // same Connection object again, so a reference kept after close() becomes live and runs on the new borrower's
    // session and transaction, with nothing to tell either of them
    @Test
    void aReferenceKeptAfterGiveBackStaysRefusedWhenThePoolLendsTheConnectionAgain(TestDatabase db) {
        db.admin("CREATE TABLE f1 (v int)");
        try (ConnectionPool<Row> pool = pool(db, "finding_stale_use")) {
            Connection<Row> first = pool.connection();
            first.close(); // given back; the holder keeps the reference
            assertThat(catchThrowable(() -> first.execute("SELECT 1"))).isInstanceOf(InterfaceException.class); // refused

            try (Connection<Row> second = pool.connection()) {
                second.execute("INSERT INTO f1 VALUES (1)"); // the second borrower's open transaction
                Throwable stale = catchThrowable(() -> first.execute("INSERT INTO f1 VALUES (666)"));
                assertThat(stale).as("a statement through the given-back reference").isInstanceOf(InterfaceException.class);
                second.commit();
            }
            assertThat(db.adminQuery("SELECT string_agg(v::text, ',') FROM f1")).isEqualTo("1");
        }
    }

    // trust, new finding (PoolStateMachineTest seed 158334508732952, op staleCloseAfterRelease): close() on a
    // reference already given back gives back the connection the pool has since lent to someone else; the pool
    // then lends it a third time while the second borrower still uses it
    @Test
    void closingAReferenceTwiceDoesNotGiveBackTheNextBorrowersConnection(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db, "finding_stale_close")) {
            Connection<Row> first = pool.connection();
            first.close();
            try (Connection<Row> second = pool.connection()) {
                first.close(); // idempotent: must do nothing
                assertThat(catchThrowable(() -> second.execute("SELECT 1"))).as("the second borrower's statement").isNull();
                assertThat(pool.getStats()).containsEntry("pool_available", 0L);
            }
        }
    }

    // trust, new finding (PoolStateMachineTest seed 158334508732960, op abandonPipeline): a borrower who gives a
    // connection back inside an unclosed pipeline() block leaves it in pipeline mode: the next borrower's statements
    // are silently queued in that pipeline (their portals still open on the server)
    @Test
    void aConnectionGivenBackInsideAPipelineBlockIsLentOutOfPipelineMode(TestDatabase db) {
        db.admin("CREATE TABLE f3 (v int)");
        try (ConnectionPool<Row> pool = pool(db, "finding_pipeline")) {
            Connection<Row> first = pool.connection();
            first.pipeline(); // never closed
            first.execute("INSERT INTO f3 VALUES (1)");
            first.close();
            try (Connection<Row> second = pool.connection()) {
                assertThat(second.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
                assertThat(second.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                assertThat(second.execute("SELECT count(*) FROM pg_cursors").fetchone().getLong(0)).isZero();
            }
            assertThat(db.adminQuery("SELECT count(*) FROM f3")).as("the abandoned pipeline's insert was rolled back").isEqualTo("0");
        }
    }

    // trust, new finding (AsyncPoolStateMachineTest seed 24418712822626, op subscribeNotifications then notifyUnread):
    // an AsyncConnection lease's notifications() subscriber outlived the lease and heard the next borrower's
    // notifications on the same connection (notifies() through a lease already ended with it)
    @Test
    void anAsyncLeasesNotificationsSubscriberEndsWithTheLeaseAndHearsNothingOfTheNextBorrower(TestDatabase db)
            throws Exception {
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder()
                .conninfo(db.conninfo() + " application_name=finding_async_notifications").minSize(1).maxSize(1).build()) {
            pool.open();
            AsyncConnection<Row> first = pool.connection().get(20, TimeUnit.SECONDS);
            Heard firstHeard = new Heard();
            first.notifications().subscribe(firstHeard);
            int pid = first.info().backendPid();
            first.close();
            assertThat(firstHeard.ended.get(10, TimeUnit.SECONDS)).as("completes with the lease").isNull();

            AsyncConnection<Row> second = pool.connection().get(20, TimeUnit.SECONDS);
            assertThat(second.info().backendPid()).as("the same connection, lent again").isEqualTo(pid);
            Heard secondHeard = new Heard();
            second.notifications().subscribe(secondHeard);
            second.execute("LISTEN finding_ch").get(10, TimeUnit.SECONDS);
            second.commit().get(10, TimeUnit.SECONDS);
            db.admin("NOTIFY finding_ch, 'for the second'");
            second.execute("SELECT 1").get(10, TimeUnit.SECONDS);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (secondHeard.payloads.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertThat(secondHeard.payloads).as("the second borrower's own subscriber").containsExactly("for the second");
            assertThat(firstHeard.payloads).as("the first borrower's subscriber, after its lease ended").isEmpty();
            second.close();
        }
    }

    /** A notifications subscriber that asks for everything and records the payloads and its end. */
    private static final class Heard implements Flow.Subscriber<Notify> {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();

        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        public void onNext(Notify n) {
            payloads.add(n.payload());
        }

        public void onError(Throwable t) {
            ended.complete(t);
        }

        public void onComplete() {
            ended.complete(null);
        }
    }
}
