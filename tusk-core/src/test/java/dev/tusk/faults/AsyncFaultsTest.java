package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Network faults under an AsyncConnection: every pending future fails, none hangs, the connection says it is broken. */
@TuskTest
@Timeout(30)
class AsyncFaultsTest {
    private static AsyncConnection<Row> connect(FaultProxy proxy, TestDatabase db) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1")
                .port(proxy.port()).sslmode("disable").autocommit(true).build()).join();
    }

    @Test
    void aConnectionCutInTheMiddleOfPipelinedStatementsFailsThemAll(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port()); AsyncConnection<Row> conn = connect(proxy, db)) {
            proxy.failAtServerMessage('D', 50, FaultProxy.Action.RESET);
            List<CompletableFuture<?>> pending = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                pending.add(conn.execute("SELECT %s::int", i));
            }
            int failed = 0;
            for (CompletableFuture<?> f : pending) {
                try {
                    f.get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    assertThat(e.getCause()).isInstanceOf(OperationalException.class);
                    failed++;
                }
            }
            assertThat(failed).as("the statements after the cut").isGreaterThanOrEqualTo(150);
            assertThat(conn.isBroken()).isTrue();
            assertThatThrownBy(() -> conn.execute("SELECT 1").get(5, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(OperationalException.class).hasMessageContaining("broken");
        }
    }

    @Test
    void aServerThatClosesDuringALargeResultFailsTheFuture(TestDatabase db) {
        try (FaultProxy proxy = FaultProxy.start("127.0.0.1", db.port()); AsyncConnection<Row> conn = connect(proxy, db)) {
            proxy.failAtServerMessage('D', 20_000, FaultProxy.Action.CLOSE);
            assertThatThrownBy(() -> conn.execute("SELECT g FROM generate_series(1, 100000) g").get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(OperationalException.class);
            assertThat(conn.isBroken()).isTrue();
        }
    }
}
