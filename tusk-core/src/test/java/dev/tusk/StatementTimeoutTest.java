package dev.tusk;

import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(60)
class StatementTimeoutTest {
    @Test
    void aPerCallTimeoutCancelsTheStatementAndSaysSo(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(200)).build();
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(%s)", List.of(30), opts))
                    .isInstanceOf(QueryCanceled.class)
                    .hasMessageContaining("statement timeout")
                    .hasMessageContaining("200 ms");
            conn.rollback();
            assertThat(conn.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
        }
    }

    @Test
    void theConnectionTimeoutAppliesToEveryStatementAndCanBeChanged(TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .statementTimeout(Duration.ofMillis(300)).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            assertThat(conn.statementTimeout()).isEqualTo(Duration.ofMillis(300));
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(30)")).isInstanceOf(QueryCanceled.class)
                    .hasMessageContaining("300 ms");
            conn.setStatementTimeout(null);
            assertThat(conn.execute("SELECT pg_sleep(0.5), 1").fetchone().getInt(1)).isEqualTo(1);
        }
    }

    @Test
    void statementsThatFinishInTimeAreNeverCancelledLater(TestDatabase db) throws Exception {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .statementTimeout(Duration.ofMillis(100)).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            for (int i = 0; i < 200; i++) {
                assertThat(conn.execute("SELECT %s::int", i).fetchone().getInt(0)).isEqualTo(i);
            }
            Thread.sleep(150); // past the last timer: nothing may cancel the next statement
            assertThat(conn.execute("SELECT pg_sleep(0.05), 2").fetchone().getInt(1)).isEqualTo(2);
        }
    }
}
