package dev.tusk.jdbc;

import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A statement keeps the Tusk cursor its live result sets stream from for its next executions; a cursor sees the
 * adapters registered before it was made, so a loader registered on the connection after a statement ran must
 * reach that statement's next execution, and a closed result set of an earlier execution stays closed.
 */
@TuskTest
@Timeout(60)
class StatementCursorReuseTest {
    /** Loads an int4's text as "int:" and the text. */
    private static final class MarkedInt implements Loader<String> {
        @Override
        public Format format() {
            return Format.TEXT;
        }

        @Override
        public String load(ByteBuffer text) {
            return "int:" + StandardCharsets.UTF_8.decode(text);
        }
    }

    private static Object first(ResultSet rs) throws SQLException {
        try (rs) {
            assertThat(rs.next()).isTrue();
            return rs.getObject(1);
        }
    }

    @Test
    void aLoaderRegisteredAfterAStatementRanReachesItsNextExecution(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db) + "&binaryTransfer=false");
             Statement st = c.createStatement();
             PreparedStatement ps = c.prepareStatement("SELECT ?::int4")) {
            for (int i = 0; i < 5; i++) {
                assertThat(first(st.executeQuery("SELECT 7::int4"))).isEqualTo(7);
                ps.setInt(1, i);
                assertThat(first(ps.executeQuery())).isEqualTo(i);
            }
            c.unwrap(dev.tusk.Connection.class).adapters().registerLoader("int4", new MarkedInt());
            assertThat(first(st.executeQuery("SELECT 8::int4"))).isEqualTo("int:8");
            ps.setInt(1, 9);
            assertThat(first(ps.executeQuery())).isEqualTo("int:9");
        }
    }

    @Test
    void theResultSetOfAnEarlierExecutionStaysClosedAndTheNewOneReadsItsOwnRows(TestDatabase db) throws SQLException {
        try (Connection c = DriverManager.getConnection(Jdbc.url(db));
             PreparedStatement ps = c.prepareStatement("SELECT g FROM generate_series(1, ?) g")) {
            ps.setInt(1, 1000);
            ResultSet first = ps.executeQuery();
            assertThat(first.next()).isTrue();
            ps.setInt(1, 3);
            ResultSet second = ps.executeQuery();
            assertThat(first.isClosed()).isTrue();
            int n = 0;
            while (second.next()) {
                assertThat(second.getInt(1)).isEqualTo(++n);
            }
            assertThat(n).isEqualTo(3);
        }
    }
}
