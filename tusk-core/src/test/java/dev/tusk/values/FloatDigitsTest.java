package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** trust #12: text floats are exact whatever extra_float_digits the database has; -0 stays negative zero. */
@Timeout(60)
@TuskTest
class FloatDigitsTest {

    // trust #12
    @Test
    void textDoublesAreExactInADatabaseWithExtraFloatDigitsZero(TestDatabase db) {
        db.admin("ALTER DATABASE \"" + db.dbname() + "\" SET extra_float_digits = 0");
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            Row r = conn.execute("SELECT 0.1::float8 + 0.2::float8, %s::float8, %s::float4, 0.1::float4",
                    Double.MAX_VALUE, Float.MAX_VALUE).fetchone();
            assertThat(r.getDouble(0)).isEqualTo(0.1 + 0.2);
            assertThat(r.getDouble(1)).isEqualTo(Double.MAX_VALUE);
            assertThat(r.getFloat(2)).isEqualTo(Float.MAX_VALUE);
            assertThat(r.get(0)).isEqualTo(0.1 + 0.2);
            assertThat(r.getFloat(3)).isEqualTo(0.1f);
            assertThat(conn.execute("SHOW extra_float_digits").fetchone().getString(0)).isEqualTo("3");
        }
    }

    // trust #12: a value the user asks for in options wins
    @Test
    void extraFloatDigitsGivenInOptionsIsKept(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo() + " options='-c extra_float_digits=1'")) {
            assertThat(conn.execute("SHOW extra_float_digits").fetchone().getString(0)).isEqualTo("1");
        }
    }

    // trust #12
    @Test
    void negativeZeroIsNegativeZeroInTextAndBinary(TestDatabase db) {
        for (boolean binary : new boolean[] {false, true}) {
            try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).binary(binary).build())) {
                Row r = conn.execute("SELECT '-0'::float8, '-0'::float4, %s::float8", -0.0).fetchone();
                assertThat(Double.doubleToRawLongBits(r.getDouble(0))).as("float8, binary=%s", binary)
                        .isEqualTo(Double.doubleToRawLongBits(-0.0));
                assertThat(Double.doubleToRawLongBits(r.getDouble(1))).isEqualTo(Double.doubleToRawLongBits(-0.0));
                assertThat(Float.floatToRawIntBits(r.getFloat(1))).isEqualTo(Float.floatToRawIntBits(-0.0f));
                assertThat(Double.doubleToRawLongBits(r.getDouble(2))).isEqualTo(Double.doubleToRawLongBits(-0.0));
                assertThat(Double.doubleToRawLongBits((Double) r.get(0))).isEqualTo(Double.doubleToRawLongBits(-0.0));
            }
        }
    }
}
