package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** ConnectOptions.binary(true): results in binary on the wire, the same values; on both drivers. */
@TuskTest
class BinaryResultsTest {
    private static final String QUERY = "SELECT 42::int4 AS i, 'text'::text AS t, '2026-11-24 09:30:00.5+00'::timestamptz AS ts,"
            + " 12.50::numeric AS n, true AS b, NULL::int8 AS z FROM generate_series(1, 3)";

    private static ConnectOptions<Row> binary(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).binary(true).build();
    }

    private static int formatCode(List<Row> rows) {
        return rows.get(0).columns().get(0).formatCode();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aConnectionDefaultOfBinaryGivesTheSameValues(Flavour flavour, TestDatabase db) {
        List<List<Object>> text;
        try (Flavour.Session conn = flavour.open(ConnectOptions.of(db.conninfo()))) {
            List<Row> rows = conn.rows(QUERY, List.of(), ExecuteOptions.DEFAULT);
            assertThat(formatCode(rows)).isZero();
            text = rows.stream().map(Row::values).toList();
        }
        try (Flavour.Session conn = flavour.open(binary(db))) {
            List<Row> rows = conn.rows(QUERY, List.of(), ExecuteOptions.DEFAULT);
            assertThat(formatCode(rows)).as("binary on the wire").isEqualTo(1);
            assertThat(rows.stream().map(Row::values).toList()).isEqualTo(text);
            Row r = rows.get(0);
            assertThat(r.getInt("i")).isEqualTo(42);
            assertThat(r.getString("t")).isEqualTo("text");
            assertThat(r.get("ts")).isEqualTo(OffsetDateTime.parse("2026-11-24T09:30:00.5Z"));
            assertThat(r.getBigDecimal("n")).isEqualTo(new BigDecimal("12.50"));
            assertThat(r.getBoolean("b")).isTrue();
            assertThat(r.isNull(5)).isTrue();
            assertThat(formatCode(conn.rows(QUERY, List.of(), ExecuteOptions.builder().binary(false).build())))
                    .as("a statement's own choice wins").isZero();
        }
    }

    @Test
    void aCursorsOwnChoiceWinsAndAClientCursorIsText(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(binary(db))) {
            Cursor<Row> textCursor = conn.cursor();
            textCursor.setBinary(false);
            assertThat(textCursor.execute(QUERY, List.of(), ExecuteOptions.DEFAULT).description().get(0).formatCode())
                    .as("a cursor's own choice wins").isZero();
            assertThat(conn.clientCursor().execute("SELECT %s::int", 1).description().get(0).formatCode())
                    .as("a client cursor is always text").isZero();
        }
    }

    @Test
    void anAsyncCursorsOwnChoiceWinsAndAClientCursorIsText(TestDatabase db) {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(binary(db)).join()) {
            AsyncCursor<Row> textCursor = conn.cursor();
            textCursor.setBinary(false);
            assertThat(textCursor.execute(QUERY, List.of(), ExecuteOptions.DEFAULT).join().description().get(0).formatCode())
                    .as("a cursor's own choice wins").isZero();
            assertThat(conn.clientCursor().execute("SELECT %s::int", 1).join().description().get(0).formatCode())
                    .as("a client cursor is always text").isZero();
        }
    }
}
