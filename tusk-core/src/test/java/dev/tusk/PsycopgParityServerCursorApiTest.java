package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.Flow;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's rest of item 9, the server cursor's missing API and item 10's scroll and pipeline bits, ported from
 * psycopg's {@code tests/test_cursor_server.py} (and {@code test_cursor_common.py}, {@code test_pipeline.py}),
 * on both drivers.
 */
@Timeout(60)
@TuskTest
class PsycopgParityServerCursorApiTest {
    private Connection<Row> blocking;
    private AsyncConnection<Row> async;

    @BeforeEach
    void open(TestDatabase db) {
        blocking = Connection.connect(db.conninfo());
        async = Flavour.join(AsyncConnection.connect(db.conninfo()));
        Flavour.join(async.execute("BEGIN"));
    }

    @AfterEach
    void close() {
        blocking.close();
        Flavour.join(async.closeAsync());
    }

    /** test_cursor_server.py::test_rownumber: None (here -1) before execute, then the rows read. */
    @Test
    void rownumberIsMinusOneBeforeExecuteThenCountsTheRowsRead() {
        ServerCursor<Row> cur = blocking.cursor("foo");
        assertThat(cur.rownumber()).isEqualTo(-1);
        cur.execute("select 1 from generate_series(1, 42)");
        assertThat(cur.rownumber()).isZero();
        cur.fetchone();
        assertThat(cur.rownumber()).isEqualTo(1);
        cur.fetchone();
        assertThat(cur.rownumber()).isEqualTo(2);
        cur.fetchmany(10);
        assertThat(cur.rownumber()).isEqualTo(12);
        cur.fetchall();
        assertThat(cur.rownumber()).isEqualTo(42);
        cur.close();

        AsyncServerCursor<Row> acur = async.cursor("foo");
        assertThat(acur.rownumber()).isEqualTo(-1);
        Flavour.join(acur.execute("select 1 from generate_series(1, 42)"));
        assertThat(acur.rownumber()).isZero();
        Flavour.join(acur.fetchone());
        assertThat(acur.rownumber()).isEqualTo(1);
        Flavour.join(acur.fetchmany(10));
        assertThat(acur.rownumber()).isEqualTo(11);
        Flavour.join(acur.fetchall());
        assertThat(acur.rownumber()).isEqualTo(42);
        Flavour.join(acur.closeAsync());
    }

    /** test_cursor_server.py::test_iter_rownumber: while iterating, the row number follows the rows, not the FETCHes. */
    @Test
    void iteratingCountsTheRowsOneByOne() {
        try (ServerCursor<Row> cur = blocking.cursor("foo")) {
            cur.setItersize(2);
            cur.execute("select generate_series(1, %s) as bar", 3);
            List<Long> seen = new ArrayList<>();
            for (Row row : cur) {
                assertThat(cur.rownumber()).isEqualTo(row.getInt(0));
                seen.add(cur.rownumber());
            }
            assertThat(seen).containsExactly(1L, 2L, 3L);
        }
        AsyncServerCursor<Row> acur = async.cursor("foo");
        acur.setItersize(2);
        Flavour.join(acur.execute("select generate_series(1, %s) as bar", 5));
        List<Long> seen = new ArrayList<>();
        Flavour.join(acur.forEach(row -> {
            assertThat(acur.rownumber()).isEqualTo(row.getInt(0));
            seen.add(acur.rownumber());
        }));
        assertThat(seen).containsExactly(1L, 2L, 3L, 4L, 5L);
        Flavour.join(acur.closeAsync());
    }

    /** test_cursor_server.py::test_row_factory: the row factory makes its maker once per result, not per FETCH. */
    @Test
    void theRowMakerIsBuiltOncePerResultNotPerFetch() {
        AtomicInteger makers = new AtomicInteger();
        RowFactory<List<Integer>> counting = columns -> {
            int n = makers.incrementAndGet();
            return row -> List.of(n, -row.getInt(0));
        };
        ServerCursor<List<Integer>> cur = blocking.cursor("foo", counting);
        cur.setScrollable(true);
        cur.execute("select generate_series(1, 3) as x");
        List<List<Integer>> recs = new ArrayList<>(cur.fetchall());
        assertThat(cur.rownumber()).isEqualTo(3);
        cur.scroll(0, "absolute");
        assertThat(cur.rownumber()).isZero();
        List<Integer> rec;
        while ((rec = cur.fetchone()) != null) {
            recs.add(rec);
        }
        assertThat(cur.rownumber()).isEqualTo(3);
        assertThat(recs).containsExactly(List.of(1, -1), List.of(1, -2), List.of(1, -3), List.of(1, -1), List.of(1, -2),
                List.of(1, -3));
        cur.execute("select 7 as x"); // a new result: a new maker
        assertThat(cur.fetchone()).containsExactly(2, -7);
        cur.close();

        makers.set(0);
        AsyncServerCursor<List<Integer>> acur = async.cursor("foo", counting);
        Flavour.join(acur.execute("select generate_series(1, 3) as x"));
        Flavour.join(acur.fetchone());
        Flavour.join(acur.fetchone());
        assertThat(Flavour.join(acur.fetchall())).containsExactly(List.of(1, -3));
        assertThat(makers.get()).isEqualTo(1);
        Flavour.join(acur.closeAsync());
    }

    /**
     * test_cursor_server.py::test_connection, test_nextset, test_cursor_close_fetchone: connection(), isClosed(),
     * nextset() false on the one result; rowcount() -1 as psycopg's (the server does not say).
     */
    @Test
    void connectionIsClosedNextsetAndRowcount() {
        ServerCursor<Row> cur = blocking.cursor("foo");
        assertThat(cur.connection()).isSameAs(blocking);
        assertThat(cur.isClosed()).isFalse();
        cur.execute("select generate_series(1, %s) as bar", 3);
        assertThat(cur.nextset()).isFalse();
        assertThat(cur.rowcount()).isEqualTo(-1);
        cur.fetchone();
        cur.close();
        assertThat(cur.isClosed()).isTrue();
        assertThatThrownBy(cur::fetchone).isInstanceOf(ProgrammingException.class).hasMessageContaining("closed");

        AsyncServerCursor<Row> acur = async.cursor("foo");
        assertThat(acur.connection()).isSameAs(async);
        Flavour.join(acur.execute("select generate_series(1, %s) as bar", 3));
        assertThat(acur.nextset()).isFalse();
        assertThat(acur.rowcount()).isEqualTo(-1);
        Flavour.join(acur.closeAsync());
        assertThat(acur.isClosed()).isTrue();
    }

    /** _server_cursor.py fetchmany(size=0): without a size, arraysize rows (1 by default, as DB-API). */
    @Test
    void fetchmanyWithoutASizeReadsArraysizeRows() {
        try (ServerCursor<Row> cur = blocking.cursor("foo")) {
            cur.execute("select generate_series(1, 5) as bar");
            assertThat(cur.arraysize()).isEqualTo(1);
            assertThat(cur.fetchmany()).extracting(r -> r.getInt(0)).containsExactly(1);
            cur.setArraysize(3);
            assertThat(cur.fetchmany()).extracting(r -> r.getInt(0)).containsExactly(2, 3, 4);
            assertThatThrownBy(() -> cur.setArraysize(0)).isInstanceOf(ProgrammingException.class);
        }
        AsyncServerCursor<Row> acur = async.cursor("foo");
        Flavour.join(acur.execute("select generate_series(1, 5) as bar"));
        acur.setArraysize(2);
        assertThat(Flavour.join(acur.fetchmany())).extracting(r -> r.getInt(0)).containsExactly(1, 2);
        Flavour.join(acur.closeAsync());
    }

    /** test_cursor_server.py::test_executemany: refused with NotSupportedException. */
    @Test
    void executemanyIsRefused() {
        try (ServerCursor<Row> cur = blocking.cursor("foo")) {
            assertThatThrownBy(() -> cur.executemany("select %s", List.of(List.of(1), List.of(2))))
                    .isInstanceOf(NotSupportedException.class).hasMessageContaining("executemany");
        }
        AsyncServerCursor<Row> acur = async.cursor("foo");
        assertThatThrownBy(() -> Flavour.join(acur.executemany("select %s", List.of(List.of(1)))))
                .isInstanceOf(NotSupportedException.class).hasMessageContaining("executemany");
    }

    /** test_cursor_server.py run with RawServerCursor (test_query_params with $1): the text declared untouched. */
    @Test
    void aRawServerCursorTakesDollarPlaceholdersAndLeavesPercentAlone() {
        try (RawServerCursor<Row> cur = blocking.rawCursor("100% raw")) {
            cur.execute("select generate_series(1, $1) as bar, '100%' as pct", 3);
            assertThat(cur.description()).extracting(Column::name).containsExactly("bar", "pct");
            assertThat(cur.fetchall()).extracting(r -> r.getInt(0) + r.getString(1)).containsExactly("1100%", "2100%",
                    "3100%");
        }
        AsyncRawServerCursor<Row> acur = async.rawCursor("100% raw", Rows.row());
        Flavour.join(acur.execute("select $1::text || '%' as v", "x"));
        assertThat(Flavour.join(acur.fetchone()).getString(0)).isEqualTo("x%");
        Flavour.join(acur.closeAsync());
    }

    /** test_cursor_common.py::test_scroll: a client cursor refuses to scroll one past its last row (IndexError). */
    @Test
    void aClientCursorRefusesToScrollPastItsLastRow() {
        Cursor<Row> cur = blocking.execute("select generate_series(0, 9)");
        cur.scroll(9, "absolute");
        assertThat(cur.fetchone().getInt(0)).isEqualTo(9);
        assertThatThrownBy(() -> cur.scroll(10, "absolute")).isInstanceOf(IndexOutOfBoundsException.class);
        cur.scroll(9, "absolute");
        assertThatThrownBy(() -> cur.scroll(1, "relative")).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(cur.fetchone().getInt(0)).as("the position unchanged").isEqualTo(9);

        AsyncCursor<Row> acur = Flavour.join(async.execute("select generate_series(0, 9)"));
        assertThatThrownBy(() -> acur.scroll(10, "absolute")).isInstanceOf(IndexOutOfBoundsException.class);
    }

    /**
     * test_pipeline.py::test_server_cursor and test_cursor_stream: in a pipeline a named cursor is refused with
     * NotSupportedException, stream() with ProgrammingException; the pipeline goes on.
     */
    @Test
    void namedCursorsAndStreamsAreRefusedInAPipeline() {
        try (ServerCursor<Row> cur = blocking.cursor("pipeline"); Pipeline p = blocking.pipeline()) {
            assertThatThrownBy(() -> cur.execute("select 1")).isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("pipeline");
            assertThatThrownBy(cur::fetchone).isInstanceOf(NotSupportedException.class);
            assertThatThrownBy(() -> blocking.cursor().stream("select 1")).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("pipeline");
            assertThat(blocking.execute("select %s::int", 2).fetchone().getInt(0)).isEqualTo(2);
        }

        AsyncServerCursor<Row> acur = async.cursor("pipeline");
        try (AsyncPipeline p = async.pipeline()) {
            assertThatThrownBy(() -> Flavour.join(acur.execute("select 1"))).isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining("pipeline");
            CompletableFuture<Throwable> refused = new CompletableFuture<>();
            async.stream("select 1").subscribe(new Flow.Subscriber<Row>() {
                @Override
                public void onSubscribe(Flow.Subscription s) {
                }

                @Override
                public void onNext(Row item) {
                }

                @Override
                public void onError(Throwable t) {
                    refused.complete(t);
                }

                @Override
                public void onComplete() {
                    refused.complete(null);
                }
            });
            assertThat(Flavour.join(refused)).isInstanceOf(ProgrammingException.class).hasMessageContaining("pipeline");
            assertThat(Flavour.join(async.execute("select %s::int", 3)).fetchone().getInt(0)).isEqualTo(3);
        }
    }

    /**
     * test_cursor_common.py::test_set_results and test_results_after_execute (client cursors),
     * test_cursor_server.py::test_results_after_execute (a server cursor yields itself once).
     */
    @Test
    void resultsWalksTheResultSetsAndSetResultPicksOne() {
        Cursor<Row> cur = blocking.cursor();
        assertThatThrownBy(() -> cur.setResult(0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(cur.results()).isEmpty();
        cur.execute("select 'foo'; select generate_series(1,3)");
        assertThat(cur.setResult(0)).isSameAs(cur);
        assertThat(cur.fetchall()).extracting(r -> r.getString(0)).containsExactly("foo");
        assertThat(cur.rowcount()).isEqualTo(1);
        assertThat(cur.setResult(-1)).isSameAs(cur);
        assertThat(cur.fetchall()).extracting(r -> r.getInt(0)).containsExactly(1, 2, 3);
        assertThat(cur.rowcount()).isEqualTo(3);
        assertThatThrownBy(() -> cur.setResult(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> cur.setResult(-3)).isInstanceOf(IndexOutOfBoundsException.class);

        cur.execute("select * from generate_series(1, 0); select * from generate_series(1, 1);"
                + " select * from generate_series(1, 2)");
        List<Integer> sizes = new ArrayList<>();
        for (Cursor<Row> res : cur.results()) {
            assertThat(res).isSameAs(cur);
            sizes.add(res.fetchall().size());
        }
        assertThat(sizes).containsExactly(0, 1, 2);
        cur.executemany("select * from generate_series(1, %s)", List.of(List.of(1), List.of(2)));
        assertThat(cur.results()).as("executemany without returning keeps no result").isEmpty();

        AsyncCursor<Row> acur = Flavour.join(async.execute("select 1; select 2, 3"));
        List<Integer> widths = new ArrayList<>();
        for (AsyncCursor<Row> res : acur.results()) {
            widths.add(res.fetchone().size());
        }
        assertThat(widths).containsExactly(1, 2);
        assertThat(acur.setResult(0).fetchone().getInt(0)).isEqualTo(1);

        try (ServerCursor<Row> sc = blocking.cursor("foo")) {
            assertThat(sc.results()).isEmpty();
            sc.execute("select 1");
            assertThat(sc.results()).containsExactly(sc);
        }
    }

    /** A cursor declared before a pipeline is closed inside it: the pipeline is synced first, then the CLOSE runs. */
    @Test
    void aCursorDeclaredBeforeAPipelineIsClosedInsideIt() {
        ServerCursor<Row> cur = blocking.cursor("before");
        cur.execute("select generate_series(1, 3)");
        try (Pipeline p = blocking.pipeline()) {
            Cursor<Row> queued = blocking.execute("select %s::int", 5);
            cur.close();
            assertThat(queued.fetchone().getInt(0)).isEqualTo(5);
        }
        assertThat(blocking.execute("select count(*) from pg_cursors where name = 'before'").fetchone().getLong(0)).isZero();

        AsyncServerCursor<Row> acur = async.cursor("before");
        Flavour.join(acur.execute("select generate_series(1, 3)"));
        try (AsyncPipeline p = async.pipeline()) {
            CompletableFuture<AsyncCursor<Row>> queued = async.execute("select %s::int", 6);
            Flavour.join(acur.closeAsync());
            assertThat(Flavour.join(queued).fetchone().getInt(0)).isEqualTo(6);
        }
        assertThat(Flavour.join(async.execute("select count(*) from pg_cursors where name = 'before'")).fetchone()
                .getLong(0)).isZero();
    }
}
