package dev.tusk.internal.op;

/**
 * Whether a connection is closed or lost, and what a call on it then fails with: read from the driver by the
 * object that closes the connection (the blocking driver's close, the async connection's errors). A connection's
 * shell asks it; a pool's lease aside, which the shell checks itself.
 */
public interface Liveness {
    /** True once close() was called or the connection was lost. */
    boolean closedOrLost();

    /** True when the connection was lost, not closed by the user. */
    boolean lost();

    /** What a call on the closed or lost connection fails with: closed, or broken by what broke it. */
    RuntimeException closedError();
}
