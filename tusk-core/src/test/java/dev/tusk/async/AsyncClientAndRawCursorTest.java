package dev.tusk.async;

import dev.tusk.AsyncClientCursor;
import dev.tusk.AsyncConnection;
import dev.tusk.AsyncRawCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.MergingCursor;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.time.LocalDate;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** ClientAndRawCursorTest on AsyncConnection. */
@Timeout(60)
@TuskTest
class AsyncClientAndRawCursorTest {
    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    @Test
    void mogrifyQuotesEveryValueThroughTheAdapters() {
        AsyncClientCursor<Row> cur = conn.clientCursor();
        assertThat(cur.mogrify("SELECT %s, %s, %s, %t", "it's", 42, null, LocalDate.of(2026, 11, 24)))
                .startsWith("SELECT 'it''s', 42, NULL, '2026-11-24'");
        assertThat(cur.mogrify("SELECT %(a)s || %(a)s, 100%%", Map.of("a", "x"))).isEqualTo("SELECT 'x' || 'x', 100%");
    }

    /**
     * Both client cursors are a {@link MergingCursor}: code written once against it mogrifies alike on either
     * driver, and a reflective call from outside dev.tusk (what dynamic languages and template engines do) reaches
     * {@code mogrify} through the public interface.
     */
    @Test
    void bothClientCursorsMogrifyAlikeThroughTheirCommonInterface(TestDatabase db) throws Exception {
        try (Connection<Row> blocking = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).build())) {
            for (MergingCursor cur : List.<MergingCursor>of(blocking.clientCursor(), conn.clientCursor())) {
                assertThat(cur.mogrify("SELECT %(n)s, 100%%", Map.of("n", "it's"))).isEqualTo("SELECT 'it''s', 100%");
                assertThat(cur.mogrify("SELECT %s", (Object) null)).isEqualTo("SELECT NULL");
                assertThat(cur.mogrify("SELECT %%")).isEqualTo("SELECT %%");
                assertThat(cur.getClass().getMethod("mogrify", String.class, Object[].class)
                        .invoke(cur, "SELECT %s", new Object[] {7})).isEqualTo("SELECT 7");
                assertThat(cur.connection()).isIn(blocking, conn);
            }
        }
    }

    /** psycopg's tests/test_client_cursor_async.py::test_mogrify: see ClientAndRawCursorTest. */
    @Test
    void mogrifyWithoutParametersReturnsTheQueryUnchangedAsPsycopg() {
        AsyncClientCursor<Row> cur = conn.clientCursor();
        assertThat(cur.mogrify("select 'hello'")).isEqualTo("select 'hello'");
        assertThat(cur.mogrify("select %s, %s", 1, LocalDate.of(2020, 1, 1))).isEqualTo("select 1, '2020-01-01'::date");
        assertThat(cur.mogrify("select %(foo)s, %(foo)s", Map.of("foo", "x"))).isEqualTo("select 'x', 'x'");
        assertThat(cur.mogrify("select %%")).isEqualTo("select %%");
        assertThat(cur.mogrify("select %%, %s", "a")).isEqualTo("select %, 'a'");
        assertThat(cur.mogrify("select %%, %(foo)s", Map.of("foo", "x"))).isEqualTo("select %, 'x'");
        assertThat(cur.mogrify("select %%s, %(foo)s", Map.of("foo", "x"))).isEqualTo("select %s, 'x'");
        assertThat(cur.mogrify("select %%", new Object[0])).isEqualTo("select %");
        assertThat(cur.execute("select '100%%'").join().fetchone().getString(0)).isEqualTo("100%%");
        assertThat(cur.execute("select '100%%', %s", "a").join().fetchone().getString(0)).isEqualTo("100%");
    }

    @Test
    void parametersWorkWhereTheServerTakesNoneAndHostileValuesStayValues() {
        AsyncClientCursor<Row> cur = conn.clientCursor();
        cur.execute("SET application_name TO %s", "client cursor's").join();
        assertThat(conn.execute("SHOW application_name").join().fetchone().getString(0)).isEqualTo("client cursor's");
        cur.execute("CREATE TEMP TABLE d (c text DEFAULT %s, n numeric DEFAULT %s)", "o'clock", new BigDecimal("1.50")).join();
        conn.execute("INSERT INTO d DEFAULT VALUES").join();
        Row r = conn.execute("SELECT c, n FROM d").join().fetchone();
        assertThat(r.getString(0)).isEqualTo("o'clock");
        assertThat(r.get(1)).isEqualTo(new BigDecimal("1.50"));

        conn.execute("CREATE TEMP TABLE v (s text)").join();
        List<String> hostile = List.of("'; DROP TABLE v; --", "\\'", "a\\\\b", "$$x$$", "\u2019 unicode ☃", "%s", "E'\\x41'");
        cur.executemany("INSERT INTO v VALUES (%s)", hostile).join();
        assertThat(conn.cursor(Rows.scalar()).execute("SELECT s FROM v").join().fetchall()).containsExactlyElementsOf(hostile);
        assertThat(cur.executemany("INSERT INTO v VALUES (%s)", hostile).join().rowcount()).isEqualTo(hostile.size());
    }

    @Test
    void binaryIsRefusedClearly() {
        AsyncClientCursor<Row> cur = conn.clientCursor();
        assertThatThrownBy(() -> cur.setBinary(true)).isInstanceOf(NotSupportedException.class);
        assertThatThrownBy(() -> cur.execute("SELECT %b", 1).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(NotSupportedException.class).hasMessageContaining("%b");
    }

    @Test
    void rawCursorSendsDollarPlaceholdersAsWritten() {
        AsyncRawCursor<Row> cur = conn.rawCursor();
        Row r = cur.execute("SELECT $1::int + $1::int, 'ratio: 100%', $2::text", 21, "x").join().fetchone();
        assertThat(r.getInt(0)).isEqualTo(42);
        assertThat(r.getString(1)).isEqualTo("ratio: 100%");
        assertThat(r.getString(2)).isEqualTo("x");
        conn.execute("CREATE TEMP TABLE r (a int)").join();
        assertThat(conn.rawCursor().executemany("INSERT INTO r VALUES ($1)", List.of(List.of(1), List.of(2), List.of(4)))
                .join().rowcount()).isEqualTo(3);
        assertThat(conn.execute("SELECT sum(a) FROM r").join().fetchone().getInt(0)).isEqualTo(7);
        assertThatThrownBy(() -> conn.rawCursor().execute("SELECT $1", Map.of("a", 1)).join())
                .hasCauseInstanceOf(ProgrammingException.class).hasMessageContaining("positional");
    }
}
