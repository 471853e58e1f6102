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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
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
public final class AsyncConnectionPool<R> implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger("dev.tusk.pool");

    private final Supplier<ConnectOptions<R>> options;
    private final String name;
    private int minSize;
    private int maxSize;
    private final Duration timeout;
    private final int maxWaiting;
    private final Duration maxLifetime;
    private final Duration maxIdle;
    private final Duration reconnectTimeout;
    private final java.util.function.Consumer<AsyncConnectionPool<R>> reconnectFailed;
    private final Function<AsyncConnection<R>, CompletionStage<?>> configure;
    private final Function<AsyncConnection<R>, CompletionStage<?>> reset;
    private final Function<AsyncConnection<R>, CompletionStage<?>> check;
    private final PoolStats stats = new PoolStats();
    private long drainedAt = System.nanoTime();
    private long failingSince;
    /** Why the last attempt to open a connection failed; null once one succeeds. */
    private Throwable lastConnectError;
    private final PoolAccess.Hooks hooks = PoolAccess.hooks();
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Slot<R>> idle = new ArrayDeque<>();
    private final ArrayDeque<CompletableFuture<Slot<R>>> waiters = new ArrayDeque<>();
    private final Map<AsyncConnection<R>, Slot<R>> lent = new IdentityHashMap<>();
    private final ScheduledThreadPoolExecutor timer;
    private int size;
    private boolean opened;
    private boolean closed;

    private static final class Slot<R> {
        final AsyncConnection<R> conn;
        final long created;
        final long expires;
        long since;

        Slot(AsyncConnection<R> conn, long created, long expires) {
            this.conn = conn;
            this.created = created;
            this.expires = expires;
            this.since = created;
        }

        AsyncConnection<R> conn() {
            return conn;
        }
    }

    private AsyncConnectionPool(Builder<R> b) {
        this.options = b.options;
        this.name = b.name != null ? b.name : "async-pool-" + POOLS.incrementAndGet();
        this.minSize = b.minSize;
        this.maxSize = Math.max(b.maxSize, Math.max(1, b.minSize));
        this.timeout = b.timeout;
        this.maxWaiting = b.maxWaiting;
        this.maxLifetime = b.maxLifetime;
        this.maxIdle = b.maxIdle;
        this.reconnectTimeout = b.reconnectTimeout;
        this.reconnectFailed = b.reconnectFailed;
        this.configure = b.configure;
        this.reset = b.reset;
        this.check = b.check;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tusk-async-pool-" + name);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
        long period = Math.max(50, Math.min(1000, maxIdle.toMillis() / 4));
        timer.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
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
        stats.requestsNum.increment();
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
                stats.requestsErrors.increment();
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
                stats.requestsErrors.increment();
                Throwable why;
                int max;
                lock.lock();
                try {
                    why = lastConnectError;
                    max = maxSize;
                } finally {
                    lock.unlock();
                }
                lease.completeExceptionally(PoolTimeouts.leaseTimedOut(name, timeout, max, why));
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

    /**
     * Completes the lease with the slot (after {@code check}, which replaces a bad connection and lends the
     * next one), or gives the slot back when the lease was cancelled meanwhile.
     */
    private void lend(Slot<R> slot, CompletableFuture<AsyncConnection<R>> lease) {
        hooks.setLentAsync(slot.conn(), true);
        slot.since = System.nanoTime();
        if (check == null || lease.isDone()) {
            complete(slot, lease);
            return;
        }
        check.apply(slot.conn()).whenComplete((v, e) -> {
            if (e == null) {
                complete(slot, lease);
                return;
            }
            stats.connectionsLost.increment();
            hooks.setLentAsync(slot.conn(), false);
            lock.lock();
            try {
                lent.remove(slot.conn());
                retire(slot);
            } finally {
                lock.unlock();
            }
            connection().whenComplete((next, e2) -> {
                if (e2 != null) {
                    lease.completeExceptionally(e2);
                } else if (!lease.complete(next)) {
                    next.close();
                }
            });
        });
    }

    private void complete(Slot<R> slot, CompletableFuture<AsyncConnection<R>> lease) {
        AsyncConnection<R> handle = hooks.startLeaseAsync(slot.conn()); // a handle per lease: refuses every call once given back
        if (!lease.complete(handle)) {
            handle.close(); // the caller gave up: the connection goes back
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
                        out.completeExceptionally(unwrap(error));
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
            if (s.conn().isClosed() || isRetired(s, now)) {
                retire(s);
                continue;
            }
            lent.put(s.conn(), s);
            return s;
        }
        return null;
    }

    private boolean isRetired(Slot<R> s, long now) {
        return now - s.expires >= 0 || s.created - drainedAt < 0;
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
        CompletableFuture<?> repaired;
        if (conn.isClosed()) {
            repaired = CompletableFuture.failedFuture(new IllegalStateException("closed"));
        } else {
            TransactionStatus status = conn.info().transactionStatus();
            String leftovers;
            if (!hooks.leaseUsedAsync(conn) && status == TransactionStatus.IDLE) {
                // the lease did nothing with the connection: no round trip
                repaired = reset == null ? CompletableFuture.completedFuture(null) : runReset(conn);
            } else if ((leftovers = hooks.leftoversAsync(conn)) != null) {
                // what cannot be undone in place (see ConnectionPool#repair): the connection is closed and replaced
                LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': connection given back while " + leftovers
                        + ": closing it (the next borrower gets another one)");
                repaired = CompletableFuture.failedFuture(new IllegalStateException(leftovers));
            } else {
                hooks.setLentAsync(conn, true); // the pool's own calls, and configure's and reset's
                CompletableFuture<Void> rolledBack = status == TransactionStatus.IDLE ? CompletableFuture.completedFuture(null) : conn.rollback();
                CompletableFuture<?> clean = rolledBack.thenCompose(v -> hooks.resetSessionAsync(conn));
                if (configure != null) {
                    clean = clean.thenCompose(v -> configure.apply(conn)); // the reset undid what it set
                }
                repaired = reset == null ? clean : clean.thenCompose(v -> runReset(conn));
            }
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
                stats.usageMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - slot.since));
                if (e != null || closed || conn.isClosed() || isRetired(slot, System.nanoTime())) {
                    stats.returnsBad.add(e != null ? 1 : 0);
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

    /** Runs the user's {@code reset} on a connection given back. */
    private CompletableFuture<?> runReset(AsyncConnection<R> conn) {
        hooks.setLentAsync(conn, true);
        try {
            return reset.apply(conn).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * Lock held: idles the slot, or reserves it for the oldest waiter and returns the hand-off to run once
     * the lock is released (so no caller's callback ever runs under the pool's lock).
     */
    private Runnable handOrIdle(Slot<R> slot) {
        CompletableFuture<Slot<R>> w = waiters.pollFirst();
        if (w == null) {
            slot.since = System.nanoTime();
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
        long t0 = System.nanoTime();
        AsyncConnection.connect(options.get())
                .thenCompose(conn -> configure == null ? CompletableFuture.completedFuture(conn)
                        : configure.apply(conn).thenApply(v -> conn).whenComplete((v, e) -> {
                            if (e != null) {
                                conn.close();
                            }
                        }).toCompletableFuture())
                .whenComplete((conn, e) -> opened(conn, e, lastDelayMillis, t0));
    }

    private void opened(AsyncConnection<R> conn, Throwable e, long lastDelayMillis, long t0) {
        Runnable handOff = null;
        boolean giveUp = false;
        lock.lock();
        try {
            if (e != null) {
                stats.connectionsErrors.increment();
                lastConnectError = unwrap(e);
                if (closed) {
                    size--;
                    return;
                }
                long now = System.nanoTime();
                failingSince = failingSince == 0 ? now : failingSince;
                giveUp = now - failingSince > reconnectTimeout.toNanos();
                if (giveUp) {
                    failingSince = 0;
                    size--;
                } else {
                    long delay = lastDelayMillis == 0 ? 500 : Math.min(lastDelayMillis * 2, 10_000);
                    LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': connection failed, retrying: " + e.getMessage());
                    timer.schedule(() -> openOne(delay), delay, TimeUnit.MILLISECONDS);
                }
            } else {
                failingSince = 0;
                lastConnectError = null;
                stats.connectionsNum.increment();
                stats.connectionsMs.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0));
                if (closed) {
                    size--;
                    conn.close();
                    return;
                }
                hooks.attachAsync(conn, this::giveBack);
                long now = System.nanoTime();
                long lifetime = maxLifetime.toNanos();
                handOff = handOrIdle(new Slot<>(conn, now, now + lifetime
                        - (long) (lifetime * 0.05 * ThreadLocalRandom.current().nextDouble())));
            }
        } finally {
            lock.unlock();
        }
        run(handOff);
        if (giveUp && reconnectFailed != null) {
            reconnectFailed.accept(this);
        }
    }

    /** Periodically: closes idle connections above minSize after maxIdle, replaces expired ones, grows to minSize. */
    private void maintain() {
        lock.lock();
        try {
            if (closed || !opened) {
                return;
            }
            long now = System.nanoTime();
            for (var it = idle.iterator(); it.hasNext(); ) {
                Slot<R> s = it.next();
                boolean tooMany = size > minSize && now - s.since > maxIdle.toNanos();
                if (isRetired(s, now) || tooMany || s.conn().isClosed()) {
                    it.remove();
                    retire(s);
                }
            }
            while (size < minSize) {
                size++;
                openOne(0);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Replaces every connection: idle ones now, lent ones when given back (e.g. after a failover). */
    public void drain() {
        lock.lock();
        try {
            drainedAt = System.nanoTime();
            List<Slot<R>> all = new ArrayList<>(idle);
            idle.clear();
            all.forEach(this::retire);
        } finally {
            lock.unlock();
        }
    }

    /** Changes the bounds; the pool grows now and shrinks as idle connections age out. */
    public void resize(int minSize, int maxSize) {
        if (minSize < 0 || maxSize < Math.max(1, minSize)) {
            throw new ProgrammingException("bad pool bounds: minSize " + minSize + ", maxSize " + maxSize);
        }
        lock.lock();
        try {
            this.minSize = minSize;
            this.maxSize = maxSize;
        } finally {
            lock.unlock();
        }
        maintain();
    }

    /** psycopg_pool's statistics, as {@link ConnectionPool#getStats()}. */
    public Map<String, Long> getStats() {
        return stats(false);
    }

    /** As {@link #getStats()}, and resets the counters. */
    public Map<String, Long> popStats() {
        return stats(true);
    }

    private Map<String, Long> stats(boolean reset) {
        lock.lock();
        try {
            return stats.report(minSize, maxSize, size, idle.size(), waiters.size(), reset);
        } finally {
            lock.unlock();
        }
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
        private Duration maxIdle = Duration.ofMinutes(10);
        private Duration reconnectTimeout = Duration.ofMinutes(5);
        private java.util.function.Consumer<AsyncConnectionPool<R>> reconnectFailed;
        private Function<AsyncConnection<R>, CompletionStage<?>> configure;
        private Function<AsyncConnection<R>, CompletionStage<?>> reset;
        private Function<AsyncConnection<R>, CompletionStage<?>> check;

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

        /** Idle connections above minSize are closed after this long. */
        public Builder<R> maxIdle(Duration d) {
            this.maxIdle = d;
            return this;
        }

        /** How long the pool retries connecting before it calls {@link #reconnectFailed}. */
        public Builder<R> reconnectTimeout(Duration d) {
            this.reconnectTimeout = d;
            return this;
        }

        public Builder<R> reconnectFailed(java.util.function.Consumer<AsyncConnectionPool<R>> callback) {
            this.reconnectFailed = callback;
            return this;
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

    /** The failure itself, without the CompletionExceptions that dependent stages wrap it in. */
    private static Throwable unwrap(Throwable t) {
        while (t instanceof java.util.concurrent.CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
