package dev.tusk.internal.connect;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;

import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * What the client accepts from the server during authentication, as libpq's {@code require_auth} and
 * {@code channel_binding}. Every check runs before the client answers, so a password never leaves the
 * client for a method the user forbade.
 */
final class AuthPolicy {
    static final Set<String> METHODS = Set.of("password", "md5", "gss", "sspi", "scram-sha-256", "oauth", "none");

    private final String requireAuth;
    /** null: any method. */
    private final Set<String> allowed;
    private final String channelBinding;

    private AuthPolicy(String requireAuth, Set<String> allowed, String channelBinding) {
        this.requireAuth = requireAuth;
        this.allowed = allowed;
        this.channelBinding = channelBinding;
    }

    static final AuthPolicy ANY = new AuthPolicy(null, null, "prefer");

    /** From the {@code require_auth} and {@code channel_binding} keywords (null: libpq's defaults). */
    static AuthPolicy of(String requireAuth, String channelBinding) {
        String binding = channelBinding == null || channelBinding.isEmpty() ? "prefer" : channelBinding;
        if (!Set.of("disable", "prefer", "require").contains(binding)) {
            throw new ProgrammingException("invalid channel_binding value \"" + binding + "\": use disable, prefer or require");
        }
        if (requireAuth == null || requireAuth.isBlank()) {
            return new AuthPolicy(null, null, binding);
        }
        Set<String> listed = new LinkedHashSet<>();
        Boolean negated = null;
        for (String raw : requireAuth.split(",")) {
            String m = raw.trim().toLowerCase(Locale.ROOT);
            boolean neg = m.startsWith("!");
            m = neg ? m.substring(1) : m;
            if (!METHODS.contains(m)) {
                throw new ProgrammingException("invalid require_auth method \"" + raw.trim() + "\": use " + String.join(", ", METHODS)
                        + ", or the same prefixed with ! to forbid it");
            }
            if (negated != null && negated != neg) {
                throw new ProgrammingException("require_auth \"" + requireAuth + "\" mixes negated and plain methods: use one or the other");
            }
            negated = neg;
            listed.add(m);
        }
        Set<String> allowed = new LinkedHashSet<>(listed);
        if (Boolean.TRUE.equals(negated)) {
            allowed = new LinkedHashSet<>(METHODS);
            allowed.removeAll(listed);
        }
        return new AuthPolicy(requireAuth, allowed, binding);
    }

    boolean channelBindingRequired() {
        return channelBinding.equals("require");
    }

    boolean channelBindingDisabled() {
        return channelBinding.equals("disable");
    }

    /** Refuses a method the server asks for, before anything is sent. */
    void checkRequested(String method) {
        if (allowed != null && !allowed.contains(method)) {
            throw new OperationalException("the server asks for " + describe(method) + " authentication, which"
                    + " require_auth=" + requireAuth + " does not allow; nothing was sent");
        }
        if (channelBindingRequired() && !method.equals("scram-sha-256")) {
            throw new OperationalException("the server asks for " + describe(method) + " authentication, but"
                    + " channel_binding=require needs SCRAM with channel binding; nothing was sent");
        }
    }

    /**
     * At AuthenticationOk: refuses a login that did not use what the policy demands.
     *
     * @param method the method used, or "none" when the server asked for nothing
     * @param channelBound whether SCRAM-SHA-256-PLUS was used
     */
    void checkCompleted(String method, boolean channelBound) {
        if (method.equals("none") && allowed != null && !allowed.contains("none")) {
            throw new OperationalException("the server did not ask for authentication, which require_auth=" + requireAuth
                    + " does not allow; the connection was refused");
        }
        if (channelBindingRequired() && !channelBound) {
            throw new OperationalException("channel_binding=require, but the server authenticated the connection"
                    + " without channel binding; the connection was refused");
        }
    }

    private static String describe(String method) {
        return switch (method) {
            case "password" -> "cleartext password";
            case "md5" -> "MD5 password";
            case "scram-sha-256" -> "SCRAM-SHA-256";
            case "gss" -> "GSSAPI";
            case "sspi" -> "SSPI";
            default -> method;
        };
    }
}
