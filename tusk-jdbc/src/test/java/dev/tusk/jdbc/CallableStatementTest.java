package dev.tusk.jdbc;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** CallableStatement: functions ({?= call}), functions with OUT parameters, procedures with INOUT parameters. */
@TuskTest
@Timeout(60)
class CallableStatementTest {
    @Test
    void functionsAndProcedures(TestDatabase db) throws SQLException {
        db.admin("CREATE FUNCTION add(a int, b int) RETURNS int AS 'SELECT a + b' LANGUAGE sql");
        db.admin("CREATE FUNCTION divmod(a int, b int, OUT q int, OUT r int) AS 'SELECT a / b, a % b' LANGUAGE sql");
        db.admin("CREATE PROCEDURE scale(INOUT v numeric, factor numeric) AS $$ BEGIN v := v * factor; END $$ LANGUAGE plpgsql");
        db.admin("CREATE FUNCTION numbers(n int) RETURNS SETOF int AS 'SELECT generate_series(1, n)' LANGUAGE sql");
        try (Connection c = DriverManager.getConnection(Jdbc.url(db))) {
            try (CallableStatement cs = c.prepareCall("{? = call add(?, ?)}")) {
                cs.registerOutParameter(1, Types.INTEGER);
                cs.setInt(2, 40);
                cs.setInt(3, 2);
                cs.execute();
                assertThat(cs.getInt(1)).isEqualTo(42);
                assertThat(cs.wasNull()).isFalse();
            }
            try (CallableStatement cs = c.prepareCall("{call divmod(?, ?, ?, ?)}")) {
                cs.setInt(1, 17);
                cs.setInt(2, 5);
                cs.registerOutParameter(3, Types.INTEGER);
                cs.registerOutParameter(4, Types.INTEGER);
                cs.execute();
                assertThat(cs.getInt(3)).isEqualTo(3);
                assertThat(cs.getObject(4)).isEqualTo(2);
            }
            try (CallableStatement cs = c.prepareCall("CALL scale(?, ?)")) {
                cs.setBigDecimal(1, new java.math.BigDecimal("1.5"));
                cs.registerOutParameter(1, Types.NUMERIC);
                cs.setBigDecimal(2, new java.math.BigDecimal("4"));
                cs.execute();
                assertThat(cs.getBigDecimal(1)).isEqualByComparingTo("6.0");
            }
            try (CallableStatement cs = c.prepareCall("{call numbers(?)}")) {
                cs.setInt(1, 3);
                try (ResultSet rs = cs.executeQuery()) {
                    int n = 0;
                    while (rs.next()) {
                        n += rs.getInt(1);
                    }
                    assertThat(n).isEqualTo(6);
                }
            }
            try (CallableStatement cs = c.prepareCall("{call add(?, ?)}")) {
                assertThatThrownBy(() -> cs.setInt("a", 1)).isInstanceOf(java.sql.SQLFeatureNotSupportedException.class);
                assertThatThrownBy(() -> cs.getInt(1)).isInstanceOf(SQLException.class);
            }
        }
    }
}
