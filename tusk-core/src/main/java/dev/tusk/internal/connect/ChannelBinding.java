package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;

import java.io.IOException;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.PSSParameterSpec;
import java.util.Locale;

/**
 * {@code tls-server-end-point} channel-binding data (RFC 5929 section 4.1): the hash of the server's
 * certificate, with the hash function of the certificate's signature algorithm (for RSASSA-PSS the one
 * in its parameters), SHA-256 when that is MD5 or SHA-1.
 */
final class ChannelBinding {
    static final String TYPE = "tls-server-end-point";

    private ChannelBinding() {
    }

    /** The binding data for {@code serverCertificate}: its hash as RFC 5929 defines it. */
    static byte[] tlsServerEndPoint(Certificate serverCertificate) {
        if (!(serverCertificate instanceof X509Certificate x509)) {
            throw new OperationalException("channel binding needs the server's X.509 certificate, but the server presented "
                    + (serverCertificate == null ? "none" : serverCertificate.getType())
                    + "; set channel_binding=disable to connect without it");
        }
        String algorithm = hashAlgorithm(x509.getSigAlgName(), x509.getSigAlgParams());
        try {
            return MessageDigest.getInstance(algorithm).digest(x509.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new OperationalException("cannot compute channel binding data with " + algorithm + ": " + e.getMessage()
                    + "; set channel_binding=disable to connect without channel binding", e);
        } catch (RuntimeException e) {
            throw new OperationalException("cannot read the server certificate for channel binding: " + e.getMessage(), e);
        }
    }

    /**
     * The {@link MessageDigest} name for a certificate signed with {@code sigAlgName} (as
     * {@link X509Certificate#getSigAlgName()} spells it, e.g. {@code SHA384withECDSA}); {@code sigAlgParams}
     * is consulted for RSASSA-PSS, whose hash is a parameter.
     */
    static String hashAlgorithm(String sigAlgName, byte[] sigAlgParams) {
        String name = sigAlgName.toUpperCase(Locale.ROOT);
        String hash;
        int with = name.indexOf("WITH");
        if (with > 0) {
            hash = name.substring(0, with);
        } else if (name.equals("RSASSA-PSS")) {
            hash = pssHash(sigAlgParams);
        } else {
            throw new OperationalException("the server certificate's signature algorithm " + sigAlgName
                    + " has no single hash function, so tls-server-end-point channel binding is impossible;"
                    + " set channel_binding=disable to connect without channel binding");
        }
        hash = hash.replace("-", "");
        return switch (hash) {
            case "MD5", "SHA1", "SHA" -> "SHA-256";
            case "SHA224" -> "SHA-224";
            case "SHA256" -> "SHA-256";
            case "SHA384" -> "SHA-384";
            case "SHA512" -> "SHA-512";
            case "SHA512/224", "SHA512224" -> "SHA-512/224";
            case "SHA512/256", "SHA512256" -> "SHA-512/256";
            case "SHA3224" -> "SHA3-224";
            case "SHA3256" -> "SHA3-256";
            case "SHA3384" -> "SHA3-384";
            case "SHA3512" -> "SHA3-512";
            default -> throw new OperationalException("unknown hash " + hash + " in the server certificate's signature"
                    + " algorithm " + sigAlgName + "; set channel_binding=disable to connect without channel binding");
        };
    }

    private static String pssHash(byte[] params) {
        if (params == null) {
            return "SHA1"; // RSASSA-PSS-params default hashAlgorithm (RFC 4055)
        }
        try {
            AlgorithmParameters p = AlgorithmParameters.getInstance("RSASSA-PSS");
            p.init(params);
            return p.getParameterSpec(PSSParameterSpec.class).getDigestAlgorithm().toUpperCase(Locale.ROOT);
        } catch (GeneralSecurityException | IOException e) {
            throw new OperationalException("cannot read the RSASSA-PSS parameters of the server certificate: "
                    + e.getMessage() + "; set channel_binding=disable to connect without channel binding", e);
        }
    }
}
