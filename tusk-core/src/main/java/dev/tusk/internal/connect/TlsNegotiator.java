package dev.tusk.internal.connect;

import dev.tusk.internal.conninfo.ConnParams;

import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;

/**
 * TLS for the blocking driver: an {@link SSLSocket} over the connected socket, set up by {@link TlsConfig}
 * and handshaken before it is returned. A failed check says which one failed and what to do.
 */
final class TlsNegotiator {
    private TlsNegotiator() {
    }

    static SSLSocket wrap(Socket plain, String host, int port, ConnParams params) throws IOException {
        return wrap(plain, host, port, params, false);
    }

    /** @param direct true for sslnegotiation=direct: ALPN "postgresql" is required */
    static SSLSocket wrap(Socket plain, String host, int port, ConnParams params, boolean direct) throws IOException {
        TlsConfig config = TlsConfig.of(params);
        SSLSocket ssl = config.socket(plain, host, port, direct);
        try {
            ssl.startHandshake();
        } catch (SSLHandshakeException e) {
            throw config.handshakeFailed(e, host, direct);
        }
        if (direct) {
            var refused = TlsConfig.checkAlpn(ssl.getApplicationProtocol());
            if (refused != null) {
                ssl.close();
                throw refused;
            }
        }
        return ssl;
    }
}
