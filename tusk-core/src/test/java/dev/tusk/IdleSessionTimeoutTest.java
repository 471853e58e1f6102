package dev.tusk;

import dev.tusk.errors.IdleSessionTimeout;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(30)
class IdleSessionTimeoutTest {
    @Test
    void aSessionClosedByTheServerWhileIdleIsReportedAsLost(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            conn.setAutocommit(true);
            conn.execute("SET idle_session_timeout = '100ms'");
            Thread.sleep(600); // the server ends the session on its own: nothing to await on the client side
            assertThatThrownBy(() -> conn.execute("SELECT 1"))
                    .as("the server's reason, as its SQLSTATE class (psycopg raises IdleSessionTimeout too)")
                    .isInstanceOf(IdleSessionTimeout.class)
                    .hasMessageContaining("idle-session timeout");
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.isClosed()).isTrue();
            assertThat(conn.info().status()).isEqualTo(ConnStatus.BAD);
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken");
        }
    }
}
