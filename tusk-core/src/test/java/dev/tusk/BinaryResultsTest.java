package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

@TuskTest
class BinaryResultsTest {
    private static final String QUERY = "SELECT 42::int4 AS i, 'text'::text AS t, '2026-11-24 09:30:00.5+00'::timestamptz AS ts,"
            + " 12.50::numeric AS n, true AS b, NULL::int8 AS z FROM generate_series(1, 3)";

    @Test
    void aConnectionDefaultOfBinaryGivesTheSameValues(TestDatabase db) {
        List<List<Object>> text;
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            text = conn.cursor(Rows.tuple()).execute(QUERY, List.of(), ExecuteOptions.DEFAULT).fetchall();
            assertThat(conn.execute(QUERY, List.of(), ExecuteOptions.DEFAULT).description().get(0).formatCode()).isZero();
        }
        ConnectOptions<Row> binary = ConnectOptions.builder().conninfo(db.conninfo()).binary(true).build();
        try (Connection<Row> conn = Connection.connect(binary)) {
            Cursor<Row> cur = conn.execute(QUERY, List.of(), ExecuteOptions.DEFAULT);
            assertThat(cur.description().get(0).formatCode()).as("binary on the wire").isEqualTo(1);
            assertThat(conn.cursor(Rows.tuple()).execute(QUERY, List.of(), ExecuteOptions.DEFAULT).fetchall()).isEqualTo(text);
            Row r = cur.fetchone();
            assertThat(r.getInt("i")).isEqualTo(42);
            assertThat(r.getString("t")).isEqualTo("text");
            assertThat(r.get("ts")).isEqualTo(OffsetDateTime.parse("2026-11-24T09:30:00.5Z"));
            assertThat(r.getBigDecimal("n")).isEqualTo(new BigDecimal("12.50"));
            assertThat(r.getBoolean("b")).isTrue();
            assertThat(r.isNull(5)).isTrue();

            Cursor<Row> textCursor = conn.cursor();
            textCursor.setBinary(false);
            assertThat(textCursor.execute(QUERY, List.of(), ExecuteOptions.DEFAULT).description().get(0).formatCode())
                    .as("a cursor's own choice wins").isZero();
            assertThat(conn.clientCursor().execute("SELECT %s::int", 1).description().get(0).formatCode())
                    .as("a client cursor is always text").isZero();
        }
    }
}
