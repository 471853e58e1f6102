package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's server-side cursor findings, ported from psycopg's {@code tests/test_cursor_server.py}, on both
 * drivers: the description known after execute, a cursor declared by SQL fetched from and closed by name,
 * several statements refused.
 */
@Timeout(60)
@TuskTest
class PsycopgParityServerCursorTest {
    private Connection<Row> blocking;
    private AsyncConnection<Row> async;

    @BeforeEach
    void open(TestDatabase db) {
        blocking = Connection.connect(db.conninfo());
        async = Flavour.join(AsyncConnection.connect(db.conninfo()));
    }

    @AfterEach
    void close() {
        blocking.close();
        Flavour.join(async.closeAsync());
    }

    private long cursorsNamed(String name) {
        return blocking.execute("SELECT count(*) FROM pg_cursors WHERE name = %s", name).fetchone().getLong(0);
    }

    /** psycopg test_cursor_server.py::test_description (the description is there before any fetch). */
    @Test
    void theDescriptionIsKnownAfterExecuteBeforeTheFirstFetch() {
        try (ServerCursor<Row> cur = blocking.cursor("foo")) {
            cur.execute("select generate_series(1, 10)::int4 as bar");
            assertThat(cur.description()).extracting(Column::name).containsExactly("bar");
            assertThat(cur.rownumber()).isZero();
            assertThat(cur.fetchone().getInt(0)).isEqualTo(1); // not moved by the describing
            assertThat(cur.description()).extracting(Column::name).containsExactly("bar");
        }
        Flavour.join(async.execute("BEGIN"));
        AsyncServerCursor<Row> cur = async.cursor("foo");
        Flavour.join(cur.execute("select generate_series(1, 10)::int4 as bar"));
        assertThat(cur.description()).extracting(Column::name).containsExactly("bar");
        assertThat(Flavour.join(cur.fetchone()).getInt(0)).isEqualTo(1);
        Flavour.join(cur.closeAsync());
        Flavour.join(async.rollback());
    }

    /** psycopg test_cursor_server.py::test_steal_cursor: a cursor DECLAREd by SQL, fetched from and closed by name. */
    @Test
    void aCursorDeclaredBySqlIsFetchedFromAndClosedByName() {
        blocking.execute("DECLARE test CURSOR FOR SELECT generate_series(1, 6) AS s");
        ServerCursor<Row> cur = blocking.cursor("test");
        assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
        assertThat(cur.fetchmany(3)).extracting(r -> r.getInt(0)).containsExactly(2, 3, 4);
        assertThat(cur.fetchall()).extracting(r -> r.getInt(0)).containsExactly(5, 6);
        assertThat(cur.description()).extracting(Column::name).containsExactly("s");
        cur.close();
        assertThat(cursorsNamed("test")).isZero();
        blocking.rollback();

        Flavour.join(async.execute("BEGIN"));
        Flavour.join(async.execute("DECLARE test2 CURSOR FOR SELECT generate_series(1, 6) AS s"));
        AsyncServerCursor<Row> acur = async.cursor("test2");
        assertThat(Flavour.join(acur.fetchone()).getInt(0)).isEqualTo(1);
        assertThat(Flavour.join(acur.fetchall())).extracting(r -> r.getInt(0)).containsExactly(2, 3, 4, 5, 6);
        Flavour.join(acur.closeAsync());
        assertThat(Flavour.join(async.execute("SELECT count(*) FROM pg_cursors WHERE name = 'test2'")).fetchone().getLong(0)).isZero();
        Flavour.join(async.rollback());
    }

    /** A name no cursor of the session has: the fetch says to call execute() first (nothing fails on the server). */
    @Test
    void fetchingFromANameNoCursorHasFails() {
        ServerCursor<Row> cur = blocking.cursor("nosuchcursor");
        assertThatThrownBy(cur::fetchone).isInstanceOf(ProgrammingException.class).hasMessageContaining("execute() first");
        assertThat(blocking.execute("select 1").fetchone().getInt(0)).isEqualTo(1);
        blocking.rollback();
        AsyncServerCursor<Row> acur = async.cursor("nosuchcursor");
        assertThatThrownBy(() -> Flavour.join(acur.fetchone())).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("execute() first");
        Flavour.join(async.rollback());
    }

    /** psycopg test_cursor_server.py::test_execute_error ("select 1; select 2"): several statements are refused. */
    @Test
    void severalStatementsAreRefused() {
        try (ServerCursor<Row> cur = blocking.cursor("multi")) {
            assertThatThrownBy(() -> cur.execute("select 1; select 2")).isInstanceOf(ProgrammingException.class);
        }
        blocking.rollback();
        AsyncServerCursor<Row> cur = async.cursor("multi");
        assertThatThrownBy(() -> Flavour.join(cur.execute("select 1; select 2"))).isInstanceOf(ProgrammingException.class);
        Flavour.join(async.rollback());
        List<Row> fine = blocking.execute("select 1").fetchall();
        assertThat(fine).hasSize(1);
    }
}
