package dev.tusk.faults;

import dev.tusk.Connection;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;

import static dev.tusk.faults.FakeServer.Session.ascii;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A fake server that lies: a forged SCRAM proof, a login accepted without proof, absurd lengths, unknown and
 * out-of-order messages. Each ends in a clear OperationalException within the connect timeout, never a hang.
 */
@Timeout(30)
class HostileServerTest {
    private static final byte[] SASL_SCRAM = ascii("SCRAM-SHA-256\0\0");

    /** Plays SCRAM up to the server's final message, which {@code serverFinal} writes. */
    private static FakeServer scram(String serverFinal, boolean sendFinal) {
        return FakeServer.start(s -> {
            s.auth(10, SASL_SCRAM).flush();
            ByteBuffer initial = s.readMessage(); // p: mechanism\0, int32 length, client-first-message
            String body = StandardCharsets.US_ASCII.decode(initial.position(1)).toString();
            String clientFirst = body.substring(body.indexOf("n,,"));
            String nonce = clientFirst.substring(clientFirst.indexOf("r=") + 2);
            String salt = Base64.getEncoder().encodeToString(ascii("0123456789abcdef"));
            s.auth(11, ascii("r=" + nonce + "server-part,s=" + salt + ",i=4096")).flush();
            s.readMessage(); // client-final-message with the proof
            if (sendFinal) {
                s.auth(12, ascii(serverFinal));
            }
            s.auth(0, new byte[0]).flush();
        });
    }

    private static Throwable connect(FakeServer server) {
        long t0 = System.nanoTime();
        Throwable t = null;
        try (Connection<?> c = Connection.connect(server.conninfo())) {
            c.execute("SELECT 1");
        } catch (TuskException e) {
            t = e;
        }
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(10));
        return t;
    }

    @Test
    void aForgedScramServerSignatureIsRefused() throws Exception {
        String forged = "v=" + Base64.getEncoder().encodeToString(new byte[32]);
        try (FakeServer server = scram(forged, true)) {
            assertThat(connect(server)).isInstanceOf(OperationalException.class).hasMessageContaining("signature does not match");
        }
    }

    @Test
    void aLoginAcceptedWithoutProofIsRefused() throws Exception {
        try (FakeServer server = scram(null, false)) {
            assertThat(connect(server)).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("without proving that it knows the password");
        }
    }

    @Test
    void anAbsurdMessageLengthIsAProtocolErrorNotAnAllocation() throws Exception {
        try (FakeServer server = FakeServer.start(s -> s.raw(new byte[] {'R', 0x7f, (byte) 0xff, (byte) 0xff, (byte) 0xff}).flush())) {
            assertThat(connect(server)).isInstanceOf(OperationalException.class).hasMessageContaining("length");
        }
    }

    @Test
    void anUnknownMessageDuringStartupIsAProtocolViolation() throws Exception {
        try (FakeServer server = FakeServer.start(s -> s.message('Q', ascii("SELECT 1\0")).flush())) {
            assertThat(connect(server)).isInstanceOf(OperationalException.class).hasMessageContaining("protocol violation");
        }
    }

    @Test
    void rowsBeforeTheirDescriptionAreAProtocolViolation() throws Exception {
        try (FakeServer server = FakeServer.start(s -> {
            s.auth(0, new byte[0]).message('K', ByteBuffer.allocate(8).putInt(1).putInt(2).array())
                    .message('Z', ascii("I")).flush();
            s.readMessage(); // the query
            s.message('D', ByteBuffer.allocate(6).putShort((short) 1).putInt(-1).array()).message('Z', ascii("I")).flush();
        })) {
            assertThat(connect(server)).isInstanceOf(OperationalException.class).hasMessageContaining("protocol");
        }
    }

    @Test
    void aServerThatOnlySpeaks30NegotiatesDownAsPostgres16Does() throws Exception {
        try (FakeServer server = FakeServer.start(s -> {
            // NegotiateProtocolVersion: newest minor supported 0, no unrecognized options
            s.message('v', ByteBuffer.allocate(8).putInt(0).putInt(0).array());
            s.auth(0, new byte[0]).message('K', ByteBuffer.allocate(8).putInt(42).putInt(7).array())
                    .message('S', ascii("server_version\u000016.11\u0000")).message('Z', ascii("I")).flush();
        }); Connection<?> c = Connection.connect(server.conninfo())) {
            assertThat(c.info().fullProtocolVersion()).isEqualTo(30000);
            assertThat(c.info().backendPid()).isEqualTo(42);
            assertThat(c.info().secretKeyBytes()).hasSize(4);
        }
    }

    @Test
    void aServerThatClosesMidMessageIsALostConnection() throws Exception {
        try (FakeServer server = FakeServer.start(s -> s.raw(new byte[] {'R', 0, 0, 0, 8, 0}).flush())) {
            // the fake keeps the socket open for 2 s: the connect timeout ends the wait
            assertThat(connect(server)).isInstanceOf(OperationalException.class);
        }
    }
}
