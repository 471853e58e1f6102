package dev.tusk.values;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
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

import static org.assertj.core.api.Assertions.assertThat;

/** trust #8: executemany binds each row with its own parameter types, not the first row's. */
@Timeout(60)
@TuskTest
class ExecutemanyTypesTest {
    private Connection<Row> conn;
    private String conninfo;

    @BeforeEach
    void open(TestDatabase db) {
        conninfo = db.conninfo();
        conn = Connection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true).build());
        conn.execute("CREATE TABLE f (i int, d float8, r real, n numeric)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private List<Double> column(String col) {
        List<Double> out = new ArrayList<>();
        for (Row r : conn.execute("SELECT " + col + " FROM f ORDER BY i").fetchall()) {
            out.add(r.getDouble(0));
        }
        return out;
    }

    // trust #8
    @Test
    void aDoubleThenALongIntoFloat8AreBothStoredAsNumbers() {
        // INSERT ... SELECT is not rewritten: one Parse, one Bind per row
        conn.cursor().executemany("INSERT INTO f (i, d) SELECT %s, %s", List.of(List.of(1, 1.5), List.of(2, 200L)));
        conn.cursor().executemany("UPDATE f SET d = %s WHERE i = %s", List.of(List.of(2.5, 1), List.of(300L, 2)));
        conn.cursor().executemany("INSERT INTO f (i, d) VALUES (%s, %s) RETURNING d", List.of(List.of(3, 4.5), List.of(4, 500L)), true);
        assertThat(column("d")).containsExactly(2.5, 300.0, 4.5, 500.0);
    }

    // trust #8
    @Test
    void anIntegerThenAFloatIntoRealAndALongThenADoubleIntoNumeric() {
        conn.cursor().executemany("INSERT INTO f (i, r, n) SELECT %s, %s, %s",
                List.of(List.of(1, 7, 5L), List.of(2, 2.5f, 0.25), List.of(3, 9, 12L)));
        assertThat(column("r")).containsExactly(7.0, 2.5, 9.0);
        assertThat(column("n")).containsExactly(5.0, 0.25, 12.0);
    }

    // trust #8: the rewritten multi-row INSERT: chunks of 128 rows whose types change from chunk to chunk and within one
    @Test
    void theRewrittenInsertBindsEveryChunkWithItsOwnTypes() {
        List<List<Object>> rows = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            Object d = i < 128 ? (Object) (double) i : i < 256 ? (Object) (long) i : (i % 2 == 0 ? (Object) i : (Object) new BigDecimal(i));
            rows.add(Arrays.asList(i, d, i % 3 == 0 ? (Object) (short) i : (Object) (float) i, i % 5 == 0 ? null : (Object) (long) i));
        }
        conn.cursor().executemany("INSERT INTO f (i, d, r, n) VALUES (%s, %s, %s, %s)", rows);
        List<Row> got = conn.execute("SELECT i, d, r, n FROM f ORDER BY i").fetchall();
        assertThat(got).hasSize(300);
        for (Row r : got) {
            int i = r.getInt(0);
            assertThat(r.getDouble(1)).as("d of row %d", i).isEqualTo(i);
            assertThat(r.getDouble(2)).as("r of row %d", i).isEqualTo(i);
            if (i % 5 == 0) {
                assertThat(r.get(3)).isNull();
            } else {
                assertThat(r.getLong(3)).as("n of row %d", i).isEqualTo(i);
            }
        }
    }

    // trust #8: the same statement prepared (threshold reached) and then run with other types
    @Test
    void aPreparedStatementIsNotReusedForRowsOfOtherTypes() {
        for (int k = 0; k < 8; k++) {
            conn.cursor().executemany("INSERT INTO f (i, d) VALUES (%s, %s) RETURNING d",
                    List.of(List.of(k, 1.25), List.of(k, 3L), List.of(k, 2.5)), true);
        }
        assertThat(conn.execute("SELECT count(*) FROM f WHERE d NOT IN (1.25, 3, 2.5)").fetchone().getLong(0)).isZero();
        assertThat(conn.execute("SELECT sum(d) FROM f").fetchone().getDouble(0)).isEqualTo(8 * 6.75);
    }

    // trust #8
    @Test
    void asyncExecutemanyBindsEachRowWithItsOwnTypes() {
        AsyncConnection<Row> a = AsyncConnection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true).build()).join();
        try {
            a.cursor().executemany("INSERT INTO f (i, d) SELECT %s, %s", List.of(List.of(1, 1.5), List.of(2, 200L))).join();
            List<List<Object>> rows = new ArrayList<>();
            for (int i = 3; i < 303; i++) { // rewritten: chunks of 128 rows, Doubles in the first, Longs in the second
                rows.add(List.of(i, i < 131 ? (Object) (double) i : (Object) (long) i));
            }
            a.cursor().executemany("INSERT INTO f (i, d) VALUES (%s, %s)", rows).join();
        } finally {
            a.closeAsync().join();
        }
        List<Double> d = column("d");
        assertThat(d).hasSize(302);
        assertThat(d.subList(0, 2)).containsExactly(1.5, 200.0);
        for (int i = 3; i < 303; i++) {
            assertThat(d.get(i - 1)).isEqualTo(i);
        }
    }
}
