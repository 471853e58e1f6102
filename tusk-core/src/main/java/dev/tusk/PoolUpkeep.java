package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.pool.PoolAccess;

/**
 * What a pool asks of a blocking {@link Connection} between leases ({@link PoolHooks}): whether it is still alive,
 * whether a lease left work behind that forbids reusing it, and the reset of its session for the next borrower.
 */
final class PoolUpkeep {
    private PoolUpkeep() {
    }

    /** See {@link PoolAccess.Hooks#probe}. */
    static boolean probe(Connection<?> conn, boolean deep) {
        conn.lock.lock();
        try {
            if (conn.state.closed || conn.driver().core().isBroken()) {
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
            conn.state.closed = true;
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
            if (conn.state.closed || conn.driver().core().isBroken()) {
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
                return Connection.ADAPTERS_CHANGED;
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
            conn.transactions.setAutocommit(conn.options.autocommit());
            conn.transactions.setIsolationLevel(null);
            conn.transactions.setReadOnly(null);
            conn.transactions.setDeferrable(null);
            conn.resetAttributes();
            conn.notifications.drain();
        } finally {
            conn.lock.unlock();
        }
    }
}
