package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class ConnectTest {
    /** Connects with {@code conninfo} on the given driver and runs a statement (connection failures are the point). */
    private static String connectWith(Flavour flavour, String conninfo) {
        return flavour.queryOnce(ConnectOptions.of(conninfo), "SELECT 1");
    }

    @Test
    void connectsQueriesAndCloses(TestDatabase db) {
        Connection<Row> conn = Connection.connect(db.conninfo());
        assertThat(conn.isClosed()).isFalse();
        assertThat(conn.execute("SELECT current_database()").fetchone().getString(0)).isEqualTo(db.dbname());
        conn.close();
        conn.close(); // idempotent
        assertThat(conn.isClosed()).isTrue();
        assertThat(conn.isBroken()).isFalse();
        assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(OperationalException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void optionsOverrideTheConninfoString(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder()
                .conninfo(db.conninfo() + " application_name=first")
                .applicationName("second")
                .build())) {
            assertThat(conn.execute("SELECT current_setting('application_name')").fetchone().getString(0)).isEqualTo("second");
            assertThat(conn.info().parameterStatus("application_name")).isEqualTo("second");
        }
    }

    @Test
    void scramLoginOfAPasswordUser(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo(db.scramUser(), db.scramPassword()))) {
            assertThat(conn.execute("SELECT current_user").fetchone().getString(0)).isEqualTo(db.scramUser());
            assertThat(conn.info().password()).isEqualTo(db.scramPassword());
            assertThat(conn.info().dsn()).doesNotContain(db.scramPassword());
        }
    }

    @Test
    void md5AndCleartextLogins(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo(db.md5User(), db.md5Password()))) {
            assertThat(conn.execute("SELECT current_user").fetchone().getString(0)).isEqualTo(db.md5User());
        }
        try (Connection<Row> conn = Connection.connect(db.conninfo(db.cleartextUser(), db.cleartextPassword()))) {
            assertThat(conn.execute("SELECT current_user").fetchone().getString(0)).isEqualTo(db.cleartextUser());
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void wrongPasswordSaysAuthenticationFailed(Flavour flavour, TestDatabase db) {
        assertThatThrownBy(() -> connectWith(flavour, db.conninfo(db.scramUser(), "wrong")))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("password authentication failed")
                .satisfies(e -> assertThat(((OperationalException) e).sqlstate()).isEqualTo("28P01"))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("wrong"));
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void missingPasswordSaysWhereToPutOne(Flavour flavour, TestDatabase db) {
        assertThatThrownBy(() -> connectWith(flavour, db.conninfo() .replace("user=" + db.superuser(), "user=" + db.scramUser())
                + " passfile=/nonexistent"))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining("no password was supplied");
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void unknownKeywordFailsBeforeAnyNetworkTraffic(Flavour flavour) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            server.setSoTimeout(300);
            assertThatThrownBy(() -> connectWith(flavour, "host=127.0.0.1 port=" + server.getLocalPort() + " hots=x"))
                    .isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("hots");
            assertThatThrownBy(() -> connectWith(flavour, "host=127.0.0.1 port=abc"))
                    .isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("port");
            assertThatThrownBy(() -> connectWith(flavour, "host=127.0.0.1 sslmode=sometimes"))
                    .isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("sslmode");
            assertThatThrownBy(server::accept).isInstanceOf(java.net.SocketTimeoutException.class); // nobody came
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    @Timeout(20)
    void closedPortFailsWithOperationalException(Flavour flavour) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        assertThatThrownBy(() -> connectWith(flavour, "host=127.0.0.1 port=" + port + " connect_timeout=3 sslmode=disable"))
                .isInstanceOf(OperationalException.class)
                .hasMessageContaining(String.valueOf(port));
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(3_500);
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    @Timeout(20)
    void silentServerTimesOutWithinConnectTimeout(Flavour flavour) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accept, then never answer
                    }
                } catch (Exception ignored) {
                    // closed at the end of the test
                }
            });
            acceptor.setDaemon(true);
            acceptor.start();
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> connectWith(flavour, "host=127.0.0.1 port=" + silent.getLocalPort() + " connect_timeout=2"))
                    .isInstanceOf(OperationalException.class)
                    .hasMessageContaining("timed out");
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertThat(ms).isBetween(1_500L, 4_000L);
        }
    }

    @Test
    @Timeout(30)
    void terminatedBackendIsReportedAsBroken(TestDatabase db) {
        try (Connection<Row> victim = Connection.connect(db.conninfo());
             Connection<Row> killer = Connection.connect(db.conninfo())) {
            int pid = victim.info().backendPid();
            killer.execute("SELECT pg_terminate_backend(%s)", pid);
            assertThatThrownBy(() -> victim.execute("SELECT 1"))
                    .isInstanceOf(OperationalException.class)
                    .hasMessageContaining("terminating connection");
            assertThat(victim.isBroken()).isTrue();
            assertThat(victim.isClosed()).isTrue();
            assertThat(victim.info().transactionStatus()).isEqualTo(TransactionStatus.UNKNOWN);
            assertThatThrownBy(() -> victim.execute("SELECT 1"))
                    .isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken");
        }
    }

    @Test
    void unixSocketConnection(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.unixSocketConninfo())) {
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            assertThat(conn.info().host()).startsWith("/");
        }
    }

    @Test
    void connectionInfoReportsTheSession(TestDatabase db) {
        try (Connection<Row> conn = Connection.connect(db.conninfo())) {
            ConnectionInfo info = conn.info();
            assertThat(info.transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(info.serverVersion()).isEqualTo(db.server().version());
            assertThat(info.backendPid()).isEqualTo(conn.execute("SELECT pg_backend_pid()").fetchone().getInt(0));
            assertThat(info.secretKeyBytes().length).isBetween(4, 256);
            assertThat(info.encoding()).isEqualTo("UTF-8");
            assertThat(info.dbname()).isEqualTo(db.dbname());
            assertThat(info.user()).isEqualTo(db.superuser());
            assertThat(info.port()).isEqualTo(db.port());
            assertThat(info.status()).isEqualTo(ConnStatus.OK);
            assertThat(info.transactionStatus()).as("the query opened a transaction").isEqualTo(TransactionStatus.INTRANS);
            assertThat(info.pipelineStatus()).isEqualTo(PipelineStatus.OFF);
            assertThat(info.serverParameters()).containsKeys("server_version", "TimeZone", "client_encoding");
            conn.execute("SET TimeZone = 'America/New_York'");
            assertThat(info.timezone()).isEqualTo(java.time.ZoneId.of("America/New_York"));
            conn.execute("SET application_name = 'renamed'");
            assertThat(info.parameterStatus("application_name")).isEqualTo("renamed");
            assertThat(info.getParameters()).doesNotContainKey("password");
        }
    }
}
