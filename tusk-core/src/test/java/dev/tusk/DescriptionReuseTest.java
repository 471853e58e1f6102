package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The columns the protocol core describes are the user's {@link Column}s themselves: a prepared statement run again
 * without Describe gives the very columns its first Describe made (nothing wrapped or copied per statement), with
 * every field of RowDescription; on both drivers.
 */
@TuskTest
class DescriptionReuseTest {
    private static final String QUERY = "SELECT 1::int4 AS one, 'x'::varchar(5) AS v";
    private static final ExecuteOptions PREPARE = ExecuteOptions.builder().prepare(true).build();
    /** Prepared, in text: no automatic format (which takes int4 in binary once the statement is described). */
    private static final ExecuteOptions PREPARE_TEXT = ExecuteOptions.builder().prepare(true).binary(false).build();

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aPreparedStatementRunAgainGivesTheColumnsItsDescribeMade(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(ConnectOptions.of(db.conninfo()))) {
            List<Column> first = conn.rows(QUERY, List.of(), PREPARE_TEXT).get(0).columns();
            List<Column> again = conn.rows(QUERY, List.of(), PREPARE_TEXT).get(0).columns();
            List<Column> third = conn.rows(QUERY, List.of(), PREPARE_TEXT).get(0).columns();
            assertThat(third).isSameAs(again);
            assertThat(again).hasSize(2);
            for (int i = 0; i < 2; i++) {
                assertThat(again.get(i)).isSameAs(first.get(i));
            }
            assertThat(again).extracting(Column::name).containsExactly("one", "v");
            assertThat(again).extracting(Column::typeOid).containsExactly(23, 1043);
            assertThat(again.get(1).displaySize()).isEqualTo(5);
            assertThat(again.get(1).typeDisplay()).isEqualTo("varchar(5)");
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aColumnReceivedInBinaryForTextKeepsItsFieldsAndSaysText(Flavour flavour, TestDatabase db) {
        try (Flavour.Session conn = flavour.open(ConnectOptions.of(db.conninfo()))) {
            Column c = null;
            for (int i = 0; i < 3; i++) { // prepared and described: the automatic format then takes int4 in binary
                c = conn.rows(QUERY, List.of(), PREPARE).get(0).columns().get(0);
            }
            assertThat(c.wireFormatCode()).as("received in binary").isEqualTo(1);
            assertThat(c.formatCode()).as("asked in text").isZero();
            assertThat(c.name()).isEqualTo("one");
            assertThat(c.internalSize()).isEqualTo(4);
        }
    }
}
