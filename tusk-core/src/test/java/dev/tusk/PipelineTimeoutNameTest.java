package dev.tusk;

import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * In pipeline mode, the statement timeout that cancels a pipelined statement is named in the error the caller gets,
 * whichever wait it fired in: a pipelined cursor's fetch, the wait for the statements written out before (when more
 * than 64 KiB of statements are queued), or the pipeline's sync. Before, only the sync's own wait named it: the others
 * raised the server's plain "canceling statement due to user request", as if someone had cancelled it.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class PipelineTimeoutNameTest {
    private static final Duration TIMEOUT = Duration.ofMillis(500);

    private static Connection<Row> connect(TestDatabase db) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(TIMEOUT).build());
    }

    private static void namesTheTimeout(Throwable t) {
        assertThat(t).isInstanceOf(QueryCanceled.class).hasMessageContaining("statement timeout")
                .hasMessageContaining(TIMEOUT.toMillis() + " ms");
    }

    @Test
    void aPipelinedCursorsFetchCancelledByTheTimeoutSaysSo(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            Pipeline p = conn.pipeline();
            Cursor<Row> slow = conn.execute("SELECT pg_sleep(30)");
            namesTheTimeout(catchThrowable(slow::fetchone)); // the fetch's wait fires
            catchThrowable(p::close);
            assertThat(conn.isBroken()).isFalse();
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void aStatementCancelledWhileTheNextWriteOutWaitedForItSaysSo(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            Pipeline p = conn.pipeline();
            String big = "w".repeat(70_000); // each statement past the 64 KiB of queued output: written out
            Cursor<Row> slow = conn.execute("SELECT pg_sleep(30), length(%s)", big); // written out at once
            Cursor<Row> next = conn.execute("SELECT length(%s)", big); // waits for the one before: the timer fires
            namesTheTimeout(catchThrowable(slow::fetchone));
            assertThat(catchThrowable(next::fetchone)).as("skipped after the error").isNotNull();
            catchThrowable(p::close);
            assertThat(conn.isBroken()).isFalse();
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void thePipelinesSyncAfterATimeoutInAWriteOutSaysSo(TestDatabase db) {
        try (Connection<Row> conn = connect(db)) {
            Pipeline p = conn.pipeline();
            String big = "s".repeat(70_000);
            conn.execute("SELECT pg_sleep(30), length(%s)", big);
            conn.execute("SELECT length(%s)", big); // the timer fires here, in the write-out's wait
            namesTheTimeout(catchThrowable(p::sync));
            catchThrowable(p::close);
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }
}
