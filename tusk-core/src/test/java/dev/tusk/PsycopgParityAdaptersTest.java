package dev.tusk;

import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Codecs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30 item 10's adapter maps, on both drivers, following psycopg's copy-on-write maps: a cursor sees its
 * connection's adapters as they were when it was made (tests/test_adapt.py::test_cow_loaders, test_cow_dumpers), and a
 * loader registered on a cursor after its results arrived reads the rows fetched from then on
 * (tests/test_cursor_common.py::test_change_loader_results, psycopg 3.3).
 */
@TuskTest
@Timeout(60)
class PsycopgParityAdaptersTest {
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

    /** psycopg's make_loader(suffix): text loaded with the suffix appended. */
    static Loader<String> suffixed(String suffix) {
        return new Loader<>() {
            @Override
            public String load(ByteBuffer data) {
                return StandardCharsets.UTF_8.decode(data) + suffix;
            }

            @Override
            public Format format() {
                return Format.TEXT;
            }
        };
    }

    /** psycopg's make_dumper(suffix): a String dumped as text with the suffix appended. */
    private static Dumper<Object> suffixing(String suffix) {
        return Codecs.textDumper(25, v -> v + suffix);
    }

    // test_cow_loaders
    @Test
    void aCursorKeepsTheConnectionsLoadersAsTheyWereWhenItWasMade() {
        conn.adapters().registerLoader("text", suffixed("t"));
        Cursor<Row> cur1 = conn.cursor();
        Cursor<Row> cur2 = conn.cursor();
        cur2.adapters().registerLoader("text", suffixed("c2"));
        assertThat(cur1.execute("SELECT 'hello'::text").fetchone().get(0)).isEqualTo("hellot");
        assertThat(cur2.execute("SELECT 'hello'::text").fetchone().get(0)).isEqualTo("helloc2");

        conn.adapters().registerLoader("text", suffixed("t1"));
        assertThat(cur1.execute("SELECT 'hello2'::text").fetchone().get(0)).isEqualTo("hello2t");
        assertThat(cur2.execute("SELECT 'hello2'::text").fetchone().get(0)).isEqualTo("hello2c2");
        assertThat(conn.cursor().execute("SELECT 'hello3'::text").fetchone().get(0)).as("a cursor made after")
                .isEqualTo("hello3t1");
        assertThat(cur1.adapters().loaderFor(25, Format.TEXT).load(ByteBuffer.wrap("x".getBytes())))
                .as("the cursor's own map is made from what it saw").isEqualTo("xt");

        async.adapters().registerLoader("text", suffixed("t"));
        AsyncCursor<Row> a1 = async.cursor();
        AsyncCursor<Row> a2 = async.cursor();
        a2.adapters().registerLoader("text", suffixed("c2"));
        assertThat(a1.execute("SELECT 'hello'::text").join().fetchone().get(0)).isEqualTo("hellot");
        assertThat(a2.execute("SELECT 'hello'::text").join().fetchone().get(0)).isEqualTo("helloc2");
        async.adapters().registerLoader("text", suffixed("t1"));
        assertThat(a1.execute("SELECT 'hello2'::text").join().fetchone().get(0)).isEqualTo("hello2t");
        assertThat(a2.execute("SELECT 'hello2'::text").join().fetchone().get(0)).isEqualTo("hello2c2");
        assertThat(async.cursor().execute("SELECT 'hello3'::text").join().fetchone().get(0)).isEqualTo("hello3t1");
    }

    // test_cow_dumpers
    @Test
    void aCursorKeepsTheConnectionsDumpersAsTheyWereWhenItWasMade() {
        conn.adapters().registerDumper(String.class, suffixing("t"));
        Cursor<Row> cur1 = conn.cursor();
        Cursor<Row> cur2 = conn.cursor();
        cur2.adapters().registerDumper(String.class, suffixing("c2"));
        assertThat(cur1.execute("SELECT %s::text -- 1", "hello").fetchone().get(0)).isEqualTo("hellot");
        assertThat(cur2.execute("SELECT %s::text -- 1", "hello").fetchone().get(0)).isEqualTo("helloc2");

        conn.adapters().registerDumper(String.class, suffixing("t1"));
        assertThat(cur1.execute("SELECT %s::text -- 2", "hello").fetchone().get(0)).isEqualTo("hellot");
        assertThat(cur2.execute("SELECT %s::text -- 2", "hello").fetchone().get(0)).isEqualTo("helloc2");
        assertThat(conn.cursor().execute("SELECT %s::text -- 3", "hello").fetchone().get(0)).isEqualTo("hellot1");

        async.adapters().registerDumper(String.class, suffixing("t"));
        AsyncCursor<Row> a1 = async.cursor();
        async.adapters().registerDumper(String.class, suffixing("t1"));
        assertThat(a1.execute("SELECT %s::text", "hello").join().fetchone().get(0)).isEqualTo("hellot");
        assertThat(async.cursor().execute("SELECT %s::text", "hello").join().fetchone().get(0)).isEqualTo("hellot1");
    }

    private static final String THREE_RESULTS = "VALUES ('foo'::text); VALUES ('bar'::text), ('baz'); VALUES ('qux'::text)";

    // test_change_loader_results
    @Test
    void aLoaderRegisteredOnACursorAfterItsResultsReadsTheRowsFetchedNext() {
        Cursor<Row> cur = conn.cursor();
        cur.adapters().registerLoader("text", suffixed("1")); // with no result
        cur.execute(THREE_RESULTS);
        assertThat(cur.fetchall()).extracting(r -> r.get(0)).containsExactly("foo1");
        cur.nextset();
        assertThat(cur.fetchone().get(0)).isEqualTo("bar1");
        cur.adapters().registerLoader("text", suffixed("2"));
        assertThat(cur.fetchone().get(0)).isEqualTo("baz2");
        cur.scroll(-2, "relative");
        assertThat(cur.fetchall()).extracting(r -> r.get(0)).containsExactly("bar2", "baz2");
        cur.nextset();
        assertThat(cur.fetchall()).extracting(r -> r.get(0)).containsExactly("qux2");
        assertThat(cur.nextset()).isFalse(); // after the final result
        cur.adapters().registerLoader("text", suffixed("3"));
        assertThat(cur.fetchone()).isNull();
        cur.setResult(0);
        assertThat(cur.fetchall()).extracting(r -> r.get(0)).containsExactly("foo3");

        Cursor<Row> iterated = conn.cursor();
        iterated.execute("VALUES ('a'::text), ('b')");
        var it = iterated.iterator();
        assertThat(it.next().get(0)).isEqualTo("a");
        iterated.adapters().registerLoader("text", suffixed("!"));
        assertThat(it.next().get(0)).as("iteration too").isEqualTo("b!");

        AsyncCursor<Row> a = async.cursor();
        a.adapters().registerLoader("text", suffixed("1"));
        a.execute(THREE_RESULTS).join();
        assertThat(a.fetchall()).extracting(r -> r.get(0)).containsExactly("foo1");
        a.nextset();
        assertThat(a.fetchone().get(0)).isEqualTo("bar1");
        a.adapters().registerLoader("text", suffixed("2"));
        assertThat(a.fetchone().get(0)).isEqualTo("baz2");
        a.scroll(-2, "relative");
        assertThat(a.fetchall()).extracting(r -> r.get(0)).containsExactly("bar2", "baz2");
        a.nextset();
        assertThat(a.fetchall()).extracting(r -> r.get(0)).containsExactly("qux2");
        a.adapters().registerLoader("text", suffixed("3"));
        a.setResult(0);
        assertThat(a.fetchall()).extracting(r -> r.get(0)).containsExactly("foo3");
    }

    /** A row already handed out keeps the loaders it was read with: only the rows fetched after change. */
    @Test
    void aRowFetchedBeforeTheRegistrationKeepsItsValues() {
        Cursor<Row> cur = conn.cursor();
        Row first = cur.execute("VALUES ('a'::text), ('b')").fetchone();
        cur.adapters().registerLoader("text", suffixed("!"));
        assertThat(cur.fetchone().get(0)).isEqualTo("b!");
        assertThat(first.get(0)).isEqualTo("a");
        assertThat(List.of(conn.execute("SELECT 'c'::text").fetchone().get(0))).as("the connection's cursors").containsExactly("c");
    }

    /** test_cow_loaders and test_cow_dumpers with named cursors: psycopg's ServerCursor copies the map as every cursor. */
    @Test
    void aServerCursorKeepsTheConnectionsAdaptersAsTheyWereWhenItWasMade() {
        conn.adapters().registerLoader("text", suffixed("t"));
        conn.adapters().registerDumper(String.class, suffixing("d"));
        conn.transaction(tx -> {
            ServerCursor<Row> cur = conn.cursor("cow");
            conn.adapters().registerLoader("text", suffixed("t1"));
            conn.adapters().registerDumper(String.class, suffixing("d1"));
            cur.execute("SELECT %s::text", "hello");
            assertThat(cur.fetchone().get(0)).isEqualTo("hellodt");
            cur.close();
            ServerCursor<Row> after = conn.cursor("cow2");
            after.execute("SELECT %s::text", "hello");
            assertThat(after.fetchone().get(0)).isEqualTo("hellod1t1");
            after.close();
            return null;
        });

        async.adapters().registerLoader("text", suffixed("t"));
        async.transaction(tx -> {
            AsyncServerCursor<Row> cur = async.cursor("cow");
            async.adapters().registerLoader("text", suffixed("t1"));
            return cur.execute("SELECT 'hello'::text").thenCompose(c -> c.fetchone()).thenApply(r -> {
                assertThat(r.get(0)).isEqualTo("hellot");
                return r;
            }).thenCompose(r -> cur.closeAsync());
        }).join();
    }
}
