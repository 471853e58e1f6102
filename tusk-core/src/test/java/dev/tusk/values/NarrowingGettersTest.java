package dev.tusk.values;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.DataException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** trust #11: a getter gives the exact value or a DataException, never a wrapped or clamped one. */
@Timeout(60)
@TuskTest
class NarrowingGettersTest {

    private static Row one(TestDatabase db, boolean binary, String sql) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).binary(binary).build())) {
            return conn.execute(sql).fetchone();
        }
    }

    // trust #11
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void arrayGettersRefuseElementsThatDoNotFit(boolean binary, TestDatabase db) {
        Row r = one(db, binary, "SELECT '{3000000000}'::int8[], '{70000}'::int4[], '{1e300}'::float8[], '{1.5}'::float8[],"
                + " '{12345678901234567890}'::numeric[], '{7, -3}'::int8[]");
        assertThatThrownBy(() -> r.get(0, int[].class)).isInstanceOf(DataException.class).hasMessageContaining("3000000000");
        assertThatThrownBy(() -> r.get(0, Integer[].class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(1, short[].class)).isInstanceOf(DataException.class).hasMessageContaining("70000");
        assertThatThrownBy(() -> r.get(2, float[].class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(2, long[].class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(3, int[].class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(4, long[].class)).isInstanceOf(DataException.class);
        assertThat(r.get(0, long[].class)).containsExactly(3000000000L);
        assertThat(r.get(1, int[].class)).containsExactly(70000);
        assertThat(r.get(2, double[].class)).containsExactly(1e300);
        assertThat(r.get(5, short[].class)).containsExactly((short) 7, (short) -3);
        assertThat(r.get(5, int[].class)).containsExactly(7, -3);
        assertThat(r.get(5, double[].class)).containsExactly(7.0, -3.0);
    }

    // trust #11
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void scalarGettersRefuseValuesThatDoNotFit(boolean binary, TestDatabase db) {
        Row r = one(db, binary, "SELECT 1e19::float8, 'NaN'::float8, 1e300::float8, 1e-300::float8, 1e400::numeric,"
                + " -9.2e18::float8, 2.5::float8");
        assertThatThrownBy(() -> r.getLong(0)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(0, Long.class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getLong(1)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getFloat(2)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(2, Float.class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getFloat(3)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getDouble(4)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.get(4, Double.class)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getInt(5)).isInstanceOf(DataException.class);
        assertThat(r.getLong(5)).isEqualTo(-9_200_000_000_000_000_000L);
        assertThat(r.getDouble(2)).isEqualTo(1e300);
        assertThat(Float.isNaN(r.getFloat(1))).isTrue();
        assertThat(r.getLong(6)).as("a fraction is dropped, as before").isEqualTo(2);
    }

    // trust #11, found by GetterNarrowingPropertiesTest: a binary numeric infinity failed getDouble (whose error
    // message recommends getDouble); a numeric too small for a double silently became 0.0 in text
    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void numericSpecialsAndUnderflowThroughGetDouble(boolean binary, TestDatabase db) {
        Row r = one(db, binary, "SELECT 'Infinity'::numeric, '-Infinity'::numeric, 'NaN'::numeric, 1e-400::numeric");
        assertThat(r.getDouble(0)).isEqualTo(Double.POSITIVE_INFINITY);
        assertThat(r.getDouble(1)).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(r.getDouble(2)).isNaN();
        assertThatThrownBy(() -> r.getDouble(3)).isInstanceOf(DataException.class);
        assertThatThrownBy(() -> r.getFloat(3)).isInstanceOf(DataException.class);
    }
}
