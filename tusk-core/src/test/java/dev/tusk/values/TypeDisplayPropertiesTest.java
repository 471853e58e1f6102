package dev.tusk.values;

import dev.tusk.AsyncConnection;
import dev.tusk.Column;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30, property: for any modifier PostgreSQL accepts (numeric precision 1..1000 and scale -1000..1000,
 * varchar/bpchar lengths up to 10485760, bit/varbit lengths up to 83886080, fractional seconds 0..6), arrays
 * included, a column's {@link Column#typeDisplay()}, {@code precision()}, {@code scale()} and {@code displaySize()}
 * are psycopg's ({@code test_column.py::test_details}); and the modifier shown is the one the server itself
 * writes for that column ({@code format_type(atttypid, atttypmod)}), on both drivers, text and binary results.
 */
@Timeout(300)
@TuskTest
class TypeDisplayPropertiesTest {
    /** A type as written, and what the column must report. */
    record Case(String type, String modifier, Integer precision, Integer scale, Integer displaySize, boolean array) {
        String display() {
            return type + modifier + (array ? "[]" : "");
        }

        @Override
        public String toString() {
            return display();
        }
    }

    private static Arbitrary<Case> cases() {
        Arbitrary<Case> numeric = Combinators.combine(Arbitraries.integers().between(1, 1000),
                        Arbitraries.integers().between(-1000, 1000), Arbitraries.of(true, false))
                .as((p, s, a) -> new Case("numeric", "(" + p + "," + s + ")", p, s, null, a));
        Arbitrary<Case> chars = Combinators.combine(Arbitraries.of("varchar", "bpchar"),
                        Arbitraries.integers().between(1, 10485760), Arbitraries.of(true, false))
                .as((t, n, a) -> new Case(t, "(" + n + ")", null, null, n, a));
        Arbitrary<Case> bits = Combinators.combine(Arbitraries.of("bit", "varbit"),
                        Arbitraries.integers().between(1, 83886080), Arbitraries.of(true, false))
                .as((t, n, a) -> new Case(t, "(" + n + ")", null, null, n, a));
        Arbitrary<Case> times = Combinators.combine(Arbitraries.of("time", "timetz", "timestamp", "timestamptz", "interval"),
                        Arbitraries.integers().between(0, 6), Arbitraries.of(true, false))
                .as((t, p, a) -> new Case(t, "(" + p + ")", p, null, null, a));
        Arbitrary<Case> plain = Combinators.combine(Arbitraries.of("numeric", "varchar", "bpchar", "varbit", "time",
                        "timestamptz", "interval", "int4", "text", "uuid", "jsonb", "point", "inet", "date"),
                Arbitraries.of(true, false)).as((t, a) -> new Case(t, "", null, null, null, a));
        return Arbitraries.oneOf(numeric, chars, bits, times, plain);
    }

    @Test
    void typeDisplayAndModifiersAreThoseTheServerWrites(TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            AsyncConnection<Row> async = AsyncConnection.connect(options).join();
            try {
                Props.forAll("type display of any modifier", 100, cases(), c -> {
                    conn.execute("DROP TABLE IF EXISTS type_display; CREATE TABLE type_display (c " + c.display() + ")");
                    String server = conn.execute("SELECT format_type(atttypid, atttypmod) FROM pg_attribute"
                            + " WHERE attrelid = 'type_display'::regclass AND attname = 'c'").fetchone().getString(0);
                    // the server's spelling differs (character varying(20), time(3) with time zone), its modifier not
                    assertThat(modifierOf(server)).as("server wrote %s", server).isEqualTo(c.modifier());
                    assertThat(server.endsWith("[]")).as("server wrote %s", server).isEqualTo(c.array());
                    for (boolean binary : List.of(false, true)) {
                        ExecuteOptions o = ExecuteOptions.builder().binary(binary).build();
                        String sql = "SELECT c, null::" + c.display() + " FROM type_display";
                        for (List<Column> cols : List.of(conn.execute(sql, List.of(), o).description(),
                                async.execute(sql, List.of(), o).join().description())) {
                            for (Column col : cols) {
                                assertThat(col.typeDisplay()).isEqualTo(c.display());
                                assertThat(col.precision()).as("precision").isEqualTo(c.precision());
                                assertThat(col.scale()).as("scale").isEqualTo(c.scale());
                                assertThat(col.displaySize()).as("display size").isEqualTo(c.displaySize());
                            }
                        }
                    }
                });
            } finally {
                async.closeAsync().join();
            }
        }
    }

    /** "(10,-1)" of "numeric(10,-1)[]", "(3)" of "time(3) with time zone", "" of "text". */
    private static String modifierOf(String formatted) {
        int open = formatted.indexOf('(');
        return open < 0 ? "" : formatted.substring(open, formatted.indexOf(')', open) + 1);
    }
}
