package dev.tusk;

import dev.tusk.errors.DataException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * An oid is an unsigned 32-bit number: the numeric getters read the same value whether it came in text or in
 * binary (in binary, 4294967295 was read as -1 by getLong and getDouble, a silently wrong value).
 */
@TuskTest
class OidGetterTest {

    @ParameterizedTest(name = "binary results: {0}")
    @ValueSource(booleans = {false, true})
    void anOidReadsAsItsUnsignedValueInEitherFormat(boolean binary, TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .binary(binary).autocommit(true).build())) {
            Row r = conn.execute("SELECT 4294967295::oid, 2147483648::oid, 2147483647::oid, %s::oid", 0).fetchone(); // extended protocol
            assertThat(r.columns().get(0).wireFormatCode()).isEqualTo(binary ? 1 : 0);
            assertThat(r.getLong(0)).isEqualTo(4294967295L);
            assertThat(r.getLong(1)).isEqualTo(2147483648L);
            assertThat(r.getLong(2)).isEqualTo(2147483647L);
            assertThat(r.getLong(3)).isZero();
            assertThat(r.getDouble(0)).isEqualTo(4294967295.0);
            assertThat(r.getInt(2)).isEqualTo(Integer.MAX_VALUE);
            assertThatThrownBy(() -> r.getInt(0)).isInstanceOf(DataException.class).hasMessageContaining("4294967295");
            assertThat(((Number) r.get(0)).longValue()).as("the loader's value agrees").isEqualTo(4294967295L);
        }
    }
}
