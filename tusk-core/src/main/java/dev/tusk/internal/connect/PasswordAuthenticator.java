package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.Authenticator;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.List;

/** Answers cleartext, MD5 and SASL (SCRAM-SHA-256) password requests. */
final class PasswordAuthenticator implements Authenticator {
    private static final int CLEARTEXT = 3;
    private static final int MD5 = 5;
    private static final int SASL = 10;
    private static final int SASL_CONTINUE = 11;
    private static final int SASL_FINAL = 12;

    private final String user;
    private final String password;
    private boolean passwordSent;

    PasswordAuthenticator(String user, String password) {
        this.user = user;
        this.password = password;
    }

    @Override
    public void onRequest(int code, Payload body, MessageWriter out) {
        switch (code) {
            case CLEARTEXT -> {
                Frontend.password(out, requirePassword("password").getBytes(StandardCharsets.UTF_8));
                passwordSent = true;
            }
            case MD5 -> {
                byte[] salt = body.bytes(4);
                Frontend.password(out, md5(requirePassword("md5"), user, salt).getBytes(StandardCharsets.US_ASCII));
                passwordSent = true;
            }
            case SASL -> {
                List<String> mechanisms = new ArrayList<>();
                for (String m = body.cstring(); !m.isEmpty(); m = body.cstring()) {
                    mechanisms.add(m);
                }
                throw new NotSupportedException("SASL authentication " + mechanisms + " is not supported yet");
            }
            case SASL_CONTINUE, SASL_FINAL -> throw new OperationalException("protocol violation: SASL message without SASL exchange");
            default -> throw new NotSupportedException("the server asks for authentication method " + code
                    + " (" + methodName(code) + "), which Tusk does not support");
        }
    }

    @Override
    public void onSuccess() {
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
            case 2 -> "Kerberos V5";
            case 6 -> "SCM credentials";
            case 7 -> "GSSAPI";
            case 9 -> "SSPI";
            default -> "unknown";
        };
    }
}
