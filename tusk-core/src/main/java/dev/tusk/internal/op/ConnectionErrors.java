package dev.tusk.internal.op;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;

/**
 * The messages of a connection that can no longer be used, the same for both drivers: "the connection is
 * closed" when the user closed it, "the connection is broken (why): open a new one" when it was lost or broken
 * by a fatal condition, the advice said once however the reason was worded.
 */
public final class ConnectionErrors {
    /** What a call on a connection the user closed raises (not "broken": nothing went wrong). */
    public static final String CLOSED = "the connection is closed";


    private static final String BROKEN = "the connection is broken (";

    private ConnectionErrors() {
    }

    /**
     * What a connection the user closed fails its pending commands with: a marker, so that no message calls
     * such a connection "broken" ({@link #unusable}).
     */
    public static final class ClosedByUser extends OperationalException {
        private static final long serialVersionUID = 1L;

        public ClosedByUser(String message) {
            super(message);
        }
    }

    /** A call on a connection the user closed. */
    public static OperationalException closed() {
        return new OperationalException(CLOSED);
    }

    /** A call on a connection broken by {@code cause}: its reason in brackets, the advice once. */
    public static OperationalException broken(TuskException cause) {
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
    public static String unusable(TuskException cause) {
        return cause instanceof ClosedByUser ? CLOSED : broken(cause).getMessage();
    }

    /** Why the connection broke, without the advice its message may end with. */
    public static String reason(TuskException cause) {
        return TransactionSteps.reason(cause);
    }

    /** A call through a pool's lease handle whose lease ended (its close() gave the connection back). */
    public static InterfaceException endedLease() {
        return new InterfaceException("this connection was given back to its pool (its close() ended the lease) and"
                + " may now be lent to someone else: lease another one with pool.connection()");
    }
}
