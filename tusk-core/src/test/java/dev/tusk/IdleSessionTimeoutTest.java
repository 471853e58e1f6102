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
import static org.assertj.core.api.Assertions.catchThrowable;

/** idle_session_timeout ends the session on the server; on both drivers. */
@TuskTest
@Timeout(30)
class IdleSessionTimeoutTest {
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aSessionClosedByTheServerWhileIdleIsReportedAsLost(Flavour flavour, TestDatabase db) throws Exception {
        try (Flavour.Session conn = flavour.open(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build())) {
            conn.rows("SET idle_session_timeout = '100ms'");
            Thread.sleep(600); // the server ends the session on its own: nothing to await on the client side
            Throwable t = catchThrowable(() -> conn.rows("SELECT 1"));
            // the blocking driver finds the loss on this call and raises it; the event loop has usually seen it
            // already, and then says "broken" with the loss as the cause (as AsyncQueryFaultsTest expects)
            assertThat(t instanceof IdleSessionTimeout ? t : t.getCause())
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
