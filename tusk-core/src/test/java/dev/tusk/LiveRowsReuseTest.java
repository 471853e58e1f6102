package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A driver's row stream ({@link Cursor#liveRows}, tusk-jdbc's result sets) closed after its statement ended is
 * reused by its cursor's next one instead of a new one being made: each case that could leak the statement before
 * into the next (rows still pending, an error, an interruption, a timeout that fired, a stale plan sent again,
 * another statement run meanwhile, the adapters) reads the next statement as a new stream would, and a stream that
 * is still open, or a public {@code Stream}'s, is never reused.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveRowsReuseTest {
    private static final String SERIES = "SELECT g FROM generate_series(1, %s) g";

    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0).autocommit(true).build());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private static RowStream<Row> live(Cursor<Row> cur, String q, Object... params) {
        return cur.liveRows(q, params, ExecuteOptions.DEFAULT, true);
    }

    private static List<Integer> all(RowStream<Row> rows) {
        List<Integer> out = new ArrayList<>();
        try (rows) {
            while (rows.hasNext()) {
                out.add(rows.next().getInt(0));
            }
        }
        return out;
    }

    private static List<Integer> series(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            out.add(i);
        }
        return out;
    }

    @Test
    void aStreamClosedAfterItsEndServesTheCursorsNextStatement() {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> first = live(cur, SERIES, 3);
        assertThat(all(first)).containsExactly(1, 2, 3);
        RowStream<Row> second = live(cur, SERIES, 2);
        assertThat(second).as("reused").isSameAs(first);
        assertThat(all(second)).containsExactly(1, 2);
        RowStream<Row> third = live(cur, SERIES, 600); // more than a chunk
        assertThat(third).isSameAs(first);
        assertThat(all(third)).isEqualTo(series(600));
        assertThat(third.holdsRows()).as("kept for the next statement without the rows of this one").isFalse();
    }

    @Test
    void aStreamStillOpenIsNotReusedAndAnotherCursorsStreamIsNotTaken() {
        Cursor<Row> cur = conn.cursor();
        Cursor<Row> other = conn.cursor();
        RowStream<Row> first = live(cur, SERIES, 3);
        assertThat(first.hasNext()).isTrue();
        RowStream<Row> second = live(cur, SERIES, 2); // the first one's rest read into memory: it goes on
        assertThat(second).isNotSameAs(first);
        assertThat(all(second)).containsExactly(1, 2);
        assertThat(all(first)).as("the first stream's own rows").containsExactly(1, 2, 3);
        RowStream<Row> fromOther = live(other, SERIES, 1);
        assertThat(fromOther).isNotSameAs(first).isNotSameAs(second);
        assertThat(all(fromOther)).containsExactly(1);
    }

    @Test
    void aPublicStreamIsNeverReused() {
        Cursor<Row> cur = conn.cursor();
        Stream<Row> s = cur.stream(SERIES, List.of(3), ExecuteOptions.DEFAULT, true);
        var it = s.iterator();
        assertThat(it.next().getInt(0)).isEqualTo(1);
        s.close();
        RowStream<Row> next = live(cur, SERIES, 5);
        assertThat(all(next)).isEqualTo(series(5));
        List<Integer> rest = new ArrayList<>();
        it.forEachRemaining(r -> rest.add(r.getInt(0)));
        assertThat(rest).as("the closed Stream's iterator has its own rows only, none of the next statement's")
                .containsExactly(2, 3);
    }

    @Test
    void aStreamClosedInTheMiddleLeavesNoRowsToTheNext() {
        Cursor<Row> cur = conn.cursor();
        for (int k = 0; k < 3; k++) {
            RowStream<Row> big = live(cur, SERIES, 100_000);
            assertThat(big.next().getInt(0)).isEqualTo(1);
            big.close(); // cancelled, the rest dropped
            RowStream<Row> next = live(cur, "SELECT %s::int4 + g FROM generate_series(1, 2) g", 1000);
            assertThat(next).as("reused").isSameAs(big);
            assertThat(all(next)).containsExactly(1001, 1002);
        }
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void anErrorInTheMiddleIsNotRaisedAgainByTheNextStream() {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> failing = live(cur, "SELECT 10 / (%s - g) FROM generate_series(1, 600) g", 300);
        assertThatThrownBy(() -> all(failing)).isInstanceOf(DataException.class).hasMessageContaining("division by zero");
        RowStream<Row> next = live(cur, SERIES, 4);
        assertThat(next).isSameAs(failing);
        assertThat(all(next)).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aStreamInterruptedByAnotherStatementDoesNotInterruptTheNext() {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> first = cur.liveRows(SERIES, new Object[] {100_000}, ExecuteOptions.DEFAULT, false);
        assertThat(first.next().getInt(0)).isEqualTo(1);
        conn.execute("SELECT 1"); // ends the first stream (it does not keep its rest)
        assertThatThrownBy(first::hasNext).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted");
        first.close();
        RowStream<Row> next = cur.liveRows(SERIES, new Object[] {3}, ExecuteOptions.DEFAULT, false);
        assertThat(next).isSameAs(first);
        assertThat(all(next)).containsExactly(1, 2, 3);
    }

    @Test
    void aTimeoutThatFiredLeavesTheNextStreamItsWholeTimeout() {
        Cursor<Row> cur = conn.cursor();
        ExecuteOptions quick = new ExecuteOptions(null, null, Duration.ofMillis(300));
        RowStream<Row> slow = cur.liveRows("SELECT g, pg_sleep(CASE WHEN g = 2 THEN %s ELSE 0 END) FROM generate_series(1, 3) g",
                new Object[] {5}, quick, true);
        assertThatThrownBy(() -> all(slow)).isInstanceOf(TuskException.class).hasMessageContaining("statement timeout");
        ExecuteOptions enough = new ExecuteOptions(null, null, Duration.ofSeconds(5));
        RowStream<Row> next = cur.liveRows("SELECT g, pg_sleep(CASE WHEN g = 2 THEN %s ELSE 0 END) FROM generate_series(1, 3) g",
                new Object[] {0.5}, enough, true);
        assertThat(next).isSameAs(slow);
        assertThat(all(next)).as("not the fired timeout again, nor what was left of it").containsExactly(1, 2, 3);
    }

    @Test
    void aStalePlanSentAgainIsReadAsTheNextStatementsOwn() {
        conn.execute("CREATE TEMP TABLE reuse_stale (id int4, v int4)");
        conn.execute("INSERT INTO reuse_stale VALUES (1, 10), (2, 20)");
        Cursor<Row> cur = conn.cursor();
        String q = "SELECT v FROM reuse_stale WHERE id = %s";
        for (int k = 0; k < 2; k++) { // prepared, then described
            assertThat(all(live(cur, q, 1))).containsExactly(10);
        }
        conn.execute("ALTER TABLE reuse_stale ALTER COLUMN v TYPE int8"); // the plan's result type changes
        RowStream<Row> again = live(cur, q, 2);
        List<Object> values = new ArrayList<>();
        try (again) {
            while (again.hasNext()) {
                values.add(again.next().get(0));
            }
        }
        assertThat(values).containsExactly(20L);
        RowStream<Row> next = live(cur, q, 1);
        assertThat(next).isSameAs(again);
        List<Object> after = new ArrayList<>();
        try (next) {
            while (next.hasNext()) {
                after.add(next.next().get(0));
            }
        }
        assertThat(after).containsExactly(10L);
    }

    @Test
    void aLoaderRegisteredOnTheCursorSinceReadsTheNextStream() {
        Cursor<Row> cur = conn.cursor();
        List<Object> before = new ArrayList<>();
        RowStream<Row> first = live(cur, "SELECT %s::text", "a");
        try (first) {
            before.add(first.next().get(0));
        }
        cur.adapters().registerLoader("text", PsycopgParityAdaptersTest.suffixed("!"));
        RowStream<Row> second = live(cur, "SELECT %s::text", "b");
        assertThat(second).isSameAs(first);
        List<Object> after = new ArrayList<>();
        try (second) {
            after.add(second.next().get(0));
        }
        assertThat(before).containsExactly("a");
        assertThat(after).containsExactly("b!");
    }

    @Test
    void aStatementWithoutRowsAndOneWithRowsAfterItReadAsTheirOwn() {
        conn.execute("CREATE TEMP TABLE reuse_rows (id int4)");
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> insert = live(cur, "INSERT INTO reuse_rows VALUES (%s)", 1);
        assertThat(insert.hasNext()).isFalse();
        insert.close();
        RowStream<Row> select = live(cur, "SELECT id FROM reuse_rows WHERE id = %s", 1);
        assertThat(select).isSameAs(insert);
        assertThat(all(select)).containsExactly(1);
    }
}
