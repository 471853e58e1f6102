package dev.tusk.internal.connect;

import dev.tusk.errors.DatabaseException;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.conninfo.ConnParams;
import dev.tusk.internal.conninfo.HostSpec;

/**
 * What one connection attempt does about TLS, and libpq's second attempt for {@code sslmode=allow}
 * (plain text refused by the server: again over TLS) and {@code prefer} (TLS failed or refused: again in
 * plain text). {@code require} and stronger never fall back. Decided by {@link ConnectPlan} and {@link Attempt}
 * for both drivers.
 */
enum TlsAttempt {
    /** What the sslmode says: TLS first for prefer and stronger, plain text for allow and disable. */
    AS_SSLMODE,
    /** allow's retry: TLS. */
    ON,
    /** prefer's retry: plain text. */
    OFF;

    /** Whether this attempt asks for TLS (SSLRequest, or a direct handshake) under {@code sslmode}. */
    boolean asksForTls(String sslmode) {
        return this != OFF && !sslmode.equals("disable") && (!sslmode.equals("allow") || this == ON);
    }

    /**
     * The server answered SSLRequest with 'N': null when the attempt may go on in plain text (prefer),
     * else the exception to fail it with.
     */
    OperationalException refused(String sslmode) {
        if (sslmode.equals("prefer") && this != ON) {
            return null;
        }
        return new OperationalException("the server does not support TLS, but sslmode=" + sslmode + " requires it");
    }

    /** Why sslnegotiation=direct cannot go with {@code sslmode}, or null when it can. */
    static OperationalException checkDirect(ConnParams params) {
        if (isDirect(params) && params.sslmode().equals("prefer")) {
            return new OperationalException("sslnegotiation=direct needs sslmode=require or stronger (it cannot fall"
                    + " back to plain text): set sslmode");
        }
        return null;
    }

    static boolean isDirect(ConnParams params) {
        return "direct".equals(params.get("sslnegotiation"));
    }

    /**
     * After the first attempt ({@link #AS_SSLMODE}) failed with {@code e}: the attempt to make next, or
     * null when {@code e} is final.
     */
    static TlsAttempt retryAfter(DatabaseException e, HostSpec host, ConnParams params) {
        if (host.isUnixSocket() || isDirect(params)) {
            return null;
        }
        String mode = params.sslmode();
        boolean authRefused = e.sqlstate() != null && e.sqlstate().startsWith("28");
        if (mode.equals("allow") && authRefused) {
            return ON; // plain refused (pg_hba hostssl): try again with TLS
        }
        if (mode.equals("prefer") && (tlsFailed(e) || authRefused)) {
            return OFF; // TLS failed or refused: try again without
        }
        return null;
    }

    /** A failure of the TLS handshake itself (not of the network or of the login). */
    private static boolean tlsFailed(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof javax.net.ssl.SSLException) {
                return true;
            }
        }
        return false;
    }
}
