package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.wire.Frontend;

/**
 * Closes a blocking {@link Connection} for real (its own {@code close()}, or its pool's): Terminate sent when the
 * connection is idle, the socket shut under a call still running in another thread, never waiting for the server.
 */
final class BlockingClose {
    private BlockingClose() {
    }

    /** Closes the connection (idempotent), without waiting for a call running in another thread. */
    static void closeConnection(Connection<?> conn) {
        if (conn.state.closed) {
            return;
        }
        if (!conn.lock.tryLock()) {
            // another thread runs a statement (or waits for the server): closing must not wait for it, so the
            // socket is shut under it; that call fails with "the connection is closed", the server ends the session
            conn.state.closed = true;
            conn.driver().closeUnderRunningCall(Connection.CLOSED_BY_USER);
            conn.observeClosed(null, Connection.CLOSED_BY_USER);
            return;
        }
        try {
            if (conn.state.closed) {
                return;
            }
            conn.state.closed = true;
            conn.observeClosed(conn.driver().core().brokenBy(), Connection.CLOSED_BY_USER);
            if (!conn.driver().core().isBroken()) {
                try {
                    Frontend.terminate(conn.driver().core().output());
                    conn.driver().flush();
                } catch (TuskException ignored) {
                    // the socket is going away anyway
                }
                conn.driver().core().connectionLost(Connection.CLOSED_BY_USER);
            }
            conn.driver().close();
        } finally {
            conn.lock.unlock();
        }
    }
}
