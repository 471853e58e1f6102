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

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
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
public class ConnectionPool<R> implements AutoCloseable {
    private static final AtomicInteger POOLS = new AtomicInteger();
    private static final System.Logger LOG = System.getLogger("dev.tusk.pool");
    private static final long RECONNECT_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long RECONNECT_DELAY_MAX_NANOS = TimeUnit.SECONDS.toNanos(10);
    /**
     * A connection idle for longer than this is probed with a 1 ms read, which also sees a socket the
     * network reset or closed (a non-blocking check only sees bytes the server sent).
     */
    private static final long DEEP_PROBE_AFTER_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long a waiter lets newcomers take freed connections before it is handed the next one: short
     * enough to bound unfairness, long enough that threads giving back and borrowing again in a loop do not
     * pay a thread wake-up per lease.
     */
    private static final long BARGING_NANOS = TimeUnit.MILLISECONDS.toNanos(2);
    /** How often a borrower who found no idle connection yields and looks again before it queues. */
    private static final int SPINS_BEFORE_QUEUING = 8;
    /**
     * A connection given back less than this long ago is lent again without probing the socket (a system
     * call that would dominate a lease). HikariCP trusts 500 ms; one millisecond keeps back-to-back leases
     * fast while a connection that sat idle, even briefly, is always checked.
     * A give-back probes at most this often too.
     */
    private static final long TRUST_RECENT_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Builder<R> config;
    private final String name;
    private final PoolAccess.Hooks hooks = PoolAccess.hooks();
    /** The connections, claimed without a lock: the lock is for the waiters and the sizing. */
    private final SlotBag<R> bag = new SlotBag<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final WaiterQueue<R> waiters = new WaiterQueue<>();
    private final PoolStats stats = new PoolStats();
    private int minSize;
    private int maxSize;
    /** Open connections plus those being opened. */
    private int size;
    /** Connections made before this moment are replaced as soon as possible (drain()); nanoTime values. */
    private volatile long drainedAt = System.nanoTime();
    private long failingSince;
    /** Why the last attempt to open a connection failed; null once one succeeds. */
    private RuntimeException lastConnectError;
    private volatile boolean opened;
    private volatile boolean closed;
    private volatile ScheduledThreadPoolExecutor workers;
    private ObjectName mbeanName;

    ConnectionPool(Builder<R> config) {
        this.config = config;
        this.name = config.name != null ? config.name : "pool-" + POOLS.incrementAndGet();
        this.minSize = config.minSize;
        this.maxSize = Math.max(config.maxSize, config.minSize);
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

    public String name() {
        return name;
    }

    // ------------------------------------------------------------------ life cycle

    /** Starts the workers that open {@code minSize} connections, in the background. Idempotent. */
    public void open() {
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
            });
            workers.setRemoveOnCancelPolicy(true);
            long period = Math.max(50, Math.min(1000, config.maxIdle.toMillis() / 4));
            workers.scheduleWithFixedDelay(this::maintain, period, period, TimeUnit.MILLISECONDS);
            opened = true;
            growToMin();
        } finally {
            lock.unlock();
        }
        registerMBean();
    }

    /**
     * Waits until {@code minSize} connections are open.
     *
     * @throws PoolTimeout if they are not open within {@code timeout}
     */
    public void waitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (closed) {
                throw new PoolClosed("pool '" + name + "' is closed");
            }
            int open = bag.size();
            if (open >= minSize) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new PoolTimeout("pool '" + name + "' not ready after " + timeout.toMillis() + " ms: "
                        + open + " of " + minSize + " connections open; is the server reachable?");
            }
            sleepQuietly(10);
        }
    }

    /** Closes the pool: waiters fail with PoolClosed, idle connections close now, lent ones when given back. */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            waiters.failAll(() -> new PoolClosed("pool '" + name + "' was closed while waiting"));
        } finally {
            lock.unlock();
        }
        // a connection given back from now on sees closed, or is idle here (both are volatile): one of the two closes it
        for (PoolSlot<R> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                discard(s);
            }
        }
        if (workers != null) {
            workers.shutdownNow();
        }
        // discards still queued on a worker were dropped with it: close those connections here (discard is
        // idempotent, so one a worker or a borrower is closing meanwhile is closed once)
        for (PoolSlot<R> s : bag.all()) {
            if (s.state() == PoolSlot.RESERVED) {
                discard(s);
            }
        }
        unregisterMBean();
    }

    public boolean isClosed() {
        return closed;
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
        long start = System.nanoTime();
        long asked = start;
        long deadline = 0;
        stats.requestsNum.increment();
        requireOpen();
        boolean queued = false;
        while (true) {
            long now = start;
            PoolSlot<R> slot = bag.take();
            if (slot == null && keepsIdleConnections()) {
                slot = takeSoon();
            }
            if (slot == null) {
                if (!queued) {
                    stats.requestsQueued.increment();
                    queued = true;
                    deadline = asked + timeout.toNanos();
                }
                slot = await(deadline, timeout);
                now = System.nanoTime();
                stats.requestsWaitMs.add(TimeUnit.NANOSECONDS.toMillis(now - start));
            }
            if (isRetired(slot, now)) {
                discardLater(slot);
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
    private PoolSlot<R> takeSoon() {
        for (int i = 0; i < SPINS_BEFORE_QUEUING; i++) {
            Thread.yield();
            PoolSlot<R> slot = bag.take();
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
    private PoolSlot<R> await(long deadline, Duration timeout) {
        Waiter<R> me;
        lock.lock();
        try {
            requireOpen();
            if (config.maxWaiting > 0 && waiters.size() >= config.maxWaiting) {
                stats.requestsErrors.increment();
                throw new TooManyRequests("pool '" + name + "' already has " + waiters.size()
                        + " requests waiting (maxWaiting " + config.maxWaiting + ")");
            }
            me = waiters.join();
            growForWaiter();
        } finally {
            lock.unlock();
        }
        while (true) {
            me.woken = false;
            // now that this waiter is counted, a give-back either sees it or made its connection idle before this look
            PoolSlot<R> found = me.handed == null && me.failure == null ? bag.take() : null;
            if (found != null || me.handed != null || me.failure != null) {
                return leave(me, found, null);
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return leave(me, null, () -> PoolTimeouts.leaseTimedOut(name, timeout, maxSize, lastConnectError));
            }
            if (Thread.currentThread().isInterrupted()) {
                return leave(me, null, () -> new OperationalException("interrupted while waiting for a connection from pool '"
                        + name + "'", new InterruptedException()));
            }
            LockSupport.parkNanos(this, left);
        }
    }

    /**
     * Takes a waiter out of the queue: returns the connection it was handed (passing on the one it found,
     * if it found one as well) or the one it found; with neither, throws its failure or {@code giveUp}'s.
     */
    private PoolSlot<R> leave(Waiter<R> me, PoolSlot<R> found, Supplier<RuntimeException> giveUp) {
        lock.lock();
        try {
            waiters.leave(me);
            PoolSlot<R> handed = me.handed;
            if (handed != null) {
                if (found != null) {
                    handOrIdle(found);
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
    private boolean ready(PoolSlot<R> slot, long now) {
        long idleFor = now - slot.since;
        boolean ok = idleFor < TRUST_RECENT_NANOS || hooks.probe(slot.conn, idleFor > DEEP_PROBE_AFTER_NANOS);
        if (ok && config.check != null) {
            hooks.setLent(slot.conn, true);
            try {
                config.check.accept(slot.conn);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': connection check failed: " + e.getMessage());
                ok = false;
            }
        }
        if (!ok) {
            stats.connectionsLost.increment();
            discard(slot);
        }
        return ok;
    }

    /** psycopg_pool's {@code putconn}: gives back a connection lent by this pool (same as its close()). */
    public void putconn(Connection<R> conn) {
        Connection<?> pooled = hooks.pooled(conn);
        PoolSlot<R> slot = bag.find(pooled);
        boolean leaseEnded = conn != pooled && conn.isClosed() && !pooled.isClosed();
        if (slot == null || slot.state() != PoolSlot.IN_USE || leaseEnded) {
            throw new ProgrammingException("this connection was not lent by pool '" + name + "' (or was already given back)");
        }
        conn.close();
    }

    /** Called by a lent connection's close(): repairs it for the next borrower, or replaces it. */
    private void giveBack(PoolSlot<R> slot) {
        if (!slot.claim(PoolSlot.IN_USE, PoolSlot.RESERVED)) {
            return; // given back already
        }
        long now = System.nanoTime();
        boolean reusable = !closed && keepsIdleConnections() && !isRetired(slot, now) && repair(slot, now);
        hooks.setLent(slot.conn, false);
        stats.usageMs.add(TimeUnit.NANOSECONDS.toMillis(now - slot.since));
        if (!reusable) {
            discard(slot);
            return;
        }
        slot.since = now;
        release(slot);
    }

    /**
     * A connection the caller holds becomes free. Without waiters it goes idle with no lock taken; with
     * waiters, under the lock, it is handed to one who waited long or goes idle with the oldest one woken.
     */
    private void release(PoolSlot<R> slot) {
        if (waiters.count() == 0) {
            slot.set(PoolSlot.IDLE);
            // a waiter who queued meanwhile may have looked before the slot was idle; it would not look again
            if ((waiters.count() == 0 && !closed) || !slot.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                return; // nobody to tell, or someone took it (their give-back sees the waiter)
            }
        }
        lock.lock();
        try {
            handOrIdle(slot);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes a connection given back clean for the next borrower; false when it cannot be (it is then closed
     * and replaced). A lease that did nothing with the connection costs no round trip. After one that did:
     * what cannot be undone in place (a pipeline, COPY or stream left open, a statement still running, a
     * transaction() block) closes the connection; otherwise an open transaction is rolled back and the session
     * reset in one round trip (see {@code PoolAccess.Hooks#resetSession}), then {@code configure} runs again
     * (the reset undid its settings) and {@code reset} runs.
     */
    private boolean repair(PoolSlot<R> slot, long now) {
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
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': connection given back while " + leftovers
                    + ": closing it (the next borrower gets another one)");
            hooks.abort(conn); // never wait for the server: a statement still running fails now
            stats.returnsBad.increment();
            return false;
        }
        try {
            hooks.setLent(conn, true); // the pool's own calls
            TransactionStatus status = conn.info().transactionStatus();
            if (status == TransactionStatus.INTRANS || status == TransactionStatus.INERROR) {
                LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': connection given back " + status + ", rolling back");
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
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': connection given back unusable: " + e.getMessage());
            stats.returnsBad.increment();
            return false;
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
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': reset failed: " + e.getMessage());
            stats.returnsBad.increment();
            return false;
        }
    }

    // ------------------------------------------------------------------ sizing (lock held unless said)

    /** False for {@link NullConnectionPool}: every connection is closed when it is given back. */
    boolean keepsIdleConnections() {
        return true;
    }

    /** Lock not needed. */
    private void requireOpen() {
        if (closed) {
            throw new PoolClosed("pool '" + name + "' is closed");
        }
        if (!opened) {
            throw new PoolClosed("pool '" + name + "' is not open yet: call open() first (or build it with open(true))");
        }
    }

    /** Lock not needed. */
    private boolean isRetired(PoolSlot<R> s, long now) {
        return now - s.expires >= 0 || s.created - drainedAt < 0;
    }

    /**
     * Lock held; the caller holds {@code slot} (not idle): a waiter queued for longer than
     * {@link #BARGING_NANOS} is handed it; otherwise it goes idle, where the first caller takes it (often the
     * thread that just gave it back, as with HikariCP) and the oldest waiter is woken to try.
     */
    private void handOrIdle(PoolSlot<R> slot) {
        if (closed) {
            discardLater(slot);
            return;
        }
        Waiter<R> first = waiters.first();
        if (first != null && (!keepsIdleConnections() || System.nanoTime() - first.since > BARGING_NANOS)) {
            slot.set(PoolSlot.IN_USE);
            waiters.handFirst(slot);
        } else if (!keepsIdleConnections()) {
            discardLater(slot);
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

    /** Opens one more connection if a waiter could use it. */
    private void growForWaiter() {
        if (size < maxSize && size - bag.size() < waiters.size()) {
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

    /**
     * Lock not needed; the caller holds {@code slot}: closes it and takes it out of the bag, then opens a
     * replacement if one is needed.
     */
    private void discard(PoolSlot<R> slot) {
        if (!bag.remove(slot)) {
            return; // discarded already
        }
        hooks.closeForReal(slot.conn);
        lock.lock();
        try {
            size--;
            if (!closed) {
                growToMin();
                if (!waiters.isEmpty()) {
                    growForWaiter();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** discard() on a worker, for callers that hold the lock or must not wait for the close. */
    private void discardLater(PoolSlot<R> slot) {
        slot.set(PoolSlot.RESERVED); // the pool's now: close() closes it if the worker never runs
        try {
            workers.execute(() -> discard(slot));
        } catch (RejectedExecutionException closing) {
            discard(slot);
        }
    }

    /** Worker: opens a connection for a slot already counted in {@code size}; retries with backoff. */
    private void openOne(long lastDelay) {
        long t0 = System.nanoTime();
        Connection<R> conn;
        try {
            conn = Connection.connect(config.options.get());
            if (config.configure != null) {
                hooks.setLent(conn, true);
                config.configure.accept(conn);
                if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                    conn.close();
                    throw new ProgrammingException("configure left the connection in a transaction: commit it there");
                }
            }
        } catch (RuntimeException e) {
            stats.connectionsErrors.increment();
            retryLater(lastDelay, e);
            return;
        }
        long now = System.nanoTime();
        stats.connectionsNum.increment();
        stats.connectionsMs.add(TimeUnit.NANOSECONDS.toMillis(now - t0));
        long lifetime = config.maxLifetime.toNanos();
        PoolSlot<R> slot = new PoolSlot<>(conn, now, now + lifetime - (long) (lifetime * 0.05 * ThreadLocalRandom.current().nextDouble()));
        hooks.attach(conn, c -> giveBack(slot));
        hooks.setLent(conn, false);
        lock.lock();
        try {
            failingSince = 0;
            lastConnectError = null;
            if (!closed) {
                bag.add(slot);
                handOrIdle(slot);
                return;
            }
            size--;
        } finally {
            lock.unlock();
        }
        hooks.closeForReal(conn);
    }


    private void retryLater(long lastDelay, RuntimeException e) {
        boolean giveUp;
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
            giveUp = now - failingSince > config.reconnectTimeout.toNanos();
            if (giveUp) {
                failingSince = 0;
                size--;
            }
        } finally {
            lock.unlock();
        }
        if (giveUp) {
            LOG.log(System.Logger.Level.WARNING, "pool '" + name + "': reconnection failed for longer than "
                    + config.reconnectTimeout + ": " + e.getMessage());
            if (config.reconnectFailed != null) {
                config.reconnectFailed.accept(this);
            }
            return;
        }
        long delay = lastDelay == 0 ? RECONNECT_DELAY_NANOS : Math.min(lastDelay * 2, RECONNECT_DELAY_MAX_NANOS);
        long jittered = (long) (delay * (0.9 + 0.2 * ThreadLocalRandom.current().nextDouble()));
        LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': connection failed, retrying in "
                + TimeUnit.NANOSECONDS.toMillis(jittered) + " ms: " + e.getMessage());
        try {
            workers.schedule(() -> openOne(delay), jittered, TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closing) {
            lock.lock();
            try {
                size--;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Worker, periodically: shrinks idle connections above minSize, replaces expired ones, grows to minSize. */
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
        for (PoolSlot<R> s : bag.all()) {
            if (!s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                continue; // lent, or being checked: seen next time
            }
            boolean tooMany = open - retired > min && now - s.since > maxIdle;
            if (isRetired(s, now) || tooMany || !hooks.probe(s.conn, false)) {
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

    // ------------------------------------------------------------------ management

    /** Changes the bounds; the workers open or close connections to follow. */
    public void resize(int minSize, int maxSize) {
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

    /** Checks every idle connection now (with {@code check}, or {@link #checkConnection}); replaces the bad ones. */
    public void checkAll() {
        List<PoolSlot<R>> toCheck = new ArrayList<>();
        for (PoolSlot<R> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                toCheck.add(s);
            }
        }
        Consumer<Connection<R>> check = config.check != null ? config.check : ConnectionPool::checkConnection;
        for (PoolSlot<R> s : toCheck) {
            boolean ok = hooks.probe(s.conn, true);
            if (ok) {
                hooks.setLent(s.conn, true);
                try {
                    check.accept(s.conn);
                } catch (RuntimeException e) {
                    ok = false;
                }
                hooks.setLent(s.conn, false);
            }
            if (ok && !closed) {
                s.since = System.nanoTime();
                release(s);
            } else {
                stats.connectionsLost.increment();
                discard(s);
            }
        }
    }

    /** Replaces every connection: idle ones now, lent ones when given back (e.g. after a failover). */
    public void drain() {
        drainedAt = System.nanoTime();
        for (PoolSlot<R> s : bag.all()) {
            if (s.claim(PoolSlot.IDLE, PoolSlot.RESERVED)) {
                discardLater(s);
            }
        }
    }

    /** psycopg_pool's statistics: gauges (pool_min, pool_max, pool_size, pool_available, requests_waiting) and counters. */
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
            return stats.report(minSize, maxSize, size, bag.idleCount(), waiters.size(), reset);
        } finally {
            lock.unlock();
        }
    }

    private void registerMBean() {
        try {
            ObjectName on = new ObjectName("dev.tusk.pool:type=ConnectionPool,name=" + ObjectName.quote(name));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new ConnectionPoolMXBean() {
                @Override
                public Map<String, Long> getStats() {
                    return ConnectionPool.this.getStats();
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
        } catch (javax.management.JMException | SecurityException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "pool '" + name + "': no JMX registration: " + e.getMessage());
        }
    }

    private void unregisterMBean() {
        if (mbeanName != null) {
            try {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            } catch (javax.management.JMException ignored) {
                // already gone
            }
        }
    }

    private static void sleepQuietly(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OperationalException("interrupted while waiting for the pool", e);
        }
    }

    @Override
    public String toString() {
        return "ConnectionPool[" + name + ", " + getStats() + "]";
    }

    /**
     * Settings of a pool, as psycopg_pool's constructor arguments. Defaults: minSize 4, maxSize = minSize,
     * timeout 30 s, maxWaiting 0 (no limit), maxLifetime 1 h, maxIdle 10 min, reconnectTimeout 5 min,
     * numWorkers 3, not opened at construction.
     */
    public static final class Builder<R> {
        private final Function<Builder<R>, ? extends ConnectionPool<R>> factory;
        Supplier<ConnectOptions<R>> options;
        int minSize = 4;
        int maxSize = -1;
        String name;
        Duration timeout = Duration.ofSeconds(30);
        int maxWaiting;
        Duration maxLifetime = Duration.ofHours(1);
        Duration maxIdle = Duration.ofMinutes(10);
        Duration reconnectTimeout = Duration.ofMinutes(5);
        Consumer<ConnectionPool<R>> reconnectFailed;
        int numWorkers = 3;
        Consumer<Connection<R>> configure;
        Consumer<Connection<R>> reset;
        Consumer<Connection<R>> check;
        boolean openNow;

        Builder(Supplier<ConnectOptions<R>> options, Function<Builder<R>, ? extends ConnectionPool<R>> factory) {
            this.options = options;
            this.factory = factory;
        }

        /** Connections from a conninfo string ({@code key=value} or URI). */
        @SuppressWarnings("unchecked")
        public Builder<R> conninfo(String conninfo) {
            ConnectOptions<Row> o = ConnectOptions.of(conninfo);
            this.options = () -> (ConnectOptions<R>) o;
            return this;
        }

        /** Connections from full options (and their row type). */
        @SuppressWarnings("unchecked")
        public <T> Builder<T> options(ConnectOptions<T> options) {
            Builder<T> b = (Builder<T>) this;
            b.options = () -> options;
            return b;
        }

        /**
         * Options computed for every new connection: rotating passwords, cloud IAM tokens.
         * <pre>{@code .credentials(() -> ConnectOptions.builder().conninfo("host=db").password(tokens.next()).build())}</pre>
         */
        @SuppressWarnings("unchecked")
        public <T> Builder<T> credentials(Supplier<ConnectOptions<T>> perConnection) {
            Builder<T> b = (Builder<T>) this;
            b.options = perConnection;
            return b;
        }

        public Builder<R> minSize(int n) {
            this.minSize = n;
            return this;
        }

        public Builder<R> maxSize(int n) {
            this.maxSize = n;
            return this;
        }

        public Builder<R> name(String name) {
            this.name = name;
            return this;
        }

        /** How long {@code connection()} waits before PoolTimeout. */
        public Builder<R> timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /** How many callers may wait at once before TooManyRequests; 0: no limit. */
        public Builder<R> maxWaiting(int n) {
            this.maxWaiting = n;
            return this;
        }

        /** Connections older than this (less up to 5% of jitter) are replaced. */
        public Builder<R> maxLifetime(Duration d) {
            this.maxLifetime = d;
            return this;
        }

        /** Connections idle for longer than this are closed while the pool is above minSize. */
        public Builder<R> maxIdle(Duration d) {
            this.maxIdle = d;
            return this;
        }

        /** How long the pool retries connecting before it calls {@link #reconnectFailed}. */
        public Builder<R> reconnectTimeout(Duration d) {
            this.reconnectTimeout = d;
            return this;
        }

        public Builder<R> reconnectFailed(Consumer<ConnectionPool<R>> callback) {
            this.reconnectFailed = callback;
            return this;
        }

        public Builder<R> numWorkers(int n) {
            this.numWorkers = n;
            return this;
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

        /** Opens the pool at construction (default false: call {@code open()}). */
        public Builder<R> open(boolean now) {
            this.openNow = now;
            return this;
        }

        public ConnectionPool<R> build() {
            if (options == null) {
                throw new ProgrammingException("a pool needs conninfo(...), options(...) or credentials(...)");
            }
            if (maxSize < 0) {
                maxSize = Math.max(minSize, 1);
            }
            if (minSize < 0 || maxSize < minSize || numWorkers < 1) {
                throw new ProgrammingException("bad pool settings: minSize " + minSize + ", maxSize " + maxSize
                        + ", numWorkers " + numWorkers);
            }
            return factory.apply(this);
        }
    }
}
