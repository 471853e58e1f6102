package dev.tusk;

import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.UndefinedTable;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30 item 10's pipeline details, ported from psycopg's {@code tests/test_pipeline.py}, on both drivers:
 * the command tag known at the sync, the transaction status ACTIVE while a pipelined result is pending, and an
 * error a fetch raised not raised again by the sync.
 */
@Timeout(60)
@TuskTest
class PsycopgParityPipelineTest {

    private static ConnectOptions<Row> autocommit(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
    }

    /**
     * psycopg test_pipeline.py::test_sync_syncs_results: a pipelined statement's statusmessage is null until the
     * sync, and "SELECT 1" after it, without a fetch. (The async driver asks the server to flush after each
     * statement, so its tag may be known before the sync; after it, it is.)
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theStatusmessageOfAPipelinedStatementIsKnownAtTheSync(Flavour flavour, TestDatabase db) {
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(db.conninfo());
                 Pipeline p = conn.pipeline()) {
                Cursor<Row> cur = conn.execute("select 1");
                assertThat(cur.statusmessage()).isNull();
                p.sync();
                assertThat(cur.statusmessage()).isEqualTo("SELECT 1");
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(db.conninfo()));
            try {
                AsyncPipeline p = conn.pipeline();
                AsyncCursor<Row> cur = conn.cursor();
                cur.execute("select 1");
                Flavour.join(p.sync());
                assertThat(cur.statusmessage()).isEqualTo("SELECT 1");
                Flavour.join(p.closeAsync());
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_pipeline.py::test_implicit_transaction: in autocommit, IDLE on entering the pipeline, ACTIVE once a
     * statement is queued whose result has not been fetched, and a transaction() block inside the pipeline still
     * runs (the sync before its BEGIN brings the status back); IDLE after the block.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void theTransactionStatusIsActiveWhileAPipelinedResultIsPending(Flavour flavour, TestDatabase db) {
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(autocommit(db))) {
                Cursor<Row> cur;
                try (Pipeline p = conn.pipeline()) {
                    assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                    conn.execute("select 'before'");
                    assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.ACTIVE);
                    conn.transaction(tx -> conn.execute("select 'tx'"));
                    cur = conn.execute("select 'after'");
                }
                assertThat(cur.fetchone().getString(0)).isEqualTo("after");
                assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(autocommit(db)));
            try {
                AsyncPipeline p = conn.pipeline();
                assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                // a statement that takes a while, so its result is surely still pending when the status is read
                CompletableFuture<AsyncCursor<Row>> before = conn.execute("select 'before', pg_sleep(0.3)");
                assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.ACTIVE);
                Flavour.join(conn.transaction(tx -> conn.execute("select 'tx'")));
                CompletableFuture<AsyncCursor<Row>> after = conn.execute("select 'after'");
                Flavour.join(p.closeAsync());
                assertThat(Flavour.join(before).fetchone().getString(0)).isEqualTo("before");
                assertThat(Flavour.join(after).fetchone().getString(0)).isEqualTo("after");
                assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_pipeline.py::test_pipeline_aborted: the fetch of a failed statement raises its error, the fetch of
     * one the server skipped raises PipelineAborted, and then sync() raises nothing: the pipeline runs statements
     * again, and the results before the error are there.
     *
     * <p>The async driver differs on purpose: a statement's failed future is not a fetch the user is known to have
     * looked at (nobody may hold it), so the sync's future still fails with the segment's first error, as
     * AsyncPipelineErrorsTest asserts; the rest is as psycopg.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anErrorAFetchRaisedIsNotRaisedAgainBySync(Flavour flavour, TestDatabase db) {
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(autocommit(db))) {
                Cursor<Row> c1;
                Cursor<Row> c2;
                try (Pipeline p = conn.pipeline()) {
                    c1 = conn.execute("select 1");
                    assertThatThrownBy(() -> conn.execute("select * from doesnotexist").fetchone())
                            .isInstanceOf(UndefinedTable.class);
                    assertThatThrownBy(() -> conn.execute("select 'aborted'").fetchone())
                            .isInstanceOf(PipelineAborted.class);
                    p.sync(); // raises nothing: both errors were raised by their fetches
                    c2 = conn.execute("select 2");
                } // nor here
                assertThat(c1.fetchone().getInt(0)).isEqualTo(1);
                assertThat(c2.fetchone().getInt(0)).isEqualTo(2);
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(autocommit(db)));
            try {
                AsyncPipeline p = conn.pipeline();
                CompletableFuture<AsyncCursor<Row>> c1 = conn.execute("select 1");
                CompletableFuture<AsyncCursor<Row>> bad = conn.execute("select * from doesnotexist");
                CompletableFuture<AsyncCursor<Row>> aborted = conn.execute("select 'aborted'");
                assertThatThrownBy(() -> Flavour.join(bad)).isInstanceOf(UndefinedTable.class);
                assertThatThrownBy(() -> Flavour.join(aborted)).isInstanceOf(PipelineAborted.class);
                assertThatThrownBy(() -> Flavour.join(p.sync())).isInstanceOf(UndefinedTable.class);
                CompletableFuture<AsyncCursor<Row>> c2 = conn.execute("select 2");
                Flavour.join(p.closeAsync()); // the error is not raised again at the block's end
                assertThat(Flavour.join(c1).fetchone().getInt(0)).isEqualTo(1);
                assertThat(Flavour.join(c2).fetchone().getInt(0)).isEqualTo(2);
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }
}
