package dev.tusk.pool;

import dev.tusk.Row;

/**
 * A pool that keeps no idle connection: every lease opens a connection and giving it back closes it, while
 * {@code maxSize} still bounds how many are open at once (callers beyond it wait, as with
 * {@link ConnectionPool}). The same API, for servers behind an external pooler such as PgBouncer, or to
 * switch pooling off without changing code (psycopg_pool's {@code NullConnectionPool}).
 *
 * <pre>{@code
 * try (ConnectionPool<Row> pool = NullConnectionPool.builder().conninfo("host=pgbouncer").maxSize(20).open(true).build()) {
 *     pool.withConnection(conn -> conn.execute("SELECT 1").fetchone());
 * }
 * }</pre>
 *
 * @param <R> the row type of the pool's connections
 */
public final class NullConnectionPool<R> extends ConnectionPool<R> {
    NullConnectionPool(Builder<R> config) {
        super(config.minSize(0));
    }

    public static Builder<Row> builder() {
        return new Builder<Row>(null, NullConnectionPool::new).minSize(0);
    }

    @Override
    boolean keepsIdleConnections() {
        return false;
    }
}
