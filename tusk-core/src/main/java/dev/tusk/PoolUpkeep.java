package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.pool.PoolAccess;

import java.util.concurrent.CompletableFuture;

/**
 * What a pool asks of a {@link Connection} or {@link AsyncConnection} between leases ({@link PoolHooks}): whether it
 * is still alive, whether a lease left work behind that forbids reusing it, and the reset of its session for the
 * next borrower.
 */
final class PoolUpkeep {
    private PoolUpkeep() {
    }

    /** See {@link PoolAccess.Hooks#probe}. */
    static boolean probe(Connection<?> conn, boolean deep) {
        conn.lock.lock();
        try {
            if (conn.closing.closed() || conn.driver().core().isBroken()) {
                return false;
            }
            if (conn.driver().probeNow()) {
                return !conn.driver().core().isBroken(); // sees a socket the server closed, without waiting
            }
            if (deep) {
                conn.driver().probe(1);
            } else {
                conn.driver().readPending();
            }
            return !conn.driver().core().isBroken();
        } catch (TuskException e) {
            conn.closing.markClosed();
            return false;
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Why the session cannot be reset for the next borrower, or null when it can: a statement still running
     * (in another thread: never waited for), a pipeline, a stream or COPY in progress, a transaction() block or
     * a two-phase transaction left open, or a closed connection.
     */
    static String leaseLeftovers(Connection<?> conn) {
        if (!conn.lock.tryLock()) {
            return "a statement was still running";
        }
        try {
            if (conn.closing.closed() || conn.driver().core().isBroken()) {
                return "the connection is closed";
            }
            if (conn.session.pipelines().inPipeline()) {
                return "a pipeline was left open";
            }
            if (conn.state.activeStream != null) {
                return "a stream was not read to its end";
            }
            if (conn.driver().core().hasPending()) {
                return "a statement or COPY was in progress";
            }
            if (conn.transactions.inBlock()) {
                return "a transaction() block was left open";
            }
            if (conn.adapters.version() != conn.state.adaptersAtLease) {
                return ConnectionShell.ADAPTERS_CHANGED;
            }
            try {
                conn.transactions.checkNotInTpc("the pool's reset");
            } catch (ProgrammingException e) {
                return "a two-phase transaction was left open";
            }
            return null;
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * What a pool runs on a connection given back idle after a lease that used it: undoes every session state
     * a borrower can leave behind in one round trip (as DISCARD ALL, but keeping the driver's own prepared
     * statements), and puts the client-side settings back to the connection options' (autocommit, isolation,
     * read-only, deferrable, statement timeout), dropping notifications still queued.
     */
    static void resetSession(Connection<?> conn) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.waits.runInternal(ConnectionShell.RESET_SESSION_SQL);
            conn.transactions.setWhenIdle("autocommit", () -> { // the characteristics back to the connection options'
                conn.session.autocommit(conn.options.autocommit());
                conn.session.isolationLevel(null);
                conn.session.readOnly(null);
                conn.session.deferrable(null);
            });
            conn.resetAttributes();
            conn.notifications.drain();
        } finally {
            conn.lock.unlock();
        }
    }

    /** As {@link #leaseLeftovers(Connection)} for an AsyncConnection, on its acting thread (nothing can be running elsewhere). */
    static String leaseLeftovers(AsyncConnection<?> conn) {
        if (conn.isClosed()) {
            return "the connection is closed";
        }
        if (conn.session.pipelines().inPipeline()) {
            return "a pipeline was left open";
        }
        if (conn.waiter.inFlight() > 0) {
            return "a statement, COPY or stream was still in progress";
        }
        if (conn.transactions.inBlock()) {
            return "a transaction() block was left open";
        }
        if (conn.adapters.version() != conn.state.adaptersAtLease) {
            return ConnectionShell.ADAPTERS_CHANGED;
        }
        return null;
    }

    /**
     * As {@link #resetSession(Connection)} for an AsyncConnection: one round trip undoing the session state a
     * borrower may leave, then the client-side settings of the connection options.
     */
    static CompletableFuture<Void> resetSession(AsyncConnection<?> conn) {
        Session session = conn.session;
        return AsyncExecutions.runOwn(conn, s -> ConnectionShell.RESET_SESSION_SQL, null)
                .thenCompose(v -> AsyncExecutions.onLoop(conn, f -> {
                    if (session.expected() != TransactionStatus.IDLE) {
                        throw new ProgrammingException("a two-phase or other transaction is still open");
                    }
                    session.autocommit(conn.options.autocommit());
                    session.isolationLevel(null);
                    session.readOnly(null);
                    session.deferrable(null);
                    conn.resetAttributes();
                    f.complete(null);
                }));
    }

    /**
     * A pool's look at an idle AsyncConnection before it lends it: what the socket holds now is read at once (the end
     * of a backend that exited while idle closes the connection; see {@link dev.tusk.internal.io.EventLoopDriver#readPendingHere}),
     * where the loop might not have got to it yet. False when the connection is closed or lost.
     */
    static boolean probeIdle(AsyncConnection<?> conn) {
        conn.driver().readPendingHere();
        // the loop may have read the backend's FATAL already, its end of stream not yet
        return !conn.driver().isClosed() && !conn.isClosed() && conn.driver().core().fatalWhileIdle() == null;
    }
}
