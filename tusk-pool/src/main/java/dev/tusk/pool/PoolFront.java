package dev.tusk.pool;

import java.time.Duration;
import java.util.Map;

/**
 * The part of the pools' API that is the same for {@link ConnectionPool} and {@link AsyncConnectionPool}, written
 * once: the life cycle calls that do not wait, psycopg_pool's attributes, drain and resize, and the statistics,
 * all handed to the {@link PoolCore}. The subclasses add leasing, giving back and waiting, the calls that wait
 * (blocking or in a future), and the core's {@link PoolCore.Front}.
 *
 * @param <C> the connection type ({@code Connection<R>} or {@code AsyncConnection<R>})
 * @param <P> the pool itself, as {@code reconnectFailed} receives it
 * @param <B> the pool's builder
 */
abstract class PoolFront<C, P, B extends PoolConfig<?, P, B>> implements AutoCloseable {
    static final System.Logger LOG = PoolCore.LOG;
    /**
     * The longest the pool's own statements on a connection given back (the ROLLBACK and the session reset) wait
     * for the server: a frozen server never holds a borrower's close() (or a slot of the async pool) longer than
     * this and the cancel's grace; the connection is then closed and replaced.
     */
    static final Duration REPAIR_TIMEOUT = Duration.ofSeconds(5);

    /** The statement timeout for the pool's own statements: the connection's own when shorter. */
    static Duration repairTimeout(Duration own) {
        return own != null && own.compareTo(REPAIR_TIMEOUT) < 0 ? own : REPAIR_TIMEOUT;
    }

    final B config;
    /** Sizing, slots, lifetime, backoff, maintenance and statistics: what both pools share. */
    final PoolCore<C, P> core;

    /**
     * @param kind      the pool's class name, for its threads and JMX name; null: this object's class's
     * @param fallback  the name when the settings give none
     */
    @SuppressWarnings("unchecked")
    PoolFront(B config, String kind, String fallback) {
        this.config = config;
        this.core = new PoolCore<>(config, (P) this, kind != null ? kind : getClass().getSimpleName(), fallback);
    }

    public String name() {
        return core.name;
    }

    // ------------------------------------------------------------------ life cycle

    /** Starts the workers that open {@code minSize} connections, in the background. Idempotent. */
    public void open() {
        core.open();
    }

    /**
     * Closes the pool: waiters (threads or leases) fail with PoolClosed, idle connections close now, lent ones
     * when given back.
     */
    @Override
    public void close() {
        core.close();
    }

    /** True until {@link #open()} and after {@link #close()}, as psycopg's {@code closed}. */
    public boolean isClosed() {
        return core.isClosed() || !core.isOpened();
    }

    /** False for the null pools: every connection given back is closed. */
    boolean keepsIdleConnections() {
        return true;
    }

    // ------------------------------------------------------------------ settings (psycopg_pool's attributes)

    /** The connections kept open at least (psycopg_pool's {@code min_size}), as built or last {@code resize}d. */
    public int minSize() {
        return core.minSize();
    }

    /** The connections open at most (psycopg_pool's {@code max_size}), as built or last {@code resize}d. */
    public int maxSize() {
        return core.maxSize();
    }

    /** How long a lease waits by default before {@link PoolTimeout} (psycopg_pool's {@code timeout}). */
    public Duration timeout() {
        return config.timeout;
    }

    /** How long a connection above minSize stays idle before it is closed (psycopg_pool's {@code max_idle}). */
    public Duration maxIdle() {
        return config.maxIdle;
    }

    /** How long a connection lives before it is replaced, less up to 5% of jitter (psycopg_pool's {@code max_lifetime}). */
    public Duration maxLifetime() {
        return config.maxLifetime;
    }

    /** The background threads that open, check and close connections (psycopg_pool's {@code num_workers}). */
    public int numWorkers() {
        return config.numWorkers;
    }

    // ------------------------------------------------------------------ management

    /**
     * Changes the bounds; the workers open connections up to the new {@code minSize} now, and close those above
     * the bounds as they come back or age out.
     */
    public void resize(int minSize, int maxSize) {
        core.resize(minSize, maxSize);
    }

    /** Replaces every connection: idle ones now, lent ones when given back (e.g. after a failover). */
    public void drain() {
        core.drain();
    }

    /** psycopg_pool's statistics: gauges (pool_min, pool_max, pool_size, pool_available, requests_waiting) and counters. */
    public Map<String, Long> getStats() {
        return core.stats(false);
    }

    /** As {@link #getStats()}, and resets the counters. */
    public Map<String, Long> popStats() {
        return core.stats(true);
    }
}
