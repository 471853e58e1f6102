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
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
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
public final class AsyncConnectionPool<R> implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger("dev.tusk.pool");

    private final Supplier<ConnectOptions<R>> options;
    private final String name;
    private final int minSize;
    private final int maxSize;
    private final Duration timeout;
    private final int maxWaiting;
    private final Duration maxLifetime;
    private final Function<AsyncConnection<R>, CompletionStage<?>> reset;
    private final PoolAccess.Hooks hooks = PoolAccess.hooks();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Slot<R>> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Slot<R>>> waiters = new ArrayDeque<>();
    private final Map<AsyncConnection<R>, Slot<R>> lent = new IdentityHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong connectionsMade = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final ScheduledThreadPoolExecutor timer;
    private int size;
    private boolean opened;
    private boolean closed;

    private record Slot<R>(AsyncConnection<R> conn, long expires) {
    }

    private AsyncConnectionPool(Builder<R> b) {
        this.options = b.options;
        this.name = b.name != null ? b.name : "async-pool-" + POOLS.incrementAndGet();
        this.minSize = b.minSize;
        this.maxSize = Math.max(b.maxSize, Math.max(1, b.minSize));
        this.timeout = b.timeout;
        this.maxWaiting = b.maxWaiting;
        this.maxLifetime = b.maxLifetime;
        this.reset = b.reset;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tusk-async-pool-" + name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    public static Builder<Row> builder() {
        return new Builder<>();
    }

    /** Opens {@code minSize} connections in the background. Idempotent. */
    public void open() {
        lock.lock();
        try {
            if (closed) {
                throw new PoolClosed("pool '" + name + "' is closed");
            }
            if (!opened) {
                opened = true;
                while (size < minSize) {
                    size++;
                    openOne(0);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** A lease: completes with a connection whose {@code close()} gives it back. */
    public CompletableFuture<AsyncConnection<R>> connection() {
        requests.incrementAndGet();
        CompletableFuture<AsyncConnection<R>> lease = new CompletableFuture<>();
        CompletableFuture<Slot<R>> waiter;
        lock.lock();
        try {
            if (closed || !opened) {
                return CompletableFuture.failedFuture(new PoolClosed("pool '" + name + "' is " + (closed ? "closed" : "not open yet: call open()")));
            }
            Slot<R> slot = takeIdle();
            if (slot != null) {
                lend(slot, lease);
                return lease;
            }
            if (maxWaiting > 0 && waiters.size() >= maxWaiting) {
                errors.incrementAndGet();
                return CompletableFuture.failedFuture(new TooManyRequests("pool '" + name + "' already has "
                        + waiters.size() + " requests waiting (maxWaiting " + maxWaiting + ")"));
            }
            waiter = new CompletableFuture<>();
            waiters.addLast(waiter);
            if (size < maxSize && size - idle.size() - lent.size() < waiters.size()) {
                size++;
                openOne(0);
            }
        } finally {
            lock.unlock();
        }
        var timeoutTask = timer.schedule(() -> {
            if (abandon(waiter)) {
                errors.incrementAndGet();
                lease.completeExceptionally(new PoolTimeout("couldn't get a connection from pool '" + name + "' after "
                        + timeout.toMillis() + " ms"));
            }
        }, timeout.toNanos(), TimeUnit.NANOSECONDS);
        lease.whenComplete((c, e) -> {
            timeoutTask.cancel(false);
            if (lease.isCancelled()) {
                abandon(waiter); // a cancelled lease leaves the queue; a connection already handed goes back below
            }
        });
        waiter.thenAccept(slot -> lend(slot, lease));
        return lease;
    }

    /** Completes the lease with the slot, or gives the slot back when the lease was cancelled meanwhile. */
    private void lend(Slot<R> slot, CompletableFuture<AsyncConnection<R>> lease) {
        hooks.setLentAsync(slot.conn(), true);
        if (!lease.complete(slot.conn())) {
            slot.conn().close(); // the caller gave up: the connection goes back
        }
    }

    /** True when the waiter left the queue before anything was handed to it. */
    private boolean abandon(CompletableFuture<Slot<R>> waiter) {
        lock.lock();
        try {
            return waiters.remove(waiter);
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
                        out.completeExceptionally(error instanceof java.util.concurrent.CompletionException ce && ce.getCause() != null
                                ? ce.getCause() : error);
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

    private Slot<R> takeIdle() {
        long now = System.nanoTime();
        for (Slot<R> s = idle.pollFirst(); s != null; s = idle.pollFirst()) {
            if (s.conn().isClosed() || now - s.expires() >= 0) {
                retire(s);
                continue;
            }
            lent.put(s.conn(), s);
            return s;
        }
        return null;
    }

    /** Lock held: closes a slot and opens a replacement if one is needed. */
    private void retire(Slot<R> s) {
        hooks.closeForRealAsync(s.conn());
        size--;
        if (!closed && (size < minSize || (!waiters.isEmpty() && size < maxSize))) {
            size++;
            openOne(0);
        }
    }

    /** Called by a lent connection's close(): rolls back what was left open, runs reset, then lends or idles it. */
    private void giveBack(AsyncConnection<?> returned) {
        @SuppressWarnings("unchecked")
        AsyncConnection<R> conn = (AsyncConnection<R>) returned;
        hooks.setLentAsync(conn, true); // the pool's own statements
        CompletableFuture<?> repaired;
        if (conn.isClosed()) {
            repaired = CompletableFuture.failedFuture(new IllegalStateException("closed"));
        } else {
            TransactionStatus status = conn.info().transactionStatus();
            CompletableFuture<Void> rolledBack = status == TransactionStatus.IDLE ? CompletableFuture.completedFuture(null) : conn.rollback();
            repaired = reset == null ? rolledBack : rolledBack.thenCompose(v -> reset.apply(conn));
        }
        repaired.whenComplete((v, e) -> {
            hooks.setLentAsync(conn, false);
            Runnable handOff = null;
            lock.lock();
            try {
                Slot<R> slot = lent.remove(conn);
                if (slot == null) {
                    return;
                }
                if (e != null || closed || conn.isClosed() || System.nanoTime() - slot.expires() >= 0) {
                    retire(slot);
                    return;
                }
                handOff = handOrIdle(slot);
            } finally {
                lock.unlock();
            }
            run(handOff);
        });
    }

    /**
     * Lock held: idles the slot, or reserves it for the oldest waiter and returns the hand-off to run once
     * the lock is released (so no caller's callback ever runs under the pool's lock).
     */
    private Runnable handOrIdle(Slot<R> slot) {
        CompletableFuture<Slot<R>> w = waiters.pollFirst();
        if (w == null) {
            idle.addLast(slot);
            return null;
        }
        lent.put(slot.conn(), slot);
        return () -> w.complete(slot);
    }

    private static void run(Runnable handOff) {
        if (handOff != null) {
            handOff.run();
        }
    }

    /** Opens a connection for a slot already counted in {@code size}; retries with backoff. Lock may be held. */
    private void openOne(long lastDelayMillis) {
        AsyncConnection.connect(options.get()).whenComplete((conn, e) -> {
            Runnable handOff = null;
            lock.lock();
            try {
                if (e != null) {
                    errors.incrementAndGet();
                    if (closed) {
                        size--;
                        return;
                    }
                    long delay = lastDelayMillis == 0 ? 500 : Math.min(lastDelayMillis * 2, 10_000);
                    LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': connection failed, retrying: " + e.getMessage());
                    timer.schedule(() -> openOne(delay), delay, TimeUnit.MILLISECONDS);
                    return;
                }
                connectionsMade.incrementAndGet();
                if (closed) {
                    size--;
                    conn.close();
                    return;
                }
                hooks.attachAsync(conn, this::giveBack);
                long lifetime = maxLifetime.toNanos();
                handOff = handOrIdle(new Slot<>(conn, System.nanoTime() + lifetime
                        - (long) (lifetime * 0.05 * ThreadLocalRandom.current().nextDouble())));
            } finally {
                lock.unlock();
            }
            run(handOff);
        });
    }

    /** pool_min, pool_max, pool_size, pool_available, requests_waiting, requests_num, requests_errors, connections_num. */
    public Map<String, Long> getStats() {
        Map<String, Long> m = new LinkedHashMap<>();
        lock.lock();
        try {
            m.put("pool_min", (long) minSize);
            m.put("pool_max", (long) maxSize);
            m.put("pool_size", (long) size);
            m.put("pool_available", (long) idle.size());
            m.put("requests_waiting", (long) waiters.size());
        } finally {
            lock.unlock();
        }
        m.put("requests_num", requests.get());
        m.put("requests_errors", errors.get());
        m.put("connections_num", connectionsMade.get());
        return m;
    }

    /** Closes the pool: waiting leases fail with PoolClosed, idle connections close, lent ones when given back. */
    @Override
    public void close() {
        List<Slot<R>> toClose;
        List<CompletableFuture<Slot<R>>> toFail;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            toClose = new ArrayList<>(idle);
            size -= idle.size();
            idle.clear();
            toFail = new ArrayList<>(waiters);
            waiters.clear();
        } finally {
            lock.unlock();
        }
        toFail.forEach(w -> w.completeExceptionally(new PoolClosed("pool '" + name + "' was closed while waiting")));
        toClose.forEach(s -> hooks.closeForRealAsync(s.conn()));
        timer.shutdownNow();
    }

    /** The settings of an {@link AsyncConnectionPool}; the defaults are {@link ConnectionPool.Builder}'s. */
    public static final class Builder<R> {
        private Supplier<ConnectOptions<R>> options;
        private String name;
        private int minSize = 4;
        private int maxSize = -1;
        private Duration timeout = Duration.ofSeconds(30);
        private int maxWaiting;
        private Duration maxLifetime = Duration.ofHours(1);
        private Function<AsyncConnection<R>, CompletionStage<?>> reset;

        @SuppressWarnings("unchecked")
        public Builder<R> conninfo(String conninfo) {
            ConnectOptions<Row> o = ConnectOptions.of(conninfo);
            this.options = () -> (ConnectOptions<R>) o;
            return this;
        }

        @SuppressWarnings("unchecked")
        public <T> Builder<T> options(ConnectOptions<T> options) {
            Builder<T> b = (Builder<T>) this;
            b.options = () -> options;
            return b;
        }

        /** Options computed for every new connection (rotating passwords, IAM tokens). */
        @SuppressWarnings("unchecked")
        public <T> Builder<T> credentials(Supplier<ConnectOptions<T>> perConnection) {
            Builder<T> b = (Builder<T>) this;
            b.options = perConnection;
            return b;
        }

        public Builder<R> name(String name) {
            this.name = name;
            return this;
        }

        public Builder<R> minSize(int n) {
            this.minSize = n;
            return this;
        }

        public Builder<R> maxSize(int n) {
            this.maxSize = n;
            return this;
        }

        public Builder<R> timeout(Duration d) {
            this.timeout = d;
            return this;
        }

        public Builder<R> maxWaiting(int n) {
            this.maxWaiting = n;
            return this;
        }

        public Builder<R> maxLifetime(Duration d) {
            this.maxLifetime = d;
            return this;
        }

        /** Runs on every connection given back, after an open transaction was rolled back. */
        public Builder<R> reset(Function<AsyncConnection<R>, CompletionStage<?>> reset) {
            this.reset = reset;
            return this;
        }

        public AsyncConnectionPool<R> build() {
            if (options == null) {
                throw new ProgrammingException("a pool needs conninfo(...), options(...) or credentials(...)");
            }
            if (maxSize < 0) {
                maxSize = Math.max(minSize, 1);
            }
            if (minSize < 0 || maxSize < minSize) {
                throw new ProgrammingException("bad pool bounds: minSize " + minSize + ", maxSize " + maxSize);
            }
            return new AsyncConnectionPool<>(this);
        }
    }
}
