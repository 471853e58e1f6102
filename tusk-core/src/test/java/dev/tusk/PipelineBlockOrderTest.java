package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Pipeline blocks closed in another order than they were opened (two threads sharing a connection, each with its
 * block; or one thread closing the outer block first): pipeline mode lasts while any block is open and ends with
 * the last one, as psycopg's nesting level. Found by {@link SharedConnectionStressTest}: closing an outer block
 * while an inner one was open was ignored, so the connection stayed in pipeline mode for good after both were
 * closed (streams, COPY and server-side cursors refused; on the async connection the next statement waited for a
 * Sync no one would send).
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineBlockOrderTest {

    @Test
    void blockingBlocksClosedOuterFirstLeavePipelineModeWithTheLast(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            Pipeline outer = conn.pipeline();
            Cursor<Row> a = conn.execute("SELECT 'a'");
            Pipeline inner = conn.pipeline();
            Cursor<Row> b = conn.execute("SELECT 'b'");
            outer.close();
            assertThat(conn.info().pipelineStatus()).as("the inner block is still open").isEqualTo(PipelineStatus.ON);
            Cursor<Row> c = conn.execute("SELECT 'c'");
            inner.close();
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
            assertThat(a.fetchone().getString(0)).isEqualTo("a");
            assertThat(b.fetchone().getString(0)).isEqualTo("b");
            assertThat(c.fetchone().getString(0)).isEqualTo("c");
            try (Stream<Row> s = conn.cursor().stream("SELECT 'streamed'")) { // refused in pipeline mode
                assertThat(s.map(r -> r.getString(0)).toList()).containsExactly("streamed");
            }
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    @Test
    void blockingBlocksOfTwoThreadsEndPipelineModeWhenBothAreClosed(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            Pipeline first = CompletableFuture.supplyAsync(conn::pipeline).get(10, TimeUnit.SECONDS);
            Pipeline second = CompletableFuture.supplyAsync(conn::pipeline).get(10, TimeUnit.SECONDS);
            CompletableFuture.runAsync(first::close).get(10, TimeUnit.SECONDS);
            CompletableFuture.runAsync(second::close).get(10, TimeUnit.SECONDS);
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
            try (Copy copy = conn.cursor().copy("COPY (SELECT 'copied') TO STDOUT")) { // refused in pipeline mode
                assertThat(copy.rows().iterator().next()).containsExactly("copied");
            }
        }
    }

    @Test
    void asyncBlocksClosedOuterFirstLeavePipelineModeWithTheLast(TestDatabase db) throws Exception {
        AsyncConnection<Row> conn = AsyncConnection.connect(
                ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).get(10, TimeUnit.SECONDS);
        try {
            AsyncPipeline outer = conn.pipeline();
            CompletableFuture<AsyncCursor<Row>> a = conn.execute("SELECT 'a'");
            AsyncPipeline inner = conn.pipeline();
            CompletableFuture<AsyncCursor<Row>> b = conn.execute("SELECT 'b'");
            outer.closeAsync().get(10, TimeUnit.SECONDS);
            inner.closeAsync().get(10, TimeUnit.SECONDS);
            assertThat(a.get(10, TimeUnit.SECONDS).fetchone().getString(0)).isEqualTo("a");
            assertThat(b.get(10, TimeUnit.SECONDS).fetchone().getString(0)).isEqualTo("b");
            // out of pipeline mode: a statement gets its own Sync, its future completes without anyone syncing
            AsyncCursor<Row> c = conn.execute("SELECT 'c'").get(10, TimeUnit.SECONDS);
            assertThat(c.fetchone().getString(0)).isEqualTo("c");
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        } finally {
            conn.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }
}
