package dev.tusk;

import dev.tusk.errors.IntegrityException;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class ExecuteTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), ok bool)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void positionalNamedAndLiteralPercent() {
        conn.execute("INSERT INTO items VALUES (%s, %s, %s, %s)", 1, "a%b", new java.math.BigDecimal("9.50"), true);
        conn.execute("INSERT INTO items VALUES (%(id)s, %(name)s, NULL, %(ok)s)", Map.of("id", 2, "name", "two", "ok", false));
        Row r = conn.execute("SELECT name, price, ok FROM items WHERE name LIKE 'a%%' AND id = %s", 1).fetchone();
        assertThat(r.getString("name")).isEqualTo("a%b");
        assertThat(r.getBigDecimal("price")).isEqualByComparingTo("9.50");
        assertThat(r.getBoolean("ok")).isTrue();
        Row two = conn.execute("SELECT price FROM items WHERE id = %(id)s", Map.of("id", 2)).fetchone();
        assertThat(two.isNull(0)).isTrue();
        assertThat(two.get(0)).isNull();
    }

    @Test
    void valuesNeverBecomeSql() {
        String hostile = "x'); DROP TABLE items; --";
        conn.execute("INSERT INTO items (id, name) VALUES (%s, %s)", 3, hostile);
        assertThat(conn.execute("SELECT name FROM items WHERE id = 3").fetchone().getString(0)).isEqualTo(hostile);
        assertThat(conn.execute("SELECT count(*) FROM items").fetchone().getLong(0)).isEqualTo(1);
    }

    @Test
    void wrongParameterCountIsAProgrammingError() {
        assertThatThrownBy(() -> conn.execute("SELECT %s, %s", 1)).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("2 placeholders").hasMessageContaining("1 parameter");
        assertThatThrownBy(() -> conn.execute("SELECT %(a)s", Map.of("b", 1))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("\"a\"");
    }

    @Test
    void noParametersMeansSimpleProtocolAndSeveralStatements() {
        Cursor<Row> cur = conn.execute("INSERT INTO items (id) VALUES (10); SELECT 1 AS a; SELECT 2 AS b, 3 AS c");
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
        Cursor<Row> cur = conn.execute("SELECT g FROM generate_series(1, 10) g");
        assertThat(cur.rowcount()).isEqualTo(10);
        assertThat(cur.rownumber()).isEqualTo(0);
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
        assertThat(cur.fetchall()).isEmpty();
        cur.scroll(0, "absolute");
        assertThat(cur.fetchall()).hasSize(10);
        cur.close();
        assertThatThrownBy(cur::fetchone).isInstanceOf(InterfaceException.class);
    }

    @Test
    void descriptionDescribesColumns() {
        Cursor<Row> cur = conn.execute("SELECT 1::int4 AS i, 'x'::varchar(12) AS v, 1.5::numeric(8,3) AS n");
        List<Column> d = cur.description();
        assertThat(d).extracting(Column::name).containsExactly("i", "v", "n");
        assertThat(d.get(0).typeOid()).isEqualTo(23);
        assertThat(d.get(0).internalSize()).isEqualTo(4);
        assertThat(d.get(1).displaySize()).isEqualTo(12);
        assertThat(d.get(2).precision()).isEqualTo(8);
        assertThat(d.get(2).scale()).isEqualTo(3);
        assertThat(conn.execute("CREATE TEMP TABLE z (a int)").description()).isNull();
    }

    @Test
    void typedGettersConvertAndRefuseNull() {
        Row r = conn.execute("SELECT 42::int8 AS big, 2.5::float8 AS f, NULL::int AS n, '17' AS s").fetchone();
        assertThat(r.getInt("big")).isEqualTo(42);
        assertThat(r.getLong(0)).isEqualTo(42L);
        assertThat(r.getDouble("f")).isEqualTo(2.5);
        assertThat(r.getInt("s")).isEqualTo(17);
        assertThat(r.get(0, Long.class)).isEqualTo(42L);
        assertThatThrownBy(() -> r.getInt("n")).isInstanceOf(dev.tusk.errors.DataException.class).hasMessageContaining("NULL");
        assertThatThrownBy(() -> r.get(9)).isInstanceOf(ProgrammingException.class).hasMessageContaining("out of range");
        assertThatThrownBy(() -> r.get("nope")).isInstanceOf(ProgrammingException.class).hasMessageContaining("nope");
        Row b = conn.execute("SELECT 42::int8, 2.5::float8, true", List.of(), ExecuteOptions.builder().binary(true).build()).fetchone();
        assertThat(b.getLong(0)).isEqualTo(42L);
        assertThat(b.getDouble(1)).isEqualTo(2.5);
        assertThat(b.getBoolean(2)).isTrue();
    }

    @Test
    void rowFactoriesShapeRows() {
        conn.execute("INSERT INTO items VALUES (1, 'one', 1.00, true), (2, 'two', 2.00, false)");
        record Item(int id, String name) { }
        assertThat(conn.cursor(Rows.classRow(Item.class)).execute("SELECT id, name FROM items ORDER BY id").fetchall())
                .containsExactly(new Item(1, "one"), new Item(2, "two"));
        assertThat(conn.cursor(Rows.dict()).execute("SELECT id, name FROM items WHERE id = 1").fetchone())
                .containsEntry("name", "one");
        assertThat(conn.cursor(Rows.tuple()).execute("SELECT name, id FROM items WHERE id = 2").fetchone().get(0))
                .isEqualTo("two");
        assertThat(conn.cursor(Rows.scalar()).execute("SELECT name FROM items ORDER BY id").fetchall())
                .containsExactly("one", "two");
        assertThat(conn.cursor(Rows.kwargs(m -> m.get("name") + "!")).execute("SELECT name FROM items WHERE id = 1").fetchone())
                .isEqualTo("one!");
        record Missing(int id, String nope) { }
        assertThatThrownBy(() -> conn.cursor(Rows.classRow(Missing.class)).execute("SELECT id FROM items").fetchall())
                .isInstanceOf(ProgrammingException.class).hasMessageContaining("nope");
    }

    @Test
    void serverErrorsMapToTheirClassAndKeepTheConnectionUsable() {
        conn.execute("INSERT INTO items (id) VALUES (1)");
        assertThatThrownBy(() -> conn.execute("INSERT INTO items (id) VALUES (%s)", 1))
                .isInstanceOf(IntegrityException.class)
                .satisfies(e -> {
                    IntegrityException ie = (IntegrityException) e;
                    assertThat(ie.sqlstate()).isEqualTo("23505");
                    assertThat(ie.diag().constraintName()).isEqualTo("items_pkey");
                    assertThat(ie.diag().tableName()).isEqualTo("items");
                    assertThat(ie.diag().messageDetail()).contains("(id)=(1)");
                });
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void noticesReachHandlers() {
        List<String> notices = new ArrayList<>();
        conn.addNoticeHandler(d -> notices.add(d.severity() + ":" + d.messagePrimary()));
        conn.execute("DO $$ BEGIN RAISE NOTICE 'hello %', 42; END $$");
        assertThat(notices).containsExactly("NOTICE:hello 42");
    }

    @Test
    void oneConnectionSharedByThreads() throws Exception {
        int threads = 8;
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (int t = 0; t < threads; t++) {
            int id = t;
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; i < 200; i++) {
                        int got = conn.execute("SELECT %s::int", id * 1000 + i).fetchone().getInt(0);
                        if (got != id * 1000 + i) {
                            throw new AssertionError("wrong result " + got);
                        }
                    }
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(th);
            th.start();
        }
        for (Thread th : ts) {
            th.join();
        }
        assertThat(errors).isEmpty();
    }
}
