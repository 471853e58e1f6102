package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.Setting;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * ServerStateTest's settings checks on AsyncConnection, assertion for assertion (its server cursor checks are
 * in AsyncServerCursorTest).
 */
@TuskTest
@Timeout(60)
class AsyncServerSettingsTest {
    @Test
    void settingsAreTypedAndLocalOnesEndWithTheTransaction(TestDatabase db) {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo()).join()) {
            Setting wm = conn.settings().get("work_mem").join();
            assertThat(wm.unit()).isEqualTo("kB");
            assertThat(wm.vartype()).isEqualTo("integer");
            assertThat(wm.context()).isEqualTo("user");
            assertThat(wm.minValue()).isNotNull();
            Setting level = conn.settings().get("client_min_messages").join();
            assertThat(level.vartype()).isEqualTo("enum");
            assertThat(level.enumValues()).contains("notice", "warning");
            assertThat(conn.settings().set("work_mem", "64MB", false).join()).isEqualTo("64MB");
            assertThat(conn.settings().get("work_mem").join().longValue()).isEqualTo(64 * 1024);
            assertThat(conn.settings().get("work_mem").join().source()).isEqualTo("session");
            assertThat(conn.settings().all().join()).containsKeys("work_mem", "search_path", "max_connections");
            assertThatThrownBy(() -> conn.settings().get("no_such_thing").join()).isInstanceOf(CompletionException.class)
                    .hasCauseInstanceOf(ProgrammingException.class).hasMessageContaining("no_such_thing");

            conn.settings().set("statement_timeout", "1234", true).join();
            assertThat(conn.settings().show("statement_timeout").join()).isEqualTo("1234ms");
            conn.rollback().join();
            assertThat(conn.settings().show("statement_timeout").join()).isEqualTo("0");
        }
    }
}
