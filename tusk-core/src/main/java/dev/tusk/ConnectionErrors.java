package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;


/**
 * The messages of a connection that can no longer be used, the same for both drivers: "the connection is
 * closed" when the user closed it, "the connection is broken (why): open a new one" when it was lost or broken
 * by a fatal condition, the advice said once however the reason was worded.
 */
final class ConnectionErrors {
    /** What a call on a connection the user closed raises (not "broken": nothing went wrong). */
    static final String CLOSED = "the connection is closed";


    private static final String BROKEN = "the connection is broken (";

    private ConnectionErrors() {
    }

    /**
     * What a connection the user closed fails its pending commands with: a marker, so that no message calls
     * such a connection "broken" ({@link #unusable}).
     */
    static final class ClosedByUser extends OperationalException {
        private static final long serialVersionUID = 1L;

        ClosedByUser(String message) {
            super(message);
        }
    }

    /** A call on a connection the user closed. */
    static OperationalException closed() {
        return new OperationalException(CLOSED);
    }

    /** A call on a connection broken by {@code cause}: its reason in brackets, the advice once. */
    static OperationalException broken(TuskException cause) {
        if (cause instanceof ClosedByUser) {
            return closed();
        }
        String why = cause.getMessage();
        if (why != null && why.startsWith(BROKEN)) {
            return new OperationalException(why, cause); // already worded for a call on the broken connection
        }
        return new OperationalException(BROKEN + reason(cause) + "): open a new one", cause);
    }

    /**
     * How to say, inside a longer message, that the connection is unusable because of {@code cause}: "the
     * connection is closed" when the user closed it, else "the connection is broken (why): open a new one".
     */
    static String unusable(TuskException cause) {
        return cause instanceof ClosedByUser ? CLOSED : broken(cause).getMessage();
    }

    /** Why the connection broke, without the advice its message may end with. */
    static String reason(TuskException cause) {
        return dev.tusk.internal.op.TransactionSteps.reason(cause);
    }
}
