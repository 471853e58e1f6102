package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Findings of the async model's COPY and stream steps ({@link AsyncCopyOps}, {@link AsyncStreamOps}), each reduced to
 * the smallest sequence and named after the seed of {@link ConnectionStateMachineTest} (async, 30 sequences from base
 * seed 123519503831558) that found it. Every wait has a deadline: a hang is a failure.
 */
@TuskTest
@Timeout(60)
class AsyncCopyStreamFindingsTest {
    private static final long DEADLINE_SECONDS = 10;

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        try {
            return f.get(DEADLINE_SECONDS, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable t = AsyncOps.unwrap(e);
            throw t instanceof Exception x ? x : new IllegalStateException(t);
        }
    }

    private static AsyncConnection<Row> connect(TestDatabase db, FaultProxy proxy, boolean autocommit) throws Exception {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(autocommit);
        if (proxy != null) {
            b.host("127.0.0.1").port(proxy.port()).sslmode("disable");
        }
        return await(AsyncConnection.connect(b.build()));
    }

    // seeds 123519503831568, 123519503831573 (async.copyOutStatementTimeout): the async COPY ran under no statement
    // timeout at all (the blocking Copy times each of its waits): a COPY TO whose query outlived the connection's
    // 200 ms timeout completed after 3 s, as if there were none
    @Test
    void aCopyToLongerThanTheStatementTimeoutIsCancelled(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> c = connect(db, null, true)) {
            c.setStatementTimeout(Duration.ofMillis(200));
            long start = System.nanoTime();
            Throwable t = catchThrowable(() -> {
                AsyncCopy copy = await(c.cursor().copy("COPY (SELECT g, pg_sleep(CASE WHEN g = 3 THEN 3 ELSE 0 END)"
                        + " FROM generate_series(1, 5) g) TO STDOUT"));
                while (await(copy.read()) != null) {
                    // to the end, or the timeout
                }
            });
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertThat(t).isInstanceOf(QueryCanceled.class).hasMessageContaining("statement timeout");
            assertThat(ms).as("ms until the COPY failed").isLessThan(2500);
            c.setStatementTimeout(null);
            assertThat(await(c.execute("SELECT 7")).fetchone().getInt(0)).isEqualTo(7);
        }
    }

    // seeds 123519503831561, 123519503831574 (async.copyIn after a freeze): with a 300 ms statement timeout, a COPY
    // FROM started on a frozen network never completed its future (the blocking Copy fails within the timeout and
    // the cancel's grace, and the connection is then broken)
    @Test
    void aCopyFromOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) throws Exception {
        copyFromOnAFrozenNetwork(db, true);
    }

    // seeds 424339, 424567 (long run, async.copyIn and async.copyInBadRow after a freeze, autocommit off): the same
    // when the COPY needs a BEGIN first: the clock waited for the COPY to reach the head of the pipeline, which it
    // never did behind the BEGIN the frozen server never answered
    @Test
    void aCopyFromAndItsBeginOnAFrozenNetworkFailWithinTheStatementTimeout(TestDatabase db) throws Exception {
        copyFromOnAFrozenNetwork(db, false);
    }

    private static void copyFromOnAFrozenNetwork(TestDatabase db, boolean autocommit) throws Exception {
        db.admin("CREATE TABLE frozen_copy_" + autocommit + " (v int)");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port()).triggersOnlyOnConnection(1)) {
            AsyncConnection<Row> c = connect(db, proxy, autocommit);
            try {
                c.setStatementTimeout(Duration.ofMillis(300));
                proxy.failNow(FaultProxy.Action.SILENCE);
                Throwable t = catchThrowable(() -> {
                    AsyncCopy copy = await(c.cursor().copy("COPY frozen_copy_" + autocommit + " (v) FROM STDIN"));
                    copy.writeRow(1);
                    await(copy.finish());
                });
                assertThat(t).isInstanceOf(OperationalException.class);
                assertThat(c.isBroken()).isTrue();
            } finally {
                c.close();
            }
        }
    }

    /** Throws from onNext at the first item (after asking for {@code request}); {@code thrown} completes then. */
    private static <T> Flow.Subscriber<T> throwingAtFirst(long request, CompletableFuture<Void> thrown) {
        return new Flow.Subscriber<>() {
            public void onSubscribe(Flow.Subscription s) {
                s.request(request);
            }

            public void onNext(T item) {
                thrown.complete(null);
                throw new IllegalStateException("the subscriber's own bug");
            }

            public void onError(Throwable t) {
            }

            public void onComplete() {
            }
        };
    }

    // seeds 123519503831581, 123519503831584 (async.copyOutSubscriberThrows): a COPY TO subscriber whose onNext threw
    // stopped the COPY's pump on the event loop: the rest of the COPY was never read, and every later statement on the
    // connection waited behind it forever
    @Test
    void aCopyToSubscriberThatThrowsLeavesTheConnectionUsable(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> c = connect(db, null, true)) {
            AsyncCopy copy = await(c.cursor().copy("COPY (SELECT generate_series(1, 50000)) TO STDOUT"));
            CompletableFuture<Void> thrown = new CompletableFuture<>();
            copy.rows().subscribe(throwingAtFirst(10, thrown));
            await(thrown);
            assertThat(await(c.execute("SELECT 7")).fetchone().getInt(0)).isEqualTo(7);
            assertThat(await(copy.finish())).isEqualTo(50_000L);
        }
    }

    // seed 123519503831580 (async.streamSubscriberThrows): a stream subscriber whose onNext threw left the stream's
    // own transaction open for good (the delivery loop died with its counter raised): the connection stayed INTRANS
    // in autocommit mode and the rows inserted after it were never committed
    @Test
    void aStreamSubscriberThatThrowsEndsTheStreamsTransaction(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE after_throw (v int)");
        try (AsyncConnection<Row> c = connect(db, null, true)) {
            CompletableFuture<Void> thrown = new CompletableFuture<>();
            c.stream("SELECT generate_series(1, 100000)").subscribe(throwingAtFirst(10, thrown));
            await(thrown);
            TimeUnit.MILLISECONDS.sleep(100); // the stream's end goes out as the throw returns: the insert comes later
            await(c.execute("INSERT INTO after_throw VALUES (1)"));
            assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(db.adminQuery("SELECT count(*) FROM after_throw").trim()).isEqualTo("1");
        }
    }

    // seed 123519503831567 (async.streamCancelled): a stream cancelled while a FETCH was in flight sent its ROLLBACK
    // (its CLOSE in a transaction) only once that FETCH came back, after the statements submitted after cancel(): in
    // autocommit mode an INSERT submitted after the cancel ran inside the stream's transaction and was rolled back
    @Test
    void aStreamCancelledWithAFetchInFlightEndsBeforeTheNextStatement(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE after_cancel (v int)");
        try (AsyncConnection<Row> c = connect(db, null, true)) {
            CompletableFuture<Void> cancelled = new CompletableFuture<>();
            // 1000 asked: rows 1-500 come, the FETCH of 501-1000 (row 600 sleeps 0.5 s) is sent before row 1 is delivered
            c.stream("SELECT g, pg_sleep(CASE WHEN g = 600 THEN 0.5 ELSE 0 END) FROM generate_series(1, 2000) g")
                    .subscribe(new Flow.Subscriber<Row>() {
                        private Flow.Subscription s;

                        public void onSubscribe(Flow.Subscription s) {
                            this.s = s;
                            s.request(1000);
                        }

                        public void onNext(Row item) {
                            if (!cancelled.isDone()) {
                                s.cancel();
                                cancelled.complete(null);
                            }
                        }

                        public void onError(Throwable t) {
                        }

                        public void onComplete() {
                        }
                    });
            await(cancelled);
            await(c.execute("INSERT INTO after_cancel VALUES (1)"));
            assertThat(db.adminQuery("SELECT count(*) FROM after_cancel").trim()).as("committed rows").isEqualTo("1");
            assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    // the same rule, cancel() in onSubscribe (a stream the model's async.streamCancelled cancels before any row): the
    // BEGIN and DECLARE went out all the same, the ROLLBACK after the statements submitted meanwhile
    @Test
    void aStreamCancelledInOnSubscribeSendsNothing(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE after_early_cancel (v int)");
        try (AsyncConnection<Row> c = connect(db, null, true)) {
            c.stream("SELECT generate_series(1, 100000)").subscribe(new Flow.Subscriber<Row>() {
                public void onSubscribe(Flow.Subscription s) {
                    s.cancel();
                }

                public void onNext(Row item) {
                    throw new AssertionError("a row after cancel() in onSubscribe");
                }

                public void onError(Throwable t) {
                }

                public void onComplete() {
                }
            });
            await(c.execute("INSERT INTO after_early_cancel VALUES (1)"));
            TimeUnit.MILLISECONDS.sleep(200); // a late ROLLBACK would land meanwhile
            assertThat(db.adminQuery("SELECT count(*) FROM after_early_cancel").trim()).as("committed rows").isEqualTo("1");
            assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }
}
