package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30's prepared-statement findings, ported from psycopg's {@code tests/test_prepared.py} and
 * {@code tests/test_pipeline.py}, on both drivers.
 */
@Timeout(60)
@TuskTest
class PsycopgParityPreparedTest {
    private static final String COUNT = "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE '%marker_one%'";

    /**
     * psycopg test_pipeline.py::test_auto_prepare: ten executions of one statement in a pipeline prepare it once
     * (psycopg asserts the names of the prepared statements: one).
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStatementRunManyTimesInAPipelineIsPreparedOnce(Flavour flavour, TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).prepareThreshold(5).build();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options)) {
                List<Cursor<Row>> curs = new ArrayList<>();
                try (Pipeline p = conn.pipeline()) {
                    for (int i = 0; i < 10; i++) {
                        curs.add(conn.execute("SELECT %s::int AS marker_one", i));
                    }
                }
                for (int i = 0; i < 10; i++) {
                    assertThat(curs.get(i).fetchone().getInt(0)).isEqualTo(i);
                }
                assertThat(conn.execute(COUNT).fetchone().getLong(0)).isEqualTo(1);
                try (Pipeline p = conn.pipeline()) {
                    for (int i = 0; i < 10; i++) {
                        conn.execute("SELECT %s::int AS marker_one", i);
                    }
                }
                assertThat(conn.execute(COUNT).fetchone().getLong(0)).isEqualTo(1);
                // each result fetched (a flush, no Sync) before the next execution, and executemany in the pipeline
                try (Pipeline p = conn.pipeline()) {
                    for (int i = 0; i < 10; i++) {
                        assertThat(conn.execute("SELECT %s::int AS marker_fetched", i).fetchone().getInt(0)).isEqualTo(i);
                    }
                    for (int i = 0; i < 10; i++) {
                        conn.cursor().executemany("SELECT %s::int AS marker_many", List.of(1, 2, 3));
                    }
                }
                assertThat(conn.execute(COUNT.replace("marker_one", "marker_fetched")).fetchone().getLong(0)).isEqualTo(1);
                assertThat(conn.execute(COUNT.replace("marker_one", "marker_many")).fetchone().getLong(0)).isEqualTo(1);
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                for (int round = 0; round < 2; round++) {
                    AsyncPipeline p = conn.pipeline();
                    List<CompletableFuture<AsyncCursor<Row>>> curs = new ArrayList<>();
                    for (int i = 0; i < 10; i++) {
                        curs.add(conn.execute("SELECT %s::int AS marker_one", i));
                        conn.cursor().executemany("SELECT %s::int AS marker_many", List.of(1, 2, 3));
                    }
                    Flavour.join(p.sync());
                    Flavour.join(p.closeAsync());
                    for (int i = 0; i < 10; i++) {
                        assertThat(Flavour.join(curs.get(i)).fetchone().getInt(0)).isEqualTo(i);
                    }
                    assertThat(Flavour.join(conn.execute(COUNT)).fetchone().getLong(0)).as("round %d", round).isEqualTo(1);
                    assertThat(Flavour.join(conn.execute(COUNT.replace("marker_one", "marker_many"))).fetchone().getLong(0))
                            .as("round %d", round).isEqualTo(1);
                }
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg test_pipeline.py::test_auto_prepare, as written: a statement without parameters run ten times in a
     * pipeline with prepareThreshold 5 sees 0 prepared statements five times, then 1.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void autoPrepareInAPipelineAsPsycopgTestsIt(Flavour flavour, TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(5).build();
        String sql = "select count(*) from pg_prepared_statements where name != ''";
        List<Long> seen = new ArrayList<>();
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(options)) {
                List<Cursor<Row>> curs = new ArrayList<>();
                try (Pipeline p = conn.pipeline()) {
                    for (int i = 0; i < 10; i++) {
                        curs.add(conn.execute(sql));
                    }
                }
                curs.forEach(c -> seen.add(c.fetchone().getLong(0)));
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(options));
            try {
                AsyncPipeline p = conn.pipeline();
                List<CompletableFuture<AsyncCursor<Row>>> curs = new ArrayList<>();
                for (int i = 0; i < 10; i++) {
                    curs.add(conn.execute(sql));
                }
                Flavour.join(p.closeAsync());
                curs.forEach(c -> seen.add(Flavour.join(c).fetchone().getLong(0)));
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
        assertThat(seen).containsExactly(0L, 0L, 0L, 0L, 0L, 1L, 1L, 1L, 1L, 1L);
    }

    private static ConnectOptions<Row> prepareAtOnce(TestDatabase db, boolean autocommit) {
        return ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(autocommit).build();
    }

    /**
     * psycopg test_prepared.py::test_alter_table_clears_state: in one transaction, a prepared {@code SELECT *} works
     * after {@code ALTER TABLE ... ADD} (the stale-plan retry cannot help there: not the first statement).
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void alterTableClearsThePreparedStatements(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(prepareAtOnce(db, false))) {
            conn.rows("CREATE TABLE testalter (id serial primary key, data text)");
            conn.rows("INSERT INTO testalter (data) values (%s)", "foo");
            assertThat(conn.rows("SELECT * from testalter WHERE id > %s ORDER BY id", 0)).hasSize(1);
            conn.rows("ALTER TABLE testalter ADD data2 text");
            conn.rows("INSERT INTO testalter (data) values (%s)", "bar");
            List<Row> rows = conn.rows("SELECT * from testalter WHERE id > %s ORDER BY id", 0);
            assertThat(rows).extracting(r -> r.getString(1)).containsExactly("foo", "bar");
            assertThat(rows.get(0).size()).isEqualTo(3);
            conn.rollback();
        }
    }

    /**
     * psycopg test_prepared.py::test_change_type: an INSERT casting to an enum type dropped and created again in
     * the same transaction works (without clearing: XX000 "cache lookup failed for type").
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anEnumDroppedAndCreatedAgainIsPreparedAgain(Flavour flavour, TestDatabase db) {
        String insert = "INSERT INTO preptable (bar) VALUES (%s::prepenum[])";
        try (Flavour.Session conn = flavour.open(prepareAtOnce(db, false))) {
            conn.rows("CREATE TYPE prepenum AS ENUM ('foo', 'bar', 'baz')");
            conn.rows("CREATE TABLE preptable(id integer, bar prepenum[])");
            conn.rows(insert, List.of("foo"));
            conn.rows("DROP TABLE preptable");
            conn.rows("DROP TYPE prepenum");
            conn.rows("CREATE TYPE prepenum AS ENUM ('foo', 'bar', 'baz')");
            conn.rows("CREATE TABLE preptable(id integer, bar prepenum[])");
            conn.rows(insert, List.of("foo"));
            assertThat(conn.one("SELECT count(*) FROM preptable").getLong(0)).isEqualTo(1);
            conn.rollback();
        }
    }

    /** psycopg test_prepared.py::test_change_type_execute: the same type created again after each rollback. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void anEnumCreatedAgainAfterARollbackIsPreparedAgain(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(prepareAtOnce(db, false))) {
            for (int i = 0; i < 3; i++) {
                conn.rows("CREATE TYPE prepenum AS ENUM ('foo', 'bar', 'baz')");
                conn.rows("CREATE TABLE preptable(id integer, bar prepenum[])");
                conn.rows("INSERT INTO preptable (bar) VALUES (%s::prepenum[])", List.of("foo"));
                conn.rollback();
            }
        }
    }

    /**
     * The type dropped and created again by another session, under an autocommit connection's prepared statement:
     * the server's XX000 "cache lookup failed for type" is invisible, the statement prepared again and run once more.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aTypeReplacedByAnotherSessionIsPreparedAgainTransparentlyInAutocommit(Flavour flavour, TestDatabase db) {
        String insert = "INSERT INTO othertable (bar) VALUES (%s::otherenum[])";
        try (Flavour.Session conn = flavour.open(prepareAtOnce(db, true));
             Connection<Row> other = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            other.execute("CREATE TYPE otherenum AS ENUM ('foo', 'bar')");
            other.execute("CREATE TABLE othertable(id integer, bar otherenum[])");
            conn.rows(insert, List.of("foo"));
            other.execute("DROP TABLE othertable");
            other.execute("DROP TYPE otherenum");
            other.execute("CREATE TYPE otherenum AS ENUM ('foo', 'bar')");
            other.execute("CREATE TABLE othertable(id integer, bar otherenum[])");
            conn.rows(insert, List.of("bar"));
            assertThat(conn.one("SELECT bar::text FROM othertable").getString(0)).isEqualTo("{bar}");
            conn.rows(insert, List.of("foo"));
            other.execute("DROP TABLE othertable");
            other.execute("DROP TYPE otherenum");
        }
    }

    /** psycopg test_prepared.py::test_discard_clears_state. */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void discardAllClearsThePreparedStatements(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(prepareAtOnce(db, true))) {
            conn.rows("CREATE TABLE testdisc (id serial primary key, data text)");
            conn.rows("INSERT INTO testdisc (data) values (%s)", "foo");
            conn.rows("DISCARD ALL");
            conn.rows("INSERT INTO testdisc (data) values (%s)", "bar");
            assertThat(conn.one("SELECT count(*) FROM testdisc").getLong(0)).isEqualTo(2);
            conn.rows("DROP TABLE testdisc");
        }
    }
}
