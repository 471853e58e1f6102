package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class PreparedStatementsTest {

    private static long prepared(Flavour.Session conn, String like) {
        return conn.one("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", like).getLong(0);
    }

    private static ConnectOptions.Builder<Row> options(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo());
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void preparedFromTheExecutionAfterTheThreshold(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(5).build())) {
            for (int i = 1; i <= 5; i++) {
                conn.rows("SELECT %s::int AS marker_a", i);
                assertThat(prepared(conn, "%marker_a%")).as("after execution %d", i).isZero();
            }
            conn.rows("SELECT %s::int AS marker_a", 6);
            assertThat(prepared(conn, "%marker_a%")).isEqualTo(1);
            assertThat(conn.one("SELECT %s::int AS marker_a", 7).getInt(0)).isEqualTo(7);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void nullThresholdNeverPreparesButExplicitPrepareDoes(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(null).build())) {
            for (int i = 0; i < 20; i++) {
                conn.rows("SELECT %s::int AS marker_b", i);
            }
            assertThat(prepared(conn, "%marker_b%")).isZero();
            conn.rows("SELECT %s::int AS marker_c", List.of(1), ExecuteOptions.builder().prepare(true).build());
            assertThat(prepared(conn, "%marker_c%")).isEqualTo(1);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void zeroThresholdPreparesAtOnceAndFalseNever(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(0).build())) {
            conn.rows("SELECT %s::int AS marker_d", 1);
            assertThat(prepared(conn, "%marker_d%")).isEqualTo(1);
            conn.rows("SELECT %s::int AS marker_e", List.of(1), ExecuteOptions.builder().prepare(false).build());
            assertThat(prepared(conn, "%marker_e%")).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void leastRecentlyUsedAreDeallocated(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(0).preparedMax(3).build())) {
            for (int i = 0; i < 6; i++) {
                conn.rows("SELECT %s::int AS marker_f" + i, i);
            }
            conn.rows("SELECT %s::int AS marker_f5", 5); // carries the pending Close messages
            assertThat(prepared(conn, "%marker_f%")).isLessThanOrEqualTo(3);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void discardAllAndChangedResultTypesAreSurvived(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(0).autocommit(true).build())) {
            conn.rows("CREATE TABLE r (a int)");
            conn.rows("INSERT INTO r VALUES (1)");
            assertThat(conn.one("SELECT * FROM r WHERE a = %s", 1).size()).isEqualTo(1);
            conn.rows("DISCARD ALL");
            assertThat(conn.one("SELECT * FROM r WHERE a = %s", 1).getInt(0)).isEqualTo(1);
            conn.rows("ALTER TABLE r ADD COLUMN b text");
            // the server refuses the cached plan ("cached plan must not change result type"): Tusk re-prepares
            assertThat(conn.one("SELECT * FROM r WHERE a = %s", 1).size()).isEqualTo(2);
            conn.rows("DROP TABLE r");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aStalePlanIsRePreparedAtTheStartOfATransactionButNotInTheMiddle(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(options(db).prepareThreshold(0).build())) {
            conn.rows("CREATE TABLE s (a int)");
            conn.rows("INSERT INTO s VALUES (1)");
            conn.commit();
            assertThat(conn.one("SELECT * FROM s WHERE a = %s", 1).size()).isEqualTo(1);
            conn.commit();
            try (Connection<Row> other = Connection.connect(db.conninfo())) {
                other.execute("ALTER TABLE s ADD COLUMN b text");
                other.commit();
            }
            assertThat(conn.one("SELECT * FROM s WHERE a = %s", 1).size()).as("first statement: retried").isEqualTo(2);
            conn.commit();
            try (Connection<Row> other = Connection.connect(db.conninfo())) {
                other.execute("ALTER TABLE s ADD COLUMN c text");
                other.commit();
            }
            conn.rows("SELECT 1");
            assertThatThrownBy(() -> conn.rows("SELECT * FROM s WHERE a = %s", 1))
                    .as("mid-transaction: a retry would hide the rollback of the earlier statements")
                    .hasMessageContaining("cached plan must not change result type");
            conn.rollback();
            assertThat(conn.one("SELECT * FROM s WHERE a = %s", 1).size()).isEqualTo(3);
            conn.rows("DROP TABLE s");
            conn.commit();
        }
    }

    @Test
    void aPreparedStatementIsDescribedOnceThenRunsWithTheColumnsItKnows(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).build())) {
            RoundTripCounter counter = RoundTripCounter.attach(conn);
            for (int i = 0; i < 5; i++) {
                Cursor<Row> cur = conn.execute("SELECT %s::int AS n, 'x' AS s", i);
                assertThat(cur.description()).extracting(Column::name).containsExactly("n", "s");
                assertThat(cur.fetchone().getInt("n")).isEqualTo(i);
            }
            assertThat(counter.describes()).as("the first execution only").isEqualTo(1);
            Cursor<Row> none = conn.execute("SELECT %s::int AS n WHERE false", 1);
            assertThat(none.fetchall()).isEmpty();
            assertThat(none.description()).extracting(Column::name).containsExactly("n");
            Cursor<Row> bin = conn.execute("SELECT %s::int AS n, 'x' AS s", List.of(7), ExecuteOptions.builder().binary(true).build());
            assertThat(bin.fetchone().getInt(0)).as("binary results are described on their own").isEqualTo(7);
        }
    }
}
