package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.Authenticator;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/**
 * Answers the server's password requests: cleartext, MD5 and SASL SCRAM-SHA-256 (with
 * SCRAM-SHA-256-PLUS channel binding over TLS), within the limits of {@code require_auth} and
 * {@code channel_binding} ({@link AuthPolicy}).
 */
final class PasswordAuthenticator implements Authenticator {
    // the authentication request codes of AuthenticationRequest messages (PostgreSQL's "Message Formats")
    private static final int KERBEROS_V5 = 2;
    private static final int CLEARTEXT = 3;
    private static final int MD5 = 5;
    private static final int SCM_CREDENTIALS = 6;
    private static final int GSS = 7;
    private static final int SSPI = 9;
    private static final int SASL = 10;
    private static final int SASL_CONTINUE = 11;
    private static final int SASL_FINAL = 12;
    private static final String SCRAM = "SCRAM-SHA-256";
    private static final String SCRAM_PLUS = "SCRAM-SHA-256-PLUS";

    private final String user;
    private final String password;
    private final AuthPolicy policy;
    /** The server's certificate when the connection is TLS (for channel binding), else null. */
    private final Certificate serverCertificate;
    private String methodUsed = "none";
    private ScramClient scram;
    private boolean channelBound;

    PasswordAuthenticator(String user, String password) {
        this(user, password, AuthPolicy.ANY, null);
    }

    PasswordAuthenticator(String user, String password, AuthPolicy policy, Certificate serverCertificate) {
        this.user = user;
        this.password = password;
        this.policy = policy;
        this.serverCertificate = serverCertificate;
    }

    @Override
    public void onRequest(int code, Payload body, MessageWriter out) {
        switch (code) {
            case CLEARTEXT -> {
                use("password");
                Frontend.password(out, requirePassword("password").getBytes(StandardCharsets.UTF_8));
            }
            case MD5 -> {
                use("md5");
                byte[] salt = body.bytes(4);
                Frontend.password(out, md5(requirePassword("md5"), user, salt).getBytes(StandardCharsets.US_ASCII));
            }
            case SASL -> startScram(mechanisms(body), out);
            case SASL_CONTINUE -> {
                if (scram == null) {
                    throw new OperationalException("protocol violation: SASLContinue without a SASL exchange");
                }
                Frontend.saslResponse(out, scram.clientFinal(new String(body.rest(), StandardCharsets.UTF_8)));
            }
            case SASL_FINAL -> {
                if (scram == null) {
                    throw new OperationalException("protocol violation: SASLFinal without a SASL exchange");
                }
                scram.verifyServerFinal(new String(body.rest(), StandardCharsets.UTF_8));
            }
            default -> {
                use(code == GSS ? "gss" : code == SSPI ? "sspi" : "method " + code);
                throw new NotSupportedException("the server asks for authentication method " + code
                        + " (" + methodName(code) + "), which Tusk does not support");
            }
        }
    }

    /** The method the server asked for: "none" (trust), "password", "md5", "scram-sha-256" or "scram-sha-256-plus". */
    String methodUsed() {
        return channelBound && methodUsed.equals("scram-sha-256") ? "scram-sha-256-plus" : methodUsed;
    }

    private void use(String method) {
        policy.checkRequested(method);
        methodUsed = method;
    }

    private static List<String> mechanisms(Payload body) {
        List<String> mechanisms = new ArrayList<>();
        for (String m = body.cstring(); !m.isEmpty(); m = body.cstring()) {
            mechanisms.add(m);
        }
        return mechanisms;
    }

    /** Picks SCRAM-SHA-256-PLUS when both sides can bind the channel, as libpq's channel_binding=prefer. */
    private void startScram(List<String> offered, MessageWriter out) {
        use("scram-sha-256");
        boolean plusOffered = offered.contains(SCRAM_PLUS);
        boolean canBind = serverCertificate != null && !policy.channelBindingDisabled();
        if (policy.channelBindingRequired() && !(plusOffered && canBind)) {
            throw new OperationalException("channel_binding=require, but " + (serverCertificate == null
                    ? "the connection does not use TLS" : "the server does not offer SCRAM-SHA-256-PLUS (offered: " + offered + ")")
                    + "; nothing was sent");
        }
        if (!offered.contains(SCRAM) && !(plusOffered && canBind)) {
            throw new NotSupportedException("the server offers SASL mechanisms " + offered + ", none of which Tusk supports");
        }
        byte[] pw = SaslPrep.passwordBytes(requirePassword("SCRAM-SHA-256"));
        String mechanism;
        if (plusOffered && canBind) {
            mechanism = SCRAM_PLUS;
            scram = new ScramClient(pw, "p=" + ChannelBinding.TYPE + ",,", ChannelBinding.tlsServerEndPoint(serverCertificate),
                    ScramClient.newNonce());
            channelBound = true;
        } else {
            mechanism = SCRAM;
            // "y": this client could bind the channel but the server offered no -PLUS (detects a downgrade)
            scram = new ScramClient(pw, canBind ? "y,," : "n,,", null, ScramClient.newNonce());
        }
        Frontend.saslInitialResponse(out, mechanism, scram.clientFirst());
    }

    @Override
    public void onSuccess() {
        if (scram != null && !scram.serverVerified()) {
            throw new OperationalException("SCRAM authentication failed: the server accepted the login without proving"
                    + " that it knows the password; the connection was refused");
        }
        policy.checkCompleted(methodUsed, channelBound);
    }

    @Override
    public DatabaseException describeFailure(DatabaseException e) {
        return e;
    }

    private String requirePassword(String method) {
        if (password == null) {
            throw new OperationalException("the server requires " + method + " authentication for user \"" + user
                    + "\" but no password was supplied: set password=..., PGPASSWORD or a ~/.pgpass entry");
        }
        return password;
    }

    static String md5(String password, String user, byte[] salt) {
        String inner = hex(digest(concat(password.getBytes(StandardCharsets.UTF_8), user.getBytes(StandardCharsets.UTF_8))));
        return "md5" + hex(digest(concat(inner.getBytes(StandardCharsets.US_ASCII), salt)));
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = new byte[a.length + b.length];
        System.arraycopy(a, 0, r, 0, a.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    private static byte[] digest(byte[] b) {
        try {
            return MessageDigest.getInstance("MD5").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String hex(byte[] b) {
        StringBuilder sb = new StringBuilder(b.length * 2);
        for (byte x : b) {
            sb.append(Character.forDigit((x >> 4) & 0xf, 16)).append(Character.forDigit(x & 0xf, 16));
        }
        return sb.toString();
    }

    private static String methodName(int code) {
        return switch (code) {
            case KERBEROS_V5 -> "Kerberos V5";
            case SCM_CREDENTIALS -> "SCM credentials";
            case GSS -> "GSSAPI";
            case SSPI -> "SSPI";
            default -> "unknown";
        };
    }
}
