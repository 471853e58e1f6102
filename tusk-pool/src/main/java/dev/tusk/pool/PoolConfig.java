package dev.tusk.pool;

import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.observe.TuskListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The settings of a pool and their builder methods, once for both pools: {@link ConnectionPool.Builder} and
 * {@link AsyncConnectionPool.Builder} add only the row-type changing methods ({@code options},
 * {@code credentials}) and the callbacks that differ in type ({@code configure}, {@code reset}, {@code check}:
 * plain for the blocking pool, returning a future for the async one). Defaults: minSize 4, maxSize = minSize,
 * timeout 30 s, maxWaiting 0 (no limit), maxLifetime 1 h, maxIdle 10 min, reconnectTimeout 5 min,
 * numWorkers 3, not opened at construction.
 *
 * @param <R> the row type of the pool's connections
 * @param <P> the pool, as {@code reconnectFailed} receives it
 * @param <B> the builder itself, which every setter returns
 */
abstract class PoolConfig<R, P, B extends PoolConfig<R, P, B>> {
    Supplier<ConnectOptions<R>> options;
    int minSize = 4;
    int maxSize = -1;
    String name;
    Duration timeout = Duration.ofSeconds(30);
    int maxWaiting;
    Duration maxLifetime = Duration.ofHours(1);
    Duration maxIdle = Duration.ofMinutes(10);
    Duration reconnectTimeout = Duration.ofMinutes(5);
    Consumer<P> reconnectFailed;
    int numWorkers = 3;
    boolean openNow;
    /** The options of every connection when they are fixed ({@code conninfo}, {@code options}), else null. */
    ConnectOptions<?> fixedOptions;
    /** Listeners of the pool's events beside those of fixed options and the registered ones. */
    final List<TuskListener> listeners = new ArrayList<>();

    PoolConfig(Supplier<ConnectOptions<R>> options) {
        this.options = options;
    }

    @SuppressWarnings("unchecked")
    final B self() {
        return (B) this;
    }

    /**
     * What {@code options} and {@code credentials} of both builders set: the options of every new connection
     * ({@code fixed} when they are always the same, else null), now of row type {@code T}.
     *
     * @return this builder, of row type {@code T}
     */
    @SuppressWarnings("unchecked")
    final <T, BT> BT options(Supplier<ConnectOptions<T>> perConnection, ConnectOptions<T> fixed) {
        PoolConfig<T, ?, ?> b = (PoolConfig<T, ?, ?>) this;
        b.options = perConnection;
        b.fixedOptions = fixed;
        return (BT) b;
    }

    /** Connections from a conninfo string ({@code key=value} or URI). */
    @SuppressWarnings("unchecked")
    public B conninfo(String conninfo) {
        ConnectOptions<Row> o = ConnectOptions.of(conninfo);
        this.options = () -> (ConnectOptions<R>) o;
        this.fixedOptions = o;
        return self();
    }

    /**
     * Adds a listener of the pool's events (leases, timeouts, connections made and closed, gauges: see
     * {@link dev.tusk.observe.TuskListener#poolOpened}). The listeners of fixed connection options
     * ({@code options(...)}) hear them too, and the registered ones; with {@code credentials(...)}, whose
     * options are made per connection, add them here.
     */
    public B listener(TuskListener listener) {
        this.listeners.add(Objects.requireNonNull(listener, "listener"));
        return self();
    }

    public B minSize(int n) {
        this.minSize = n;
        return self();
    }

    public B maxSize(int n) {
        this.maxSize = n;
        return self();
    }

    /** The pool's name, in its log records, errors, threads and JMX name; default {@code pool-N}. */
    public B name(String name) {
        this.name = name;
        return self();
    }

    /** How long a lease waits before PoolTimeout. */
    public B timeout(Duration timeout) {
        this.timeout = timeout;
        return self();
    }

    /** How many callers may wait at once before TooManyRequests; 0: no limit. */
    public B maxWaiting(int n) {
        this.maxWaiting = n;
        return self();
    }

    /** Connections older than this (less up to 5% of jitter) are replaced. */
    public B maxLifetime(Duration d) {
        this.maxLifetime = d;
        return self();
    }

    /** Connections idle for longer than this are closed while the pool is above minSize. */
    public B maxIdle(Duration d) {
        this.maxIdle = d;
        return self();
    }

    /**
     * How long the pool retries connecting before it gives up (logging a warning) and calls
     * {@code reconnectFailed}. The delays between attempts follow it too: they start at a tenth of it (at most
     * 500 ms), double with ±10% of jitter up to a quarter of it (at most 10 s), and never go past it.
     */
    public B reconnectTimeout(Duration d) {
        this.reconnectTimeout = d;
        return self();
    }

    /** Called when the pool gave up reconnecting after {@code reconnectTimeout}. */
    public B reconnectFailed(Consumer<P> callback) {
        this.reconnectFailed = callback;
        return self();
    }

    /** The pool's background threads, which open, check and close connections. */
    public B numWorkers(int n) {
        this.numWorkers = n;
        return self();
    }

    /** Opens the pool at construction (default false: call {@code open()}). */
    public B open(boolean now) {
        this.openNow = now;
        return self();
    }

    /** Checks the settings before a pool is made of them. */
    final void validate() {
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
        if (maxSize < 1) { // as psycopg: "if min_size is 0 max_size must be greater than 0"
            throw new ProgrammingException("bad pool settings: maxSize 0 would never lend a connection: with minSize 0,"
                    + " give maxSize at least 1");
        }
    }
}
