package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.layer.LayerAccess;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.TransactionSteps;
import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.internal.replication.ReplicationAccess;
import dev.tusk.observe.ConnectionFacts;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What Tusk's other packages may do to a connection that users may not: a pool ({@link PoolAccess}) and replication
 * ({@link ReplicationAccess}). What is the same for both shells is written once here, over {@link ConnectionShell};
 * {@link Blocking} and {@link Async} add what a pool asks of each between leases (whether it is still alive, whether a
 * lease left work behind that forbids reusing it, the reset of its session for the next borrower, closing it);
 * {@link Replication} what replication reaches in either, {@link Layer} what a layer over a blocking one (JDBC) may
 * do. {@link Connection} installs them when its class initialises.
 *
 * @param <C> the connection class
 */
abstract class ConnectionHooks<C extends ConnectionShell<?, C, ?>> implements PoolAccess.Hooks<C> {
    static void install() {
        PoolAccess.install(new Blocking<>(), new Async<>());
        ReplicationAccess.install(new Replication());
        LayerAccess.install(new Layer());
    }

    @Override
    public void attach(C conn, Consumer<C> giveBack) {
        conn.state.giveBack = giveBack;
    }

    @Override
    public void setLent(C conn, boolean lent) {
        conn.state.lent = lent;
    }

    @Override
    public C startLease(C conn) {
        return conn.startLease();
    }

    @Override
    public C pooled(C conn) {
        return conn.home;
    }

    @Override
    public boolean leaseUsed(C conn) {
        return conn.state.leaseUsed;
    }

    @Override
    public ConnectionFacts facts(C conn) {
        return conn.info().facts();
    }

    /**
     * Why the session of {@code conn} cannot be reset for the next borrower, or null when it can: the rule of both
     * pools, each driver telling whether the connection is {@code closed} and what of its work is still
     * {@code running} (null: nothing). A pipeline, a transaction() block or a two-phase transaction left open.
     * Adapters a lease registered are not among them: they are the lease's own map's
     * ({@link ConnectionShell#adapters()}), which the next lease does not see.
     */
    static String leftovers(ConnectionShell<?, ?, ?> conn, boolean closed, String running) {
        if (closed) {
            return "the connection is closed";
        }
        if (conn.session.pipelines().inPipeline()) {
            return "a pipeline was left open";
        }
        if (running != null) {
            return running;
        }
        TransactionSteps steps = conn.session.transactions();
        if (steps.inBlock()) {
            return "a transaction() block was left open";
        }
        return steps.twoPhase().current() != null ? "a two-phase transaction was left open" : null;
    }

    /**
     * Whether the session {@code reset} (of {@link ConnectionShell#RESET_SESSION_SQL}) changed what unqualified names
     * resolve to: another search_path, another role's {@code "$user"} schema, or temporary tables dropped. The
     * statements the driver prepared for the borrower were then planned for names that now mean other tables, and
     * the server refuses a plan whose result type changed ("cached plan must not change result type"), which fails
     * the next borrower's transaction: they are forgotten (psycopg's DISCARD ALL drops them all). True when the
     * results are not those expected.
     */
    static boolean namesResolveOtherwise(QueryCommand reset) {
        if (reset.resultCount() != ConnectionShell.RESET_RESULTS) {
            return true;
        }
        ResultData before = reset.result(ConnectionShell.RESET_SCHEMAS_BEFORE);
        ResultData after = reset.result(ConnectionShell.RESET_SCHEMAS_AFTER);
        if (before.rowCount() != 1 || after.rowCount() != 1 || after.width() != 2) {
            return true;
        }
        int tempAt = after.offset(0, 1);
        boolean tempTables = after.length(0, 1) == 1 && after.data(0)[tempAt] == 't';
        return tempTables || !sameValue(before, after);
    }

    /** Whether the first values of the first rows of {@code a} and {@code b} are the same bytes (both as text). */
    private static boolean sameValue(ResultData a, ResultData b) {
        int la = a.length(0, 0);
        int lb = b.length(0, 0);
        int oa = a.offset(0, 0);
        int ob = b.offset(0, 0);
        return la == lb && (la < 0 || Arrays.equals(a.data(0), oa, oa + la, b.data(0), ob, ob + lb));
    }

    /** The transaction characteristics back to the connection options' (autocommit, the server's defaults). */
    private static void asInOptions(Session session, ConnectOptions<?> options) {
        session.autocommit(options.autocommit());
        session.isolationLevel(null);
        session.readOnly(null);
        session.deferrable(null);
    }

    /** The blocking connection's. */
    static final class Blocking<R> extends ConnectionHooks<Connection<R>>
            implements PoolAccess.BlockingHooks<Connection<R>> {
        @Override
        public void closeForReal(Connection<R> conn) {
            conn.closing.close();
        }

        @Override
        public boolean probe(Connection<R> conn, boolean deep) {
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
         * See {@link ConnectionHooks#leftovers(ConnectionShell, boolean, String)}; a statement still running in another
         * thread is never waited for.
         */
        @Override
        public String leftovers(Connection<R> conn) {
            if (!conn.lock.tryLock()) {
                return "a statement was still running";
            }
            try {
                return ConnectionHooks.leftovers(conn, conn.closing.closed() || conn.driver().core().isBroken(),
                        conn.state.activeStream != null ? "a stream was not read to its end"
                                : conn.driver().core().hasPending() ? "a statement or COPY was in progress" : null);
            } finally {
                conn.lock.unlock();
            }
        }

        @Override
        public void abort(Connection<R> conn) {
            conn.driver().transport().close();
        }

        /**
         * What a pool runs on a connection given back idle after a lease that used it: undoes every session state
         * a borrower can leave behind in one round trip (as DISCARD ALL, but keeping the driver's own prepared
         * statements, unless the names they use now resolve otherwise: {@link #namesResolveOtherwise}), and puts the
         * client-side settings back to the connection options' (autocommit, isolation, read-only, deferrable,
         * statement timeout), dropping notifications still queued.
         */
        @Override
        public void resetSession(Connection<R> conn) {
            conn.lock.lock();
            try {
                conn.checkUsable();
                if (namesResolveOtherwise(conn.waits.runInternal(ConnectionShell.RESET_SESSION_SQL))) {
                    conn.session.forgetPlans();
                }
                conn.transactions.setWhenIdle("autocommit", () -> asInOptions(conn.session, conn.options));
                conn.resetAttributes();
                conn.notifications.drain();
            } finally {
                conn.lock.unlock();
            }
        }
    }

    /** The AsyncConnection's. */
    static final class Async<R> extends ConnectionHooks<AsyncConnection<R>>
            implements PoolAccess.AsyncHooks<AsyncConnection<R>> {
        @Override
        public void closeForReal(AsyncConnection<R> conn) {
            if (conn.home != conn) {
                conn.closeAsync(); // a lease is not closed for real: it is given back
            } else {
                conn.closeUnpooled();
            }
        }

        /**
         * The event loop watches the socket of an idle connection all the time: the end of the stream, a reset or
         * the FATAL message of a terminated backend close the connection once the loop gets to them. Before a lease
         * the pool reads what the socket holds itself, at once and whether {@code deep} or not (nothing here blocks
         * a thread; see {@link EventLoopDriver#readPendingHere}), so that a backend that ended just before is not
         * lent while the loop is behind. False when the connection is closed or lost.
         */
        @Override
        public boolean probe(AsyncConnection<R> conn, boolean deep) {
            conn.driver().readPendingHere();
            // the loop may have read the backend's FATAL already, its end of stream not yet
            return !conn.driver().isClosed() && !conn.isClosed() && conn.driver().core().fatalWhileIdle() == null;
        }

        /**
         * See {@link ConnectionHooks#leftovers(ConnectionShell, boolean, String)}; on the acting thread (nothing can be
         * running elsewhere).
         */
        @Override
        public String leftovers(AsyncConnection<R> conn) {
            return ConnectionHooks.leftovers(conn, conn.isClosed(),
                    conn.waiter.inFlight() > 0 ? "a statement, COPY or stream was still in progress" : null);
        }

        /**
         * As the blocking connection's: one round trip undoing the session state a borrower may leave, then the
         * client-side settings of the connection options.
         */
        @Override
        public CompletableFuture<Void> resetSession(AsyncConnection<R> conn) {
            Session session = conn.session;
            CompletableFuture<Boolean> reset = conn.leaseEnded() ? ConnectionShell.refusedLease()
                    : conn.operations.runReset(conn.lease(), ConnectionShell.RESET_SESSION_SQL,
                            ConnectionHooks::namesResolveOtherwise);
            return reset.thenCompose(forget -> conn.operations.onLoop(conn.lease(), f -> {
                        if (session.expected() != TransactionStatus.IDLE) {
                            throw new ProgrammingException("a two-phase or other transaction is still open");
                        }
                        if (forget) {
                            session.forgetPlans();
                        }
                        asInOptions(session, conn.options);
                        conn.resetAttributes();
                        f.complete(null);
                    }));
        }
    }

    /** What replication reaches in both shells: the lock, the driver, a CopyBoth started in order. */
    private static final class Replication implements ReplicationAccess.Hooks<Connection<?>, AsyncConnection<?>> {
        @Override
        public ReentrantLock lock(Connection<?> conn) {
            return conn.lock;
        }

        @Override
        public BlockingDriver driver(Connection<?> conn) {
            return conn.driver();
        }

        @Override
        public void checkUsable(Connection<?> conn) {
            conn.checkUsable();
        }

        @Override
        public EventLoopDriver asyncDriver(AsyncConnection<?> conn) {
            return conn.driver();
        }

        @Override
        public void startCopyBoth(AsyncConnection<?> conn, CopyBothCommand cmd, Consumer<TuskException> ended) {
            conn.operations.startCopyBoth(cmd, ended);
        }
    }

    /** What a layer over a blocking connection (the JDBC driver) does: its prelude, set under the lock. */
    private static final class Layer implements LayerAccess.Hooks<Connection<?>> {
        @Override
        public Consumer<Duration> prelude(Connection<?> conn, Consumer<Duration> prelude) {
            conn.lock.lock();
            try {
                return conn.session.prelude(prelude);
            } finally {
                conn.lock.unlock();
            }
        }
    }
}
