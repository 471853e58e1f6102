package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A row's values by column name: the first of duplicate names wins, and a name the result lacks is refused with the
 * result's column names; alike for fetched rows, streamed rows and a stream of a prepared statement run again (whose
 * rows reuse the first stream's index by name).
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RowByNameTest {
    private static final String Q = "SELECT 1 AS a, 2 AS b, 3 AS a";

    private static void readsByName(Row r) {
        assertThat(r.getInt("a")).isEqualTo(1);
        assertThat(r.getInt("b")).isEqualTo(2);
        assertThatThrownBy(() -> r.get("c")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("no column named \"c\"").hasMessageContaining("[a, b, a]");
    }

    @Test
    void fetchedStreamedAndStreamedAgain(TestDatabase db) {
        // prepared at once: the second stream reads with the first one's loaders and index by name
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            List<Row> fetched = conn.execute(Q).fetchall();
            assertThat(fetched).hasSize(1);
            readsByName(fetched.get(0));
            Cursor<Row> cur = conn.cursor();
            for (int i = 0; i < 2; i++) {
                try (Stream<Row> s = cur.stream(Q)) {
                    List<Row> rows = s.toList();
                    assertThat(rows).hasSize(1);
                    readsByName(rows.get(0));
                }
            }
        }
    }
}
