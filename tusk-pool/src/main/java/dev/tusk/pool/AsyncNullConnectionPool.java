package dev.tusk.pool;

import dev.tusk.Row;

/**
 * {@link NullConnectionPool} for {@link dev.tusk.AsyncConnection}s (psycopg_pool's {@code AsyncNullConnectionPool}):
 * it keeps no idle connection, every lease opens a connection and giving it back closes it, while
 * {@code maxSize} still bounds how many are open at once (leases beyond it wait, first come first served, and
 * fail with {@link PoolTimeout} after {@code timeout}, as with {@link AsyncConnectionPool}).
 *
 * <pre>{@code
 * AsyncConnectionPool<Row> pool = AsyncNullConnectionPool.builder().conninfo("host=pgbouncer").maxSize(20).open(true).build();
 * pool.withConnection(conn -> conn.execute("SELECT 1")).join();
 * }</pre>
 *
 * @param <R> the row type of the pool's connections
 */
public final class AsyncNullConnectionPool<R> extends AsyncConnectionPool<R> {
    AsyncNullConnectionPool(Builder<R> config) {
        super(config.minSize(0));
    }

    /** A builder of a pool with minSize 0 (the only size a pool without idle connections has). */
    public static Builder<Row> builder() {
        return new Builder<Row>(AsyncNullConnectionPool::new).minSize(0);
    }

    @Override
    boolean keepsIdleConnections() {
        return false;
    }
}
