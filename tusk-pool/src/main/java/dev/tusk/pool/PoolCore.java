package dev.tusk.pool;

import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.pool.PoolAccess;
import dev.tusk.observe.ConnectionFacts;
import dev.tusk.observe.LeaseEvent;
import dev.tusk.observe.PoolConnectionEvent;
import dev.tusk.observe.PoolView;
import dev.tusk.Tusk;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.observe.TuskListener;

import javax.management.JMException;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * What both pools share, written once (as HikariCP splits its pool): the slots and the sizing, the connections'
 * lifetime and idle rotation, opening connections in the background with a backoff and giving up after
 * {@code reconnectTimeout}, the maintenance that probes idle connections, drain and resize, the statistics and
 * JMX. {@link ConnectionPool} and {@link AsyncConnectionPool} are its front ends: they lend connections, give
 * them back, and make callers wait (a parked thread or a future); they tell the core how through {@link Front}.
 *
 * <p>A slot's state says who owns it (see {@link PoolSlot}): a lease claims an IDLE one without a lock; the
 * lock guards the sizing ({@code size}, the bounds) and the front's waiters.
 *
 * @param <C> the connection type ({@code Connection<R>} or {@code AsyncConnection<R>})
 * @param <P> the pool, as {@code reconnectFailed} receives it
 */
final class PoolCore<C, P> {
    static final System.Logger LOG = System.getLogger("dev.tusk.pool");

    /** What differs between the blocking and the async pool, as the core needs it. */
    interface Front<C> {
        /** Opens a connection and runs {@code configure} on it (the blocking pool on the calling worker thread). */
        CompletionStage<C> connect();

        /** Takes back the connection of {@code slot}, which its {@code close()} gave back. */
        void giveBack(PoolSlot<C> slot);

        /** How many callers wait for a connection; lock not needed. */
        int waiting();

        /**
         * Lock held; the caller holds {@code slot} and the pool is open: hands it to a waiter or makes it IDLE.
         *
         * @return what to run once the lock is released (so no caller's callback runs under it), or null
         */
        Runnable handOrIdle(PoolSlot<C> slot);

        /** Lock held: the pool closes; every waiter fails with PoolClosed. Returns what to run after the lock. */
        Runnable failWaiters();

        /** Whether the connection is closed or broken already (for listeners: a connection lost, not retired). */
        default boolean isClosed(C conn) {
            return false;
        }

        /** False for {@link NullConnectionPool}: every connection given back is closed. */
        default boolean keepsIdleConnections() {
            return true;
        }
    }

    /**
     * A connection given back less than this long ago is lent again without probing the socket (a system call that
     * would dominate a lease). HikariCP trusts 500 ms; one millisecond keeps back-to-back leases fast while a
     * connection that sat idle, even briefly, is always checked. The blocking pool's give-back probes at most this
     * often too.
     */
    static final long TRUST_RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    /**
     * A connection idle for longer than this is probed deeply (a 1 ms read), which also sees a socket the
     * network reset or closed.
     */
    static final long DEEP_PROBE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);

    final PoolConfig<?, P, ?> config;
    final String name;
    private final String kind;
    private final P pool;
    private Front<C> front;
    /** What the pool may do to its connections that users may not (dev.tusk's package-private parts). */
    private PoolAccess.Hooks<C> hooks;
    /** The connections, claimed without a lock: the lock is for the waiters and the sizing. */
    final SlotBag<C> bag = new SlotBag<>();
    final ReentrantLock lock = new ReentrantLock();
    final PoolStats stats = new PoolStats();
    private int minSize;
    private int maxSize;
    /** Open connections plus those being opened. */
    private int size;
    /** Connections made before this moment are replaced as soon as possible (drain()); nanoTime values. */
    private volatile long drainedAt = System.nanoTime();
    private long failingSince;
    /** Why the last attempt to open a connection failed; null once one succeeds. */
    private volatile Throwable lastConnectError;
    private volatile boolean opened;
    private volatile boolean closed;
    private volatile ScheduledThreadPoolExecutor workers;
    private ObjectName mbeanName;
    /** The listeners of the pool (its options' and the registered ones), or null when nobody listens. */
    final Observer observer;
    /** The pool as listeners read it. */
    final PoolView view = new View();

    /**
     * @param kind      the pool's class name, for its threads and JMX name
     * @param fallback  the name when the settings give none
     */
    PoolCore(PoolConfig<?, P, ?> config, P pool, String kind, String fallback) {
        this.config = config;
        this.pool = pool;
        this.kind = kind;
        this.name = config.name != null ? config.name : fallback;
        this.minSize = config.minSize;
        this.maxSize = Math.max(config.maxSize, config.minSize);
        this.observer = Observer.forPool(listeners(config));
    }

    /** The pool's listeners: those of its fixed connection options, then its own. */
    private static List<TuskListener> listeners(PoolConfig<?, ?, ?> config) {
        List<TuskListener> all = new ArrayList<>();
        if (config.fixedOptions != null) {
            all.addAll(config.fixedOptions.listeners());
        }
        for (TuskListener l : config.listeners) {
            if (!all.contains(l)) {
                all.add(l);
            }
        }
        return all;
    }

    /** The gauges listeners read, without the lock (each value is read on its own). */
    private final class View implements PoolView {
        @Override
        public String name() {
            return name;
        }

        @Override
        public int size() {
            return bag.size();
        }

        @Override
        public int idle() {
            return bag.idleCount();
        }

        @Override
        public int inUse() {
            return Math.max(0, bag.size() - bag.idleCount());
        }

        @Override
        public int waiting() {
            Front<C> f = front;
            return f == null ? 0 : f.waiting();
        }

        @Override
        public int minSize() {
            return minSize;
        }

        @Override
        public int maxSize() {
            return maxSize;
        }

        @Override
        public String toString() {
            return "pool '" + name + "'";
        }
    }

    /** For listeners: a lease was acquired after waiting {@code waitNanos}, or gave up waiting ({@code timedOut}). */
    void observeLease(long waitNanos, boolean timedOut) {
        if (timedOut) {
            observer.leaseTimedOut(new LeaseEvent(view, waitNanos));
        } else {
            observer.leaseAcquired(new LeaseEvent(view, waitNanos));
        }
    }

    /** Set once by the front end, in its constructor. */
    void front(Front<C> front, PoolAccess.Hooks<C> hooks) {
        this.front = front;
        this.hooks = hooks;
    }

    // ------------------------------------------------------------------ life cycle

    /** Starts the workers that open {@code minSize} connections and maintain them. Idempotent. */
    void open() {
        lock.lock();
        try {
            if (closed) {
                throw new PoolClosed("pool '" + name + "' is already closed: make a new one");
            }
            if (opened) {
                return;
            }
            AtomicInteger n = new AtomicInteger();
            workers = new ScheduledThreadPoolExecutor(config.numWorkers, r -> {
                Thread t = new Thread(r, "tusk-pool-" + name + "-worker-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            }) {
                @Override
                protected void terminated() {
                    workersDone.complete(null);
                }
            };
            workers.setRemoveOnCancelPolicy(true);
            long period = Math.max(50, Math.min(1000, config.maxIdle.toMillis() / 4));
            workers.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
            opened = true;
            growToMin();
        } finally {
            lock.unlock();
        }
        registerMBean();
        if (observer != null) {
            observer.poolOpened(view);
        }
    }

    /** Waits until {@code minSize} connections are open; PoolTimeout if they are not within {@code timeout}. */
    void waitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (isReady(deadline, timeout)) {
                return;
            }
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new OperationalException("interrupted while waiting for the pool", e);
            }
        }
    }

    /**
     * True once {@code minSize} connections are open; false while they are not and {@code deadline} (a nanoTime)
     * has not passed; the rule of both pools' {@code waitReady}.
     *
     * @throws PoolClosed once the pool is closed
     * @throws PoolTimeout after the deadline
     */
    private boolean isReady(long deadline, Duration timeout) {
        if (closed) {
            throw new PoolClosed("pool '" + name + "' is closed");
        }
        int open = bag.size();
        if (open >= minSize()) {
            return true;
        }
        if (System.nanoTime() - deadline > 0) {
            throw new PoolTimeout("pool '" + name + "' not ready after " + timeout.toMillis() + " ms: "
                    + open + " of " + minSize() + " connections open; is the server reachable?");
        }
        return false;
    }

    /** As {@link #waitReady}, without blocking a thread: the future completes, or fails as waitReady throws. */
    CompletableFuture<Void> waitReadyAsync(Duration timeout) {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        long deadline = System.nanoTime() + timeout.toNanos();
        Runnable[] look = new Runnable[1];
        look[0] = () -> {
            try {
                if (isReady(deadline, timeout)) {
                    ready.complete(null);
                } else {
                    CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS).execute(look[0]);
                }
            } catch (RuntimeException e) {
                ready.completeExceptionally(e);
            }
        };
        look[0].run();
        return ready;
    }

    /** Completes when the workers have stopped (after close()). */
    private final CompletableFuture<Void> workersDone = new CompletableFuture<>();

    /**
     * psycopg_pool's {@code close(timeout)}: closes the pool, and the future completes once its background
     * workers have stopped (an attempt to connect may keep one busy until its connect timeout), or after
     * {@code timeout}: the pool is closed anyway, and a warning logged.
     */
    CompletableFuture<Void> close(Duration timeout) {
        if (timeout == null || timeout.isNegative()) {
            throw new ProgrammingException("close(timeout): the timeout must be zero or more, got " + timeout);
        }
        close();
        if (workers == null) {
            return CompletableFuture.completedFuture(null); // never opened: nothing runs
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        workersDone.whenComplete((v, e) -> done.complete(null));
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS).execute(() -> {
            if (done.complete(null)) {
                LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': its workers did not stop within "
                        + timeout.toMillis() + " ms of close(); the pool is closed anyway");
            }
        });
        return done;
    }

    // the settings as psycopg_pool's attributes: minSize and maxSize as resize() left them, the others as built

    int minSize() {
        lock.lock();
        try {
            return minSize;
        } finally {
            lock.unlock();
        }
    }

    int maxSize() {
        lock.lock();
        try {
            return maxSize;
        } finally {
            lock.unlock();
        }
    }

    /** Waiters fail with PoolClosed, idle connections close now, lent ones when given back. Idempotent. */
    void close() {
        Runnable failed;
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            failed = front.failWaiters();
        } finally {
            lock.unlock();
        }
        run(failed);
        // the SCRAM keys cached for this pool's reconnects go with it (the cache is per process: all are dropped)
        Tusk.clearAuthCache();
        // a connection given back from now on sees closed, or is idle here (both are volatile): one of the two closes it
        for (PoolSlot<C> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                discard(s);
            }
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        // discards still queued on a worker were dropped with it: close those connections here (discard is
        // idempotent, so one a worker or a borrower is closing meanwhile is closed once)
        for (PoolSlot<C> s : bag.all()) {
            if (s.state() == PoolSlot.RESERVED) {
                discard(s);
            }
        }
        unregisterMBean();
        if (observer != null) {
            observer.poolClosed(view);
        }
    }

    boolean isClosed() {
        return closed;
    }

    boolean isOpened() {
        return opened;
    }

    /** Lock not needed. */
    void requireOpen() {
        if (closed) {
            throw new PoolClosed("pool '" + name + "' is closed");
        }
        if (!opened) {
            throw new PoolClosed("pool '" + name + "' is not open yet: call open() first (or build it with open(true))");
        }
    }

    /** The background threads (also the async pool's timer for lease timeouts); null before open(). */
    ScheduledThreadPoolExecutor workers() {
        return workers;
    }

    /** The PoolTimeout of a lease that waited {@code timeout} in vain: it says why no connection was free. */
    PoolTimeout leaseTimedOut(Duration timeout) {
        return PoolTimeouts.leaseTimedOut(name, timeout, maxSize, lastConnectError);
    }

    // ------------------------------------------------------------------ slots

    /**
     * The rule both pools apply to an idle connection taken for a borrower (issue 23 item 3: one core, the same rules):
     * one given back less than {@link #TRUST_RECENT_NANOS} ago is lent as it is; one idle for longer is probed first
     * ({@link PoolAccess.Hooks#probe}: a non-blocking look at what its socket holds, deeply after {@link #DEEP_PROBE_AFTER_NANOS}),
     * so that a backend that went away while it was idle is not lent. False: close and replace it. Lock not needed.
     */
    boolean fitToLend(PoolSlot<C> s, long now) {
        long idleFor = now - s.since;
        return idleFor < TRUST_RECENT_NANOS || hooks.probe(s.conn, idleFor > DEEP_PROBE_AFTER_NANOS);
    }

    /** Lock not needed. */
    boolean isRetired(PoolSlot<C> s, long now) {
        return now - s.expires >= 0 || s.created - drainedAt < 0;
    }

    /**
     * The caller gave its slot back: {@code reusable} ones become free (idle, or handed to a waiter), the others
     * are closed and replaced.
     */
    void returned(PoolSlot<C> slot, boolean reusable, long now) {
        stats.usageMs.add(TimeUnit.NANOSECONDS.toMillis(now - slot.since));
        if (observer != null) {
            observer.leaseReturned(new LeaseEvent(view, now - slot.since));
        }
        if (!reusable) {
            discard(slot);
            return;
        }
        slot.since = now;
        release(slot);
    }

    /**
     * A connection the caller holds becomes free. Without waiters it goes idle with no lock taken; with
     * waiters, under the lock, the front hands it to one or makes it idle and wakes one.
     */
    void release(PoolSlot<C> slot) {
        if (front.waiting() == 0) {
            slot.set(PoolSlot.IDLE);
            // a waiter who queued meanwhile may have looked before the slot was idle; it would not look again
            if ((front.waiting() == 0 && !closed) || !slot.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                return; // nobody to tell, or someone took it (their give-back sees the waiter)
            }
        }
        Runnable handOff;
        lock.lock();
        try {
            handOff = handOrIdle(slot);
        } finally {
            lock.unlock();
        }
        run(handOff);
    }

    /** Lock held; the caller holds {@code slot}: closed when the pool is, else the front's hand-off. */
    Runnable handOrIdle(PoolSlot<C> slot) {
        if (closed) {
            discardLater(slot);
            return null;
        }
        return front.handOrIdle(slot);
    }

    /**
     * Lock not needed; the caller holds {@code slot}: closes it and takes it out of the bag, then opens a
     * replacement if one is needed.
     */
    void discard(PoolSlot<C> slot) {
        if (!bag.remove(slot)) {
            return; // discarded already
        }
        boolean lost = observer != null && front.isClosed(slot.conn);
        hooks.closeForReal(slot.conn);
        if (observer != null) {
            observer.poolConnectionClosed(new PoolConnectionEvent(view, slot.facts, 0, lost, null));
        }
        lock.lock();
        try {
            size--;
            if (!closed) {
                growToMin();
                growForWaiter();
            }
        } finally {
            lock.unlock();
        }
    }

    /** discard() on a worker, for callers that hold the lock or must not wait for the close. */
    void discardLater(PoolSlot<C> slot) {
        slot.set(PoolSlot.RESERVED); // the pool's now: close() closes it if the worker never runs
        ScheduledThreadPoolExecutor w = workers;
        if (w == null) {
            discard(slot);
            return;
        }
        try {
            w.execute(() -> discard(slot));
        } catch (RejectedExecutionException closing) {
            discard(slot);
        }
    }

    // ------------------------------------------------------------------ sizing (lock held)

    /** Opens one more connection if a waiter could use it. */
    void growForWaiter() {
        if (size < maxSize && size - bag.size() < front.waiting()) {
            size++;
            workers.execute(() -> openOne(0));
        }
    }

    private void growToMin() {
        while (size < minSize) {
            size++;
            workers.execute(() -> openOne(0));
        }
    }

    /** Changes the bounds; the workers open connections now and close idle ones above minSize after maxIdle. */
    void resize(int minSize, int maxSize) {
        if (minSize < 0 || maxSize < minSize || maxSize < 1) {
            throw new ProgrammingException("bad pool bounds: minSize " + minSize + ", maxSize " + maxSize);
        }
        lock.lock();
        try {
            this.minSize = minSize;
            this.maxSize = maxSize;
            if (opened && !closed) {
                growToMin();
            }
        } finally {
            lock.unlock();
        }
    }

    // ------------------------------------------------------------------ opening, with backoff

    /** Worker: opens a connection for a slot already counted in {@code size}; retries with backoff. */
    private void openOne(long lastDelay) {
        long t0 = System.nanoTime();
        CompletionStage<C> opening;
        try {
            opening = front.connect();
        } catch (RuntimeException e) {
            opening = CompletableFuture.failedFuture(e);
        }
        opening.whenComplete((conn, e) -> {
            if (e != null) {
                stats.connectionsErrors.increment();
                if (observer != null) {
                    observer.poolConnectionCreated(new PoolConnectionEvent(view, null, System.nanoTime() - t0, false,
                            unwrap(e)));
                }
                retryLater(lastDelay, unwrap(e));
            } else {
                opened(conn, t0);
            }
        });
    }

    private void opened(C conn, long t0) {
        long now = System.nanoTime();
        stats.connectionsNum.increment();
        stats.connectionsMs.add(TimeUnit.NANOSECONDS.toMillis(now - t0));
        long lifetime = config.maxLifetime.toNanos();
        PoolSlot<C> slot = new PoolSlot<>(conn, now, now + lifetime - (long) (lifetime * 0.05 * ThreadLocalRandom.current().nextDouble()));
        if (observer != null) {
            slot.facts = facts(conn);
            observer.poolConnectionCreated(new PoolConnectionEvent(view, slot.facts, now - t0, false, null));
        }
        hooks.attach(conn, c -> front.giveBack(slot));
        hooks.setLent(conn, false);
        Runnable handOff;
        lock.lock();
        try {
            failingSince = 0;
            lastConnectError = null;
            if (closed) {
                size--;
                handOff = () -> hooks.closeForReal(conn);
            } else {
                bag.add(slot);
                handOff = front.handOrIdle(slot);
            }
        } finally {
            lock.unlock();
        }
        run(handOff);
    }

    /** The connection's facts for listeners; null when they cannot be read (a listener never breaks the pool). */
    private ConnectionFacts facts(C conn) {
        try {
            return hooks.facts(conn);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not read the facts of a new connection for the listeners", e);
            return null;
        }
    }

    private void retryLater(long lastDelay, Throwable e) {
        boolean giveUp;
        long left;
        lock.lock();
        try {
            if (closed) {
                size--;
                return;
            }
            long now = System.nanoTime();
            lastConnectError = e;
            if (failingSince == 0) {
                failingSince = now;
            }
            left = failingSince + config.reconnectTimeout.toNanos() - now;
            giveUp = left < 0;
            if (giveUp) {
                failingSince = 0;
                size--;
            }
        } finally {
            lock.unlock();
        }
        if (giveUp) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': reconnection failed for longer than "
                    + config.reconnectTimeout + ", giving up: " + e.getMessage());
            if (config.reconnectFailed != null) {
                config.reconnectFailed.accept(pool);
            }
            return;
        }
        long delay = Backoff.next(lastDelay, config.reconnectTimeout.toNanos());
        long wait = Backoff.jittered(delay, left, ThreadLocalRandom.current().nextDouble());
        LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': connection failed, retrying in "
                + TimeUnit.NANOSECONDS.toMillis(wait) + " ms: " + e.getMessage());
        try {
            workers.schedule(() -> openOne(delay), wait, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException closing) {
            lock.lock();
            try {
                size--;
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The delays between attempts to connect: the first a tenth of {@code reconnectTimeout} (at most 500 ms),
     * each next one twice the last, up to a quarter of {@code reconnectTimeout} (at most 10 s), with ±10% of
     * jitter so that pools restarted together do not reconnect in step, and never past the moment the pool
     * gives up.
     */
    static final class Backoff {
        static final long FIRST_MAX_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
        static final long MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
        static final double JITTER = 0.1;

        private Backoff() {
        }

        /** The delay after {@code last} (0: the first failure), before jitter. */
        static long next(long last, long reconnectTimeout) {
            long first = Math.max(1, Math.min(FIRST_MAX_NANOS, reconnectTimeout / 10));
            long max = Math.max(first, Math.min(MAX_NANOS, reconnectTimeout / 4));
            return last == 0 ? first : Math.min(last * 2, max);
        }

        /** {@code delay} ±10% ({@code random} in [0, 1)), but no later than {@code left} from now. */
        static long jittered(long delay, long left, double random) {
            long d = (long) (delay * (1 - JITTER + 2 * JITTER * random));
            return Math.max(0, Math.min(d, left));
        }
    }

    // ------------------------------------------------------------------ maintenance

    /** Worker, periodically: shrinks idle connections above minSize, replaces expired and dead ones, grows to minSize. */
    private void maintain() {
        if (closed) {
            return;
        }
        int open;
        int min;
        lock.lock();
        try {
            open = size;
            min = minSize;
        } finally {
            lock.unlock();
        }
        long now = System.nanoTime();
        long maxIdle = config.maxIdle.toNanos();
        int retired = 0;
        for (PoolSlot<C> s : bag.all()) {
            if (!s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                continue; // lent, or being checked: seen next time
            }
            boolean tooMany = open - retired > min && now - s.since > maxIdle;
            boolean expired = isRetired(s, now);
            if (expired || tooMany || !hooks.probe(s.conn, false)) {
                if (!expired && !tooMany) {
                    stats.connectionsLost.increment();
                }
                retired++;
                discard(s);
            } else {
                release(s); // idle since the same moment as before
            }
        }
        lock.lock();
        try {
            if (!closed) {
                growToMin();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Checks every idle connection now: a deep probe, then {@code check}; replaces the bad ones (counted in
     * {@code connections_lost}).
     */
    void checkAll(Predicate<C> check) {
        checkAllAsync(c -> CompletableFuture.completedFuture(check.test(c))).join();
    }

    /**
     * {@link #checkAll(Predicate)} with a check that answers in a future (the async pool's): the idle
     * connections are checked one after the other; the future completes once all were.
     */
    CompletableFuture<Void> checkAllAsync(Function<C, ? extends CompletionStage<Boolean>> check) {
        List<PoolSlot<C>> toCheck = new ArrayList<>();
        for (PoolSlot<C> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                toCheck.add(s);
            }
        }
        CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
        for (PoolSlot<C> s : toCheck) {
            chain = chain.thenCompose(v -> {
                CompletionStage<Boolean> ok;
                try {
                    ok = hooks.probe(s.conn, true) ? check.apply(s.conn) : CompletableFuture.completedFuture(false);
                } catch (RuntimeException e) {
                    ok = CompletableFuture.completedFuture(false);
                }
                return ok.handle((good, e) -> {
                    if (e == null && Boolean.TRUE.equals(good) && !closed) {
                        s.since = System.nanoTime();
                        release(s);
                    } else {
                        stats.connectionsLost.increment();
                        discard(s);
                    }
                    return null;
                });
            });
        }
        return chain;
    }

    /** Replaces every connection: idle ones now, lent ones when given back (e.g. after a failover). */
    void drain() {
        drainedAt = System.nanoTime();
        for (PoolSlot<C> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                discardLater(s);
            }
        }
    }

    // ------------------------------------------------------------------ statistics

    Map<String, Long> stats(boolean reset) {
        lock.lock();
        try {
            return stats.report(minSize, maxSize, size, bag.idleCount(), front.waiting(), reset);
        } finally {
            lock.unlock();
        }
    }

    private void registerMBean() {
        try {
            ObjectName on = new ObjectName("dev.tusk.pool:type=" + kind + ",name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new ConnectionPoolMXBean() {
                @Override
                public Map<String, Long> getStats() {
                    return stats(false);
                }

                @Override
                public int getPoolSize() {
                    return getStats().get("pool_size").intValue();
                }

                @Override
                public int getPoolAvailable() {
                    return getStats().get("pool_available").intValue();
                }

                @Override
                public int getRequestsWaiting() {
                    return getStats().get("requests_waiting").intValue();
                }
            }, on);
            mbeanName = on;
        } catch (JMException | SecurityException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': no JMX registration: " + e.getMessage());
        }
    }

    private void unregisterMBean() {
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (JMException ignored) {
                // already gone
            }
        }
    }

    // ------------------------------------------------------------------ helpers

    static void run(Runnable r) {
        if (r != null) {
            r.run();
        }
    }

    /** The failure itself, without the CompletionExceptions that dependent stages wrap it in. */
    static Throwable unwrap(Throwable t) {
        while (t instanceof CompletionException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }
}
