package dev.tusk.internal.core;

import dev.tusk.errors.DatabaseException;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Payload;

/** Answers the server's authentication requests during startup. */
public interface Authenticator {
    /**
     * Handles AuthenticationXxx with a non-zero code, writing the answer (if any) to {@code out}.
     * Throws to refuse (e.g. a method {@code require_auth} forbids, a server signature that does not verify).
     */
    void onRequest(int code, Payload body, MessageWriter out);

    /** AuthenticationOk: the exchange is over (SCRAM checks here that the server proved itself). */
    void onSuccess();

    /** A chance to add advice to a login error (e.g. "password authentication failed"). */
    default DatabaseException describeFailure(DatabaseException e) {
        return e;
    }
}
