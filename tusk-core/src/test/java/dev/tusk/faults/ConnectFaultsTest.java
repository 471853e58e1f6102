package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Faults while connecting: the startup exchange is cut, reset or never answered. */
@TuskTest
@Timeout(30)
class ConnectFaultsTest {

    @Test
    void passThroughWorksAndSeesTheTraffic(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            assertThat(c.execute("SELECT 41 + 1").fetchone().getInt(0)).isEqualTo(42);
            assertThat(proxy.acceptedConnections()).isEqualTo(1);
        }
    }

    @Test
    void slowAndThrottledLinksStillGiveCorrectResults(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.delay(Duration.ofMillis(5)).throttle(200_000);
            try (Connection<Row> c = Faults.connect(proxy, db)) {
                long t0 = System.nanoTime();
                Row r = c.execute("SELECT count(*), sum(length(repeat('x', g))) FROM generate_series(1, 300) g").fetchone();
                assertThat(r.getLong(0)).isEqualTo(300);
                assertThat(r.getLong(1)).isEqualTo(45150);
                // 100 kB through a 200 kB/s link: at least ~0.5 s, and it must arrive intact
                String big = c.execute("SELECT repeat('ab', 50000)").fetchone().getString(0);
                assertThat(big).hasSize(100_000).startsWith("abab").endsWith("abab");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(400));
            }
        }
    }

    @Test
    void connectionClosedBeforeTheAuthenticationRequest(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('R', 1, FaultProxy.Action.CLOSE);
            Throwable t = catchThrowable(() -> Faults.connect(proxy, db));
            assertThat(t).isInstanceOf(OperationalException.class);
            // finding: the message does not name the host (libpq: connection to server at "h", port p failed: ...);
            // Connector.java owns it
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(proxy.triggered()).isTrue();
        }
    }

    @Test
    void connectionClosedAfterAuthenticationBeforeReadyForQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('Z', 1, FaultProxy.Action.CLOSE);
            Throwable t = catchThrowable(() -> Faults.connect(proxy, db));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST + "|(?is).*closed.*");
        }
    }

    @Test
    void connectionResetWhileSendingTheStartupMessage(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAfterClientBytes(6, FaultProxy.Action.RESET);
            Throwable t = catchThrowable(() -> Faults.connect(proxy, db));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches("(?is).*(reset|closed|lost).*");
        }
    }

    @Test
    void aServerThatNeverAnswersFailsWithinConnectTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.silentFromStart();
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Connection.connect(Faults.via(proxy, db).connectTimeout(2).build()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).contains("connect_timeout").contains("timed out");
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aServerThatGoesSilentMidStartupFailsWithinConnectTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('S', 2, FaultProxy.Action.SILENCE); // some ParameterStatus messages got through
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Connection.connect(Faults.via(proxy, db).connectTimeout(1).build()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).contains("timed out");
            assertThat(took).isLessThan(Duration.ofSeconds(5));
        }
    }
}
