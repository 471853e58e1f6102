package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import jdk.net.ExtendedSocketOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The libpq keepalive keywords reach an AsyncConnection's socket, as {@link KeepaliveTest} checks for Connection. */
@TuskTest
@Timeout(30)
class AsyncKeepaliveTest {

    @Test
    void keepaliveKeywordsReachTheChannel(TestDatabase db) throws Exception {
        String ci = db.conninfo() + " sslmode=disable keepalives_idle=42 keepalives_interval=7 keepalives_count=3";
        try (AsyncConnection<Row> conn = AsyncConnection.connect(ci).get(15, TimeUnit.SECONDS)) {
            SocketChannel ch = conn.driver().channel();
            assertThat(ch.getOption(StandardSocketOptions.SO_KEEPALIVE)).isTrue();
            assumeTrue(ch.supportedOptions().contains(ExtendedSocketOptions.TCP_KEEPIDLE), "no TCP_KEEPIDLE on this platform");
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPIDLE)).isEqualTo(42);
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPINTERVAL)).isEqualTo(7);
            assertThat(ch.getOption(ExtendedSocketOptions.TCP_KEEPCOUNT)).isEqualTo(3);
        }
    }

    @Test
    void keepalivesZeroTurnsThemOff(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> conn = AsyncConnection.connect(db.conninfo() + " sslmode=disable keepalives=0").get(15, TimeUnit.SECONDS)) {
            assertThat(conn.driver().channel().getOption(StandardSocketOptions.SO_KEEPALIVE)).isFalse();
            assertThat(conn.execute("SELECT 1").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(1);
        }
    }
}
