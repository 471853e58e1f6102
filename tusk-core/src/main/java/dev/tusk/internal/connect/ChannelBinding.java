package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Locale;

/**
 * {@code tls-server-end-point} channel-binding data (RFC 5929 section 4.1): the hash of the server's
 * certificate, with the hash function of the certificate's signature algorithm, SHA-256 when that is MD5
 * or SHA-1.
 */
final class ChannelBinding {
    static final String TYPE = "tls-server-end-point";

    private ChannelBinding() {
    }

    static byte[] tlsServerEndPoint(Certificate cert) {
        try {
            return MessageDigest.getInstance(hashFor(cert)).digest(cert.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new OperationalException("cannot compute channel-binding data from the server certificate: " + e.getMessage(), e);
        }
    }

    /** The MessageDigest name for the certificate's signature algorithm. */
    static String hashFor(Certificate cert) {
        String alg = cert instanceof X509Certificate x ? x.getSigAlgName().toUpperCase(Locale.ROOT) : "";
        if (alg.contains("SHA512") || alg.contains("SHA3-512")) {
            return "SHA-512";
        }
        if (alg.contains("SHA384")) {
            return "SHA-384";
        }
        if (alg.contains("SHA256") || alg.contains("MD5") || alg.contains("SHA1") || alg.startsWith("SHA-1")) {
            return "SHA-256";
        }
        if (alg.contains("ED25519") || alg.contains("ED448") || alg.isEmpty()) {
            // no hash in the signature algorithm: RFC 5929 leaves it undefined; PostgreSQL refuses too
            throw new OperationalException("channel binding is not possible with a server certificate signed with "
                    + (alg.isEmpty() ? "an unknown algorithm" : alg) + "; set channel_binding=disable");
        }
        return "SHA-256";
    }
}
