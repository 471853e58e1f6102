package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Column;
import dev.tusk.ConnectOptions;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.errors.DataException;
import dev.tusk.errors.IntegrityException;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.sql.Identifier;
import dev.tusk.sql.Literal;
import dev.tusk.sql.Placeholder;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The blocking ExecuteTest and executemany tests, statement by statement, on AsyncConnection. */
@Timeout(60)
@TuskTest
class AsyncExecuteTest {
    private AsyncConnection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()).join();
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), ok bool)").join();
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
    }

    private AsyncCursor<Row> run(String query, Object... params) {
        return (params.length == 0 ? conn.execute(query) : conn.execute(query, params)).join();
    }

    /** The exception a failed future carries. */
    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class);
        return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
    }

    @Test
    void positionalNamedAndLiteralPercent() {
        run("INSERT INTO items VALUES (%s, %s, %s, %s)", 1, "a%b", new BigDecimal("9.50"), true);
        conn.execute("INSERT INTO items VALUES (%(id)s, %(name)s, NULL, %(ok)s)", Map.of("id", 2, "name", "two", "ok", false)).join();
        Row r = run("SELECT name, price, ok FROM items WHERE name LIKE 'a%%' AND id = %s", 1).fetchone();
        assertThat(r.getString("name")).isEqualTo("a%b");
        assertThat(r.getBigDecimal("price")).isEqualByComparingTo("9.50");
        assertThat(r.getBoolean("ok")).isTrue();
        Row two = conn.execute("SELECT price FROM items WHERE id = %(id)s", Map.of("id", 2)).join().fetchone();
        assertThat(two.isNull(0)).isTrue();
    }

    @Test
    void valuesNeverBecomeSql() {
        String hostile = "x'); DROP TABLE items; --";
        run("INSERT INTO items (id, name) VALUES (%s, %s)", 3, hostile);
        assertThat(run("SELECT name FROM items WHERE id = 3").fetchone().getString(0)).isEqualTo(hostile);
        conn.execute(new SQL("INSERT INTO {} (id, name) VALUES ({}, {})")
                .format(new Identifier("items"), new Placeholder(), new Literal(hostile)), 4).join();
        assertThat(run("SELECT count(*) FROM items WHERE name = %s", hostile).fetchone().getLong(0)).isEqualTo(2);
    }

    @Test
    void wrongParameterCountFailsTheFutureWithAProgrammingError() {
        assertThat(failure(conn.execute("SELECT %s, %s", 1))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("2 placeholders").hasMessageContaining("1 parameter");
        assertThat(failure(conn.execute("SELECT %(a)s", Map.of("b", 1)))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("\"a\"");
        assertThat(run("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void noParametersMeansSimpleProtocolAndSeveralStatements() {
        AsyncCursor<Row> cur = run("INSERT INTO items (id) VALUES (10); SELECT 1 AS a; SELECT 2 AS b, 3 AS c");
        assertThat(cur.statusmessage()).isEqualTo("INSERT 0 1");
        assertThat(cur.rowcount()).isEqualTo(1);
        assertThat(cur.nextset()).isTrue();
        assertThat(cur.fetchone().getInt("a")).isEqualTo(1);
        assertThat(cur.nextset()).isTrue();
        assertThat(cur.description()).extracting(Column::name).containsExactly("b", "c");
        assertThat(cur.nextset()).isFalse();
    }

    @Test
    void cursorFetchMethodsWalkTheResult() {
        AsyncCursor<Row> cur = run("SELECT g FROM generate_series(1, 10) g");
        assertThat(cur.rowcount()).isEqualTo(10);
        assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
        assertThat(cur.fetchmany(3)).extracting(r -> r.getInt(0)).containsExactly(2, 3, 4);
        cur.setArraysize(2);
        assertThat(cur.fetchmany()).hasSize(2);
        assertThat(cur.rownumber()).isEqualTo(6);
        cur.scroll(-1, "relative");
        List<Integer> rest = new ArrayList<>();
        for (Row r : cur) {
            rest.add(r.getInt(0));
        }
        assertThat(rest).containsExactly(6, 7, 8, 9, 10);
        assertThat(cur.fetchone()).isNull();
        cur.scroll(0, "absolute");
        assertThat(cur.fetchall()).hasSize(10);
        cur.close();
        assertThatThrownBy(cur::fetchone).isInstanceOf(InterfaceException.class);
    }

    @Test
    void descriptionDescribesColumns() {
        List<Column> d = run("SELECT 1::int4 AS i, 'x'::varchar(12) AS v, 1.5::numeric(8,3) AS n").description();
        assertThat(d).extracting(Column::name).containsExactly("i", "v", "n");
        assertThat(d.get(0).typeOid()).isEqualTo(23);
        assertThat(d.get(1).displaySize()).isEqualTo(12);
        assertThat(d.get(2).precision()).isEqualTo(8);
        assertThat(d.get(2).scale()).isEqualTo(3);
        assertThat(run("CREATE TEMP TABLE z (a int)").description()).isNull();
    }

    @Test
    void typedGettersInTextAndBinary() {
        Row r = run("SELECT 42::int8 AS big, 2.5::float8 AS f, NULL::int AS n, '17' AS s").fetchone();
        assertThat(r.getInt("big")).isEqualTo(42);
        assertThat(r.getDouble("f")).isEqualTo(2.5);
        assertThat(r.getInt("s")).isEqualTo(17);
        assertThatThrownBy(() -> r.getInt("n")).isInstanceOf(DataException.class).hasMessageContaining("NULL");
        Row b = conn.execute("SELECT 42::int8, 2.5::float8, true", List.of(), ExecuteOptions.builder().binary(true).build())
                .join().fetchone();
        assertThat(b.getLong(0)).isEqualTo(42L);
        assertThat(b.getDouble(1)).isEqualTo(2.5);
        assertThat(b.getBoolean(2)).isTrue();
    }

    @Test
    void rowFactoriesShapeRows() {
        run("INSERT INTO items VALUES (1, 'one', 1.00, true), (2, 'two', 2.00, false)");
        record Item(int id, String name) { }
        assertThat(conn.cursor(Rows.classRow(Item.class)).execute("SELECT id, name FROM items ORDER BY id").join().fetchall())
                .containsExactly(new Item(1, "one"), new Item(2, "two"));
        assertThat(conn.cursor(Rows.dict()).execute("SELECT id, name FROM items WHERE id = 1").join().fetchone())
                .containsEntry("name", "one");
        assertThat(conn.cursor(Rows.scalar()).execute("SELECT name FROM items ORDER BY id").join().fetchall())
                .containsExactly("one", "two");
    }

    @Test
    void serverErrorsMapToTheirClassAndKeepTheConnectionUsable() {
        run("INSERT INTO items (id) VALUES (1)");
        Throwable e = failure(conn.execute("INSERT INTO items (id) VALUES (%s)", 1));
        assertThat(e).isInstanceOf(IntegrityException.class);
        IntegrityException ie = (IntegrityException) e;
        assertThat(ie.sqlstate()).isEqualTo("23505");
        assertThat(ie.diag().constraintName()).isEqualTo("items_pkey");
        assertThat(ie.diag().messageDetail()).contains("(id)=(1)");
        assertThat(run("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void noticesReachHandlers() {
        List<String> notices = new java.util.concurrent.CopyOnWriteArrayList<>();
        conn.addNoticeHandler(d -> notices.add(d.severity() + ":" + d.messagePrimary()));
        run("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
        assertThat(notices).containsExactly("NOTICE:hello 42");
    }

    @Test
    void composedQueriesRenderWithTheConnectionsAdapters() {
        var q = new SQL("SELECT {} AS a, {} AS b").format(new Literal("it's"), new Placeholder("b"));
        assertThat(q.asString(conn)).isEqualTo("SELECT 'it''s' AS a, %(b)s AS b");
        Row r = conn.execute(q, Map.of("b", 5)).join().fetchone();
        assertThat(r.getString("a")).isEqualTo("it's");
        assertThat(r.getInt("b")).isEqualTo(5);
        assertThat(conn.execute(new SQL("SELECT 1")).join().fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void executemanyRunsEverySetAndReportsTheTotal() {
        List<List<Object>> sets = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            sets.add(Arrays.asList(i, i % 7 == 0 ? null : "v" + i, null, i % 2 == 0));
        }
        AsyncCursor<Row> cur = conn.cursor().executemany("INSERT INTO items VALUES (%s, %s, %s, %s)", sets).join();
        assertThat(cur.rowcount()).as("the total, as psycopg").isEqualTo(10_000);
        assertThatThrownBy(cur::fetchone).as("no rows kept without returning").isInstanceOf(ProgrammingException.class);
        Row r = run("SELECT count(*), count(name), sum(id), count(*) FILTER (WHERE ok) FROM items").fetchone();
        assertThat(r.getLong(0)).isEqualTo(10_000);
        assertThat(r.getLong(1)).isEqualTo(10_000 - 1429);
        assertThat(r.getLong(2)).isEqualTo(49_995_000L);
        assertThat(r.getLong(3)).isEqualTo(5_000);
    }

    @Test
    void executemanyIsAllOrNothingAndLeavesNeighboursAlone() {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(List.of(i, "v" + i));
        }
        rows.set(700, List.of(1, "duplicate"));
        CompletableFuture<AsyncCursor<Row>> before = conn.execute("SELECT 'before'");
        CompletableFuture<AsyncCursor<Row>> batch = conn.cursor().executemany("INSERT INTO items (id, name) VALUES (%s, %s)", rows);
        CompletableFuture<AsyncCursor<Row>> after = conn.execute("SELECT count(*) FROM items");
        assertThat(before.join().fetchone().getString(0)).isEqualTo("before");
        assertThat(failure(batch)).isInstanceOf(IntegrityException.class).hasMessageContaining("duplicate key");
        assertThat(after.join().fetchone().getLong(0)).as("all or nothing").isZero();
        rows.set(700, List.of(700, "v700"));
        assertThat(conn.cursor().executemany("INSERT INTO items (id, name) VALUES (%s, %s)", rows).join().rowcount())
                .isEqualTo(1000);
    }

    @Test
    void executemanyReturningKeepsEachStatementsRows() {
        AsyncCursor<Row> cur = conn.cursor().executemany("INSERT INTO items (id, name) VALUES (%(a)s, %(b)s) RETURNING id * 10",
                List.of(Map.of("a", 1, "b", "x"), Map.of("a", 2, "b", "y"), Map.of("a", 3, "b", "z")), true).join();
        List<Integer> got = new ArrayList<>();
        do {
            got.add(cur.fetchone().getInt(0));
        } while (cur.nextset());
        assertThat(got).containsExactly(10, 20, 30);
    }

    @Test
    void executemanyOutsideAutocommitJoinsTheTransaction() {
        conn.setAutocommit(false).join();
        conn.cursor().executemany("INSERT INTO items (id) VALUES (%s)", List.of(1, 2, 3)).join();
        conn.rollback().join();
        assertThat(run("SELECT count(*) FROM items").fetchone().getLong(0)).isZero();
        conn.cursor().executemany("INSERT INTO items (id) VALUES (%s)", List.of(1, 2, 3)).join();
        conn.commit().join();
        assertThat(run("SELECT count(*) FROM items").fetchone().getLong(0)).isEqualTo(3);
        assertThat(conn.cursor().executemany("INSERT INTO items (id) VALUES (%s)", List.of()).join().rowcount()).isZero();
    }
}
