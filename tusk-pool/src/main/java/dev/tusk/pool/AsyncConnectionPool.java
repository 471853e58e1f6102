package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.pool.PoolAccess;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A pool of {@link AsyncConnection}s with the semantics of {@link ConnectionPool}, in futures: leases
 * come first come, first served; {@code timeout} fails the lease with {@link PoolTimeout}; a lease whose
 * future the caller cancels, or that times out while a connection was being handed to it, gives the
 * connection back; a connection given back in a transaction is rolled back, a broken or expired one is
 * replaced. Nothing here blocks a thread.
 *
 * <pre>{@code
 * AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo("dbname=app").minSize(2).maxSize(8).build();
 * pool.open();
 * pool.withConnection(conn -> conn.execute("SELECT count(*) FROM t").thenApply(c -> c.fetchone().getLong(0)))
 *     .thenAccept(n -> System.out.println(n));
 * }</pre>
 *
 * @param <R> the row type of the pool's connections
 */
public class AsyncConnectionPool<R> extends PoolFront<AsyncConnection<R>, AsyncConnectionPool<R>, AsyncConnectionPool.Builder<R>> {
    private static final AtomicInteger POOLS = new AtomicInteger();

    private final ReentrantLock lock;
    private final PoolStats stats;
    /** The leases waiting for a connection, oldest first; lock held. */
    private final ArrayDeque<CompletableFuture<PoolSlot<AsyncConnection<R>>>> waiters = new ArrayDeque<>();
    /** {@code waiters.size()}, for a give-back to see without the lock whether anyone waits. */
    private volatile int waiting;
    private final PoolAccess.AsyncHooks<AsyncConnection<R>> hooks = PoolAccess.async();

    AsyncConnectionPool(Builder<R> config) {
        super(config, null, "async-pool-" + POOLS.incrementAndGet());
        this.lock = core.lock;
        this.stats = core.stats;
        core.front(new PoolCore.Front<>() {
            @Override
            public CompletionStage<AsyncConnection<R>> connect() {
                return openConnection();
            }

            @Override
            public void giveBack(PoolSlot<AsyncConnection<R>> slot) {
                AsyncConnectionPool.this.giveBack(slot);
            }

            @Override
            public boolean isClosed(AsyncConnection<R> conn) {
                return conn.isClosed();
            }

            @Override
            public int waiting() {
                return waiting;
            }

            @Override
            public Runnable handOrIdle(PoolSlot<AsyncConnection<R>> slot) {
                CompletableFuture<PoolSlot<AsyncConnection<R>>> w = waiters.pollFirst();
                if (w == null) {
                    if (!keepsIdleConnections()) {
                        core.discardLater(slot); // opened for a waiter that left meanwhile: nobody keeps it
                        return null;
                    }
                    slot.set(PoolSlot.IDLE);
                    return null;
                }
                waiting = waiters.size();
                slot.set(PoolSlot.IN_USE);
                return () -> w.complete(slot);
            }

            @Override
            public Runnable failWaiters() {
                List<CompletableFuture<PoolSlot<AsyncConnection<R>>>> failed = new ArrayList<>(waiters);
                waiters.clear();
                waiting = 0;
                return () -> failed.forEach(w -> w.completeExceptionally(
                        new PoolClosed("pool '" + core.name + "' was closed while waiting")));
            }
        }, hooks);
        if (config.openNow) {
            open();
        }
    }

    public static Builder<Row> builder() {
        return new Builder<>(AsyncConnectionPool::new);
    }

    /** A lease: completes with a connection whose {@code close()} gives it back. */
    public CompletableFuture<AsyncConnection<R>> connection() {
        return connection(config.timeout);
    }

    /** As {@link #connection()}, failing with {@link PoolTimeout} after {@code timeout} instead of the pool's. */
    public CompletableFuture<AsyncConnection<R>> connection(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            return CompletableFuture.failedFuture(new ProgrammingException(
                    "connection(timeout): the timeout must be zero or more, got " + timeout));
        }
        if (core.observer == null) {
            return lease(timeout);
        }
        long t0 = System.nanoTime();
        CompletableFuture<AsyncConnection<R>> lease = lease(timeout);
        lease.whenComplete((c, e) -> {
            Throwable cause = PoolCore.unwrap(e);
            if (cause == null || cause instanceof PoolTimeout) {
                core.observeLease(System.nanoTime() - t0, cause != null);
            }
        });
        return lease;
    }

    private CompletableFuture<AsyncConnection<R>> lease(Duration timeout) {
        stats.requestsNum.increment();
        if (core.isClosed() || !core.isOpened()) {
            return CompletableFuture.failedFuture(new PoolClosed("pool '" + core.name + "' is "
                    + (core.isClosed() ? "closed" : "not open yet: call open()")));
        }
        CompletableFuture<AsyncConnection<R>> lease = new CompletableFuture<>();
        PoolSlot<AsyncConnection<R>> slot = takeIdle();
        if (slot != null) {
            lend(slot, lease);
            return lease;
        }
        CompletableFuture<PoolSlot<AsyncConnection<R>>> waiter;
        lock.lock();
        try {
            if (core.isClosed()) {
                return CompletableFuture.failedFuture(new PoolClosed("pool '" + core.name + "' is closed"));
            }
            if (config.maxWaiting > 0 && waiters.size() >= config.maxWaiting) {
                stats.requestsErrors.increment();
                return CompletableFuture.failedFuture(new TooManyRequests("pool '" + core.name + "' already has "
                        + waiters.size() + " requests waiting (maxWaiting " + config.maxWaiting + ")"));
            }
            waiter = new CompletableFuture<>();
            waiters.addLast(waiter);
            waiting = waiters.size();
            // now that this waiter is counted, a give-back either sees it or made its connection idle before this look
            slot = takeIdle();
            if (slot != null) {
                waiters.removeLast();
                waiting = waiters.size();
            } else {
                stats.requestsQueued.increment();
                core.growForWaiter();
            }
        } finally {
            lock.unlock();
        }
        if (slot != null) {
            lend(slot, lease);
            return lease;
        }
        long queued = System.nanoTime();
        var timeoutTask = core.workers().schedule(() -> {
            if (abandon(waiter)) {
                stats.requestsErrors.increment();
                lease.completeExceptionally(core.leaseTimedOut(timeout));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        lease.whenComplete((c, e) -> {
            timeoutTask.cancel(false);
            stats.requestsWaitMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - queued));
            if (lease.isCancelled()) {
                abandon(waiter); // a cancelled lease leaves the queue; a connection already handed goes back below
            }
        });
        waiter.whenComplete((s, e) -> {
            if (e == null) {
                lend(s, lease);
            } else { // the pool closed while this lease waited (failWaiters): its caller hears it now
                lease.completeExceptionally(PoolCore.unwrap(e));
            }
        });
        return lease;
    }

    /**
     * An idle connection, now IN_USE and the caller's; expired ones and those closed or found dead by
     * {@link PoolCore#fitToLend} met on the way are replaced.
     */
    private PoolSlot<AsyncConnection<R>> takeIdle() {
        long now = System.nanoTime();
        for (PoolSlot<AsyncConnection<R>> s = core.bag.take(); s != null; s = core.bag.take()) {
            if (core.isRetired(s, now)) {
                core.discardLater(s);
            } else if (s.conn.isClosed() || !core.fitToLend(s, now)) {
                stats.connectionsLost.increment();
                core.discardLater(s);
            } else {
                return s;
            }
        }
        return null;
    }

    /**
     * Completes the lease with the slot (after {@code check}, which replaces a bad connection and lends the
     * next one), or gives the slot back when the lease was cancelled meanwhile.
     */
    private void lend(PoolSlot<AsyncConnection<R>> slot, CompletableFuture<AsyncConnection<R>> lease) {
        hooks.setLent(slot.conn, true);
        slot.since = System.nanoTime();
        if (config.check == null || lease.isDone()) {
            complete(slot, lease);
            return;
        }
        config.check.apply(slot.conn).whenComplete((v, e) -> {
            if (e == null) {
                complete(slot, lease);
                return;
            }
            stats.connectionsLost.increment();
            hooks.setLent(slot.conn, false);
            core.discard(slot);
            connection(config.timeout).whenComplete((next, e2) -> {
                if (e2 != null) {
                    lease.completeExceptionally(e2);
                } else if (!lease.complete(next)) {
                    next.close();
                }
            });
        });
    }

    private void complete(PoolSlot<AsyncConnection<R>> slot, CompletableFuture<AsyncConnection<R>> lease) {
        AsyncConnection<R> handle = hooks.startLease(slot.conn); // refuses every call once given back
        if (!lease.complete(handle)) {
            handle.close(); // the caller gave up: the connection goes back
        }
    }

    /** True when the waiter left the queue before anything was handed to it. */
    private boolean abandon(CompletableFuture<PoolSlot<AsyncConnection<R>>> waiter) {
        lock.lock();
        try {
            boolean was = waiters.remove(waiter);
            waiting = waiters.size();
            return was;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs {@code body} with a lent connection, as {@link ConnectionPool#withConnection}: commits when its
     * future completes, rolls back when it fails (which the result then carries), and gives the connection back.
     */
    public <T> CompletableFuture<T> withConnection(Function<AsyncConnection<R>, ? extends CompletionStage<T>> body) {
        return connection().thenCompose(conn -> {
            CompletableFuture<T> out = new CompletableFuture<>();
            CompletionStage<T> stage;
            try {
                stage = body.apply(conn);
            } catch (RuntimeException e) {
                stage = CompletableFuture.failedFuture(e);
            }
            stage.whenComplete((value, error) -> {
                CompletableFuture<Void> end = error == null ? conn.commit() : conn.rollback();
                end.whenComplete((v, endError) -> {
                    conn.close();
                    if (error != null) {
                        out.completeExceptionally(PoolCore.unwrap(error));
                    } else if (endError != null) {
                        out.completeExceptionally(endError);
                    } else {
                        out.complete(value);
                    }
                });
            });
            return out;
        });
    }

    /** Gives back a connection this pool lent (the same as its close()). */
    public void putconn(AsyncConnection<R> conn) {
        conn.close();
    }

    /** Called by a lent connection's close(): rolls back what was left open, runs reset, then lends or idles it. */
    private void giveBack(PoolSlot<AsyncConnection<R>> slot) {
        if (!slot.claim(PoolSlot.IN_USE, PoolSlot.RESERVED)) {
            return; // given back already
        }
        AsyncConnection<R> conn = slot.conn;
        if (!keepsIdleConnections()) { // closed and replaced: no repair worth a round trip
            hooks.setLent(conn, false);
            core.returned(slot, false, System.nanoTime());
            return;
        }
        CompletableFuture<?> repaired;
        if (conn.isClosed()) {
            repaired = CompletableFuture.failedFuture(new IllegalStateException("closed"));
        } else {
            TransactionStatus status = conn.info().transactionStatus();
            String leftovers;
            if (!hooks.leaseUsed(conn) && status == TransactionStatus.IDLE) {
                // the lease did nothing with the connection: no round trip
                repaired = config.reset == null ? CompletableFuture.completedFuture(null) : runReset(conn);
            } else if ((leftovers = hooks.leftovers(conn)) != null) {
                // what cannot be undone in place (see ConnectionPool#repair): the connection is closed and replaced
                LOG.log(System.Logger.Level.WARNING, "pool '" + core.name + "': connection given back while " + leftovers
                        + ": closing it (the next borrower gets another one)");
                repaired = CompletableFuture.failedFuture(new IllegalStateException(leftovers));
            } else {
                hooks.setLent(conn, true); // the pool's own calls, and configure's and reset's
                conn.setStatementTimeout(repairTimeout(conn.statementTimeout())); // the reset puts the options' one back
                CompletableFuture<Void> rolledBack = status == TransactionStatus.IDLE ? CompletableFuture.completedFuture(null) : conn.rollback();
                CompletableFuture<?> clean = rolledBack.thenCompose(v -> hooks.resetSession(conn));
                if (config.configure != null) {
                    clean = clean.thenCompose(v -> config.configure.apply(conn)); // the reset undid what it set
                }
                repaired = config.reset == null ? clean : clean.thenCompose(v -> runReset(conn));
            }
        }
        repaired.whenComplete((v, e) -> {
            hooks.setLent(conn, false);
            long now = System.nanoTime();
            if (e != null) {
                stats.returnsBad.increment();
            }
            core.returned(slot, e == null && !core.isClosed() && !conn.isClosed() && !core.isRetired(slot, now), now);
        });
    }

    /** Runs the user's {@code reset} on a connection given back. */
    private CompletableFuture<?> runReset(AsyncConnection<R> conn) {
        hooks.setLent(conn, true);
        try {
            return config.reset.apply(conn).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Opens a connection for the core and runs {@code configure} on it. */
    private CompletionStage<AsyncConnection<R>> openConnection() {
        return AsyncConnection.connect(config.options.get())
                .thenCompose(conn -> config.configure == null ? CompletableFuture.completedFuture(conn)
                        : config.configure.apply(conn).thenApply(v -> conn).whenComplete((v, e) -> {
                            if (e != null) {
                                conn.close();
                            }
                        }).toCompletableFuture());
    }

    /**
     * psycopg_pool's {@code await pool.close(timeout)}: closes the pool as {@link #close()}; the future completes
     * once its background workers have stopped, or after {@code timeout} (the pool is closed anyway, and a
     * warning logged). Lent connections are closed when given back.
     */
    public CompletableFuture<Void> close(Duration timeout) {
        return core.close(timeout);
    }

    /** {@link #close(Duration)} with psycopg_pool's default timeout, 5 seconds. */
    public CompletableFuture<Void> closeAsync() {
        return close(Duration.ofSeconds(5));
    }

    /**
     * psycopg_pool's {@code await pool.wait(timeout)}: completes once {@code minSize} connections are open; fails
     * with {@link PoolTimeout} if they are not within {@code timeout}, with {@link PoolClosed} if the pool closes.
     */
    public CompletableFuture<Void> waitReady(Duration timeout) {
        return core.waitReadyAsync(timeout);
    }

    /**
     * psycopg_pool's {@code await pool.check()}: checks every idle connection now, one after the other (with
     * the builder's {@code check}, else an empty query in autocommit), replacing the bad ones; completes once
     * all were checked.
     */
    public CompletableFuture<Void> check() {
        Function<AsyncConnection<R>, CompletionStage<?>> check = config.check != null ? config.check
                : AsyncConnectionPool::checkConnection;
        return core.checkAllAsync(conn -> {
            hooks.setLent(conn, true);
            CompletionStage<?> done;
            try {
                done = check.apply(conn);
            } catch (RuntimeException e) {
                done = CompletableFuture.failedFuture(e);
            }
            return done.handle((v, e) -> {
                hooks.setLent(conn, false);
                return Boolean.valueOf(e == null);
            });
        });
    }

    /** The check of {@link #check()} without the builder's: an empty query, in autocommit (no transaction left). */
    private static CompletionStage<?> checkConnection(AsyncConnection<?> conn) {
        if (conn.autocommit()) {
            return conn.execute("");
        }
        return conn.setAutocommit(true).thenCompose(v -> conn.execute(""))
                .handle((v, e) -> e)
                .thenCompose(e -> conn.setAutocommit(false).thenApply(v -> {
                    if (e != null) {
                        throw e instanceof CompletionException ce ? ce : new CompletionException(e);
                    }
                    return null;
                }));
    }

    @Override
    public String toString() {
        return "AsyncConnectionPool[" + core.name + ", " + getStats() + "]";
    }

    /**
     * The settings of an {@link AsyncConnectionPool}: {@link PoolConfig}'s, the same as
     * {@link ConnectionPool.Builder}'s, with callbacks that return futures.
     */
    public static final class Builder<R> extends PoolConfig<R, AsyncConnectionPool<R>, Builder<R>> {
        Function<AsyncConnection<R>, CompletionStage<?>> configure;
        Function<AsyncConnection<R>, CompletionStage<?>> reset;
        Function<AsyncConnection<R>, CompletionStage<?>> check;
        private final Function<Builder<R>, ? extends AsyncConnectionPool<R>> factory;

        Builder(Function<Builder<R>, ? extends AsyncConnectionPool<R>> factory) {
            super(null);
            this.factory = factory;
        }

        /** Connections from full options (and their row type). */
        public <T> Builder<T> options(ConnectOptions<T> options) {
            return options(() -> options, options);
        }

        /** Options computed for every new connection (rotating passwords, IAM tokens). */
        public <T> Builder<T> credentials(Supplier<ConnectOptions<T>> perConnection) {
            return options(perConnection, null);
        }

        /** Runs on every new connection before it is lent (its future must complete with no transaction open). */
        public Builder<R> configure(Function<AsyncConnection<R>, CompletionStage<?>> configure) {
            this.configure = configure;
            return this;
        }

        /** Runs before every lease; a connection whose check fails is replaced and the next one lent. */
        public Builder<R> check(Function<AsyncConnection<R>, CompletionStage<?>> check) {
            this.check = check;
            return this;
        }

        /** Runs on every connection given back, after an open transaction was rolled back. */
        public Builder<R> reset(Function<AsyncConnection<R>, CompletionStage<?>> reset) {
            this.reset = reset;
            return this;
        }

        public AsyncConnectionPool<R> build() {
            validate();
            return factory.apply(this);
        }
    }
}
