package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A live result set's stream writes the rows still to come over the storage of rows already passed (a chunk's
 * arrays are reused rather than allocated for each 256 rows): the current row stays readable whatever the result
 * set asks ahead (isLast() reads the next chunk), and every row reads as sent, small and large, over many chunks.
 */
@TuskTest
@Timeout(120)
class LiveResultSetStorageTest {
    private static String text(int g) {
        return String.valueOf((char) ('A' + g % 26)).repeat(g % 700) + "|" + g;
    }

    @Test
    void everyRowReadsAsSentOverManyChunksOfVaryingSizeAndIsLastLeavesTheCurrentRowIntact(TestDatabase db)
            throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             PreparedStatement ps = c.prepareStatement("SELECT g, repeat(chr(65 + g % 26), g % 700) || '|' || g,"
                     + " (g * 1.25)::numeric(12,2) FROM generate_series(1, ?) g")) {
            for (int run = 0; run < 3; run++) { // the same statement again: its stream starts with fresh storage
                ps.setInt(1, 3000);
                try (ResultSet rs = ps.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n++;
                        boolean last = rs.isLast(); // at a chunk's last row this reads the next chunk
                        assertThat(last).isEqualTo(n == 3000);
                        assertThat(rs.getInt(1)).isEqualTo(n);
                        assertThat(rs.getString(2)).isEqualTo(text(n));
                        assertThat(rs.getBigDecimal(3)).isEqualTo(new BigDecimal(n).multiply(new BigDecimal("1.25"))
                                .setScale(2));
                    }
                    assertThat(n).isEqualTo(3000);
                }
            }
        }
    }
}
