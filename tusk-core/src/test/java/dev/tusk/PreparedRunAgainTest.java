package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A prepared statement run again and again on one connection: whatever the driver keeps from one execution for the
 * next (the cache's decision for the statement run last, its name, its columns) must not outlive what the server
 * knows, nor be shared by two executions whose results are read at the same time.
 */
@TuskTest
class PreparedRunAgainTest {
    private static final String QUERY = "SELECT g, %s::int AS k FROM generate_series(1, 3) g";

    private static Connection<Row> connect(TestDatabase db) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true)
                .build());
    }

    private static long preparedNamed(Connection<Row> conn, String like) {
        return conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", like).fetchone()
                .getLong(0);
    }

    private static List<Integer> ks(Cursor<Row> cur) {
        List<Integer> out = new ArrayList<>();
        for (Row r : cur.fetchall()) {
            out.add(r.getInt(1));
        }
        return out;
    }

    @Test
    void aStatementForgottenByTheServerBetweenTwoRunsIsPreparedAgain(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            for (String forget : List.of("DEALLOCATE ALL", "DISCARD ALL")) {
                for (int i = 0; i < 3; i++) { // prepared, then run by name
                    assertThat(conn.execute("SELECT %s::int AS again_a", i).fetchone().getInt(0)).isEqualTo(i);
                }
                assertThat(preparedNamed(conn, "%again_a%")).isEqualTo(1);
                conn.execute(forget); // no parameters: the simple protocol, not the prepared-statement cache
                assertThat(preparedNamed(conn, "%again_a%")).as(forget).isZero();
                assertThat(conn.execute("SELECT %s::int AS again_a", 7).fetchone().getInt(0)).as(forget).isEqualTo(7);
                assertThat(preparedNamed(conn, "%again_a%")).as(forget).isEqualTo(1);
            }
        }
    }

    @Test
    void aPreparedStatementThatFailsIsPreparedAgainOnTheRetry(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            for (int i = 1; i <= 3; i++) {
                assertThat(conn.execute("SELECT 6 / %s::int AS again_b", i).fetchone().getInt(0)).isEqualTo(6 / i);
            }
            for (int round = 0; round < 3; round++) {
                assertThatThrownBy(() -> conn.execute("SELECT 6 / %s::int AS again_b", 0))
                        .isInstanceOf(TuskException.class).hasMessageContaining("division by zero");
                assertThat(conn.execute("SELECT 6 / %s::int AS again_b", 2).fetchone().getInt(0)).isEqualTo(3);
                assertThat(conn.execute("SELECT 6 / %s::int AS again_b", 3).fetchone().getInt(0)).isEqualTo(2);
            }
            assertThat(preparedNamed(conn, "%again_b%")).isEqualTo(1);
        }
    }

    @Test
    void aStatementEvictedByALowerMaximumIsPreparedAgain(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            for (int i = 0; i < 3; i++) {
                assertThat(conn.execute("SELECT %s::int AS again_c", i).fetchone().getInt(0)).isEqualTo(i);
            }
            conn.setPreparedMax(0); // nothing stays prepared: the statement runs unnamed, its name closed
            assertThat(conn.execute("SELECT %s::int AS again_c", 4).fetchone().getInt(0)).isEqualTo(4);
            assertThat(preparedNamed(conn, "%again_c%")).isZero();
            conn.setPreparedMax(5);
            for (int i = 5; i < 8; i++) {
                assertThat(conn.execute("SELECT %s::int AS again_c", i).fetchone().getInt(0)).isEqualTo(i);
            }
            assertThat(preparedNamed(conn, "%again_c%")).isEqualTo(1);
        }
    }

    @Test
    void twoCursorsOfTheSamePreparedStatementReadInterleaved(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            conn.execute(QUERY, 0); // prepared from here on
            Cursor<Row> a = conn.cursor();
            Cursor<Row> b = conn.cursor();
            a.execute(QUERY, 1);
            b.execute(QUERY, 2);
            for (int g = 1; g <= 3; g++) {
                Row ra = a.fetchone();
                Row rb = b.fetchone();
                assertThat(List.of(ra.getInt(0), ra.getInt(1))).isEqualTo(List.of(g, 1));
                assertThat(List.of(rb.getInt(0), rb.getInt(1))).isEqualTo(List.of(g, 2));
            }
            assertThat(a.fetchone()).isNull();
            assertThat(b.fetchone()).isNull();
        }
    }

    @Test
    void twoStreamsOfTheSamePreparedStatementReadInterleaved(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            conn.execute(QUERY, 0);
            Cursor<Row> a = conn.cursor();
            Cursor<Row> b = conn.cursor();
            // the second statement reads the rest of the first stream into memory (keepRest) before it runs
            try (Stream<Row> sa = a.stream(QUERY, List.of(1), ExecuteOptions.DEFAULT, true);
                 Stream<Row> sb = b.stream(QUERY, List.of(2), ExecuteOptions.DEFAULT, true)) {
                Iterator<Row> ia = sa.iterator();
                Iterator<Row> ib = sb.iterator();
                for (int g = 1; g <= 3; g++) {
                    Row ra = ia.next();
                    assertThat(List.of(ra.getInt(0), ra.getInt(1))).isEqualTo(List.of(g, 1));
                    Row rb = ib.next();
                    assertThat(List.of(rb.getInt(0), rb.getInt(1))).isEqualTo(List.of(g, 2));
                }
                assertThat(ia.hasNext()).isFalse();
                assertThat(ib.hasNext()).isFalse();
            }
            assertThat(ks(conn.execute(QUERY, 3))).containsExactly(3, 3, 3);
        }
    }

    @Test
    void aStreamThatFailsMidwayLeavesTheStatementToRunAgain(TestDatabase db) {
        String failing = "SELECT 6 / (%s::int - g) AS q FROM generate_series(1, 600) g";
        try (Connection<Row> conn = connect(db)) {
            assertThat(conn.execute(failing, 1000).fetchall()).hasSize(600);
            Cursor<Row> cur = conn.cursor();
            List<Integer> seen = new ArrayList<>();
            assertThatThrownBy(() -> {
                try (Stream<Row> rows = cur.stream(failing, List.of(300), ExecuteOptions.DEFAULT, true)) {
                    rows.forEach(r -> seen.add(r.getInt(0)));
                }
            }).isInstanceOf(TuskException.class).hasMessageContaining("division by zero");
            assertThat(seen).hasSizeLessThan(300);
            assertThat(conn.execute(failing, 1000).fetchall()).hasSize(600);
            assertThat(conn.execute(failing, 601).fetchone().getInt(0)).isEqualTo(6 / 600);
        }
    }

    @Test
    void thePreparedStatementQueuedSeveralTimesInAPipeline(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            conn.execute(QUERY, 0);
            List<Cursor<Row>> cursors = new ArrayList<>();
            try (Pipeline p = conn.pipeline()) {
                for (int k = 1; k <= 4; k++) {
                    Cursor<Row> c = conn.cursor();
                    c.execute(QUERY, k);
                    cursors.add(c);
                }
                Cursor<Row> failing = conn.cursor();
                failing.execute("SELECT 1 / %s::int", 0);
                Cursor<Row> skipped = conn.cursor();
                skipped.execute(QUERY, 9);
                assertThatThrownBy(p::sync).hasMessageContaining("division by zero");
            }
            for (int k = 1; k <= 4; k++) {
                assertThat(ks(cursors.get(k - 1))).as("cursor %d", k).containsExactly(k, k, k);
            }
            assertThat(ks(conn.execute(QUERY, 5))).containsExactly(5, 5, 5);
        }
    }
}
