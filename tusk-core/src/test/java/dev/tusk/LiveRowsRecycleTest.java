package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.rows.RowAccess;
import dev.tusk.internal.rows.RowsNotKept;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A driver's row stream of a factory whose rows are used one at a time ({@link RowsNotKept}: tusk-jdbc's live
 * result sets), reused by its cursor's next statement, also writes that statement's first result into the storage
 * of the last result of the statement before, and shows it through that result's view, when the result is small
 * and has the same columns (a prepared statement run again): each way the statement before could leak into the
 * next (more rows, longer or NULL values, an error midway, a close in the middle, an interruption, other columns,
 * a TimeZone change, DEALLOCATE ALL, a stale plan) reads the next statement as new storage would, and a large result's
 * storage is never kept past its statement.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveRowsRecycleTest {
    /** Rows used one at a time, as tusk-jdbc's live result set uses them: each read before the next is asked for. */
    private static final class NotKept implements RowFactory<Row>, RowsNotKept {
        @Override
        public RowMaker<Row> maker(List<Column> columns) {
            return r -> r;
        }
    }

    @SuppressWarnings("unchecked")
    private static final RowAccess.Hooks<Row, ?, ?> ROWS = (RowAccess.Hooks<Row, ?, ?>) RowAccess.hooks();

    private Connection<Row> conn;
    private Cursor<Row> cur;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true).build());
        conn.execute("CREATE TEMP TABLE recycle (id int4, v text)");
        conn.execute("INSERT INTO recycle VALUES (1, 'a'), (2, 'a much longer value than the first one'), (3, NULL)");
        cur = conn.cursor(new NotKept());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private RowStream<Row> live(String q, Object... params) {
        return cur.liveRows(q, params, ExecuteOptions.DEFAULT, true);
    }

    /** Each row as its values' text joined by '|' (NULL as "null"), read before the next row is asked for. */
    private static List<String> all(RowStream<Row> rows) {
        List<String> out = new ArrayList<>();
        try (rows) {
            while (rows.hasNext()) {
                Row r = rows.next();
                StringBuilder sb = new StringBuilder();
                for (int i = 0; i < r.size(); i++) {
                    sb.append(i > 0 ? "|" : "").append(r.isNull(i) ? "null" : r.getString(i));
                }
                out.add(sb.toString());
            }
        }
        return out;
    }

    /** The storage array of the first row of {@code rows}' next statement, read and closed. */
    private static byte[] firstChunk(RowStream<Row> rows) {
        try (rows) {
            return ROWS.chunk(rows.next());
        }
    }

    private static final String UP_TO = "SELECT id, v FROM recycle WHERE id <= %s ORDER BY id";

    @Test
    void thePreparedStatementRunAgainWritesIntoTheStorageOfTheRunBefore() {
        assertThat(all(live(UP_TO, 3))).containsExactly("1|a", "2|a much longer value than the first one", "3|null");
        RowStream<Row> s = live(UP_TO, 3); // without Describe now: the columns the cache knows
        byte[] chunk = firstChunk(s);
        assertThat(s.recycledData()).as("a small result is kept for the next run").isNotNull();
        RowStream<Row> again = live(UP_TO, 1);
        assertThat(again).isSameAs(s);
        byte[] reused;
        List<String> rows = new ArrayList<>();
        try (again) {
            Row r = again.next();
            reused = ROWS.chunk(r);
            rows.add(r.getInt(0) + "|" + r.getString(1));
            assertThat(again.hasNext()).as("one row: none of the three of the run before").isFalse();
        }
        assertThat(reused).as("the storage of the run before").isSameAs(chunk);
        assertThat(rows).containsExactly("1|a");
    }

    @Test
    void fewerRowsNoRowsLongerAndNullValuesAfterEachOther() {
        for (int k = 0; k < 2; k++) {
            assertThat(all(live(UP_TO, 1))).containsExactly("1|a");
            assertThat(all(live(UP_TO, 3))).containsExactly("1|a", "2|a much longer value than the first one", "3|null");
            assertThat(all(live(UP_TO, 0))).isEmpty();
            assertThat(all(live(UP_TO, 2))).containsExactly("1|a", "2|a much longer value than the first one");
            assertThat(all(live("SELECT id, v FROM recycle WHERE id = %s", 3))).containsExactly("3|null");
            assertThat(all(live("SELECT id, v FROM recycle WHERE id = %s", 2)))
                    .containsExactly("2|a much longer value than the first one");
        }
    }

    @Test
    void aLargeResultsStorageIsNotKept() {
        String big = "SELECT g, repeat('x', 100) FROM generate_series(1, %s) g";
        assertThat(all(live(big, 3))).hasSize(3);
        RowStream<Row> s = live(big, 3);
        assertThat(all(s)).hasSize(3);
        assertThat(s.recycledData()).isNotNull();
        RowStream<Row> large = live(big, 200);
        assertThat(large).isSameAs(s);
        assertThat(all(large)).hasSize(200).last().isEqualTo("200|" + "x".repeat(100));
        assertThat(large.recycledData()).as("20 kB of rows: dropped with the statement").isNull();
        assertThat(all(live(big, 2))).containsExactly("1|" + "x".repeat(100), "2|" + "x".repeat(100));
    }

    @Test
    void otherColumnsInBetweenAreReadAsTheirOwn() {
        for (int k = 0; k < 3; k++) {
            assertThat(all(live(UP_TO, 2))).containsExactly("1|a", "2|a much longer value than the first one");
            assertThat(all(live("SELECT v, id, id * 10 FROM recycle WHERE id = %s", 2)))
                    .containsExactly("a much longer value than the first one|2|20");
            assertThat(all(live("SELECT count(*) FROM recycle WHERE id <= %s", 3))).containsExactly("3");
        }
    }

    @Test
    void aTimeZoneChangeBetweenRunsShowsTheNewZone() {
        String q = "SELECT %s::timestamptz";
        conn.execute("SET TimeZone = 'UTC'");
        for (int k = 0; k < 2; k++) {
            assertThat(all(live(q, "2024-01-01 12:00:00+00"))).containsExactly("2024-01-01 12:00:00+00");
        }
        conn.execute("SET TimeZone = 'Asia/Tokyo'");
        for (int k = 0; k < 2; k++) {
            assertThat(all(live(q, "2024-01-01 12:00:00+00"))).containsExactly("2024-01-01 21:00:00+09");
        }
    }

    @Test
    void anErrorMidwayLeavesNothingToTheNextRun() {
        String q = "SELECT g, 100 / (%s - g) FROM generate_series(1, 3) g";
        assertThat(all(live(q, 0))).containsExactly("1|-100", "2|-50", "3|-33");
        RowStream<Row> failing = live(q, 2);
        List<String> before = new ArrayList<>();
        assertThatThrownBy(() -> {
            try (failing) {
                while (failing.hasNext()) {
                    before.add(failing.next().getString(1));
                }
            }
        }).isInstanceOf(DataException.class).hasMessageContaining("division by zero");
        assertThat(before).containsExactly("100");
        assertThat(all(live(q, 0))).containsExactly("1|-100", "2|-50", "3|-33");
    }

    @Test
    void aStreamClosedInTheMiddleOrInterruptedLeavesNothingToTheNextRun() {
        String q = "SELECT g, g * 2 FROM generate_series(1, %s) g";
        assertThat(all(live(q, 2))).containsExactly("1|2", "2|4");
        RowStream<Row> big = live(q, 100_000);
        assertThat(big.next().getInt(0)).isEqualTo(1);
        big.close(); // cancelled, the rest dropped
        assertThat(all(live(q, 2))).containsExactly("1|2", "2|4");
        RowStream<Row> interrupted = cur.liveRows(q, new Object[] {1000}, ExecuteOptions.DEFAULT, false);
        assertThat(interrupted.next().getInt(0)).isEqualTo(1);
        conn.execute("SELECT 1"); // ends it: it does not keep its rest
        assertThatThrownBy(interrupted::hasNext).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted");
        interrupted.close();
        assertThat(all(live(q, 3))).containsExactly("1|2", "2|4", "3|6");
        assertThat(conn.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
    }

    @Test
    void deallocateAllOrAStalePlanBetweenRuns() {
        String q = "SELECT v FROM recycle WHERE id = %s";
        for (int k = 0; k < 2; k++) {
            assertThat(all(live(q, 1))).containsExactly("a");
        }
        conn.execute("DEALLOCATE ALL"); // the prepared statement is gone: described again
        assertThat(all(live(q, 2))).containsExactly("a much longer value than the first one");
        assertThat(all(live(q, 1))).containsExactly("a");
        conn.execute("ALTER TABLE recycle ALTER COLUMN v TYPE varchar(100)"); // the plan's result type changes
        RowStream<Row> s = live(q, 2);
        List<Object> values = new ArrayList<>();
        try (s) {
            while (s.hasNext()) {
                Row r = s.next();
                values.add(r.get(0));
                values.add(r.columns().get(0).typeOid());
            }
        }
        assertThat(values).containsExactly("a much longer value than the first one", 1043);
        assertThat(all(live(q, 1))).containsExactly("a");
    }

    @Test
    void theDefaultRowsAreNeverWrittenOver() {
        Cursor<Row> plain = conn.cursor(); // its rows may be kept by the caller: nothing recycled for them
        RowStream<Row> first = plain.liveRows(UP_TO, new Object[] {3}, ExecuteOptions.DEFAULT, true);
        List<Row> kept = new ArrayList<>();
        try (first) {
            first.forEachRemaining(kept::add);
        }
        assertThat(first.recycledData()).isNull();
        for (int k = 0; k < 3; k++) {
            try (RowStream<Row> next = plain.liveRows(UP_TO, new Object[] {1}, ExecuteOptions.DEFAULT, true)) {
                next.forEachRemaining(r -> { });
            }
        }
        assertThat(kept).extracting(r -> r.isNull(1) ? "null" : r.getString(1))
                .containsExactly("a", "a much longer value than the first one", "null");
        ResultData none = first.recycledData();
        assertThat(none).isNull();
    }
}
