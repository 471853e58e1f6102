package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Network and server faults during an AsyncConnection's COPY and explicit pipeline blocks. */
@TuskTest
@Timeout(90)
class AsyncCopyPipelineFaultsTest {

    /** Counts COPY chunks, requesting {@code batch} at a time; records the one terminal signal. */
    static final class Chunks implements Flow.Subscriber<byte[]> {
        final long batch;
        final boolean refill;
        final AtomicLong received = new AtomicLong();
        final AtomicInteger terminals = new AtomicInteger();
        final CompletableFuture<Throwable> end = new CompletableFuture<>();
        volatile Flow.Subscription s;
        long left;

        Chunks(long batch) {
            this(batch, true);
        }

        /** @param refill whether to request the next batch by itself once one has arrived */
        Chunks(long batch, boolean refill) {
            this.batch = batch;
            this.refill = refill;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.s = s;
            left = batch;
            s.request(batch);
        }

        @Override
        public void onNext(byte[] item) {
            received.incrementAndGet();
            if (--left == 0 && refill) {
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

    /** Writes {@code rows} rows, waiting on each write future that is not complete (as a producer should). */
    private static CompletableFuture<Void> writeRows(AsyncCopy copy, int from, int rows) {
        for (int i = from; i < from + rows; i++) {
            CompletableFuture<Void> w = copy.writeRow(i, "some text " + i);
            if (!w.isDone()) {
                try {
                    w.get(15, TimeUnit.SECONDS);
                } catch (Exception e) {
                    return w;
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Test
    void copyInCutWhileSendingData(TestDatabase db) {
        db.admin("CREATE TABLE t (id int, s text)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.setAutocommit(true));
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY t FROM STDIN"));
            CompletableFuture<AsyncCursor<Row>> heldBack = c.execute("SELECT 1");
            proxy.failAfterClientBytes(300_000, FaultProxy.Action.RESET);
            CompletableFuture<Void> failedWrite = writeRows(copy, 0, 2_000_000);
            Throwable t = AsyncFaults.failure(failedWrite);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            AsyncFaults.assertLost(c, copy.finish());
            Throwable held = AsyncFaults.failure(heldBack);
            assertThat(held).as("a statement held back behind the COPY fails too, it does not hang")
                    .isInstanceOf(OperationalException.class);
            assertThat(held.getMessage()).matches(Faults.LOST);
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0"); // a cut COPY commits nothing
    }

    @Test
    void copyInCutWhileTheClientIsThinkingIsNoticedWithoutAWrite(TestDatabase db) {
        db.admin("CREATE TABLE t (id int, s text)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY t FROM STDIN"));
            AsyncFaults.await(copy.writeRow(1, "one"));
            proxy.failNow(FaultProxy.Action.RESET);
            AsyncFaults.awaitBroken(c, Duration.ofSeconds(10));
            AsyncFaults.assertLost(c, copy.finish());
        }
    }

    @Test
    void copyInCutBeforeTheServerConfirms(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.setAutocommit(true));
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY t FROM STDIN"));
            copy.writeRow(1);
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // the COPY's CommandComplete
            AsyncFaults.assertLost(c, copy.finish());
        }
    }

    @Test
    void copyOutCutMidStream(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            proxy.failAtServerMessage('d', 5000, FaultProxy.Action.CLOSE); // the 5000th CopyData
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT"));
            Chunks sub = new Chunks(100);
            copy.chunks().subscribe(sub);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(sub.received.get()).as("every chunk before the cut, none after").isBetween(4000L, 4999L);
            AsyncFaults.sleep(100);
            assertThat(sub.terminals.get()).isEqualTo(1);
            AsyncFaults.assertLost(c, copy.finish());
        }
    }

    @Test
    void aSilentServerDuringCopyOutEndsItWithTheSocketTimeout(TestDatabase db) throws Exception {
        try (FaultProxy proxy = Faults.proxyTo(db);
             AsyncConnection<Row> c = AsyncFaults.connect(Faults.via(proxy, db).socketTimeout(Duration.ofMillis(600)))) {
            proxy.failAtServerMessage('d', 2000, FaultProxy.Action.SILENCE);
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY (SELECT generate_series(1, 100000)) TO STDOUT"));
            Chunks sub = new Chunks(Long.MAX_VALUE);
            copy.chunks().subscribe(sub);
            Throwable t = sub.end.get(15, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("socketTimeout");
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void aSlowCopyReaderIsNotMistakenForASilentServer(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> c = AsyncFaults.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable").socketTimeout(Duration.ofMillis(300)))) {
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY (SELECT g, repeat('x', 500) FROM generate_series(1, 100000) g) TO STDOUT"));
            Chunks sub = new Chunks(5, false); // only the first five until the test asks for more
            copy.chunks().subscribe(sub);
            AsyncFaults.sleep(1200); // four socket timeouts' worth of the client holding the data back
            assertThat(sub.received.get()).isEqualTo(5);
            assertThat(c.isBroken()).isFalse();
            sub.s.request(Long.MAX_VALUE);
            assertThat(sub.end.get(30, TimeUnit.SECONDS)).isNull();
            assertThat(sub.received.get()).isEqualTo(100_000);
            assertThat(AsyncFaults.await(copy.finish())).isEqualTo(100_000);
        }
    }

    @Test
    void pipelineCutBetweenResults(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.setAutocommit(true));
            // two statements answered, then the cut; a close, not a reset: an RST would let the kernel drop the
            // answers already received but not yet read, and the test is about what the driver does with them
            proxy.failAtServerMessage('C', 3, FaultProxy.Action.CLOSE);
            AsyncPipeline p = c.pipeline();
            List<CompletableFuture<AsyncCursor<Row>>> results = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                results.add(c.execute("SELECT %s::int", i));
            }
            CompletableFuture<Void> sync = p.sync();
            // the results that arrived before the cut are there; the others fail as lost
            assertThat(AsyncFaults.await(results.get(0)).fetchone().getInt(0)).isEqualTo(0);
            assertThat(AsyncFaults.await(results.get(1)).fetchone().getInt(0)).isEqualTo(1);
            for (int i = 2; i < 5; i++) {
                Throwable t = AsyncFaults.failure(results.get(i));
                assertThat(t).isInstanceOf(OperationalException.class);
                assertThat(t.getMessage()).matches(Faults.LOST);
            }
            AsyncFaults.assertLost(c, sync);
            assertThat(AsyncFaults.failure(p.closeAsync())).isInstanceOf(OperationalException.class);
        }
    }

    @Test
    void immediateShutdownDuringCopyIn(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT"); // the test database itself must survive the crash (the server runs with synchronous_commit off)
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int, s text)");
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.setAutocommit(true));
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy("COPY t FROM STDIN"));
            AsyncFaults.await(writeRows(copy, 0, 1000));
            db.server().stop(StopMode.IMMEDIATE);
            db.server().start();
            CompletableFuture<Void> failed = writeRows(copy, 1000, 2_000_000); // enough to overflow the socket buffers
            CompletableFuture<Long> finish = copy.finish();
            AsyncFaults.assertLost(c, finish);
            if (failed.isCompletedExceptionally()) {
                assertThat(AsyncFaults.failure(failed).getMessage()).matches(Faults.LOST);
            }
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void immediateShutdownDuringCopyOut(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncCopy copy = AsyncFaults.await(c.cursor().copy(
                    "COPY (SELECT g, repeat('z', 100) FROM generate_series(1, 3000000) g) TO STDOUT"));
            Chunks sub = new Chunks(10, false);
            copy.chunks().subscribe(sub);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sub.received.get() < 10 && System.nanoTime() < deadline) {
                AsyncFaults.sleep(5);
            }
            db.server().stop(StopMode.IMMEDIATE);
            db.server().start();
            sub.s.request(Long.MAX_VALUE);
            Throwable t = sub.end.get(30, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(sub.received.get()).isBetween(10L, 2_999_999L);
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void immediateShutdownInsideAPipelineBlock(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("CHECKPOINT");
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int)");
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.setAutocommit(true));
            AsyncPipeline p = c.pipeline();
            CompletableFuture<AsyncCursor<Row>> first = c.execute("INSERT INTO t VALUES (%s)", 1);
            AsyncFaults.await(first); // its result arrived (Flush), but its implicit transaction waits for the Sync
            db.server().stop(StopMode.IMMEDIATE);
            db.server().start();
            CompletableFuture<AsyncCursor<Row>> second = c.execute("INSERT INTO t VALUES (%s)", 2);
            AsyncFaults.assertLost(c, p.sync());
            assertThat(AsyncFaults.failure(second).getMessage()).matches(Faults.LOST);
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).as("nothing of an unsynced pipeline commits").isEqualTo("0");
    }
}
