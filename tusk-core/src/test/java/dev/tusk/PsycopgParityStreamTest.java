package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.sql.Literal;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.LocalDate;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's missing stream signatures ({@code stream(query, params, size)}, {@code stream(Composable, ...)}) and item
 * 10's {@code ClientCursor} refusing binary results, each following the psycopg test of
 * tests/test_cursor_common.py named in its comment (run there with both {@code Cursor} and {@code ClientCursor}).
 */
@TuskTest
@Timeout(60)
class PsycopgParityStreamTest {
    private Connection<Row> conn;
    private AsyncConnection<Row> async;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        async = AsyncConnection.connect(db.conninfo()).join();
    }

    @AfterEach
    void close() {
        conn.close();
        async.close();
    }

    private static List<Integer> ints(Stream<Row> rows) {
        try (rows) {
            return rows.map(r -> r.getInt(0)).toList();
        }
    }

    // test_stream_chunked, test_stream_chunked_row_factory: the same rows whatever the size
    @Test
    void aStreamReadInChunksOfAGivenSizeGivesEveryRow() {
        for (Cursor<Row> cur : List.<Cursor<Row>>of(conn.cursor(), conn.clientCursor(), conn.rawCursor())) {
            String q = cur instanceof RawCursor ? "SELECT generate_series(1, $1) AS a" : "SELECT generate_series(1, %s) AS a";
            assertThat(ints(cur.stream(q, List.of(5), 2))).containsExactly(1, 2, 3, 4, 5);
            assertThat(ints(cur.stream(q, List.of(1000), 1))).hasSize(1000).endsWith(1000);
            assertThat(ints(cur.stream("SELECT generate_series(1, 3)", null, 7))).containsExactly(1, 2, 3);
        }
        Cursor<Object> scalar = conn.cursor(Rows.scalar());
        try (Stream<Object> s = scalar.stream("SELECT generate_series(1, 5) AS a", null, 2)) {
            assertThat(s.toList()).containsExactly(1, 2, 3, 4, 5);
        }
        assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).as("the connection is ready after").isEqualTo(42);
    }

    // test_stream_chunked_invalid_size: "size must be >= 1" (ValueError)
    @Test
    void aChunkSizeBelowOneIsRefused() {
        assertThatThrownBy(() -> conn.cursor().stream("SELECT 1", null, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("size must be >= 1");
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    // test_stream_sql: a composed query, with and without parameters
    @Test
    void aComposedQueryStreams() {
        SQL q = new SQL("SELECT i, '2021-01-01'::date + i FROM generate_series(1, {}) AS i");
        try (Stream<Row> rows = conn.cursor().stream(q.format(new Literal(2)))) {
            assertThat(rows.map(r -> List.of(r.getInt(0), r.get(1))).toList())
                    .containsExactly(List.of(1, LocalDate.of(2021, 1, 2)), List.of(2, LocalDate.of(2021, 1, 3)));
        }
        SQL withPlaceholder = new SQL("SELECT generate_series(1, {}) WHERE {} = 'x'");
        dev.tusk.sql.Composed c = withPlaceholder.format(new dev.tusk.sql.Placeholder(), new Literal("x"));
        assertThat(ints(conn.cursor().stream(c, 3))).containsExactly(1, 2, 3);
        assertThat(ints(conn.cursor().stream(c, List.of(4), 2))).containsExactly(1, 2, 3, 4);
        assertThat(ints(conn.cursor().stream(new SQL("SELECT 1 UNION ALL SELECT 2"), null, 1))).containsExactly(1, 2);

        try (Stream<Row> rows = toStream(async.stream(q.format(new Literal(2))))) {
            assertThat(rows.map(r -> r.getInt(0)).toList()).containsExactly(1, 2);
        }
        try (Stream<Row> rows = toStream(async.stream(c, 3))) {
            assertThat(rows.map(r -> r.getInt(0)).toList()).containsExactly(1, 2, 3);
        }
    }

    /** The rows of a publisher, requested one at a time. */
    private static Stream<Row> toStream(java.util.concurrent.Flow.Publisher<Row> p) {
        var rows = new java.util.concurrent.CopyOnWriteArrayList<Row>();
        var done = new java.util.concurrent.CompletableFuture<Void>();
        p.subscribe(new java.util.concurrent.Flow.Subscriber<>() {
            private java.util.concurrent.Flow.Subscription s;

            public void onSubscribe(java.util.concurrent.Flow.Subscription s) {
                this.s = s;
                s.request(1);
            }

            public void onNext(Row item) {
                rows.add(item);
                s.request(1);
            }

            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            public void onComplete() {
                done.complete(null);
            }
        });
        done.join();
        return rows.stream();
    }

    // test_binary_cursor_execute, test_execute_binary, test_stream_execute_binary with cursor_factory=ClientCursor:
    // NotSupportedError, never text results handed back silently
    @Test
    void aClientCursorRefusesBinaryResultsEveryWayTheyCanBeAskedFor() {
        ExecuteOptions binary = ExecuteOptions.builder().binary(true).build();
        ClientCursor<Row> cur = conn.clientCursor();
        assertThatThrownBy(() -> cur.setBinary(true)).isInstanceOf(NotSupportedException.class);
        assertThatThrownBy(() -> cur.execute("SELECT %s, %s", List.of(1, 2), binary))
                .isInstanceOf(NotSupportedException.class).hasMessageContaining("binary");
        assertThatThrownBy(() -> cur.stream("SELECT %s", List.of(1), binary, false))
                .isInstanceOf(NotSupportedException.class).hasMessageContaining("binary");
        assertThat(cur.execute("SELECT %s, %s", List.of(1, 2), ExecuteOptions.builder().binary(false).build())
                .fetchone().getInt(1)).as("text still works").isEqualTo(2);

        AsyncClientCursor<Row> a = async.clientCursor();
        assertThatThrownBy(() -> a.setBinary(true)).isInstanceOf(NotSupportedException.class);
        assertThatThrownBy(() -> a.execute("SELECT %s, %s", List.of(1, 2), binary).join())
                .isInstanceOf(CompletionException.class).hasCauseInstanceOf(NotSupportedException.class);
        assertThat(a.execute("SELECT %s", List.of(3), ExecuteOptions.DEFAULT).join().fetchone().getInt(0)).isEqualTo(3);
    }
}
