package dev.tusk.pool;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.pool.WaiterQueue.Waiter;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pool of blocking {@link Connection}s with psycopg_pool's API and behaviour.
 *
 * <pre>{@code
 * try (ConnectionPool<Row> pool = ConnectionPool.builder().conninfo("dbname=app").minSize(4).maxSize(10).build()) {
 *     pool.open();
 *     pool.waitReady(Duration.ofSeconds(10));
 *     try (Connection<Row> conn = pool.connection()) {      // a lease: close() gives it back
 *         conn.execute("SELECT 1");
 *     }
 *     long n = pool.withConnection(conn ->                  // commits on return, rolls back on throw
 *             conn.execute("INSERT INTO t VALUES (1) RETURNING id").fetchone().getLong(0));
 * }
 * }</pre>
 *
 * <p>Leasing and giving back take no lock while a connection is idle (as HikariCP's ConcurrentBag: each
 * connection is claimed with a compare-and-set, a thread first tries the one it used last). Callers who find
 * none wait in a queue, oldest first: a connection given back goes idle for whoever asks first, and the oldest
 * waiter is woken to look, until that waiter has waited 2 ms; then the next connection given back is handed to
 * it, so newcomers cannot starve it. A connection is never lent out once it is past
 * {@code maxLifetime} or found broken (checked when it is taken as well as when it comes back); a caller
 * whose wait times out or is interrupted never loses a connection. Background workers keep
 * {@code minSize} connections open, close idle ones above it after {@code maxIdle}, replace expired
 * ones, and reconnect with exponential backoff when the server is away, calling
 * {@code reconnectFailed} after {@code reconnectTimeout}.
 *
 * <p>Every lease is a handle of its own ({@code connection()} returns a new one each time): once its
 * {@code close()} gave the connection back, every call on it, or on a cursor made from it, raises
 * {@code InterfaceException}, even after the connection was lent to someone else, and a second
 * {@code close()} does nothing. A lease that ran nothing is given back without a round trip. After one that
 * did, an open transaction is rolled back and the session reset in one round trip (cursors, settings,
 * LISTENs, advisory locks, temporary tables, statements made with SQL PREPARE; the client-side settings go
 * back to the connection options'), then {@code configure} runs again and {@code reset} runs. A connection
 * given back broken, or in a state that cannot be reset in place (an open pipeline, a COPY or stream not
 * read to its end, a statement still running, a transaction() block left open), is closed and replaced.
 *
 * @param <R> the row type of the pool's connections
 */
public class ConnectionPool<R> extends PoolFront<Connection<R>, ConnectionPool<R>, ConnectionPool.Builder<R>> {
    private static final AtomicInteger POOLS = new AtomicInteger();
    /**
     * How long a waiter lets newcomers take freed connections before it is handed the next one: short
     * enough to bound unfairness, long enough that threads giving back and borrowing again in a loop do not
     * pay a thread wake-up per lease.
     */
    private static final long BARGING_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often a borrower who found no idle connection yields and looks again before it queues. */
    private static final int SPINS_BEFORE_QUEUING = 8;
    /** See {@link PoolCore#TRUST_RECENT_NANOS}: a give-back probes at most this often too. */
    private static final long TRUST_RECENT_NANOS = PoolCore.TRUST_RECENT_NANOS;

    private final SlotBag<Connection<R>> bag;
    private final PoolStats stats;
    private final ReentrantLock lock;
    private final WaiterQueue<Connection<R>> waiters = new WaiterQueue<>();
    private final PoolAccess.BlockingHooks<Connection<R>> hooks = PoolAccess.blocking();

    ConnectionPool(Builder<R> config) {
        super(config, "ConnectionPool", "pool-" + POOLS.incrementAndGet());
        this.bag = core.bag;
        this.stats = core.stats;
        this.lock = core.lock;
        core.front(new PoolCore.Front<>() {
            @Override
            public CompletionStage<Connection<R>> connect() {
                return CompletableFuture.completedFuture(openConnection());
            }

            @Override
            public void giveBack(PoolSlot<Connection<R>> slot) {
                ConnectionPool.this.giveBack(slot);
            }

            @Override
            public boolean isClosed(Connection<R> conn) {
                return conn.isClosed() || conn.isBroken();
            }

            @Override
            public int waiting() {
                return waiters.count();
            }

            @Override
            public Runnable handOrIdle(PoolSlot<Connection<R>> slot) {
                ConnectionPool.this.handOrIdle(slot);
                return null;
            }

            @Override
            public Runnable failWaiters() {
                waiters.failAll(() -> new PoolClosed("pool '" + core.name + "' was closed while waiting"));
                return null;
            }

            @Override
            public boolean keepsIdleConnections() {
                return ConnectionPool.this.keepsIdleConnections();
            }
        }, hooks);
        if (config.openNow) {
            open();
        }
    }

    /** A builder for a pool of connections returning {@link Row}s. */
    public static Builder<Row> builder() {
        return new Builder<>(null, ConnectionPool::new);
    }

    /**
     * The check psycopg_pool offers for {@code check}: a round trip with an empty statement, which fails if
     * the connection is dead. Leaves the transaction state as it was (only IDLE connections are checked).
     */
    public static void checkConnection(Connection<?> conn) {
        boolean auto = conn.autocommit();
        if (!auto) {
            conn.setAutocommit(true);
        }
        try {
            conn.execute("");
        } finally {
            if (!auto) {
                conn.setAutocommit(false);
            }
        }
    }

    /**
     * Waits until {@code minSize} connections are open.
     *
     * @throws PoolTimeout if they are not open within {@code timeout}
     */
    public void waitReady(Duration timeout) {
        core.waitReady(timeout);
    }

    /**
     * psycopg_pool's {@code close(timeout)}: closes the pool as {@link #close()}, then waits up to {@code timeout}
     * for its background workers to stop (one may be busy connecting); after that the pool is closed anyway and
     * a warning logged. Lent connections are closed when given back.
     */
    public void close(Duration timeout) {
        core.close(timeout).join();
    }

    // ------------------------------------------------------------------ leases

    /** A connection for the pool's {@code timeout}; {@code close()} gives it back. */
    public Connection<R> connection() {
        return getconn(config.timeout);
    }

    /** As {@link #connection()}, waiting at most {@code timeout}. */
    public Connection<R> connection(Duration timeout) {
        return getconn(timeout);
    }

    /**
     * Runs {@code body} with a lent connection, as psycopg's {@code with pool.connection() as conn}: commits
     * when it returns, rolls back when it throws (rethrowing), and gives the connection back either way.
     */
    public <T> T withConnection(Function<Connection<R>, T> body) {
        Connection<R> conn = connection();
        try {
            T result = body.apply(conn);
            if (!conn.isClosed() && conn.info().transactionStatus() != TransactionStatus.IDLE) {
                conn.commit();
            }
            return result;
        } catch (RuntimeException | Error e) {
            try {
                if (!conn.isClosed()) {
                    conn.rollback();
                }
            } catch (TuskException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        } finally {
            conn.close();
        }
    }

    /** psycopg_pool's {@code getconn}: a connection to give back with {@link #putconn} (or its close()). */
    public Connection<R> getconn() {
        return getconn(config.timeout);
    }

    public Connection<R> getconn(Duration timeout) {
        if (core.observer == null) {
            return lease(timeout);
        }
        long t0 = System.nanoTime();
        Connection<R> c;
        try {
            c = lease(timeout);
        } catch (PoolTimeout e) {
            core.observeLease(System.nanoTime() - t0, true);
            throw e;
        }
        core.observeLease(System.nanoTime() - t0, false);
        return c;
    }

    private Connection<R> lease(Duration timeout) {
        long start = System.nanoTime();
        long asked = start;
        long deadline = 0;
        stats.requestsNum.increment();
        core.requireOpen();
        boolean queued = false;
        while (true) {
            long now = start;
            PoolSlot<Connection<R>> slot = bag.take();
            if (slot == null && keepsIdleConnections()) {
                slot = takeSoon();
            }
            if (slot == null) {
                if (!queued) {
                    stats.requestsQueued.increment();
                    queued = true;
                    deadline = asked + timeout.toNanos();
                }
                try {
                    slot = await(deadline, timeout);
                } finally { // a wait that timed out counts too, as psycopg's requests_wait_ms
                    now = System.nanoTime();
                    stats.requestsWaitMs.add(TimeUnit.NANOSECONDS.toMillis(now - start));
                }
            }
            if (core.isRetired(slot, now)) {
                core.discardLater(slot);
            } else if (ready(slot, now)) {
                hooks.setLent(slot.conn, true);
                slot.since = now;
                return hooks.startLease(slot.conn); // a handle per lease: refuses every call once given back
            }
            start = System.nanoTime(); // another try, after a dead or expired connection was replaced
        }
    }

    /**
     * Before queuing: lets the threads holding the connections run a little (they are often just about to give
     * one back, but descheduled when threads outnumber cores) and looks again. Cheaper than parking, which
     * costs this thread a wake-up and the one giving back the lock.
     */
    private PoolSlot<Connection<R>> takeSoon() {
        for (int i = 0; i < SPINS_BEFORE_QUEUING; i++) {
            Thread.yield();
            PoolSlot<Connection<R>> slot = bag.take();
            if (slot != null) {
                return slot;
            }
        }
        return null;
    }

    /**
     * Queues the caller and parks it until it is handed a connection, finds an idle one, or the deadline
     * passes. A connection freed while it waits goes idle, where newcomers may take it first, and the oldest
     * waiter is woken to look; once that waiter has waited {@link #BARGING_NANOS}, the next connection given
     * back is handed to it directly.
     */
    private PoolSlot<Connection<R>> await(long deadline, Duration timeout) {
        Waiter<Connection<R>> me;
        lock.lock();
        try {
            core.requireOpen();
            if (config.maxWaiting > 0 && waiters.size() >= config.maxWaiting) {
                stats.requestsErrors.increment();
                throw new TooManyRequests("pool '" + core.name + "' already has " + waiters.size()
                        + " requests waiting (maxWaiting " + config.maxWaiting + ")");
            }
            me = waiters.join();
            core.growForWaiter();
        } finally {
            lock.unlock();
        }
        while (true) {
            me.woken = false;
            // now that this waiter is counted, a give-back either sees it or made its connection idle before this look
            PoolSlot<Connection<R>> found = me.handed == null && me.failure == null ? bag.take() : null;
            if (found != null || me.handed != null || me.failure != null) {
                return leave(me, found, null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return leave(me, null, () -> core.leaseTimedOut(timeout));
            }
            if (Thread.currentThread().isInterrupted()) {
                return leave(me, null, () -> new OperationalException("interrupted while waiting for a connection from pool '"
                        + core.name + "'", new InterruptedException()));
            }
            LockSupport.parkNanos(this, left);
        }
    }

    /**
     * Takes a waiter out of the queue: returns the connection it was handed (passing on the one it found,
     * if it found one as well) or the one it found; with neither, throws its failure or {@code giveUp}'s.
     */
    private PoolSlot<Connection<R>> leave(Waiter<Connection<R>> me, PoolSlot<Connection<R>> found, Supplier<RuntimeException> giveUp) {
        lock.lock();
        try {
            waiters.leave(me);
            PoolSlot<Connection<R>> handed = me.handed;
            if (handed != null) {
                if (found != null) {
                    core.handOrIdle(found);
                }
                return handed;
            }
            if (found != null) {
                wakeFirstIfIdle(); // more than one connection may have come free
                return found;
            }
            if (me.failure != null) {
                throw me.failure;
            }
            stats.requestsErrors.increment();
            wakeFirstIfIdle(); // this waiter may have been woken for a connection it now leaves to the next one
            throw giveUp.get();
        } finally {
            lock.unlock();
        }
    }

    /** Checks a slot taken for a borrower; a dead one is closed and replaced, and the borrower tries again. */
    private boolean ready(PoolSlot<Connection<R>> slot, long now) {
        boolean ok = core.fitToLend(slot, now);
        if (ok && config.check != null) {
            hooks.setLent(slot.conn, true);
            try {
                config.check.accept(slot.conn);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': connection check failed: " + e.getMessage());
                ok = false;
            }
        }
        if (!ok) {
            stats.connectionsLost.increment();
            core.discard(slot);
        }
        return ok;
    }

    /** psycopg_pool's {@code putconn}: gives back a connection lent by this pool (same as its close()). */
    public void putconn(Connection<R> conn) {
        Connection<?> pooled = hooks.pooled(conn);
        PoolSlot<Connection<R>> slot = bag.find(pooled);
        boolean leaseEnded = conn != pooled && conn.isClosed() && !pooled.isClosed();
        if (slot == null || slot.state() != PoolSlot.IN_USE || leaseEnded) {
            throw new ProgrammingException("this connection was not lent by pool '" + core.name + "' (or was already given back)");
        }
        conn.close();
    }

    /**
     * Called by a lent connection's close(), which already made it refuse calls (not lent): repairs it for the
     * next borrower, or replaces it. Per lease this writes no more than the slot's state: a lease that did
     * nothing costs no fence here but the one that makes the slot idle (see {@link PoolSlot#takeBack()}), and
     * only the repair's own calls make the connection lent again for their time.
     */
    private void giveBack(PoolSlot<Connection<R>> slot) {
        if (!slot.takeBack()) {
            return; // given back already (a reset or configure that closed the connection it was given)
        }
        long now = System.nanoTime();
        boolean reusable = !core.isClosed() && keepsIdleConnections() && !core.isRetired(slot, now) && repair(slot, now);
        core.returned(slot, reusable, now);
    }

    /**
     * Makes a connection given back clean for the next borrower; false when it cannot be (it is then closed
     * and replaced). A lease that did nothing with the connection costs no round trip. After one that did:
     * what cannot be undone in place (a pipeline, COPY or stream left open, a statement still running, a
     * transaction() block) closes the connection; otherwise an open transaction is rolled back and the session
     * reset in one round trip (see {@code PoolAccess.Hooks#resetSession}), then {@code configure} runs again
     * (the reset undid its settings) and {@code reset} runs.
     */
    private boolean repair(PoolSlot<Connection<R>> slot, long now) {
        Connection<R> conn = slot.conn;
        if (conn.isClosed()) {
            stats.returnsBad.increment();
            return false;
        }
        if (!hooks.leaseUsed(conn) && conn.info().transactionStatus() == TransactionStatus.IDLE) {
            // the probe reads what the server sent meanwhile: a connection whose backend went away while lent (a
            // shutdown, pg_terminate_backend) must not go back to the idle set. At most once a millisecond, as the
            // driver itself asks the socket: a connection leased and given back in a tight loop skips its lock.
            boolean probe = now - slot.probedAt >= TRUST_RECENT_NANOS;
            if (probe) {
                slot.probedAt = now;
            }
            if (probe && !hooks.probe(conn, false)) {
                stats.returnsBad.increment();
                return false;
            }
            return config.reset == null || runReset(conn);
        }
        String leftovers = hooks.leftovers(conn);
        if (leftovers != null) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': connection given back while " + leftovers
                    + ": closing it (the next borrower gets another one)");
            hooks.abort(conn); // never wait for the server: a statement still running fails now
            stats.returnsBad.increment();
            return false;
        }
        try {
            hooks.setLent(conn, true); // the pool's own calls
            conn.setStatementTimeout(repairTimeout(conn.statementTimeout())); // the reset puts the options' one back
            TransactionStatus status = conn.info().transactionStatus();
            if (status == TransactionStatus.INTRANS || status == TransactionStatus.INERROR) {
                LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': connection given back " + status + ", rolling back");
                conn.rollback();
            } else if (status != TransactionStatus.IDLE) {
                stats.returnsBad.increment();
                return false;
            }
            hooks.resetSession(conn);
            if (config.configure != null) {
                config.configure.accept(conn);
                if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                    throw new ProgrammingException("configure left the connection in a transaction: commit it there");
                }
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': connection given back unusable: " + e.getMessage());
            stats.returnsBad.increment();
            return false;
        } finally {
            hooks.setLent(conn, false);
        }
        return config.reset == null || runReset(conn);
    }

    /** Runs the user's {@code reset}; false when it throws or leaves a transaction open. */
    private boolean runReset(Connection<R> conn) {
        try {
            hooks.setLent(conn, true);
            config.reset.accept(conn);
            return conn.info().transactionStatus() == TransactionStatus.IDLE;
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': reset failed: " + e.getMessage());
            stats.returnsBad.increment();
            return false;
        } finally {
            hooks.setLent(conn, false);
        }
    }

    // ------------------------------------------------------------------ hand-offs (lock held)

    /**
     * Lock held, the pool open; the caller holds {@code slot} (not idle): a waiter queued for longer than
     * {@link #BARGING_NANOS} is handed it; otherwise it goes idle, where the first caller takes it (often the
     * thread that just gave it back, as with HikariCP) and the oldest waiter is woken to try.
     */
    private void handOrIdle(PoolSlot<Connection<R>> slot) {
        Waiter<Connection<R>> first = waiters.first();
        if (first != null && (!keepsIdleConnections() || System.nanoTime() - first.since > BARGING_NANOS)) {
            slot.set(PoolSlot.IN_USE);
            waiters.handFirst(slot);
        } else if (!keepsIdleConnections()) {
            core.discardLater(slot);
        } else {
            slot.set(PoolSlot.IDLE);
            waiters.wakeFirst();
        }
    }

    private void wakeFirstIfIdle() {
        if (!waiters.isEmpty() && bag.idleCount() > 0) {
            waiters.wakeFirst();
        }
    }

    /** Worker: opens a connection for the core and runs {@code configure} on it. */
    private Connection<R> openConnection() {
        Connection<R> conn = Connection.connect(config.options.get());
        if (config.configure != null) {
            hooks.setLent(conn, true);
            config.configure.accept(conn);
            if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                conn.close();
                throw new ProgrammingException("configure left the connection in a transaction: commit it there");
            }
        }
        return conn;
    }

    // ------------------------------------------------------------------ management

    /** Checks every idle connection now (with {@code check}, or {@link #checkConnection}); replaces the bad ones. */
    public void checkAll() {
        Consumer<Connection<R>> check = config.check != null ? config.check : ConnectionPool::checkConnection;
        core.checkAll(conn -> {
            hooks.setLent(conn, true);
            try {
                check.accept(conn);
                return true;
            } catch (RuntimeException e) {
                return false;
            } finally {
                hooks.setLent(conn, false);
            }
        });
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + core.name + ", " + getStats() + "]";
    }

    /**
     * Settings of a pool, as psycopg_pool's constructor arguments; the shared ones and their defaults are
     * {@link PoolConfig}'s (minSize 4, maxSize = minSize, timeout 30 s, maxWaiting 0 (no limit), maxLifetime
     * 1 h, maxIdle 10 min, reconnectTimeout 5 min, numWorkers 3, not opened at construction).
     */
    public static final class Builder<R> extends PoolConfig<R, ConnectionPool<R>, Builder<R>> {
        private final Function<Builder<R>, ? extends ConnectionPool<R>> factory;
        Consumer<Connection<R>> configure;
        Consumer<Connection<R>> reset;
        Consumer<Connection<R>> check;

        Builder(Supplier<ConnectOptions<R>> options, Function<Builder<R>, ? extends ConnectionPool<R>> factory) {
            super(options);
            this.factory = factory;
        }

        /** Connections from full options (and their row type). */
        public <T> Builder<T> options(ConnectOptions<T> options) {
            return options(() -> options, options);
        }

        /**
         * Options computed for every new connection: rotating passwords, cloud IAM tokens.
         * <pre>{@code .credentials(() -> ConnectOptions.builder().conninfo("host=db").password(tokens.next()).build())}</pre>
         */
        public <T> Builder<T> credentials(Supplier<ConnectOptions<T>> perConnection) {
            return options(perConnection, null);
        }

        /** Runs on every new connection before it is used (it must leave no transaction open). */
        public Builder<R> configure(Consumer<Connection<R>> configure) {
            this.configure = configure;
            return this;
        }

        /** Runs on every connection given back, after the pool rolled back an open transaction. */
        public Builder<R> reset(Consumer<Connection<R>> reset) {
            this.reset = reset;
            return this;
        }

        /** Runs on every connection before it is lent; one that throws is replaced. */
        public Builder<R> check(Consumer<Connection<R>> check) {
            this.check = check;
            return this;
        }

        public ConnectionPool<R> build() {
            validate();
            return factory.apply(this);
        }
    }
}
