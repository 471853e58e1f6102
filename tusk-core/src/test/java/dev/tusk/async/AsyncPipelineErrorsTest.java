package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.ConnectOptions;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.UniqueViolation;
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
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Errors in pipeline mode on an AsyncConnection: futures fail as soon as the server's answer is known. */
@TuskTest
class AsyncPipelineErrorsTest {
    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("CREATE TABLE p (a int PRIMARY KEY)").join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(() -> f.get(10, TimeUnit.SECONDS)).isNotInstanceOf(java.util.concurrent.TimeoutException.class);
        return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
    }

    private List<Integer> rows() {
        List<Integer> out = new ArrayList<>();
        conn.execute("SELECT a FROM p ORDER BY a").join().fetchall().forEach(r -> out.add(r.getInt(0)));
        return out;
    }

    // trust #1: the future of a statement queued behind a failed one fails before any sync or close
    @Test
    @Timeout(30)
    void statementAfterAFailedOneFailsWithPipelineAbortedWithoutASync() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> bad = conn.execute("SELECT 1/0");
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("SELECT %s", 7);
        assertThat(failure(after)).isInstanceOf(PipelineAborted.class).hasMessageContaining("pipeline aborted");
        assertThat(failure(bad)).isInstanceOf(DivisionByZero.class);
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ABORTED);
        // sent once the error is known: fails at once too
        CompletableFuture<AsyncCursor<Row>> later = conn.execute("INSERT INTO p VALUES (%s)", 1);
        assertThat(failure(later)).isInstanceOf(PipelineAborted.class);
        assertThat(failure(p.sync())).isInstanceOf(DivisionByZero.class);
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
        assertThat(conn.execute("INSERT INTO p VALUES (%s) RETURNING a", 2).join().fetchone().getInt(0)).isEqualTo(2);
        p.closeAsync().join();
        assertThat(rows()).containsExactly(2);
    }

    // trust #1: each sync ends its aborted segment; the following statements run
    @Test
    @Timeout(30)
    void eachSyncEndsTheAbortedSegment() {
        AsyncPipeline p = conn.pipeline();
        List<CompletableFuture<Void>> syncs = new ArrayList<>();
        List<CompletableFuture<AsyncCursor<Row>>> skipped = new ArrayList<>();
        for (int round = 0; round < 3; round++) {
            conn.execute("SELECT 1/0");
            skipped.add(conn.execute("INSERT INTO p VALUES (%s)", 100 + round));
            syncs.add(p.sync());
            conn.execute("INSERT INTO p VALUES (%s)", round);
            syncs.add(p.sync());
        }
        p.closeAsync().join();
        for (int round = 0; round < 3; round++) {
            assertThat(failure(skipped.get(round))).isInstanceOf(PipelineAborted.class);
            assertThat(failure(syncs.get(2 * round))).isInstanceOf(DivisionByZero.class);
            syncs.get(2 * round + 1).join();
        }
        assertThat(rows()).containsExactly(0, 1, 2);
    }

    // trust #1: outside autocommit the transaction is in error after the sync, a rollback goes on
    @Test
    @Timeout(30)
    void inATransactionTheErrorLeavesItFailedUntilRollback() {
        conn.setAutocommit(false).join();
        AsyncPipeline p = conn.pipeline();
        conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> bad = conn.execute("SELECT 1/0");
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("SELECT 2");
        assertThat(failure(after)).isInstanceOf(PipelineAborted.class);
        assertThat(failure(bad)).isInstanceOf(DivisionByZero.class);
        assertThat(failure(p.sync())).isInstanceOf(DivisionByZero.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        conn.rollback().join();
        conn.execute("INSERT INTO p VALUES (%s)", 3);
        conn.commit().join();
        p.closeAsync().join();
        conn.setAutocommit(true).join();
        assertThat(rows()).containsExactly(3);
    }

    // trust #17
    @Test
    @Timeout(30)
    void executemanyInsideAPipelineQueuesItsStatements() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> many = conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(1, 2, 3));
        CompletableFuture<AsyncCursor<Row>> returning = conn.cursor()
                .executemany("INSERT INTO p VALUES (%s) RETURNING a * 10", List.of(4, 5), true);
        CompletableFuture<AsyncCursor<Row>> count = conn.execute("SELECT count(*) FROM p");
        p.closeAsync().join();
        assertThat(many.join().rowcount()).isEqualTo(3);
        AsyncCursor<Row> r = returning.join();
        List<Integer> got = new ArrayList<>();
        do {
            got.add(r.fetchone().getInt(0));
        } while (r.nextset());
        assertThat(got).containsExactly(40, 50);
        assertThat(count.join().fetchone().getLong(0)).isEqualTo(5);
        assertThat(rows()).containsExactly(1, 2, 3, 4, 5);
    }

    // trust #17: in autocommit a failed executemany commits nothing, and the connection goes on
    @Test
    @Timeout(30)
    void aFailingExecutemanyInsideAPipelineCommitsNothing() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> many = conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(1, 2, 2, 3));
        CompletableFuture<AsyncCursor<Row>> returning = conn.cursor()
                .executemany("INSERT INTO p VALUES (%s) RETURNING a", List.of(4, 4), true);
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("INSERT INTO p VALUES (%s)", 5);
        CompletableFuture<Void> closed = p.closeAsync();
        assertThat(failure(many)).isInstanceOf(UniqueViolation.class);
        assertThat(failure(returning)).isInstanceOf(PipelineAborted.class);
        assertThat(failure(after)).isInstanceOf(PipelineAborted.class);
        assertThat(failure(closed)).isInstanceOf(UniqueViolation.class);
        assertThat(conn.isBroken()).isFalse();
        assertThat(rows()).isEmpty();
        conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(7, 8)).join();
        assertThat(rows()).containsExactly(7, 8);
    }

    // trust #17: the returning form (one Execute per set) failing in the middle
    @Test
    @Timeout(30)
    void aFailingExecutemanyReturningInsideAPipelineCommitsNothing() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> many = conn.cursor()
                .executemany("INSERT INTO p VALUES (%s) RETURNING a", List.of(1, 2, 2, 3), true);
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("SELECT 1");
        assertThat(failure(many)).isInstanceOf(UniqueViolation.class);
        assertThat(failure(after)).isInstanceOf(PipelineAborted.class);
        assertThat(failure(p.closeAsync())).isInstanceOf(UniqueViolation.class);
        assertThat(rows()).isEmpty();
    }

    // trust #17: large rewritten executemany (several chunks) and client-side executemany inside a pipeline
    @Test
    @Timeout(60)
    void largeAndClientSideExecutemanyInsideAPipeline() {
        List<Integer> sets = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            sets.add(i);
        }
        AsyncPipeline p = conn.pipeline();
        List<CompletableFuture<AsyncCursor<Row>>> rounds = new ArrayList<>();
        for (int round = 0; round < 3; round++) { // often enough to be prepared
            rounds.add(conn.cursor().executemany("INSERT INTO p VALUES (%s + " + round + " * 10000)", sets));
        }
        CompletableFuture<AsyncCursor<Row>> client = conn.clientCursor()
                .executemany("INSERT INTO p VALUES (%s)", List.of(-1, -2, -3));
        CompletableFuture<AsyncCursor<Row>> count = conn.execute("SELECT count(*) FROM p");
        p.closeAsync().join();
        for (CompletableFuture<AsyncCursor<Row>> r : rounds) {
            assertThat(r.join().rowcount()).isEqualTo(5000);
        }
        assertThat(client.join().rowcount()).isEqualTo(3);
        assertThat(count.join().fetchone().getLong(0)).isEqualTo(15003);
    }
}
