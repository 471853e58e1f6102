package dev.tusk;

import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.observe.ConnectionFacts;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a pool may do to a connection that users may not ({@link PoolAccess}), for both shells; {@link Connection}
 * installs it when its class initialises.
 */
final class PoolHooks implements PoolAccess.Hooks<Connection<?>, AsyncConnection<?>> {
    @Override
    public void attach(Connection<?> conn, Consumer<Connection<?>> giveBack) {
        conn.state.giveBack = giveBack;
    }

    @Override
    public void setLent(Connection<?> conn, boolean lent) {
        conn.state.lent = lent;
    }

    @Override
    public void closeForReal(Connection<?> conn) {
        conn.closing.close();
    }

    @Override
    public boolean probe(Connection<?> conn, boolean deep) {
        return PoolUpkeep.probe(conn, deep);
    }

    @Override
    public Connection<?> startLease(Connection<?> conn) {
        return conn.startLease();
    }

    @Override
    public Connection<?> pooled(Connection<?> conn) {
        return conn.home;
    }

    @Override
    public boolean leaseUsed(Connection<?> conn) {
        return conn.state.leaseUsed;
    }

    @Override
    public String leftovers(Connection<?> conn) {
        return PoolUpkeep.leaseLeftovers(conn);
    }

    @Override
    public void abort(Connection<?> conn) {
        conn.driver().transport().close();
    }

    @Override
    public void resetSession(Connection<?> conn) {
        PoolUpkeep.resetSession(conn);
    }

    @Override
    public void attachAsync(AsyncConnection<?> conn, Consumer<AsyncConnection<?>> giveBack) {
        conn.state.giveBack = giveBack;
    }

    @Override
    public AsyncConnection<?> startLeaseAsync(AsyncConnection<?> conn) {
        return conn.startLease();
    }

    @Override
    public AsyncConnection<?> pooledAsync(AsyncConnection<?> conn) {
        return conn.home;
    }

    @Override
    public boolean leaseUsedAsync(AsyncConnection<?> conn) {
        return conn.state.leaseUsed;
    }

    @Override
    public String leftoversAsync(AsyncConnection<?> conn) {
        return PoolUpkeep.leaseLeftovers(conn);
    }

    @Override
    public CompletableFuture<Void> resetSessionAsync(AsyncConnection<?> conn) {
        return PoolUpkeep.resetSession(conn);
    }

    @Override
    public void setLentAsync(AsyncConnection<?> conn, boolean lent) {
        conn.state.lent = lent;
    }

    @Override
    public void closeForRealAsync(AsyncConnection<?> conn) {
        conn.closeNow();
    }

    @Override
    public boolean probeAsync(AsyncConnection<?> conn) {
        return PoolUpkeep.probeIdle(conn);
    }

    @Override
    public ConnectionFacts facts(Connection<?> conn) {
        return conn.info().facts();
    }

    @Override
    public ConnectionFacts factsAsync(AsyncConnection<?> conn) {
        return conn.info().facts();
    }
}
