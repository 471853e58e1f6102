package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults while a statement runs: simple and extended protocol, large results, streams. */
@TuskTest
@Timeout(30)
class QueryFaultsTest {

    @Test
    void closedBeforeTheResultOfASimpleQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.CLOSE);
            Faults.assertLost(c, () -> c.execute("SELECT 1"));
        }
    }

    @Test
    void resetBeforeTheResultOfAParameterisedQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAtServerMessage('2', 1, FaultProxy.Action.RESET); // BindComplete
            var e = Faults.assertLost(c, () -> c.execute("SELECT %s::int", 7));
            assertThat(e.getMessage()).containsIgnoringCase("reset");
        }
    }

    @Test
    void closedWhileSendingTheQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAfterClientBytes(100, FaultProxy.Action.RESET);
            String big = "x".repeat(2_000_000); // more than the socket buffers: the write itself fails
            Faults.assertLost(c, () -> c.execute("SELECT length(%s)", big));
        }
    }

    @Test
    void closedInTheMiddleOfALargeResult(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAtServerMessage('D', 50_000, FaultProxy.Action.CLOSE);
            Faults.assertLost(c, () -> c.execute("SELECT g, repeat('y', 20) FROM generate_series(1, 200000) g"));
        }
    }

    @Test
    void cutInsideADataRowMessage(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAfterServerBytes(100_003, FaultProxy.Action.CLOSE); // almost surely mid-message
            Faults.assertLost(c, () -> c.execute("SELECT g, repeat('y', 50) FROM generate_series(1, 100000) g"));
        }
    }

    @Test
    void resetWhileAStreamIsBeingConsumed(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            proxy.failAtServerMessage('D', 3000, FaultProxy.Action.RESET);
            AtomicLong seen = new AtomicLong();
            Faults.assertLost(c, () -> {
                try (var s = c.cursor().stream("SELECT g FROM generate_series(1, 100000) g")) {
                    s.forEach(r -> seen.incrementAndGet());
                }
            });
            assertThat(seen.get()).isBetween(1L, 2999L); // rows before the cut were delivered, the cut row was not
        }
    }

    @Test
    void serverGoneWhileIdleIsNoticedOnTheNextCall(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            assertThat(c.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            proxy.failNow(FaultProxy.Action.CLOSE);
            Faults.assertLost(c, () -> c.execute("SELECT 2"));
        }
    }
}
