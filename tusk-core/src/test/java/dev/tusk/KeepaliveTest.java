package dev.tusk;

import dev.tusk.internal.io.SocketTransport;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;

import java.net.Socket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

@TuskTest
class KeepaliveTest {
    private static Socket socketOf(Connection<?> conn) {
        return ((SocketTransport) conn.driver().transport()).socket();
    }

    @Test
    void keepaliveKeywordsReachTheSocket(TestDatabase db) throws Exception {
        String ci = db.conninfo() + " sslmode=disable keepalives_idle=42 keepalives_interval=7 keepalives_count=3";
        try (Connection<Row> conn = Connection.connect(ci)) {
            Socket s = socketOf(conn);
            assertThat(s.getKeepAlive()).isTrue();
            assumeTrue(s.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE), "no TCP_KEEPIDLE on this platform");
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(42);
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(7);
            assertThat(s.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(3);
        }
    }

    @Test
    void keepalivesZeroTurnsThemOff(TestDatabase db) throws Exception {
        try (Connection<Row> conn = Connection.connect(db.conninfo() + " sslmode=disable keepalives=0")) {
            assertThat(socketOf(conn).getKeepAlive()).isFalse();
            assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        }
    }
}
