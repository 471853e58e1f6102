package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.io.SocketTransport;
import dev.tusk.internal.io.Transport;
import dev.tusk.internal.io.UnixSocketTransport;
import dev.tusk.internal.wire.BackendMessage;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;

/**
 * Sends a CancelRequest on a connection of its own, as the protocol requires: over TLS when the
 * session uses TLS, and waits for the server to close it so the request is known to be delivered.
 */
public final class CancelRequester {
    private CancelRequester() {
    }

    /**
     * How long a cancel request may take when neither the caller nor {@code connect_timeout} bounds it: a
     * frozen postmaster (it accepts, then never answers) must not hang the caller.
     */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

    /**
     * @param timeout bounds the whole exchange (connect, TLS, send, the server's confirmation); null: the
     *                {@code connect_timeout} of {@code params}, else {@link #DEFAULT_TIMEOUT}
     */
    public static void cancel(HostSpec host, ConnParams params, boolean tls, int pid, byte[] key, Duration timeout) {
        Duration bound = timeout != null ? timeout : params.connectTimeout() != null ? params.connectTimeout() : DEFAULT_TIMEOUT;
        String why = timeout != null ? "the timeout given" : params.connectTimeout() != null ? "connect_timeout"
                : "the default bound, set connect_timeout to change it";
        Transport t = null;
        Socket raw = null;
        try (AttemptDeadline deadline = AttemptDeadline.start(bound)) {
            try {
                if (host.isUnixSocket()) {
                    t = new UnixSocketTransport(host.socketPath());
                } else {
                    Socket s = raw = new Socket();
                    deadline.watch(s);
                    s.setTcpNoDelay(true);
                    String address = host.hostaddr() != null ? host.hostaddr() : host.host();
                    s.connect(new InetSocketAddress(address, host.port()), deadline.millisLeft());
                    t = new SocketTransport(s);
                    t.setReadTimeout(deadline.millisLeft());
                    if (tls) {
                        t = startTls((SocketTransport) t, host, params, deadline);
                    }
                }
                t.setReadTimeout(deadline.millisLeft());
                MessageWriter w = new MessageWriter();
                Frontend.cancelRequest(w, pid, key);
                t.write(w.array(), 0, w.position());
                byte[] sink = new byte[64];
                while (true) {
                    t.setReadTimeout(deadline.millisLeft());
                    if (t.read(sink, 0, sink.length) < 0) {
                        break; // the server answers nothing and closes the connection once the request is handled
                    }
                }
            } catch (IOException | OperationalException e) {
                if (deadline.explains(e)) {
                    throw new OperationalException("cancel request to " + ConnectPlan.describe(host) + " not confirmed within "
                            + bound.toMillis() + " ms (" + why + "): the server accepted no request or did not answer;"
                            + " the statement may still be running", e);
                }
                if (e instanceof OperationalException oe) {
                    throw oe;
                }
                throw new OperationalException("could not send the cancel request to " + ConnectPlan.describe(host) + ": "
                        + e.getMessage(), e);
            }
        } finally {
            if (t != null) {
                t.close();
            } else if (raw != null) {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // failed anyway
                }
            }
        }
    }

    private static Transport startTls(SocketTransport plain, HostSpec host, ConnParams params, AttemptDeadline deadline)
            throws IOException {
        MessageWriter w = new MessageWriter();
        Frontend.sslRequest(w);
        plain.write(w.array(), 0, w.position());
        byte[] one = new byte[1];
        if (plain.read(one, 0, 1) != 1 || one[0] != BackendMessage.SSL_ACCEPTED) {
            throw new OperationalException("the server refused TLS for the cancel request");
        }
        plain.setReadTimeout(deadline.millisLeft());
        Transport t = new SocketTransport(TlsNegotiator.wrap(plain.socket(), host.host(), host.port(), params));
        t.setReadTimeout(deadline.millisLeft());
        return t;
    }
}
