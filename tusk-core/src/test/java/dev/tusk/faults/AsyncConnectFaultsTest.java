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

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Faults while an AsyncConnection connects: refused, cut or reset mid-startup, mid-authentication, or never answered. */
@TuskTest
@Timeout(30)
class AsyncConnectFaultsTest {

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Test
    void aRefusedConnectionNamesTheHostAndPort(TestDatabase db) throws IOException {
        int port = closedPort();
        Throwable t = AsyncFaults.failure(AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo())
                .host("127.0.0.1").port(port).sslmode("disable").build()));
        assertThat(t).isInstanceOf(OperationalException.class);
        assertThat(t.getMessage()).contains("\"127.0.0.1\", port " + port).containsIgnoringCase("refused")
                .contains("is the server running");
    }

    @Test
    void aRefusedHostIsSkippedForTheNextOne(TestDatabase db) throws IOException {
        int dead = closedPort();
        try (AsyncConnection<Row> c = AsyncFaults.await(AsyncConnection.connect(db.conninfo()
                + " host=127.0.0.1,127.0.0.1 port=" + dead + "," + db.port() + " sslmode=disable"))) {
            assertThat(AsyncFaults.await(c.execute("SELECT 7")).fetchone().getInt(0)).isEqualTo(7);
            assertThat(c.info().port()).isEqualTo(db.port());
        }
    }

    @Test
    void everyHostRefusedListsThemAll(TestDatabase db) throws IOException {
        int a = closedPort();
        int b = closedPort();
        Throwable t = AsyncFaults.failure(AsyncConnection.connect(db.conninfo() + " host=127.0.0.1,127.0.0.1 port="
                + a + "," + b + " sslmode=disable"));
        assertThat(t).isInstanceOf(OperationalException.class);
        assertThat(t.getMessage()).contains("could not connect to any host").contains("port " + a).contains("port " + b);
    }

    @Test
    void aServerThatNeverAnswersFailsWithinConnectTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.silentFromStart();
            long t0 = System.nanoTime();
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db).connectTimeout(2).build()));
            Duration took = Duration.ofNanos(System.nanoTime() - t0);
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).contains("connect_timeout").contains("timed out").contains("port " + proxy.port());
            assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(1900)).isLessThan(Duration.ofSeconds(6));
        }
    }

    @Test
    void aServerThatGoesSilentMidStartupFailsWithinConnectTimeout(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('S', 2, FaultProxy.Action.SILENCE); // authenticated, some ParameterStatus got through
            long t0 = System.nanoTime();
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db).connectTimeout(1).build()));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).contains("timed out").contains("connect_timeout");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
            assertThat(proxy.triggered()).isTrue();
        }
    }

    @Test
    void connectionClosedBeforeTheAuthenticationRequest(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('R', 1, FaultProxy.Action.CLOSE);
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db).build()));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            assertThat(proxy.triggered()).isTrue();
        }
    }

    @Test
    void connectionCutInTheMiddleOfScramAuthentication(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            // R 1: AuthenticationSASL; R 2: SASLContinue (the server-first message): the client-final never gets an answer
            proxy.failAtServerMessage('R', 2, FaultProxy.Action.RESET);
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db)
                    .user(db.scramUser()).password(db.scramPassword()).build()));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches("(?is).*(reset|lost|closed).*");
            assertThat(proxy.triggered()).isTrue();
        }
    }

    @Test
    void connectionClosedAfterAuthenticationBeforeReadyForQuery(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAtServerMessage('Z', 1, FaultProxy.Action.CLOSE);
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db).build()));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
        }
    }

    @Test
    void connectionResetWhileSendingTheStartupMessage(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.failAfterClientBytes(6, FaultProxy.Action.RESET);
            Throwable t = AsyncFaults.failure(AsyncConnection.connect(Faults.via(proxy, db).build()));
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches("(?is).*(reset|closed|lost).*");
        }
    }

    @Test
    void aSlowThrottledLinkStillConnectsAndAnswers(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.delay(Duration.ofMillis(5)).throttle(100_000);
            try (AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
                String big = AsyncFaults.await(c.execute("SELECT repeat('ab', 50000)")).fetchone().getString(0);
                assertThat(big).hasSize(100_000).startsWith("abab").endsWith("abab");
                assertThat(c.isBroken()).isFalse();
            }
        }
    }
}
