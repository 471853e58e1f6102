package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;

import javax.crypto.Mac;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The client side of one SCRAM-SHA-256 exchange (RFC 5802, RFC 7677), with or without channel binding:
 * {@link #clientFirst()}, then {@link #clientFinal(String)} with the server's first message, then
 * {@link #verifyServerFinal(String)}, which proves that the server knows the password too.
 * The user name is left empty in the messages, as libpq does: PostgreSQL takes it from the startup packet.
 */
final class ScramClient {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getEncoder();
    private static final Base64.Decoder B64D = Base64.getDecoder();

    private final String user;
    private final byte[] password;
    private final String gs2Header;
    private final byte[] bindingData;
    private final String clientNonce;
    private String clientFirstBare;
    private byte[] expectedServerSignature;
    private boolean serverVerified;

    /**
     * @param password    the password after SASLprep ({@link SaslPrep#passwordBytes})
     * @param gs2Header   {@code "n,,"} (no binding), {@code "y,,"} (client could bind, server cannot) or
     *                    {@code "p=tls-server-end-point,,"}
     * @param bindingData the channel-binding data for {@code p=}, else null
     * @param clientNonce printable nonce; {@link #newNonce()} outside tests
     */
    ScramClient(byte[] password, String gs2Header, byte[] bindingData, String clientNonce) {
        this("", password, gs2Header, bindingData, clientNonce);
    }

    /** With a user name in the messages (RFC test vectors; PostgreSQL ignores it). */
    ScramClient(String user, byte[] password, String gs2Header, byte[] bindingData, String clientNonce) {
        this.user = user.replace("=", "=3D").replace(",", "=2C");
        this.password = password;
        this.gs2Header = gs2Header;
        this.bindingData = bindingData;
        this.clientNonce = clientNonce;
    }

    static String newNonce() {
        byte[] raw = new byte[18];
        RANDOM.nextBytes(raw);
        return B64.encodeToString(raw);
    }

    /** client-first-message. */
    byte[] clientFirst() {
        clientFirstBare = "n=" + user + ",r=" + clientNonce;
        return (gs2Header + clientFirstBare).getBytes(StandardCharsets.UTF_8);
    }

    /** client-final-message, computed from the server-first-message. */
    byte[] clientFinal(String serverFirst) {
        String nonce = attribute(serverFirst, 'r');
        String salt = attribute(serverFirst, 's');
        String iterations = attribute(serverFirst, 'i');
        if (!nonce.startsWith(clientNonce) || nonce.length() == clientNonce.length()) {
            throw refused("the server's nonce does not extend ours");
        }
        int i;
        try {
            i = Integer.parseInt(iterations);
        } catch (NumberFormatException e) {
            throw refused("bad iteration count \"" + iterations + "\"");
        }
        if (i < 1) {
            throw refused("bad iteration count " + i);
        }
        byte[] cbind = bindingData == null ? gs2Header.getBytes(StandardCharsets.UTF_8)
                : concat(gs2Header.getBytes(StandardCharsets.UTF_8), bindingData);
        String withoutProof = "c=" + B64.encodeToString(cbind) + ",r=" + nonce;
        // cached per process: a reconnect with the same password, salt and count skips the PBKDF2 rounds
        byte[] salted = ScramKeyCache.saltedPassword(password, decode(salt, "salt"), i);
        byte[] clientKey = Sha256.hmac(salted, "Client Key".getBytes(StandardCharsets.US_ASCII));
        byte[] storedKey = Sha256.digest(clientKey);
        byte[] authMessage = (clientFirstBare + "," + serverFirst + "," + withoutProof).getBytes(StandardCharsets.UTF_8);
        byte[] proof = Sha256.hmac(storedKey, authMessage);
        for (int k = 0; k < proof.length; k++) {
            proof[k] ^= clientKey[k];
        }
        byte[] serverKey = Sha256.hmac(salted, "Server Key".getBytes(StandardCharsets.US_ASCII));
        expectedServerSignature = Sha256.hmac(serverKey, authMessage);
        return (withoutProof + ",p=" + B64.encodeToString(proof)).getBytes(StandardCharsets.UTF_8);
    }

    /** Checks the server-final-message; throws unless the server proved it knows the password. */
    void verifyServerFinal(String serverFinal) {
        if (serverFinal.startsWith("e=")) {
            throw refused("the server reports " + serverFinal.substring(2));
        }
        byte[] signature = decode(attribute(serverFinal, 'v'), "server signature");
        if (expectedServerSignature == null || !MessageDigest.isEqual(signature, expectedServerSignature)) {
            throw new OperationalException("SCRAM authentication failed: the server's signature does not match, so it"
                    + " does not know the password; the connection was refused (is something impersonating the server?)");
        }
        serverVerified = true;
    }

    /** True once the server's final message proved that it knows the password. */
    boolean serverVerified() {
        return serverVerified;
    }

    private static String attribute(String message, char name) {
        for (String part : message.split(",")) {
            if (part.length() >= 2 && part.charAt(0) == name && part.charAt(1) == '=') {
                return part.substring(2);
            }
        }
        throw refused("attribute '" + name + "' missing from \"" + message + "\"");
    }

    private static byte[] decode(String b64, String what) {
        try {
            return B64D.decode(b64);
        } catch (IllegalArgumentException e) {
            throw refused("the " + what + " is not valid base64");
        }
    }

    private static OperationalException refused(String why) {
        return new OperationalException("SCRAM authentication failed: " + why);
    }

    /** RFC 5802 Hi(): PBKDF2 with HMAC-SHA-256, on bytes (the password may not be valid text). */
    static byte[] hi(byte[] password, byte[] salt, int iterations) {
        Mac mac = Sha256.hmac(password);
        mac.update(salt);
        mac.update(new byte[] {0, 0, 0, 1});
        byte[] u = mac.doFinal();
        byte[] result = u.clone();
        for (int n = 1; n < iterations; n++) {
            u = mac.doFinal(u);
            for (int k = 0; k < result.length; k++) {
                result[k] ^= u[k];
            }
        }
        return result;
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }
}
