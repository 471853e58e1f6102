package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;
import dev.tusk.internal.io.SocketTransport;
import dev.tusk.internal.io.Transport;
import dev.tusk.internal.io.UnixSocketTransport;
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
     * @param timeout bounds the whole exchange; null waits as long as the network does
     */
    public static void cancel(HostSpec host, ConnParams params, boolean tls, int pid, byte[] key, Duration timeout) {
        long deadline = timeout == null ? 0 : System.nanoTime() + timeout.toNanos();
        Transport t = null;
        try {
            if (host.isUnixSocket()) {
                t = new UnixSocketTransport(host.socketPath());
            } else {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                String address = host.hostaddr() != null ? host.hostaddr() : host.host();
                s.connect(new InetSocketAddress(address, host.port()), millisLeft(deadline));
                t = new SocketTransport(s);
                t.setReadTimeout(millisLeft(deadline));
                if (tls) {
                    t = startTls((SocketTransport) t, host, params, deadline);
                }
            }
            t.setReadTimeout(millisLeft(deadline));
            MessageWriter w = new MessageWriter();
            Frontend.cancelRequest(w, pid, key);
            t.write(w.array(), 0, w.position());
            byte[] sink = new byte[64];
            while (t.read(sink, 0, sink.length) >= 0) {
                // the server answers nothing and closes the connection once the request is handled
            }
        } catch (java.net.SocketTimeoutException e) {
            throw new OperationalException("cancel request not confirmed within " + timeout.toMillis() + " ms", e);
        } catch (IOException e) {
            throw new OperationalException("could not send the cancel request to " + Connector.describe(host) + ": " + e.getMessage(), e);
        } finally {
            if (t != null) {
                t.close();
            }
        }
    }

    private static Transport startTls(SocketTransport plain, HostSpec host, ConnParams params, long deadline) throws IOException {
        MessageWriter w = new MessageWriter();
        Frontend.sslRequest(w);
        plain.write(w.array(), 0, w.position());
        byte[] one = new byte[1];
        if (plain.read(one, 0, 1) != 1 || one[0] != 'S') {
            throw new OperationalException("the server refused TLS for the cancel request");
        }
        Transport t = new SocketTransport(TlsNegotiator.wrap(plain.socket(), host.host(), host.port(), params));
        t.setReadTimeout(millisLeft(deadline));
        return t;
    }

    private static int millisLeft(long deadline) {
        if (deadline == 0) {
            return 0;
        }
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left <= 0) {
            throw new OperationalException("cancel request timed out");
        }
        return (int) Math.min(Integer.MAX_VALUE, left);
    }
}
