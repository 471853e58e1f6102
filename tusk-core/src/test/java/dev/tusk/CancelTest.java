package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(60)
class CancelTest {

    @Test
    void cancelStopsALongQueryWithinASecond(TestDatabase db) {
        ScheduledExecutorService ex = Executors.newSingleThreadScheduledExecutor();
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            ex.schedule(conn::cancel, 300, TimeUnit.MILLISECONDS);
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> conn.execute("SELECT pg_sleep(30)"))
                    .satisfies(e -> assertThat(((dev.tusk.errors.TuskException) e).sqlstate()).isEqualTo("57014"))
                    .hasMessageContaining("canceling statement");
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(1_300);
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
            conn.rollback();
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            assertThat(conn.isBroken()).isFalse();
        } finally {
            ex.shutdownNow();
        }
    }

    @Test
    void cancelSafeIsBoundedAndHarmlessWhenIdle(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            long t0 = System.nanoTime();
            conn.cancelSafe(Duration.ofSeconds(2));
            assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(2_500);
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void cancelOfAClosedConnectionDoesNothing(TestDatabase db) {
        Connection<Row> conn = Connection.connect(db.conninfo());
        conn.close();
        conn.cancel();
        assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class);
    }
}
