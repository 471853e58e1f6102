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
     * What a cancel request asks right before its bytes are written (after the connect and TLS, the slow part),
     * and tells once it ended: the server cancels whatever the backend runs when the request arrives, so a request
     * whose target ended meanwhile must not be sent, and one sent must be known to be handled before the backend
     * is given other work to run.
     */
    public interface Gate {
        /** Right before the write: true sends the request; false drops it (nothing is sent, no error). */
        boolean mayWrite();

        /**
         * After {@link #mayWrite()} said true, once: {@code confirmed} when the server closed the request's
         * connection (it has handled it); false when the request may have been sent and was not confirmed (it may
         * still reach the server later).
         */
        void ended(boolean confirmed);
    }

    /** The gate of a request sent whatever happens meanwhile (a connection's own cancel, outside any pool). */
    public static final Gate ALWAYS = new Gate() {
        @Override
        public boolean mayWrite() {
            return true;
        }

        @Override
        public void ended(boolean confirmed) {
        }
    };

    /**
     * @param timeout bounds the whole exchange (connect, TLS, send, the server's confirmation); null: the
     *                {@code connect_timeout} of {@code params}, else {@link #DEFAULT_TIMEOUT}
     * @return false when {@code gate} dropped the request (nothing was sent)
     */
    public static boolean cancel(HostSpec host, ConnParams params, boolean tls, int pid, byte[] key, Duration timeout,
                                 Gate gate) {
        Duration bound = timeout != null ? timeout : params.connectTimeout() != null ? params.connectTimeout() : DEFAULT_TIMEOUT;
        String why = timeout != null ? "the timeout given" : params.connectTimeout() != null ? "connect_timeout"
                : "the default bound, set connect_timeout to change it";
        Transport t = null;
        Socket raw = null;
        boolean entered = false;
        boolean confirmed = false;
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
                if (!gate.mayWrite()) {
                    return false; // its target ended while connecting: sent now, it would cancel whatever runs next
                }
                entered = true;
                t.write(w.array(), 0, w.position());
                byte[] sink = new byte[64];
                while (true) {
                    t.setReadTimeout(deadline.millisLeft());
                    if (t.read(sink, 0, sink.length) < 0) {
                        break; // the server answers nothing and closes the connection once the request is handled
                    }
                }
                confirmed = true;
                return true;
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
            if (entered) {
                gate.ended(confirmed); // after the close: a request given up on can no longer be sent by us
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
