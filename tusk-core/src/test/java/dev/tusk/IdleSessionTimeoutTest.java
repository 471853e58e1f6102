package dev.tusk;

import dev.tusk.errors.IdleSessionTimeout;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(30)
class IdleSessionTimeoutTest {
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSessionClosedByTheServerWhileIdleIsReportedAsLost(Flavour flavour, TestDatabase db) throws Exception {
        try (Flavour.Session conn = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            conn.rows("SET idle_session_timeout = '100ms'");
            Thread.sleep(600); // the server ends the session on its own: nothing to await on the client side
            assertThatThrownBy(() -> conn.rows("SELECT 1"))
                    .as("the server's reason, as its SQLSTATE class (psycopg raises IdleSessionTimeout too)")
                    .isInstanceOf(IdleSessionTimeout.class)
                    .hasMessageContaining("idle-session timeout");
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.isClosed()).isTrue();
            assertThat(conn.info().status()).isEqualTo(ConnStatus.BAD);
            assertThatThrownBy(() -> conn.rows("SELECT 1")).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken");
        }
    }
}
