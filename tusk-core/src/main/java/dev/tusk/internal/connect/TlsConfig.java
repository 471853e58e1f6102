package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;

import java.io.EOFException;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CollectionCertStoreParameters;
import java.security.cert.PKIXBuilderParameters;
import java.security.cert.X509CertSelector;
import java.security.cert.X509Certificate;
import java.util.List;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS as libpq does it, once the server accepted SSLRequest (or directly, {@code sslnegotiation=direct}):
 * <ul>
 *   <li>{@code verify-ca} and {@code verify-full} check the server's chain against {@code sslrootcert} (a PEM
 *       file, default {@code ~/.postgresql/root.crt}, or {@code system} for the JDK's trust store);
 *       {@code verify-full} also checks the host name. {@code require} and {@code prefer} encrypt without
 *       checking, except that {@code require} with a root certificate file present behaves as
 *       {@code verify-ca}, as in libpq.</li>
 *   <li>{@code sslcert}/{@code sslkey} (default {@code ~/.postgresql/postgresql.crt}/{@code .key}, used when
 *       present) present a client certificate; {@code sslpassword} decrypts the key.</li>
 *   <li>{@code sslcrl} adds revocation checks; {@code sslsni=0} sends no server name;
 *       {@code ssl_min_protocol_version} (default TLSv1.2) and {@code ssl_max_protocol_version} bound the version.</li>
 * </ul>
 * A failed check says which one failed and what to do. Shared by the blocking driver ({@link TlsNegotiator},
 * an SSLSocket) and the event-loop driver (an SSLEngine).
 */
final class TlsConfig {
    private static final List<String> VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");
    /** The ALPN protocol name of PostgreSQL's direct TLS (sslnegotiation=direct). */
    static final String ALPN = "postgresql";

    private final ConnParams params;
    private final String mode;
    private final Path rootCert;
    private final boolean system;
    private final boolean checkHost;
    private final SSLContext context;

    private TlsConfig(ConnParams params) {
        this.params = params;
        this.mode = params.sslmode();
        this.rootCert = rootCertFile(params);
        this.system = "system".equals(params.get("sslrootcert"));
        boolean verify = mode.equals("verify-ca") || mode.equals("verify-full") || (mode.equals("require") && rootCert != null)
                || system;
        this.checkHost = mode.equals("verify-full") || (system && !mode.equals("verify-ca"));
        if (verify && rootCert == null && !system) {
            throw new OperationalException("sslmode=" + mode + " needs a root certificate to check the server: set"
                    + " sslrootcert to a PEM file (default ~/.postgresql/root.crt, which does not exist), or"
                    + " sslrootcert=system for the JDK's trusted roots, or use sslmode=require to encrypt without checking");
        }
        try {
            context = SSLContext.getInstance("TLS");
            context.init(keyManagers(params), verify ? trustManagers(rootCert, params) : new TrustManager[] {new TrustEverything()}, null);
        } catch (GeneralSecurityException e) {
            throw new OperationalException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    /**
     * The TLS set-up {@code params} ask for: trusted roots, client certificate, versions; reads the files
     * named there. Fails with an OperationalException saying which file or setting is wrong.
     */
    static TlsConfig of(ConnParams params) {
        return new TlsConfig(params);
    }

    /** A client-mode SSLSocket over {@code plain}, not yet handshaken (the blocking driver). */
    SSLSocket socket(Socket plain, String host, int port, boolean direct) throws IOException {
        SSLSocket ssl = (SSLSocket) context.getSocketFactory().createSocket(plain, host, port, true);
        ssl.setSSLParameters(parameters(ssl.getSSLParameters(), host, direct));
        return ssl;
    }

    /**
     * A client-mode SSLEngine for {@code host} (the name checked by verify-full and sent as SNI), not yet
     * handshaken (the event-loop driver).
     *
     * @param direct true for sslnegotiation=direct: ALPN "postgresql" is offered
     */
    SSLEngine engine(String host, int port, boolean direct) {
        SSLEngine engine = context.createSSLEngine(host, port);
        engine.setUseClientMode(true);
        engine.setSSLParameters(parameters(engine.getSSLParameters(), host, direct));
        return engine;
    }

    private SSLParameters parameters(SSLParameters sp, String host, boolean direct) {
        if (checkHost) {
            sp.setEndpointIdentificationAlgorithm("HTTPS");
        }
        sp.setProtocols(protocols(params));
        if ("0".equals(params.get("sslsni")) || isIpAddress(host)) {
            sp.setServerNames(List.of());
        } else if (host != null && !host.isEmpty() && !host.startsWith("/")) {
            sp.setServerNames(List.of(new SNIHostName(host)));
        }
        if (direct) {
            sp.setApplicationProtocols(new String[] {ALPN});
        }
        return sp;
    }

    /** The failed handshake with {@code host} as an OperationalException saying which check failed. */
    OperationalException handshakeFailed(SSLHandshakeException e, String host, boolean direct) {
        String why = describe(e, host, mode, rootCert, system);
        if (direct && peerHungUp(e)) {
            // a server before 17 takes the ClientHello for a startup packet it cannot read and hangs up
            why += "; with sslnegotiation=direct this is what a server older than PostgreSQL 17 answers (direct TLS"
                    + " needs 17 or later): use sslnegotiation=postgres, the default, for older servers";
        }
        return new OperationalException(why, e);
    }

    /** The server closed the connection in the middle of the handshake (rather than refusing a certificate...). */
    private static boolean peerHungUp(SSLHandshakeException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("terminated the handshake") || m.contains("closed the connection")
                || e.getCause() instanceof EOFException;
    }

    /**
     * Null when a direct TLS connection agreed on ALPN "postgresql" ({@code negotiated} is what the
     * handshake chose), else the exception to fail the attempt with.
     */
    static OperationalException checkAlpn(String negotiated) {
        if (ALPN.equals(negotiated)) {
            return null;
        }
        return new OperationalException("the server did not agree to ALPN protocol \"postgresql\" in a direct TLS"
                + " connection (PostgreSQL 17 or later is needed for sslnegotiation=direct)");
    }

    private static Path rootCertFile(ConnParams params) {
        String v = params.get("sslrootcert");
        if ("system".equals(v)) {
            return null;
        }
        Path p = v != null && !v.isEmpty() ? Path.of(v) : Path.of(System.getProperty("user.home"), ".postgresql", "root.crt");
        if (!Files.exists(p)) {
            if (v != null && !v.isEmpty()) {
                throw new OperationalException("root certificate file \"" + p + "\" does not exist (sslrootcert)");
            }
            return null;
        }
        return p;
    }

    private static TrustManager[] trustManagers(Path rootCert, ConnParams params) throws GeneralSecurityException {
        KeyStore anchors = null;
        if (rootCert != null) {
            anchors = KeyStore.getInstance(KeyStore.getDefaultType());
            try {
                anchors.load(null, null);
            } catch (IOException e) {
                throw new GeneralSecurityException(e);
            }
            int i = 0;
            for (X509Certificate c : Pem.certificates(rootCert, "sslrootcert")) {
                anchors.setCertificateEntry("root-" + i++, c);
            }
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
        String crl = params.get("sslcrl");
        if (crl != null && !crl.isEmpty()) {
            if (anchors == null) { // sslrootcert=system: the JDK's own trust store
                anchors = KeyStore.getInstance(KeyStore.getDefaultType());
                try (var in = Files.newInputStream(Path.of(System.getProperty("java.home"), "lib", "security", "cacerts"))) {
                    anchors.load(in, null);
                } catch (IOException e) {
                    throw new GeneralSecurityException("cannot read the JDK's trust store: " + e.getMessage(), e);
                }
            }
            PKIXBuilderParameters pkix = new PKIXBuilderParameters(anchors, new X509CertSelector());
            pkix.addCertStore(CertStore.getInstance("Collection", new CollectionCertStoreParameters(Pem.crls(Path.of(crl)))));
            pkix.setRevocationEnabled(true);
            tmf.init(new javax.net.ssl.CertPathTrustManagerParameters(pkix));
        } else {
            tmf.init(anchors); // null: the JDK's trust store (sslrootcert=system)
        }
        return tmf.getTrustManagers();
    }

    private static KeyManager[] keyManagers(ConnParams params) throws GeneralSecurityException {
        String certParam = params.get("sslcert");
        String keyParam = params.get("sslkey");
        Path dir = Path.of(System.getProperty("user.home"), ".postgresql");
        Path cert = certParam != null && !certParam.isEmpty() ? Path.of(certParam) : dir.resolve("postgresql.crt");
        Path key = keyParam != null && !keyParam.isEmpty() ? Path.of(keyParam) : dir.resolve("postgresql.key");
        if (!Files.exists(cert)) {
            if (certParam != null && !certParam.isEmpty()) {
                throw new OperationalException("certificate file \"" + cert + "\" does not exist (sslcert)");
            }
            return null; // no client certificate, as libpq when the default file is absent
        }
        if (!Files.exists(key)) {
            throw new OperationalException("certificate present, but not private key file \"" + key + "\" (sslkey)");
        }
        List<X509Certificate> chain = Pem.certificates(cert, "sslcert");
        PrivateKey pk = Pem.privateKey(key, params.get("sslpassword"));
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try {
            ks.load(null, null);
        } catch (IOException e) {
            throw new GeneralSecurityException(e);
        }
        char[] none = new char[0];
        ks.setKeyEntry("client", pk, none, chain.toArray(new X509Certificate[0]));
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, none);
        return kmf.getKeyManagers();
    }

    private static String[] protocols(ConnParams params) {
        String min = params.get("ssl_min_protocol_version");
        String max = params.get("ssl_max_protocol_version");
        int lo = VERSIONS.indexOf(min == null || min.isEmpty() ? "TLSv1.2" : min);
        int hi = max == null || max.isEmpty() ? VERSIONS.size() - 1 : VERSIONS.indexOf(max);
        if (lo < 0 || hi < 0 || lo > hi) {
            throw new OperationalException("invalid TLS version range: ssl_min_protocol_version=" + min
                    + ", ssl_max_protocol_version=" + max);
        }
        return VERSIONS.subList(lo, hi + 1).toArray(new String[0]);
    }

    private static boolean isIpAddress(String host) {
        return host != null && (host.contains(":") || host.matches("[0-9.]+"));
    }

    /** Which check failed, in words a user can act on. */
    private static String describe(SSLHandshakeException e, String host, String mode, Path rootCert, boolean system) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof CertificateExpiredException) {
                return "TLS: the server certificate has expired (" + t.getMessage() + ")";
            }
            if (t instanceof CertificateException && t.getMessage() != null
                    && (t.getMessage().contains("No subject alternative") || t.getMessage().contains("No name matching"))) {
                return "TLS: the server certificate does not match host name \"" + host + "\" (sslmode=" + mode
                        + " checks it): connect with a name the certificate lists, or use sslmode=verify-ca";
            }
            if (t instanceof CertPathValidatorException cpe) {
                if (cpe.getReason() == CertPathValidatorException.BasicReason.REVOKED) {
                    return "TLS: the server certificate has been revoked (sslcrl)";
                }
                if (cpe.getReason() == CertPathValidatorException.BasicReason.EXPIRED) {
                    return "TLS: the server certificate has expired";
                }
            }
            if (t instanceof CertPathBuilderException || (t.getMessage() != null
                    && t.getMessage().contains("unable to find valid certification path"))) {
                return "TLS: the server certificate is not signed by a trusted CA (" + (system ? "the JDK's trust store"
                        : "sslrootcert=" + rootCert) + "): give the CA that signed it with sslrootcert";
            }
        }
        String msg = e.getMessage() == null ? "" : e.getMessage();
        if (msg.contains("protocol") || msg.contains("No appropriate protocol")) {
            return "TLS handshake failed: no TLS version both sides accept (ssl_min_protocol_version /"
                    + " ssl_max_protocol_version): " + msg;
        }
        return "TLS handshake failed: " + msg;
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
