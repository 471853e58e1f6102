package dev.tusk;

import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.observe.ConnectionFacts;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a pool may do to a connection that users may not ({@link PoolAccess}): what is the same for both shells is
 * written once here, over {@link ConnectionShell}; {@link Blocking} and {@link Async} add the probes, the leftovers'
 * check, closing and the session's reset of each. {@link Connection} installs both when its class initialises.
 *
 * @param <C> the connection class
 */
abstract class PoolHooks<C extends ConnectionShell<?, C, ?>> implements PoolAccess.Hooks<C> {
    static void install() {
        PoolAccess.install(new Blocking<>(), new Async<>());
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

    /** The blocking connection's. */
    static final class Blocking<R> extends PoolHooks<Connection<R>> implements PoolAccess.BlockingHooks<Connection<R>> {
        @Override
        public void closeForReal(Connection<R> conn) {
            conn.closing.close();
        }

        @Override
        public boolean probe(Connection<R> conn, boolean deep) {
            return PoolUpkeep.probe(conn, deep);
        }

        @Override
        public String leftovers(Connection<R> conn) {
            return PoolUpkeep.leaseLeftovers(conn);
        }

        @Override
        public void abort(Connection<R> conn) {
            conn.driver().transport().close();
        }

        @Override
        public void resetSession(Connection<R> conn) {
            PoolUpkeep.resetSession(conn);
        }
    }

    /** The AsyncConnection's. */
    static final class Async<R> extends PoolHooks<AsyncConnection<R>> implements PoolAccess.AsyncHooks<AsyncConnection<R>> {
        @Override
        public void closeForReal(AsyncConnection<R> conn) {
            conn.closeNow();
        }

        /**
         * The event loop watches the socket of an idle connection all the time: the end of the stream, a reset or
         * the FATAL message of a terminated backend close the connection once the loop gets to them. Before a lease
         * the pool reads what the socket holds itself, without waiting ({@code deep} or not: nothing here blocks a
         * thread), so a backend that ended just before is not lent while the loop is behind.
         */
        @Override
        public boolean probe(AsyncConnection<R> conn, boolean deep) {
            return PoolUpkeep.probeIdle(conn);
        }

        @Override
        public String leftovers(AsyncConnection<R> conn) {
            return PoolUpkeep.leaseLeftovers(conn);
        }

        @Override
        public CompletableFuture<Void> resetSession(AsyncConnection<R> conn) {
            return PoolUpkeep.resetSession(conn);
        }
    }
}
