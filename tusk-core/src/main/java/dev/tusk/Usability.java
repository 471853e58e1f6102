package dev.tusk;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.op.ConnectionErrors;

/**
 * What a blocking {@link Connection} checks before every operation, under its lock: the lease still open, the
 * connection open and not broken, a stream or COPY left in progress settled, what the server sent meanwhile read.
 */
final class Usability {
    private Usability() {
    }

    /**
     * As {@link Connection#checkUsable()}, for a call of the COPY in progress itself ({@code by}): another call
     * during an open COPY FROM is refused, and a COPY TO nobody finished is cancelled first (see
     * {@link ActiveWork#settleActiveCopy}).
     */
    static void check(Connection<?> conn, Copy by) {
        EventLoop.checkNotOnEventLoop("a blocking Connection call");
        if (conn.leaseOver()) {
            // under the lock: an object the lease made (a pipeline block) or a call that passed use() just before
            // the lease ended never reaches the session the pool may have lent to the next borrower
            throw ConnectionErrors.endedLease();
        }
        if (conn.state.idleInPool()) {
            throw new InterfaceException("this connection was given back to its pool: lease another one with"
                    + " pool.connection() (a pooled connection must not be used after close())");
        }
        if (conn.state.activeStream != null && !conn.driver().core().isBroken()) {
            ActiveWork.settleActiveStream(conn);
        }
        if (conn.closing.closed()) {
            throw conn.closing.closedError(); // broken by what broke it, or closed by the user: nothing broke
        }
        if (conn.driver().core().isBroken()) {
            conn.closing.markClosed();
            throw ConnectionErrors.broken(conn.driver().core().brokenBy());
        }
        if (conn.state.activeCopy != null && conn.state.activeCopy != by) {
            ActiveWork.settleActiveCopy(conn);
        }
        if (!conn.session.pipelines().inPipeline() && conn.state.activeStream == null) {
            try {
                conn.driver().readPending();
            } catch (TuskException e) {
                conn.closing.markClosed();
                throw e;
            }
        }
    }
}
