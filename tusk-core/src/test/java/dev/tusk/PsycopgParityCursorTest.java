package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's cursor findings, ported from psycopg's {@code tests/test_cursor_common.py} and run on both drivers:
 * a failed execute leaves nothing of the previous results, a zero-column result is one empty row.
 */
@Timeout(60)
@TuskTest
class PsycopgParityCursorTest {
    /** A client-side cursor of either driver, failures thrown as the blocking driver throws them. */
    interface Cur {
        void execute(String sql);

        Row fetchone();

        List<Row> fetchall();

        String statusmessage();

        long rowcount();

        int rownumber();

        List<Column> description();
    }

    private Connection<Row> blocking;
    private AsyncConnection<Row> async;

    @BeforeEach
    void open(TestDatabase db) {
        blocking = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        async = Flavour.join(AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()));
    }

    @AfterEach
    void close() {
        blocking.close();
        Flavour.join(async.closeAsync());
    }

    private Cur cursor(Flavour flavour) {
        if (flavour == Flavour.BLOCKING) {
            Cursor<Row> c = blocking.cursor();
            return new Cur() {
                public void execute(String sql) { c.execute(sql); }
                public Row fetchone() { return c.fetchone(); }
                public List<Row> fetchall() { return c.fetchall(); }
                public String statusmessage() { return c.statusmessage(); }
                public long rowcount() { return c.rowcount(); }
                public int rownumber() { return c.rownumber(); }
                public List<Column> description() { return c.description(); }
            };
        }
        AsyncCursor<Row> c = async.cursor();
        return new Cur() {
            public void execute(String sql) { Flavour.join(c.execute(sql)); }
            public Row fetchone() { return c.fetchone(); }
            public List<Row> fetchall() { return c.fetchall(); }
            public String statusmessage() { return c.statusmessage(); }
            public long rowcount() { return c.rowcount(); }
            public int rownumber() { return c.rownumber(); }
            public List<Column> description() { return c.description(); }
        };
    }

    /** psycopg test_cursor_common.py::test_statusmessage (its last step) and the fetchone after "wat". */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aFailedExecuteLeavesNothingOfThePreviousResults(Flavour flavour) {
        Cur cur = cursor(flavour);
        cur.execute("select generate_series(1, 3)");
        assertThat(cur.statusmessage()).isEqualTo("SELECT 3");
        assertThatThrownBy(() -> cur.execute("wat")).isInstanceOf(ProgrammingException.class);
        assertThat(cur.statusmessage()).isNull();
        assertThat(cur.rowcount()).isEqualTo(-1);
        assertThat(cur.description()).isNull();
        assertThat(cur.rownumber()).isEqualTo(-1);
        assertThatThrownBy(cur::fetchone).isInstanceOf(ProgrammingException.class).hasMessageContaining("no result available");
        cur.execute("select 42");
        assertThat(cur.fetchone().getInt(0)).isEqualTo(42);
    }

    /** psycopg test_cursor_common.py::test_stream_no_col ({@code [()]}) and the description of {@code TUPLES_OK} with no columns. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aZeroColumnResultIsOneEmptyRow(Flavour flavour) {
        Cur cur = cursor(flavour);
        cur.execute("select");
        assertThat(cur.description()).isEmpty();
        assertThat(cur.statusmessage()).isEqualTo("SELECT 1");
        assertThat(cur.rowcount()).isEqualTo(1);
        List<Row> rows = cur.fetchall();
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).size()).isZero();
        cur.execute("select from generate_series(1, 3)");
        assertThat(cur.fetchall()).hasSize(3);
        cur.execute("set timezone to utc"); // a command result stays without rows
        assertThat(cur.description()).isNull();
        assertThatThrownBy(cur::fetchone).isInstanceOf(ProgrammingException.class);
    }

    /** The same with the extended protocol and a prepared statement run without Describe. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aZeroColumnResultIsOneEmptyRowWhenPrepared(Flavour flavour) {
        ExecuteOptions prepare = ExecuteOptions.builder().prepare(true).build();
        for (int i = 0; i < 3; i++) {
            List<Row> rows = flavour == Flavour.BLOCKING ? blocking.execute("select where %s", List.of(true), prepare).fetchall()
                    : Flavour.join(async.execute("select where %s", List.of(true), prepare)).fetchall();
            assertThat(rows).as("execution %d", i).hasSize(1);
        }
    }

    /** psycopg test_rows.py::test_scalar_row: scalar_row refuses a result of no columns. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void scalarRowsRefuseAZeroColumnResult(Flavour flavour) {
        if (flavour == Flavour.BLOCKING) {
            Cursor<Object> cur = blocking.cursor(Rows.scalar());
            assertThat(cur.execute("select 1, 2").fetchone()).isEqualTo(1);
            assertThatThrownBy(() -> cur.execute("select")).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("at least one column");
        } else {
            AsyncCursor<Object> cur = async.cursor(Rows.scalar());
            assertThat(Flavour.join(cur.execute("select 1, 2")).fetchone()).isEqualTo(1);
            assertThatThrownBy(() -> Flavour.join(cur.execute("select"))).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("at least one column");
        }
        // the connection is usable afterwards
        assertThat(flavour == Flavour.BLOCKING ? blocking.execute("select 7").fetchone().getInt(0)
                : Flavour.join(async.execute("select 7")).fetchone().getInt(0)).isEqualTo(7);
    }

    /** psycopg test_cursor_common.py::test_stream_no_col: {@code list(cur.stream("select")) == [()]}. */
    @org.junit.jupiter.api.Test
    void aStreamOfAZeroColumnResultIsOneEmptyRow() {
        try (var s = blocking.cursor().stream("select")) {
            assertThat(s.toList()).hasSize(1);
        }
    }
}
