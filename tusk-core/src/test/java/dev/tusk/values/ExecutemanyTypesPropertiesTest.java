package dev.tusk.values;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * trust #8, property: rows whose Java types switch from row to row and from chunk to chunk, through executemany
 * on both drivers, rewritten into multi-row INSERTs or not, all read back equal (compared as numbers).
 */
@Timeout(300)
@TuskTest
class ExecutemanyTypesPropertiesTest {
    private static final String[] SQL = {
            "INSERT INTO p (k, b, d, r, n) VALUES (%s, %s, %s, %s, %s)",          // rewritten (two rows or more)
            "INSERT INTO p (k, b, d, r, n) SELECT %s, %s, %s, %s, %s",            // one Bind per row
            "INSERT INTO p (k, b, d, r, n) VALUES (%s, %s, %s, %s, %s) RETURNING k", // one Bind per row, described
    };

    /** A value to send and the number the column must then hold (null: SQL NULL). */
    record Cell(Object value, BigDecimal expect) {
        @Override
        public String toString() {
            return value == null ? "null" : value.getClass().getSimpleName() + ":" + value;
        }
    }

    /** Rows sharing the column kinds, or (mixed) each row drawing its own. */
    record Segment(int[] kinds, boolean mixed, int rows) {
        @Override
        public String toString() {
            return (mixed ? "mixed" : Arrays.toString(kinds)) + "x" + rows;
        }
    }

    record Case(int sql, boolean async, List<Segment> segments, long seed) {
    }

    private static final int KINDS = 7;

    /** Column b (bigint): a value of kind {@code kind} from {@code v}. */
    private static Cell bigint(int kind, long v) {
        return switch (kind) {
            case 0 -> new Cell((int) v, BigDecimal.valueOf((int) v));
            case 1 -> new Cell(v, BigDecimal.valueOf(v));
            case 2 -> new Cell((short) v, BigDecimal.valueOf((short) v));
            case 3 -> new Cell(BigDecimal.valueOf(v), BigDecimal.valueOf(v));
            case 4 -> new Cell(BigInteger.valueOf(v), BigDecimal.valueOf(v));
            case 5 -> new Cell((byte) v, BigDecimal.valueOf((byte) v));
            default -> new Cell(null, null);
        };
    }

    /** Column d (float8). */
    private static Cell float8(int kind, long v) {
        long small = v % (1L << 53);
        return switch (kind) {
            case 0 -> new Cell((int) v, BigDecimal.valueOf((int) v));
            case 1 -> new Cell(small, BigDecimal.valueOf(small));
            case 2 -> new Cell((short) v, BigDecimal.valueOf((short) v));
            case 3 -> new Cell(v / 1024.0, new BigDecimal(v / 1024.0));
            case 4 -> new Cell((float) (v % 1_000_000) / 8f, new BigDecimal((float) (v % 1_000_000) / 8f));
            case 5 -> new Cell(BigDecimal.valueOf(v % 1_000_000_000_000L, 2), new BigDecimal(BigDecimal.valueOf(v % 1_000_000_000_000L, 2).doubleValue()));
            default -> new Cell(null, null);
        };
    }

    /** Column r (real). */
    private static Cell real(int kind, long v) {
        int small = (int) (v % (1 << 24));
        return switch (kind) {
            case 0 -> new Cell(small, BigDecimal.valueOf(small));
            case 1 -> new Cell((long) small, BigDecimal.valueOf(small));
            case 2 -> new Cell((short) v, BigDecimal.valueOf((short) v));
            case 3 -> new Cell((float) small / 4f, new BigDecimal((float) small / 4f));
            case 4 -> new Cell((double) ((float) small / 16f), new BigDecimal((float) small / 16f));
            case 5 -> new Cell(BigDecimal.valueOf(small % 4096, 1), new BigDecimal(BigDecimal.valueOf(small % 4096, 1).floatValue()));
            default -> new Cell(null, null);
        };
    }

    /** Column n (numeric). */
    private static Cell numeric(int kind, long v) {
        return switch (kind) {
            case 0 -> new Cell((int) v, BigDecimal.valueOf((int) v));
            case 1 -> new Cell(v, BigDecimal.valueOf(v));
            case 2 -> new Cell((short) v, BigDecimal.valueOf((short) v));
            case 3 -> new Cell(BigDecimal.valueOf(v, 5), BigDecimal.valueOf(v, 5));
            case 4 -> new Cell(v % 1_000_000_000L / 100.0, BigDecimal.valueOf(v % 1_000_000_000L, 2)); // float8::numeric keeps 15 digits
            case 5 -> new Cell((float) (v % 100_000) / 10f, BigDecimal.valueOf(v % 100_000, 1)); // float4::numeric keeps 6
            default -> new Cell(null, null);
        };
    }

    private static Arbitrary<Case> cases() {
        Arbitrary<Integer> length = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.integers().between(1, 30)),
                Tuple.of(1, Arbitraries.of(127, 128, 129))); // around the rewritten INSERT's 128-row chunks
        Arbitrary<int[]> kinds = Arbitraries.integers().between(0, KINDS - 1).array(int[].class).ofSize(4);
        Arbitrary<Segment> segment = Combinators.combine(kinds, Arbitraries.of(true, false, false), length).as(Segment::new);
        return Combinators.combine(Arbitraries.integers().between(0, SQL.length - 1), Arbitraries.of(false, true),
                segment.list().ofMinSize(1).ofMaxSize(3), Arbitraries.longs()).as(Case::new);
    }

    private static List<Cell[]> rows(Case c) {
        Random random = new Random(c.seed());
        List<Cell[]> rows = new ArrayList<>();
        for (Segment s : c.segments()) {
            for (int i = 0; i < s.rows(); i++) {
                int[] k = s.mixed() ? new int[] {random.nextInt(KINDS), random.nextInt(KINDS), random.nextInt(KINDS), random.nextInt(KINDS)} : s.kinds();
                long v = random.nextInt(4) == 0 ? random.nextLong() : random.nextInt(2_000_001) - 1_000_000;
                rows.add(new Cell[] {bigint(k[0], v), float8(k[1], v), real(k[2], v), numeric(k[3], v)});
            }
        }
        return rows;
    }

    // trust #8
    @Test
    void everyRowReadsBackAsSentWhateverTheTypesOfTheRowsBeforeIt(TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            AsyncConnection<Row> async = AsyncConnection.connect(options).join();
            try {
                // unlogged, no commit waits: a try is a few round trips, not a few fsyncs
                conn.execute("CREATE UNLOGGED TABLE p (k int PRIMARY KEY, b bigint, d float8, r real, n numeric)");
                conn.execute("SET synchronous_commit = off");
                async.execute("SET synchronous_commit = off").join();
                Props.forAll("executemany with per-row types", 100, cases(), c -> {
                    conn.execute("DELETE FROM p");
                    List<Cell[]> rows = rows(c);
                    List<List<Object>> sets = new ArrayList<>();
                    for (int k = 0; k < rows.size(); k++) {
                        Cell[] r = rows.get(k);
                        sets.add(Arrays.asList(k, r[0].value(), r[1].value(), r[2].value(), r[3].value()));
                    }
                    boolean returning = c.sql() == 2;
                    if (c.async()) {
                        async.cursor().executemany(SQL[c.sql()], sets, returning).join();
                    } else {
                        conn.cursor().executemany(SQL[c.sql()], sets, returning);
                    }
                    List<Row> got = conn.execute("SELECT k, b, d, r, n FROM p ORDER BY k").fetchall();
                    assertThat(got).hasSize(rows.size());
                    for (Row g : got) {
                        int k = g.getInt(0);
                        Cell[] sent = rows.get(k);
                        for (int col = 0; col < 4; col++) {
                            BigDecimal expect = sent[col].expect();
                            Object value = g.get(col + 1);
                            if (expect == null) {
                                assertThat(value).as("row %d column %d sent %s", k, col, sent[col]).isNull();
                            } else {
                                BigDecimal stored = col == 1 ? new BigDecimal(g.getDouble(2)) : col == 2 ? new BigDecimal(g.getFloat(3))
                                        : g.get(col + 1, BigDecimal.class);
                                assertThat(stored).as("row %d column %d sent %s (rows %s)", k, col, sent[col], c.segments())
                                        .isEqualByComparingTo(expect);
                            }
                        }
                    }
                });
            } finally {
                async.closeAsync().join();
            }
        }
    }
}
