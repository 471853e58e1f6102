package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Tusk has no GSSAPI (trust #24): {@code gssencmode=require} is refused before any network traffic, as by a
 * libpq built without GSSAPI, rather than connecting without the encryption asked for; disable and prefer
 * connect without GSS encryption.
 */
@TuskTest
@Timeout(30)
class GssEncModeTest {
    private static final String REFUSED = "gssencmode value \"require\" invalid when GSSAPI support is not compiled in";

    @Test
    void requireIsRefusedBeforeAnyTraffic() throws Exception { // trust #24
        try (ServerSocket listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            String conninfo = "host=127.0.0.1 port=" + listener.getLocalPort()
                    + " user=u dbname=d sslmode=disable gssencmode=require connect_timeout=2";
            assertThatThrownBy(() -> Connection.connect(conninfo)).isInstanceOf(NotSupportedException.class)
                    .hasMessageContaining(REFUSED).hasMessageContaining("gssencmode=disable");
            Throwable async = catchThrowable(() -> AsyncConnection.connect(conninfo).get(10, TimeUnit.SECONDS));
            assertThat(async).isInstanceOf(ExecutionException.class);
            assertThat(async.getCause()).isInstanceOf(NotSupportedException.class).hasMessageContaining(REFUSED);
            listener.setSoTimeout(200);
            assertThatThrownBy(listener::accept).as("no connection may have been opened")
                    .isInstanceOf(SocketTimeoutException.class);
        }
    }

    @Test
    void disableAndPreferConnectWithoutGssEncryption(TestDatabase db) throws Exception { // trust #24
        for (String mode : new String[] {"disable", "prefer"}) {
            try (Connection<Row> conn = Connection.connect(db.conninfo() + " gssencmode=" + mode)) {
                assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
            }
            AsyncConnection<Row> async = AsyncConnection.connect(db.conninfo() + " gssencmode=" + mode).get(10, TimeUnit.SECONDS);
            try {
                assertThat(async.execute("SELECT 2").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(2);
            } finally {
                async.close();
            }
        }
    }
}
