package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;

/**
 * Wraps a plain socket in TLS after the server accepted SSLRequest, with the checks the sslmode asks
 * for: none for {@code prefer}/{@code require} (as libpq without a root certificate), the JDK trust store
 * for {@code verify-ca}, and the host name too for {@code verify-full}.
 */
final class TlsNegotiator {
    private TlsNegotiator() {
    }

    static SSLSocket wrap(Socket plain, String host, int port, ConnParams params) throws IOException {
        String mode = params.sslmode();
        try {
            SSLContext ctx;
            if (mode.equals("verify-ca") || mode.equals("verify-full")) {
                ctx = SSLContext.getDefault();
            } else {
                ctx = SSLContext.getInstance("TLS");
                ctx.init(null, new TrustManager[] {new TrustEverything()}, null);
            }
            SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(plain, host, port, true);
            SSLParameters sp = ssl.getSSLParameters();
            if (mode.equals("verify-full")) {
                sp.setEndpointIdentificationAlgorithm("HTTPS");
            }
            ssl.setSSLParameters(sp);
            ssl.startHandshake();
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new OperationalException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /** libpq's sslmode=require without sslrootcert: encryption without server authentication. */
    private static final class TrustEverything implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
