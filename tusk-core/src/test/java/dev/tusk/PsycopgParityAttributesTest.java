package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Codecs;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's "missing API": the connection attributes psycopg lets a program change after connecting
 * ({@code prepare_threshold}, {@code prepared_max}, {@code row_factory}, {@code cursor_factory},
 * {@code server_cursor_factory}) and {@code connect(context=)}, ported from psycopg's
 * {@code tests/test_connection.py}, {@code test_connection_async.py} and {@code test_prepared.py}, on both drivers.
 */
@Timeout(60)
@TuskTest
class PsycopgParityAttributesTest {
    private static final String PREPARED = "SELECT count(*) FROM pg_prepared_statements WHERE NOT from_sql";

    /**
     * psycopg test_prepared.py::test_prepare_threshold_init and test_prepare_disable: the threshold given at
     * connect reads back, and setting it to null after connecting stops automatic preparation; setting it to 0
     * prepares at the next execution.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void prepareThresholdIsReadAndChangedAfterConnect(Flavour flavour, TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).prepareThreshold(3).build();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options)) {
                assertThat(conn.prepareThreshold()).isEqualTo(3);
                conn.setPrepareThreshold(null);
                assertThat(conn.prepareThreshold()).isNull();
                for (int i = 0; i < 10; i++) {
                    conn.execute("SELECT %s::int AS never_prepared", i);
                }
                assertThat(conn.execute(PREPARED).fetchone().getLong(0)).isZero();
                conn.setPrepareThreshold(0);
                conn.execute("SELECT %s::int AS at_once", 1);
                assertThat(conn.execute(PREPARED).fetchone().getLong(0)).isEqualTo(1);
                assertThatThrownBy(() -> conn.setPrepareThreshold(-1)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("prepareThreshold");
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                assertThat(conn.prepareThreshold()).isEqualTo(3);
                conn.setPrepareThreshold(null);
                assertThat(conn.prepareThreshold()).isNull();
                for (int i = 0; i < 10; i++) {
                    Flavour.join(conn.execute("SELECT %s::int AS never_prepared", i));
                }
                assertThat(Flavour.join(conn.execute(PREPARED)).fetchone().getLong(0)).isZero();
                conn.setPrepareThreshold(0);
                Flavour.join(conn.execute("SELECT %s::int AS at_once", 1));
                assertThat(Flavour.join(conn.execute(PREPARED)).fetchone().getLong(0)).isEqualTo(1);
                assertThatThrownBy(() -> conn.setPrepareThreshold(-1)).isInstanceOf(ProgrammingException.class);
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_prepared.py::test_evict_lru: {@code prepared_max} set after connecting bounds the statements
     * left prepared on the server; lowered below what is prepared, the extra ones are closed (with the next round trips).
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void preparedMaxIsChangedAfterConnectAndLoweringItClosesTheExtraStatements(Flavour flavour, TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).prepareThreshold(0).build();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options)) {
                assertThat(conn.preparedMax()).isEqualTo(100);
                for (int i = 0; i < 6; i++) {
                    conn.execute("SELECT %s::int + " + i, i);
                }
                assertThat(conn.execute(PREPARED).fetchone().getLong(0)).isEqualTo(6);
                conn.setPreparedMax(2);
                assertThat(conn.preparedMax()).isEqualTo(2);
                conn.execute("SELECT %s::int + 100", 1);
                conn.execute("SELECT %s::int + 100", 2); // the evicted statements are closed with this round trip
                assertThat(conn.execute(PREPARED).fetchone().getLong(0)).isEqualTo(2);
                assertThatThrownBy(() -> conn.setPreparedMax(-1)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("preparedMax");
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                assertThat(conn.preparedMax()).isEqualTo(100);
                for (int i = 0; i < 6; i++) {
                    Flavour.join(conn.execute("SELECT %s::int + " + i, i));
                }
                assertThat(Flavour.join(conn.execute(PREPARED)).fetchone().getLong(0)).isEqualTo(6);
                conn.setPreparedMax(2);
                assertThat(conn.preparedMax()).isEqualTo(2);
                Flavour.join(conn.execute("SELECT %s::int + 100", 1));
                Flavour.join(conn.execute("SELECT %s::int + 100", 2));
                assertThat(Flavour.join(conn.execute(PREPARED)).fetchone().getLong(0)).isEqualTo(2);
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_connection.py::test_row_factory: a row factory set on the connection after connecting applies
     * to the cursors made from then on (and to {@code execute}); cursors made before keep theirs.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void rowFactoryIsChangedAfterConnect(Flavour flavour, TestDatabase db) {
        ConnectOptions<Object> options = ConnectOptions.builder().conninfo(db.conninfo())
                .rowFactory(Rows.scalar()).build();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Object> conn = Connection.connect(options)) {
                assertThat(conn.rowFactory()).isSameAs(options.rowFactory());
                Cursor<Object> before = conn.cursor();
                RowFactory<Object> tuples = upcast(Rows.tuple());
                conn.setRowFactory(tuples);
                assertThat(conn.rowFactory()).isSameAs(tuples);
                assertThat(conn.execute("SELECT 'vale', 2").fetchone()).isEqualTo(List.of("vale", 2));
                assertThat(before.execute("SELECT 'vale', 2").fetchone()).isEqualTo("vale");
                assertThatThrownBy(() -> conn.setRowFactory(null)).isInstanceOf(NullPointerException.class);
            }
        } else {
            AsyncConnection<Object> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                AsyncCursor<Object> before = conn.cursor();
                RowFactory<Object> tuples = upcast(Rows.tuple());
                conn.setRowFactory(tuples);
                assertThat(conn.rowFactory()).isSameAs(tuples);
                assertThat(Flavour.join(conn.execute("SELECT 'vale', 2")).fetchone())
                        .isEqualTo(List.of("vale", 2));
                assertThat(Flavour.join(before.execute("SELECT 'vale', 2")).fetchone()).isEqualTo("vale");
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static RowFactory<Object> upcast(RowFactory<?> f) {
        return (RowFactory<Object>) f;
    }

    /**
     * psycopg test_connection.py::test_cursor_factory, test_cursor_factory_connect and test_server_cursor_factory:
     * the cursor class given at connect, or set after, is what {@code cursor()}, {@code cursor(rowFactory)} and
     * {@code execute} make; {@code cursor(name)} makes the server cursor class.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void cursorFactoryChoosesTheClassOfCursorAndExecute(Flavour flavour, TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo())
                .cursorFactory(CursorFactory.CLIENT_CURSOR).build();
        assertThat(ConnectOptions.of(db.conninfo()).cursorFactory()).isEqualTo(CursorFactory.CURSOR);
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options)) {
                assertThat(conn.cursorFactory()).isEqualTo(CursorFactory.CLIENT_CURSOR);
                assertThat(conn.cursor()).isExactlyInstanceOf(ClientCursor.class);
                Cursor<Row> executed = conn.execute("SELECT %s::int", 7);
                assertThat(executed).isExactlyInstanceOf(ClientCursor.class);
                assertThat(executed.fetchone().getInt(0)).isEqualTo(7);
                conn.setCursorFactory(CursorFactory.RAW_CURSOR);
                assertThat(conn.cursor(Rows.tuple())).isExactlyInstanceOf(RawCursor.class);
                assertThat(conn.execute("SELECT $1::int", 8).fetchone().getInt(0)).isEqualTo(8);
                conn.setCursorFactory(CursorFactory.CURSOR);
                assertThat(conn.cursor()).isExactlyInstanceOf(Cursor.class);
                assertThat(conn.serverCursorFactory()).isEqualTo(ServerCursorFactory.SERVER_CURSOR);
                conn.setServerCursorFactory(ServerCursorFactory.SERVER_CURSOR);
                assertThat(conn.cursor("n")).isExactlyInstanceOf(ServerCursor.class);
                assertThatThrownBy(() -> conn.setCursorFactory(null)).isInstanceOf(NullPointerException.class);
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                assertThat(conn.cursorFactory()).isEqualTo(CursorFactory.CLIENT_CURSOR);
                assertThat(conn.cursor()).isExactlyInstanceOf(AsyncClientCursor.class);
                AsyncCursor<Row> executed = Flavour.join(conn.execute("SELECT %s::int", 7));
                assertThat(executed).isExactlyInstanceOf(AsyncClientCursor.class);
                assertThat(executed.fetchone().getInt(0)).isEqualTo(7);
                conn.setCursorFactory(CursorFactory.RAW_CURSOR);
                assertThat(conn.cursor(Rows.tuple())).isExactlyInstanceOf(AsyncRawCursor.class);
                assertThat(Flavour.join(conn.execute("SELECT $1::int", 8)).fetchone().getInt(0)).isEqualTo(8);
                conn.setCursorFactory(CursorFactory.CURSOR);
                assertThat(conn.cursor()).isExactlyInstanceOf(AsyncCursor.class);
                assertThat(conn.serverCursorFactory()).isEqualTo(ServerCursorFactory.SERVER_CURSOR);
                assertThat(conn.cursor("n")).isExactlyInstanceOf(AsyncServerCursor.class);
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_connection.py::test_connect_context and test_connect_context_copy: the connection's adapters
     * start as a copy of the context's (a map or another connection); later registrations on either side do
     * not reach the other.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void contextGivesTheConnectionACopyOfItsAdapters(Flavour flavour, TestDatabase db) {
        AdaptersMap ctx = Tusk.adapters().child();
        ctx.registerDumper(String.class, Codecs.<String>textDumper(25, s -> s + "t"));
        try (Connection<Row> template = Connection.connect(db.conninfo())) {
            template.adapters().registerDumper(String.class, Codecs.<String>textDumper(25, s -> s + "c"));
            ConnectOptions<Row> fromMap = ConnectOptions.builder().conninfo(db.conninfo()).context(ctx).build();
            ConnectOptions<Row> fromConn = ConnectOptions.builder().conninfo(db.conninfo()).context(template).build();
            assertThat(fromMap.context()).isSameAs(ctx);
            assertThat(fromMap.toBuilder().build().context()).isSameAs(ctx);
            if (flavour == Flavour.BLOCKING) {
                try (Connection<Row> conn = Connection.connect(fromMap); Connection<Row> conn2 = Connection.connect(fromConn)) {
                    assertThat(conn.execute("SELECT %s", "hello").fetchone().getString(0)).isEqualTo("hellot");
                    assertThat(conn2.execute("SELECT %s", "hello").fetchone().getString(0)).isEqualTo("helloc");
                    ctx.registerDumper(String.class, Codecs.<String>textDumper(25, s -> s + "later"));
                    assertThat(conn.execute("SELECT %s", "hello").fetchone().getString(0)).isEqualTo("hellot");
                    conn.adapters().registerDumper(String.class, Codecs.<String>textDumper(25, s -> s + "own"));
                    assertThat(ctx.dumperFor("x", dev.tusk.adapt.Format.TEXT)).isNotSameAs(conn.adapters().dumperFor("x",
                            dev.tusk.adapt.Format.TEXT));
                }
                try (Connection<Row> plain = Connection.connect(db.conninfo())) {
                    assertThat(plain.execute("SELECT %s", "hello").fetchone().getString(0)).isEqualTo("hello");
                }
            } else {
                AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(fromMap));
                AsyncConnection<Row> conn2 = Flavour.join(AsyncConnection.connect(fromConn));
                try {
                    assertThat(Flavour.join(conn.execute("SELECT %s", "hello")).fetchone().getString(0))
                            .isEqualTo("hellot");
                    assertThat(Flavour.join(conn2.execute("SELECT %s", "hello")).fetchone().getString(0))
                            .isEqualTo("helloc");
                    ctx.registerDumper(String.class, Codecs.<String>textDumper(25, s -> s + "later"));
                    assertThat(Flavour.join(conn.execute("SELECT %s", "hello")).fetchone().getString(0))
                            .isEqualTo("hellot");
                } finally {
                    Flavour.join(conn.closeAsync());
                    Flavour.join(conn2.closeAsync());
                }
            }
        }
    }

    /** The attributes a pool's reset restores are those of the options: the map of what each one starts as. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void attributesStartAsTheOptionsSay(Flavour flavour, TestDatabase db) {
        ConnectOptions<Map<String, Object>> options = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(null)
                .preparedMax(7).cursorFactory(CursorFactory.RAW_CURSOR).rowFactory(Rows.dict()).build();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Map<String, Object>> conn = Connection.connect(options)) {
                assertThat(conn.prepareThreshold()).isNull();
                assertThat(conn.preparedMax()).isEqualTo(7);
                assertThat(conn.cursorFactory()).isEqualTo(CursorFactory.RAW_CURSOR);
                assertThat(conn.rowFactory()).isSameAs(options.rowFactory());
                assertThat(conn.execute("SELECT $1::int AS a", 1).fetchone()).isEqualTo(Map.of("a", 1));
            }
        } else {
            AsyncConnection<Map<String, Object>> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                assertThat(conn.prepareThreshold()).isNull();
                assertThat(conn.preparedMax()).isEqualTo(7);
                assertThat(conn.cursorFactory()).isEqualTo(CursorFactory.RAW_CURSOR);
                assertThat(Flavour.join(conn.execute("SELECT $1::int AS a", 1)).fetchone())
                        .isEqualTo(Map.of("a", 1));
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }
}
