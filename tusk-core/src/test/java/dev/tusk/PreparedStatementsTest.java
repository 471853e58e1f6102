package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class PreparedStatementsTest {

    private static long prepared(Connection<?> conn, String like) {
        return conn.cursor(Rows.row()).execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", like)
                .fetchone().getLong(0);
    }

    @Test
    void preparedFromTheExecutionAfterTheThreshold(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(5).build())) {
            for (int i = 1; i <= 5; i++) {
                conn.execute("SELECT %s::int AS marker_a", i);
                assertThat(prepared(conn, "%marker_a%")).as("after execution %d", i).isZero();
            }
            conn.execute("SELECT %s::int AS marker_a", 6);
            assertThat(prepared(conn, "%marker_a%")).isEqualTo(1);
            assertThat(conn.execute("SELECT %s::int AS marker_a", 7).fetchone().getInt(0)).isEqualTo(7);
        }
    }

    @Test
    void nullThresholdNeverPreparesButExplicitPrepareDoes(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(null).build())) {
            for (int i = 0; i < 20; i++) {
                conn.execute("SELECT %s::int AS marker_b", i);
            }
            assertThat(prepared(conn, "%marker_b%")).isZero();
            conn.execute("SELECT %s::int AS marker_c", List.of(1), ExecuteOptions.builder().prepare(true).build());
            assertThat(prepared(conn, "%marker_c%")).isEqualTo(1);
        }
    }

    @Test
    void zeroThresholdPreparesAtOnceAndFalseNever(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).build())) {
            conn.execute("SELECT %s::int AS marker_d", 1);
            assertThat(prepared(conn, "%marker_d%")).isEqualTo(1);
            conn.execute("SELECT %s::int AS marker_e", List.of(1), ExecuteOptions.builder().prepare(false).build());
            assertThat(prepared(conn, "%marker_e%")).isZero();
        }
    }

    @Test
    void leastRecentlyUsedAreDeallocated(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .prepareThreshold(0).preparedMax(3).build())) {
            for (int i = 0; i < 6; i++) {
                conn.execute("SELECT %s::int AS marker_f" + i, i);
            }
            conn.execute("SELECT 1"); // carries the pending Close messages? no: simple query; run one more extended
            conn.execute("SELECT %s::int AS marker_f5", 5);
            assertThat(prepared(conn, "%marker_f%")).isLessThanOrEqualTo(3);
        }
    }

    @Test
    void discardAllAndChangedResultTypesAreSurvived(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true).build())) {
            conn.execute("CREATE TABLE r (a int)");
            conn.execute("INSERT INTO r VALUES (1)");
            assertThat(conn.execute("SELECT * FROM r WHERE a = %s", 1).fetchone().size()).isEqualTo(1);
            conn.execute("DISCARD ALL");
            assertThat(conn.execute("SELECT * FROM r WHERE a = %s", 1).fetchone().getInt(0)).isEqualTo(1);
            conn.execute("ALTER TABLE r ADD COLUMN b text");
            // the server refuses the cached plan ("cached plan must not change result type"): Tusk re-prepares
            Row row = conn.execute("SELECT * FROM r WHERE a = %s", 1).fetchone();
            assertThat(row.size()).isEqualTo(2);
        }
    }

    @Test
    void aStalePlanIsRePreparedAtTheStartOfATransactionButNotInTheMiddle(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).build())) {
            conn.execute("CREATE TABLE s (a int)");
            conn.execute("INSERT INTO s VALUES (1)");
            conn.commit();
            assertThat(conn.execute("SELECT * FROM s WHERE a = %s", 1).fetchone().size()).isEqualTo(1);
            conn.commit();
            try (Connection<Row> other = Connection.connect(db.conninfo())) {
                other.execute("ALTER TABLE s ADD COLUMN b text");
                other.commit();
            }
            assertThat(conn.execute("SELECT * FROM s WHERE a = %s", 1).fetchone().size()).as("first statement: retried").isEqualTo(2);
            conn.commit();
            try (Connection<Row> other = Connection.connect(db.conninfo())) {
                other.execute("ALTER TABLE s ADD COLUMN c text");
                other.commit();
            }
            conn.execute("SELECT 1");
            assertThatThrownBy(() -> conn.execute("SELECT * FROM s WHERE a = %s", 1))
                    .as("mid-transaction: a retry would hide the rollback of the earlier statements")
                    .hasMessageContaining("cached plan must not change result type");
            conn.rollback();
            assertThat(conn.execute("SELECT * FROM s WHERE a = %s", 1).fetchone().size()).isEqualTo(3);
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
