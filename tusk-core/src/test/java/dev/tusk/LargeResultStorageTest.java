package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A result far larger than one storage chunk (rows are kept in 64 KiB chunks and an offset table in blocks,
 * never moved once full): every value of every row reads back exact, rows larger than a chunk included,
 * whatever the row's place relative to the chunk and block boundaries; NULLs stay NULL.
 */
@TuskTest
@Timeout(120)
class LargeResultStorageTest {
    /** Row g: g, a text whose length cycles up to 300 bytes (a 100 KB one every 5,000 rows), NULL on every 7th row. */
    private static final String QUERY = "SELECT g, CASE WHEN mod(g, 7) = 0 THEN NULL ELSE repeat(chr(65 + mod(g, 26)), "
            + "CASE WHEN mod(g, 5000) = 0 THEN 100000 ELSE mod(g, 301) END) END, g::int8 * 3 FROM generate_series(1, %s) g";

    private static String expectedText(int g) {
        return g % 7 == 0 ? null : String.valueOf((char) ('A' + g % 26)).repeat(g % 5000 == 0 ? 100_000 : g % 301);
    }

    private static void check(List<Row> rows, int n) {
        assertThat(rows).hasSize(n);
        for (int g = 1; g <= n; g++) {
            Row r = rows.get(g - 1);
            assertThat(r.getInt(0)).as("row %d", g).isEqualTo(g);
            assertThat(r.getString(1)).as("row %d", g).isEqualTo(expectedText(g));
            assertThat(r.isNull(1)).as("row %d", g).isEqualTo(g % 7 == 0);
            assertThat(r.getLong(2)).as("row %d", g).isEqualTo(g * 3L);
            assertThat(r.get(2)).as("row %d", g).isEqualTo(g * 3L);
        }
    }

    @Test
    void everyValueOfAResultOfManyChunksReadsBackExactInTextAndBinary(TestDatabase db) {
        for (boolean binary : new boolean[] {false, true}) {
            try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).binary(binary).build())) {
                check(conn.execute(QUERY, 30_000).fetchall(), 30_000);
                check(conn.execute(QUERY, 3).fetchall(), 3); // a small result on the same connection
            }
        }
    }

    @Test
    void aFirstRowLargerThanAChunkAndAStreamOfChunksReadBackExact(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Row big = conn.execute("SELECT repeat('x', 200000), 7").fetchone();
            assertThat(big.getString(0)).isEqualTo("x".repeat(200_000));
            assertThat(big.getInt(1)).isEqualTo(7);
            try (var s = conn.cursor().stream(QUERY, 12_000)) {
                check(s.toList(), 12_000);
            }
        }
    }

    @Test
    void rowsOfNoColumnsAreCounted(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            List<Row> rows = conn.execute("SELECT FROM generate_series(1, 100000)").fetchall();
            assertThat(rows).hasSize(100_000);
            assertThat(rows.get(99_999).size()).isZero();
            Row none = rows.get(0); // a row of no columns has no value to find: each getter says so
            assertThatThrownBy(() -> none.get(0)).isInstanceOf(ProgrammingException.class).hasMessageContaining("out of range");
            assertThatThrownBy(() -> none.getInt(0)).isInstanceOf(ProgrammingException.class);
            assertThatThrownBy(() -> none.getString(0)).isInstanceOf(ProgrammingException.class);
            assertThatThrownBy(() -> none.isNull(0)).isInstanceOf(ProgrammingException.class);
        }
    }
}
