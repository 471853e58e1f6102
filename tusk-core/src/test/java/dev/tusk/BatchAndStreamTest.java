package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class BatchAndStreamTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.execute("CREATE TABLE t (a int PRIMARY KEY, b text)");
        conn.commit();
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void executemanyOf10000SetsIsOneRoundTrip() {
        List<List<Object>> sets = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            sets.add(List.of(i, "v" + i));
        }
        RoundTripCounter counter = RoundTripCounter.attach(conn);
        Cursor<Row> cur = conn.cursor().executemany("INSERT INTO t VALUES (%s, %s)", sets);
        assertThat(counter.syncs()).isEqualTo(1);
        assertThat(cur.rowcount()).isEqualTo(10_000);
        conn.commit();
        assertThat(conn.execute("SELECT count(*), sum(a) FROM t").fetchone().getLong(1)).isEqualTo(49_995_000L);
    }

    @Test
    void executemanyReturningKeepsEachStatementsRows() {
        Cursor<Row> cur = conn.cursor().executemany("INSERT INTO t VALUES (%(a)s, %(b)s) RETURNING a * 10",
                List.of(Map.of("a", 1, "b", "x"), Map.of("a", 2, "b", "y"), Map.of("a", 3, "b", "z")), true);
        List<Integer> got = new ArrayList<>();
        do {
            got.add(cur.fetchone().getInt(0));
        } while (cur.nextset());
        assertThat(got).containsExactly(10, 20, 30);
    }

    @Test
    void executemanyOfAPlainInsertRunsAsMultiRowInsertsWithTheSameResult() {
        List<List<Object>> rows = new java.util.ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            rows.add(java.util.Arrays.asList(i, i % 7 == 0 ? null : "v" + i));
        }
        RoundTripCounter counter = RoundTripCounter.attach(conn);
        Cursor<Row> cur = conn.cursor().executemany("INSERT INTO t VALUES (%s, %s)", rows);
        assertThat(counter.syncs()).as("one round trip").isLessThanOrEqualTo(2);
        assertThat(cur.rowcount()).as("the total, as psycopg").isEqualTo(1000);
        Row r = conn.execute("SELECT count(*), count(b), sum(a) FROM t").fetchone();
        assertThat(r.getLong(0)).isEqualTo(1000);
        assertThat(r.getLong(1)).isEqualTo(1000 - 143);
        assertThat(r.getLong(2)).isEqualTo(499_500);
        conn.rollback();
        rows.set(500, java.util.Arrays.asList(1, "duplicate"));
        assertThatThrownBy(() -> conn.cursor().executemany("INSERT INTO t VALUES (%s, %s)", rows)).hasMessageContaining("duplicate key");
        conn.rollback();
        assertThat(conn.execute("SELECT count(*) FROM t").fetchone().getLong(0)).as("all or nothing").isZero();
    }

    @Test
    void executemanyOfAStatementThatReturnsRowsDropsThemUnlessAsked() {
        Cursor<Row> cur = conn.cursor().executemany("SELECT %s::int", List.of(List.of(1), List.of(2)));
        assertThat(cur.rowcount()).isNotNegative();
        Cursor<Row> returning = conn.cursor().executemany("SELECT %s::int", List.of(List.of(1), List.of(2)), true);
        assertThat(returning.fetchone().getInt(0)).isEqualTo(1);
        assertThat(returning.nextset()).isTrue();
        assertThat(returning.fetchone().getInt(0)).isEqualTo(2);
    }

    @Test
    void executemanyErrorRollsBackTheBatch() {
        assertThatThrownBy(() -> conn.cursor().executemany("INSERT INTO t VALUES (%s, %s)",
                List.of(List.of(1, "a"), List.of(1, "dup"), List.of(2, "b"))))
                .hasMessageContaining("duplicate key");
        conn.rollback();
        assertThat(conn.execute("SELECT count(*) FROM t").fetchone().getLong(0)).isZero();
    }

    @Test
    void streamReadsAMillionRows() {
        conn.setAutocommit(true);
        long[] acc = new long[2];
        try (Stream<Row> rows = conn.cursor().stream("SELECT g, repeat('x', 200) FROM generate_series(1, %s) g", 1_000_000)) {
            rows.forEach(r -> {
                acc[0] += r.getLong(0);
                acc[1]++;
            });
        }
        assertThat(acc[1]).isEqualTo(1_000_000);
        assertThat(acc[0]).isEqualTo(500_000_500_000L); // in 64 MB of heap: BoundedMemoryTest
    }

    @Test
    void rowsKeptFromAStreamKeepTheirValuesAfterLaterChunksArrive() {
        conn.setAutocommit(true);
        List<Row> kept;
        try (Stream<Row> rows = conn.cursor().stream("SELECT g, repeat('x', g % 97) FROM generate_series(1, 5000) g")) {
            kept = rows.toList(); // many chunks, each sized like the one before it
        }
        assertThat(kept).hasSize(5000);
        for (int i = 0; i < kept.size(); i++) {
            int g = i + 1;
            assertThat(kept.get(i).getInt(0)).isEqualTo(g);
            assertThat(kept.get(i).getString(1)).isEqualTo("x".repeat(g % 97));
        }
    }

    @Test
    void abandonedStreamIsDrainedBeforeTheNextStatement() {
        Stream<Row> rows = conn.cursor().stream("SELECT g FROM generate_series(1, 100000) g");
        assertThat(rows.limit(3).map(r -> r.getInt(0)).toList()).containsExactly(1, 2, 3);
        assertThat(conn.execute("SELECT 'after'").fetchone().getString(0)).isEqualTo("after");
    }

    @Test
    void streamErrorsSurfaceInTheConsumer() {
        try (Stream<Row> rows = conn.cursor().stream("SELECT 1 / (g - 5) FROM generate_series(1, 10) g")) {
            assertThatThrownBy(() -> rows.forEach(r -> { })).hasMessageContaining("division by zero");
        }
        conn.rollback();
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    @Test
    void interruptedStreamSaysSo() {
        var it = conn.cursor().stream("SELECT g FROM generate_series(1, 100000) g").iterator();
        it.next();
        conn.execute("SELECT 1");
        assertThatThrownBy(() -> {
            while (it.hasNext()) {
                it.next();
            }
        }).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted");
    }
}
