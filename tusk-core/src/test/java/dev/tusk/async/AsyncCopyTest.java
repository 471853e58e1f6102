package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.AsyncPipeline;
import dev.tusk.Connection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blocking CopyTest on AsyncConnection, plus what only a non-blocking COPY has: back-pressure both ways. */
@Timeout(120)
@TuskTest
class AsyncCopyTest {
    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("CREATE TABLE c (a int, b text)").join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    private long scalar(String sql) {
        return conn.execute(sql).join().fetchone().getLong(0);
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class);
        return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
    }

    /** Collects what a publisher sends, requesting {@code batch} at a time. */
    private static <T> List<T> collect(Flow.Publisher<T> publisher, int batch) throws InterruptedException {
        List<T> out = new ArrayList<>();
        CountDownLatch end = new CountDownLatch(1);
        AtomicReference<Throwable> error = new AtomicReference<>();
        publisher.subscribe(new Flow.Subscriber<T>() {
            Flow.Subscription s;
            int left;

            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
                left = batch;
                s.request(batch);
            }

            public void onNext(T item) {
                out.add(item);
                if (--left == 0) {
                    left = batch;
                    s.request(batch);
                }
            }

            public void onError(Throwable t) {
                error.set(t);
                end.countDown();
            }

            public void onComplete() {
                end.countDown();
            }
        });
        assertThat(end.await(60, TimeUnit.SECONDS)).isTrue();
        if (error.get() != null) {
            throw new CompletionException(error.get());
        }
        return out;
    }

    @Test
    void threeHundredThousandRowsInAndOutInTextFormat() throws Exception {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN").join();
        assertThat(copy.isBinary()).isFalse();
        CompletableFuture<Void> lastWrite = null;
        for (int i = 0; i < 300_000; i++) {
            CompletableFuture<Void> w = copy.writeRow(i, i % 1000 == 0 ? null : "tab\there\\ \n" + i);
            if (!w.isDone()) {
                w.join(); // the socket is behind: wait, as a producer should
            }
            lastWrite = w;
        }
        assertThat(lastWrite).isCompleted();
        assertThat(copy.finish().join()).isEqualTo(300_000);
        assertThat(copy.rowcount()).isEqualTo(300_000);
        assertThat(scalar("SELECT count(b) FROM c")).isEqualTo(299_700);
        assertThat(conn.execute("SELECT b FROM c WHERE a = 1").join().fetchone().getString(0)).isEqualTo("tab\there\\ \n1");

        AsyncCopy out = conn.cursor().copy("COPY c TO STDOUT").join();
        List<List<String>> rows = collect(out.rows(), 100);
        assertThat(rows).hasSize(300_000);
        assertThat(rows.stream().filter(r -> r.get(1) == null).count()).isEqualTo(300);
        assertThat(rows.stream().filter(r -> r.get(0).equals("7")).findFirst().orElseThrow().get(1)).isEqualTo("tab\there\\ \n7");
        assertThat(out.finish().join()).isEqualTo(300_000);
    }

    @Test
    void binaryFormatInAndOut() throws Exception {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN (FORMAT binary)").join();
        assertThat(copy.isBinary()).isTrue();
        copy.setTypes(23, 25);
        for (int i = 0; i < 100_000; i++) {
            copy.writeRow(i, "b" + i);
        }
        assertThatThrownBy(() -> copy.writeRow(1L, "long is int8, not int4").join()).hasMessageContaining("type oid 23");
        assertThat(copy.finish().join()).isEqualTo(100_000);
        assertThat(scalar("SELECT count(DISTINCT b) FROM c")).isEqualTo(100_000);
        assertThat(scalar("SELECT max(a) FROM c")).isEqualTo(99_999);

        AsyncCopy out = conn.cursor().copy("COPY c TO STDOUT (FORMAT binary)").join();
        long bytes = collect(out.chunks(), 1000).stream().mapToLong(b -> b.length).sum();
        assertThat(bytes).isGreaterThan(100_000L * 10);
        assertThatThrownBy(() -> collect(out.rows(), 1)).hasMessageContaining("binary COPY");
    }

    @Test
    void copyWithParametersMergedOnTheClient() throws Exception {
        conn.execute("INSERT INTO c SELECT g, 'row ' || g FROM generate_series(1, 10) g").join();
        AsyncCopy copy = conn.cursor().copy("COPY (SELECT a, b FROM c WHERE a > %s AND b <> %s ORDER BY a) TO STDOUT", 7, "it's").join();
        assertThat(collect(copy.rows(), 1)).containsExactly(List.of("8", "row 8"), List.of("9", "row 9"), List.of("10", "row 10"));
    }

    @Test
    void rawWritesAndCsvAndReadOneAtATime() {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN (FORMAT csv)").join();
        copy.write("1,\"quoted, comma\"\n2,plain\n");
        assertThat(copy.finish().join()).isEqualTo(2);
        AsyncCopy out = conn.cursor().copy("COPY (SELECT b FROM c ORDER BY a) TO STDOUT").join();
        assertThat(new String(out.read().join())).isEqualTo("quoted, comma\n");
        assertThat(new String(out.read().join())).isEqualTo("plain\n");
        assertThat(out.read().join()).isNull();
        assertThat(out.read().join()).isNull();
    }

    @Test
    void anErrorInTheMiddleFailsFinishAndLeavesTheConnectionUsable() {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN").join();
        copy.write("1\tok\n");
        copy.write("not-a-number\tbad\n");
        copy.write("3\tok\n");
        assertThat(failure(copy.finish())).isInstanceOf(DataException.class).hasMessageContaining("not-a-number");
        assertThat(scalar("SELECT count(*) FROM c")).isZero();
        assertThatThrownBy(() -> copy.writeRow(4, "late").join()).hasCauseInstanceOf(ProgrammingException.class);
    }

    @Test
    void abortSendsCopyFailAndInATransactionLeavesItInError(TestDatabase db) {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN").join();
        copy.writeRow(1, "x");
        copy.abort("changed my mind").join();
        assertThat(scalar("SELECT count(*) FROM c")).isZero();

        AsyncConnection<Row> tx = AsyncConnection.connect(db.conninfo()).join();
        try {
            AsyncCopy inTx = tx.cursor().copy("COPY c FROM STDIN").join();
            inTx.writeRow(2, "y");
            inTx.abort(null).join();
            assertThat(tx.info().transactionStatus()).hasToString("INERROR");
            tx.rollback().join();
            assertThat(tx.execute("SELECT count(*) FROM c").join().fetchone().getLong(0)).isZero();
        } finally {
            tx.close();
        }
    }

    @Test
    void aCopyInATransactionCommitsOrRollsBackWithIt(TestDatabase db) {
        AsyncConnection<Row> tx = AsyncConnection.connect(db.conninfo()).join();
        try {
            AsyncCopy copy = tx.cursor().copy("COPY c FROM STDIN").join();
            copy.writeRow(1, "kept");
            copy.finish().join();
            assertThat(scalar("SELECT count(*) FROM c")).as("not committed yet").isZero();
            tx.commit().join();
            assertThat(scalar("SELECT count(*) FROM c")).isEqualTo(1);
        } finally {
            tx.close();
        }
    }

    @Test
    void notACopyStatementIsRefusedAndTheConnectionGoesOn() {
        assertThat(failure(conn.cursor().copy("SELECT 1"))).isInstanceOf(ProgrammingException.class);
        assertThat(failure(conn.cursor().copy("COPY nowhere FROM STDIN"))).hasMessageContaining("nowhere");
        assertThat(scalar("SELECT 5")).isEqualTo(5);
    }

    @Test
    void statementsSubmittedDuringACopyFromWaitForItsEnd() throws Exception {
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN").join();
        CompletableFuture<Long> count = conn.execute("SELECT count(*) FROM c").thenApply(cur -> cur.fetchone().getLong(0));
        CompletableFuture<AsyncCopy> second = conn.cursor().copy("COPY c FROM STDIN");
        for (int i = 0; i < 1000; i++) {
            copy.writeRow(i, "first");
        }
        Thread.sleep(200);
        assertThat(count).as("held back until the COPY's data ends").isNotDone();
        assertThat(second).isNotDone();
        copy.finish();
        assertThat(count.join()).isEqualTo(1000);
        AsyncCopy next = second.join();
        next.writeRow(-1, "second");
        assertThat(next.finish().join()).isEqualTo(1);
        assertThat(scalar("SELECT count(*) FROM c")).isEqualTo(1001);
    }

    @Test
    void aSlowReaderHoldsTheServerBackThroughTcp(TestDatabase db) throws Exception {
        conn.execute("INSERT INTO c SELECT g, repeat('x', 200) FROM generate_series(1, 200000) g").join();
        int pid = conn.info().backendPid();
        AsyncCopy copy = conn.cursor().copy("COPY c TO STDOUT").join();
        AtomicLong received = new AtomicLong();
        AtomicReference<Flow.Subscription> subscription = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        copy.chunks().subscribe(new Flow.Subscriber<byte[]>() {
            public void onSubscribe(Flow.Subscription s) {
                subscription.set(s);
                s.request(10);
            }

            public void onNext(byte[] item) {
                received.incrementAndGet();
            }

            public void onError(Throwable t) {
                done.countDown();
            }

            public void onComplete() {
                done.countDown();
            }
        });
        try (Connection<Row> witness = Connection.connect(db.conninfo())) {
            witness.setAutocommit(true); // in a transaction pg_stat_activity would show its first look every time
            String waitEvent = null;
            for (int i = 0; i < 100 && !"ClientWrite".equals(waitEvent); i++) {
                Thread.sleep(50);
                waitEvent = witness.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", pid).fetchone().getString(0);
            }
            assertThat(waitEvent).as("the server waits for the client to read").isEqualTo("ClientWrite");
        }
        assertThat(received.get()).isEqualTo(10);
        subscription.get().request(Long.MAX_VALUE);
        assertThat(done.await(60, TimeUnit.SECONDS)).isTrue();
        assertThat(received.get()).isEqualTo(200_000);
        assertThat(copy.finish().join()).isEqualTo(200_000);
    }

    @Test
    void anAbandonedCopyToIsDrainedByFinishAndCancelledSubscriptionsDropTheRest() {
        conn.execute("INSERT INTO c SELECT g, 'x' FROM generate_series(1, 50000) g").join();
        AsyncCopy copy = conn.cursor().copy("COPY c TO STDOUT").join();
        assertThat(copy.read().join()).isNotNull();
        assertThat(copy.finish().join()).isEqualTo(50_000);
        assertThat(scalar("SELECT 5")).isEqualTo(5);

        AsyncCopy cancelled = conn.cursor().copy("COPY c TO STDOUT").join();
        cancelled.chunks().subscribe(new Flow.Subscriber<byte[]>() {
            public void onSubscribe(Flow.Subscription s) {
                s.request(3);
            }

            public void onNext(byte[] item) {
            }

            public void onError(Throwable t) {
            }

            public void onComplete() {
            }
        });
        CompletableFuture<Long> after = conn.execute("SELECT 6").thenApply(c -> c.fetchone().getLong(0));
        cancelled.chunks().subscribe(new Flow.Subscriber<byte[]>() {
            Flow.Subscription s;

            public void onSubscribe(Flow.Subscription s) {
                this.s = s;
            }

            public void onNext(byte[] item) {
            }

            public void onError(Throwable t) {
                // a second subscriber is refused; the first one cancels
            }

            public void onComplete() {
            }
        });
        cancelled.close(); // drops what the subscriber did not take
        assertThat(after.join()).isEqualTo(6);
    }

    @Test
    void copyIsRefusedInPipelineMode() {
        AsyncPipeline p = conn.pipeline();
        assertThat(failure(conn.cursor().copy("COPY c FROM STDIN"))).isInstanceOf(dev.tusk.errors.NotSupportedException.class)
                .hasMessageContaining("pipeline");
        p.closeAsync().join();
        AsyncCopy copy = conn.cursor().copy("COPY c FROM STDIN").join();
        copy.writeRow(1, "after the pipeline");
        assertThat(copy.finish().join()).isEqualTo(1);
    }
}
