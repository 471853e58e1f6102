package dev.tusk;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.observe.TuskListener;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Everything {@code connect} takes: a base conninfo string, libpq keywords that override it, and the
 * driver's own settings (psycopg's keyword arguments). Immutable; build it with {@link #builder()}.
 *
 * <pre>{@code
 * Connection<Row> conn = Connection.connect(ConnectOptions.builder()
 *         .conninfo("dbname=app")
 *         .host("localhost").port(5432).user("postgres").password("secret")
 *         .applicationName("billing")
 *         .autocommit(true)
 *         .build());
 * }</pre>
 *
 * @param <R> the row type of the connections made with these options
 */
public final class ConnectOptions<R> {
    private final String conninfo;
    private final Map<String, String> params;
    private final boolean autocommit;
    private final Integer prepareThreshold;
    private final int preparedMax;
    private final RowFactory<R> rowFactory;
    private final Duration statementTimeout;
    /** null: automatic (see {@link Builder#binary}). */
    private final Boolean binary;
    private final Duration socketTimeout;
    private final List<TuskListener> listeners;
    private final boolean observeParameters;
    private final Duration slowStatementThreshold;
    private final CursorFactory cursorFactory;
    private final AdaptContext context;

    private ConnectOptions(Builder<R> b) {
        this.conninfo = b.conninfo;
        this.params = Collections.unmodifiableMap(new LinkedHashMap<>(b.params));
        this.autocommit = b.autocommit;
        this.prepareThreshold = b.prepareThreshold;
        this.preparedMax = b.preparedMax;
        this.rowFactory = b.rowFactory;
        this.statementTimeout = b.statementTimeout;
        this.binary = b.binary;
        this.socketTimeout = b.socketTimeout;
        this.listeners = List.copyOf(b.listeners);
        this.observeParameters = b.observeParameters;
        this.slowStatementThreshold = b.slowStatementThreshold;
        this.cursorFactory = b.cursorFactory;
        this.context = b.context;
    }

    /** A builder whose connections return {@link Row}s. */
    public static Builder<Row> builder() {
        return new Builder<>(Rows.row());
    }

    /** Options from a conninfo string alone, with the defaults for everything else. */
    public static ConnectOptions<Row> of(String conninfo) {
        return builder().conninfo(conninfo).build();
    }

    /** The base conninfo string ("" when none). */
    public String conninfo() {
        return conninfo;
    }

    /** The libpq keywords set individually; they override the same keys of {@link #conninfo()}. */
    public Map<String, String> params() {
        return params;
    }

    /** The conninfo string merged with the individual keywords, as {@link Conninfo#parse} would give it. */
    public Map<String, String> effectiveParams() {
        Map<String, String> m = new LinkedHashMap<>(Conninfo.parse(conninfo));
        params.forEach((k, v) -> {
            if (v == null) {
                m.remove(k);
            } else {
                m.put(k, v);
            }
        });
        return m;
    }

    public boolean autocommit() {
        return autocommit;
    }

    /** Executions of a query before it is prepared on the server; null never prepares automatically. */
    public Integer prepareThreshold() {
        return prepareThreshold;
    }

    public int preparedMax() {
        return preparedMax;
    }

    /** Whether the connections' cursors ask for binary results by default ({@link Builder#binary binary(true)}). */
    public boolean binary() {
        return Boolean.TRUE.equals(binary);
    }

    /**
     * The connections' default result format: true binary, false text, null (the default) automatic: text, and
     * binary for the columns of a prepared statement whose values read exactly the same (see {@link Builder#binary}).
     */
    public Boolean binaryResults() {
        return binary;
    }

    /** The client-side statement timeout of the connections; null: none. */
    public Duration statementTimeout() {
        return statementTimeout;
    }

    public RowFactory<R> rowFactory() {
        return rowFactory;
    }

    /** The longest wait for any bytes from the server once connected; null: no limit. See {@link Builder#socketTimeout}. */
    public Duration socketTimeout() {
        return socketTimeout;
    }

    /** The listeners of the connections (and of pools made from these options), beside the registered ones. */
    public List<TuskListener> listeners() {
        return listeners;
    }

    /** Whether listeners and the statement log see parameter values. See {@link Builder#observeParameters}. */
    public boolean observeParameters() {
        return observeParameters;
    }

    /** Statements running longer than this are logged at WARNING; null: none. See {@link Builder#slowStatementThreshold}. */
    public Duration slowStatementThreshold() {
        return slowStatementThreshold;
    }

    /** The class of cursor the connections' {@code cursor()} and {@code execute} make (default {@link CursorFactory#CURSOR}). */
    public CursorFactory cursorFactory() {
        return cursorFactory;
    }

    /**
     * The adaptation context whose adapters the connections start from (psycopg's {@code context=}), or null:
     * the global {@code Tusk.adapters()}. See {@link Builder#context}.
     */
    public AdaptContext context() {
        return context;
    }

    /** A negative threshold is refused: null disables automatic preparation, 0 prepares at once. */
    static Integer checkPrepareThreshold(Integer threshold) {
        if (threshold != null && threshold < 0) {
            throw new ProgrammingException("prepareThreshold must be 0 or more (null: never prepare"
                    + " automatically): got " + threshold);
        }
        return threshold;
    }

    /** A negative maximum is refused: 0 prepares nothing. */
    static int checkPreparedMax(int max) {
        if (max < 0) {
            throw new ProgrammingException("preparedMax must be 0 or more (0: prepare nothing): got " + max);
        }
        return max;
    }

    /** A builder starting from these options. */
    public Builder<R> toBuilder() {
        Builder<R> b = new Builder<>(rowFactory);
        b.conninfo = conninfo;
        b.params.putAll(params);
        b.autocommit = autocommit;
        b.prepareThreshold = prepareThreshold;
        b.preparedMax = preparedMax;
        b.statementTimeout = statementTimeout;
        b.binary = binary;
        b.socketTimeout = socketTimeout;
        b.listeners.addAll(listeners);
        b.observeParameters = observeParameters;
        b.slowStatementThreshold = slowStatementThreshold;
        b.cursorFactory = cursorFactory;
        b.context = context;
        return b;
    }

    @Override
    public String toString() {
        Map<String, String> shown = new LinkedHashMap<>(params);
        shown.computeIfPresent("password", (k, v) -> "********");
        return "ConnectOptions[" + shown + ", autocommit=" + autocommit + ", prepareThreshold=" + prepareThreshold + "]";
    }

    /** Builds {@link ConnectOptions}; the named methods and {@link #param} write one map, the last write wins. */
    public static final class Builder<R> {
        private String conninfo = "";
        private final Map<String, String> params = new LinkedHashMap<>();
        private boolean autocommit;
        private Integer prepareThreshold = 5;
        private int preparedMax = 100;
        private RowFactory<R> rowFactory;
        private Duration statementTimeout;
        private Boolean binary;
        private Duration socketTimeout;
        private final List<TuskListener> listeners = new ArrayList<>();
        private boolean observeParameters;
        private Duration slowStatementThreshold;
        private CursorFactory cursorFactory = CursorFactory.CURSOR;
        private AdaptContext context;

        private Builder(RowFactory<R> rowFactory) {
            this.rowFactory = rowFactory;
        }

        /** A base conninfo string: {@code key=value} pairs or a {@code postgresql://} URI. */
        public Builder<R> conninfo(String conninfo) {
            this.conninfo = conninfo == null ? "" : conninfo;
            return this;
        }

        /** Any libpq keyword (psycopg's **kwargs); a null value removes it. */
        public Builder<R> param(String key, Object value) {
            params.put(key, value == null ? null : value.toString());
            return this;
        }

        public Builder<R> host(String host) { return param("host", host); }
        public Builder<R> hostaddr(String hostaddr) { return param("hostaddr", hostaddr); }
        public Builder<R> port(Integer port) { return param("port", port); }
        public Builder<R> dbname(String dbname) { return param("dbname", dbname); }
        public Builder<R> user(String user) { return param("user", user); }
        public Builder<R> password(String password) { return param("password", password); }
        /** disable, allow, prefer, require, verify-ca or verify-full. */
        public Builder<R> sslmode(String sslmode) { return param("sslmode", sslmode); }
        /** Seconds, as libpq's connect_timeout. */
        public Builder<R> connectTimeout(Integer seconds) { return param("connect_timeout", seconds); }
        public Builder<R> applicationName(String name) { return param("application_name", name); }

        public Builder<R> autocommit(boolean on) {
            this.autocommit = on;
            return this;
        }

        /** Executions before automatic preparation (default 5); null disables it (for PgBouncer), 0 prepares at once. */
        public Builder<R> prepareThreshold(Integer threshold) {
            this.prepareThreshold = checkPrepareThreshold(threshold);
            return this;
        }

        /** How many statements stay prepared per connection before the least recently used is dropped (default 100). */
        public Builder<R> preparedMax(int max) {
            this.preparedMax = checkPreparedMax(max);
            return this;
        }

        /**
         * A client-side limit for every statement of the connections: one that runs longer is cancelled
         * and fails with {@code QueryCanceled} naming the timeout. Null (the default): no limit. Unlike the
         * server's {@code statement_timeout} it also covers a network or a server that stopped answering: when
         * no answer comes within a grace period after the cancel request (as long as the timeout, between 1 and
         * 10 s), or the request cannot be sent, the call fails with an {@code OperationalException} naming the
         * timeout and the connection is broken.
         */
        public Builder<R> statementTimeout(Duration timeout) {
            this.statementTimeout = timeout;
            return this;
        }

        /**
         * Results in binary format ({@code true}) or text ({@code false}) by default on the connections' cursors.
         * Binary saves the server the text formatting of numbers and timestamps, and the client their
         * parsing: the fastest choice for large results. The values are the same Java objects either way;
         * only {@code getString} on a non-text column differs (the Java value's {@code toString()}).
         *
         * <p>Not calling it (the default) is automatic, Tusk's one deliberate difference from psycopg (whose default
         * is text): a statement asks for text until it is prepared ({@code prepareThreshold}) and its columns are
         * known; from then on each column whose type reads exactly the same in binary as in text (integers, bool,
         * numeric, text types, uuid, and with DateStyle ISO date, time, timetz, timestamp, each with Tusk's
         * built-in loaders) comes in binary, and the others in text. Nothing read changes: the values, every
         * getter's answer ({@code getString} gives PostgreSQL's text) and {@code Column.formatCode()} are those of
         * text. A loader registered for a type, in either format, keeps that type's columns in text.
         */
        public Builder<R> binary(boolean on) {
            this.binary = on;
            return this;
        }

        /**
         * Client-side bound on every wait for the server after connecting (null, the default: none, as
         * libpq). When the server sends nothing for this long (a dead peer, a network partition that keeps
         * the socket open) the call fails with an OperationalException and the connection is broken. It
         * also bounds legitimate long statements: set it above the longest one, and prefer the server's
         * {@code statement_timeout} for limiting statements.
         *
         * <pre>{@code
         * ConnectOptions.builder().conninfo("dbname=app").socketTimeout(Duration.ofSeconds(60)).build();
         * }</pre>
         */
        public Builder<R> socketTimeout(Duration timeout) {
            if (timeout != null && (timeout.isNegative() || timeout.isZero() || timeout.toMillis() > Integer.MAX_VALUE)) {
                throw new ProgrammingException("socketTimeout must be positive and under 24 days, or null "
                        + "for none: got " + timeout);
            }
            this.socketTimeout = timeout;
            return this;
        }

        /**
         * Adds a listener of the connections' events (statements, connects, COPY, transactions...; see
         * {@link TuskListener}); pools made from these options give it their events too. Several compose, after
         * those registered with {@link dev.tusk.observe.TuskListeners#register}. Without any, observing costs
         * nothing.
         *
         * <pre>{@code
         * ConnectOptions.builder().conninfo("dbname=app").listener(new TuskListener() {
         *     public void statementEnded(StatementEnd end, Object context) {
         *         System.out.println(end.start().operation() + " " + end.durationNanos() / 1000 + " us");
         *     }
         * }).build();
         * }</pre>
         */
        public Builder<R> listener(TuskListener listener) {
            this.listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Lets listeners ({@link dev.tusk.observe.StatementStart#parameters()}) and the statement log (logger
         * {@code dev.tusk.statement}) see the statements' parameter values. Off by default: parameters often hold
         * personal data or secrets, and nothing Tusk reports or logs contains them unless this is on.
         */
        public Builder<R> observeParameters(boolean on) {
            this.observeParameters = on;
            return this;
        }

        /**
         * Logs every statement that takes longer than {@code threshold} at WARNING (logger
         * {@code dev.tusk.statement}, through {@link System.Logger}) with its text (placeholders, no values unless
         * {@link #observeParameters}) and elapsed time. Null (the default): no slow-statement log. Every
         * statement is logged at DEBUG when that logger is enabled for DEBUG as the connection is made.
         */
        public Builder<R> slowStatementThreshold(Duration threshold) {
            if (threshold != null && threshold.isNegative()) {
                throw new ProgrammingException("slowStatementThreshold must not be negative: got "
                        + threshold);
            }
            this.slowStatementThreshold = threshold;
            return this;
        }

        /**
         * The class of cursor the connections' {@code cursor()}, {@code cursor(rowFactory)} and {@code execute}
         * make: psycopg's {@code cursor_factory} (default {@link CursorFactory#CURSOR}). A connection can change it
         * later with {@code setCursorFactory}.
         *
         * <pre>{@code
         * ConnectOptions.builder().conninfo("dbname=app").cursorFactory(CursorFactory.CLIENT_CURSOR).build();
         * }</pre>
         */
        public Builder<R> cursorFactory(CursorFactory factory) {
            this.cursorFactory = Objects.requireNonNull(factory, "cursorFactory");
            return this;
        }

        /**
         * psycopg's {@code context=}: each connection's adapters start as a copy of {@code context}'s map (an
         * {@link dev.tusk.adapt.AdaptersMap}, another connection or a cursor) as it is when the connection is
         * made, instead of the global {@code Tusk.adapters()}. Registrations made on {@code context} later, or on
         * the connection, do not reach the other. Null (the default): the global adapters.
         *
         * <pre>{@code
         * AdaptersMap custom = Tusk.adapters().child();
         * custom.registerLoader("numeric", Codecs.textLoader(Double::valueOf));
         * ConnectOptions.builder().conninfo("dbname=app").context(custom).build();
         * }</pre>
         */
        public Builder<R> context(AdaptContext context) {
            this.context = context;
            return this;
        }

        /** Changes the row type of the connections. */
        @SuppressWarnings("unchecked")
        public <T> Builder<T> rowFactory(RowFactory<T> factory) {
            Builder<T> b = (Builder<T>) this;
            b.rowFactory = factory;
            return b;
        }

        public ConnectOptions<R> build() {
            return new ConnectOptions<>(this);
        }
    }
}
