package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncPipeline;
import dev.tusk.Connection;
import dev.tusk.ConnectOptions;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
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

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blocking PipelineTest on AsyncConnection: explicit pipeline blocks, one Sync for many statements. */
@Timeout(60)
@TuskTest
class AsyncPipelineTest {
    private AsyncConnection<Row> conn;
    private TestDatabase db;

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("CREATE TABLE p (a int PRIMARY KEY)").join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class);
        return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
    }

    private List<Integer> rows() {
        List<Integer> out = new ArrayList<>();
        conn.execute("SELECT a FROM p ORDER BY a").join().fetchall().forEach(r -> out.add(r.getInt(0)));
        return out;
    }

    @Test
    void aThousandStatementsShareOneSyncAndComeBackInOrder() {
        List<CompletableFuture<AsyncCursor<Row>>> results = new ArrayList<>();
        AsyncPipeline p = conn.pipeline();
        for (int i = 0; i < 1000; i++) {
            results.add(conn.execute("INSERT INTO p VALUES (%s) RETURNING a * 2", i));
        }
        p.sync().join();
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
        p.closeAsync().join();
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
        for (int i = 0; i < 1000; i++) {
            assertThat(results.get(i).join().fetchone().getInt(0)).isEqualTo(i * 2);
        }
    }

    @Test
    void aResultArrivesWithoutWaitingForTheSync() {
        AsyncPipeline p = conn.pipeline();
        assertThat(conn.execute("SELECT 41 + 1").join().fetchone().getInt(0)).isEqualTo(42);
        assertThat(conn.execute("SELECT %s::int + 1", 1).join().fetchone().getInt(0)).isEqualTo(2);
        p.closeAsync().join();
    }

    @Test
    void aFailingStatementAbortsTheRestUntilSync() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> before = conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> bad = conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("INSERT INTO p VALUES (%s)", 2);
        CompletableFuture<Void> sync = p.sync();
        CompletableFuture<AsyncCursor<Row>> nextSegment = conn.execute("INSERT INTO p VALUES (%s)", 3);
        CompletableFuture<Void> closed = p.closeAsync();

        assertThat(before.join().rowcount()).isEqualTo(1);
        assertThat(failure(bad)).isInstanceOf(UniqueViolation.class);
        assertThat(failure(after)).isInstanceOf(PipelineAborted.class).hasMessageContaining("pipeline aborted");
        assertThat(failure(sync)).isInstanceOf(UniqueViolation.class).hasMessageContaining("duplicate key");
        assertThat(nextSegment.join().rowcount()).isEqualTo(1);
        closed.join();
        // even in autocommit, the statements between two Syncs are one implicit transaction: 1 was rolled back too
        assertThat(rows()).containsExactly(3);
    }

    @Test
    void theStatusSaysAbortedUntilTheSync() {
        AsyncPipeline p = conn.pipeline();
        CompletableFuture<AsyncCursor<Row>> bad = conn.execute("SELECT 1 / 0");
        failure(bad);
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ABORTED);
        assertThat(failure(p.sync())).hasMessageContaining("division by zero");
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
        p.closeAsync().join();
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
    }

    @Test
    void nestedBlocksAndTransactions() {
        conn.setAutocommit(false).join();
        AsyncPipeline outer = conn.pipeline();
        conn.execute("INSERT INTO p VALUES (%s)", 10);
        AsyncPipeline inner = conn.pipeline();
        conn.execute("INSERT INTO p VALUES (%s)", 11);
        inner.closeAsync();
        conn.execute("INSERT INTO p VALUES (%s)", 12);
        outer.closeAsync().join();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        try (Connection<Row> witness = Connection.connect(db.conninfo())) {
            assertThat(witness.execute("SELECT count(*) FROM p").fetchone().getLong(0)).isZero();
            conn.commit().join();
            assertThat(witness.execute("SELECT count(*) FROM p").fetchone().getLong(0)).isEqualTo(3);
        }
    }

    @Test
    void commitAndTransactionBlocksInsideAPipelineSyncFirst() {
        conn.setAutocommit(false).join();
        AsyncPipeline p = conn.pipeline();
        conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<Void> commit = conn.commit();
        CompletableFuture<Integer> block = conn.transaction(tx -> conn.execute("INSERT INTO p VALUES (%s)", 2)
                .thenCompose(c -> conn.transaction(inner -> conn.execute("INSERT INTO p VALUES (%s)", 3)))
                .thenApply(c -> 2));
        commit.join();
        assertThat(block.join()).isEqualTo(2);
        conn.execute("INSERT INTO p VALUES (%s)", 4).thenCompose(c -> conn.rollback()).join();
        p.closeAsync().join();
        assertThat(rows()).containsExactly(1, 2, 3);
    }

    @Test
    void anErrorInATransactionInsideAPipelineIsReportedAndRolledBack() {
        conn.setAutocommit(false).join();
        AsyncPipeline p = conn.pipeline();
        conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> bad = conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<Void> sync = p.sync();
        assertThat(failure(bad)).isInstanceOf(UniqueViolation.class);
        assertThat(failure(sync)).isInstanceOf(UniqueViolation.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        conn.rollback().join();
        p.closeAsync().join();
        conn.setAutocommit(true).join();
        assertThat(rows()).isEmpty();
    }

    @Test
    void aClosedPipelineRefusesSyncAndLaterStatementsRunOnTheirOwn() {
        AsyncPipeline p = conn.pipeline();
        p.closeAsync().join();
        assertThat(p.closeAsync()).isCompleted();
        assertThat(failure(p.sync())).hasMessageContaining("closed pipeline");
        CompletableFuture<AsyncCursor<Row>> a = conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> dup = conn.execute("INSERT INTO p VALUES (%s)", 1);
        CompletableFuture<AsyncCursor<Row>> b = conn.execute("INSERT INTO p VALUES (%s)", 2);
        a.join();
        failure(dup);
        b.join(); // each with its own Sync again: the error does not spread
        assertThat(rows()).containsExactly(1, 2);
    }
}
