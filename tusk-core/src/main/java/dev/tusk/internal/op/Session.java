package dev.tusk.internal.op;

import dev.tusk.IsolationLevel;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.query.PreparedStatements;
import dev.tusk.internal.wire.BackendMessage;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * The session state the operations' rules need, owned once for both drivers: the transaction status the
 * server will be in once everything already sent has run, the transaction characteristics (autocommit,
 * isolation level, read-only, deferrable), the prepared-statement cache with the Parses still in flight, and
 * the pipeline in use.
 *
 * <p>Everything but the characteristics belongs to the thread acting for the connection (the caller's thread
 * under the blocking connection's lock; the event loop, or a caller's thread in {@code tryRunHere}, for the
 * async one). The characteristics are read by the connections' getters from any thread.
 */
public final class Session {
    /** The pipeline the session is in: what the operations tell it about the statements they send. */
    public interface Pipelining {
        /** {@code cmd} was sent inside the pipeline, without a Sync of its own. */
        void sent(Command cmd);

        /** A statement of the pipeline failed with {@code e} (or was skipped after an earlier failure). */
        void failed(TuskException e);
    }

    private final ProtocolCore core;
    private final PreparedStatements prepared;
    /** Named statements whose Parse has been sent but not yet answered. */
    private final Map<PreparedStatements.Key, InFlightParse> parsing = new HashMap<>();
    private TransactionStatus expected;
    /** Inside a pipeline: statements were sent since the last Sync, so the server's last status is not the truth yet. */
    private boolean unsynced;
    private Pipelining pipeline;
    /** Pipeline mode's blocks, Syncs and errors (see {@link PipelineState}). */
    private final PipelineState pipelines = new PipelineState(this);
    /** The transaction blocks and the two-phase commit state, and their rules. */
    private final TransactionSteps transactions = new TransactionSteps(this);
    /** Run before a statement of the user's opens or joins a transaction (the two-phase rule); may throw. */
    private Runnable beforeStatement = transactions.twoPhase()::checkNoStatementAfterPrepare;
    /** A layer's work sent before the user's statements ({@link #prelude(Consumer)}), given their timeout; or null. */
    private Consumer<Duration> prelude;
    /** The prelude is running: its own statements do not run it again. */
    private boolean inPrelude;
    private volatile boolean autocommit;
    private volatile IsolationLevel isolationLevel;
    private volatile Boolean readOnly;
    private volatile Boolean deferrable;
    /** The connection's listeners, or null when nobody listens. */
    private Observer observer;
    /** The listeners' context of the pipeline the user is in (set on the user's thread), or null. */
    private volatile Object observedPipeline;

    public Session(ProtocolCore core, PreparedStatements prepared, boolean autocommit) {
        this.core = core;
        this.prepared = prepared;
        this.autocommit = autocommit;
        this.expected = reported();
    }

    public ProtocolCore core() {
        return core;
    }

    public PreparedStatements prepared() {
        return prepared;
    }

    /** The transaction blocks, the two-phase commit state and their rules. */
    public TransactionSteps transactions() {
        return transactions;
    }

    /** The connection's listeners, or null. */
    public Observer observer() {
        return observer;
    }

    /** Sets the connection's listeners (null: none); once, before the first statement. */
    public void observer(Observer o) {
        this.observer = o;
    }

    /** The listeners' context of the pipeline statements are queued in now, or null. */
    public Object observedPipeline() {
        return observedPipeline;
    }

    /** Sets (null: clears) the listeners' context of the pipeline the user entered. */
    public void observedPipeline(Object context) {
        this.observedPipeline = context;
    }

    /** Replaces the check run before each statement of the user's (by default: none after PREPARE TRANSACTION). */
    public void beforeStatement(Runnable check) {
        this.beforeStatement = check;
    }

    /** Checks that a statement of the user's may run now (not after PREPARE TRANSACTION); throws if not. */
    public void checkStatementAllowed() {
        beforeStatement.run();
    }

    /**
     * Sets what a layer over the connection (the JDBC driver) sends before each statement of the user's (null: none)
     * and returns the one it replaces: see {@code dev.tusk.internal.layer.LayerAccess}.
     */
    public Consumer<Duration> prelude(Consumer<Duration> p) {
        Consumer<Duration> old = prelude;
        prelude = p;
        return old;
    }

    /**
     * Runs the layer's prelude, if any, before a statement of the user's starts: on the thread acting for the
     * connection, before anything of the statement is built or sent; not in pipeline mode (the prelude's statements
     * would join the pipeline), nor inside the prelude itself. What it throws fails the statement.
     *
     * @param timeout the statement's timeout (null: none), which bounds the prelude's own statements too
     */
    public void runPrelude(Duration timeout) {
        Consumer<Duration> p = prelude;
        if (p == null || inPrelude || pipeline != null || pipelines.inPipeline()) {
            return;
        }
        inPrelude = true;
        try {
            p.accept(timeout);
        } finally {
            inPrelude = false;
        }
    }

    // ---------------------------------------------------------------- transaction status

    /**
     * The transaction status once everything already sent has run: the server's last word when nothing is
     * pending (and no pipelined statement waits for its Sync), else what the statements sent will leave.
     */
    public TransactionStatus expected() {
        if (!unsynced && !core.hasPending()) {
            expected = reported();
        }
        return expected;
    }

    /** What the statements just sent leave the transaction in (a BEGIN, a COMMIT...). */
    public void expect(TransactionStatus status) {
        this.expected = status;
    }

    /** The server's last word: the transaction status of its last ReadyForQuery, whatever was sent since. */
    public TransactionStatus reported() {
        return status(core.session().transactionStatus());
    }

    /**
     * The {@link TransactionStatus} of a ReadyForQuery status byte ({@code SessionState.transactionStatus()}):
     * IDLE, INTRANS or INERROR, UNKNOWN for any other byte (as libpq's getReadyForQuery). The one place the byte
     * becomes the enum.
     */
    public static TransactionStatus status(char c) {
        return switch (c) {
            case BackendMessage.STATUS_IDLE -> TransactionStatus.IDLE;
            case BackendMessage.STATUS_IN_TRANSACTION -> TransactionStatus.INTRANS;
            case BackendMessage.STATUS_IN_FAILED_TRANSACTION -> TransactionStatus.INERROR;
            default -> TransactionStatus.UNKNOWN;
        };
    }

    /**
     * Queues a BEGIN when a statement is about to run outside autocommit with no transaction open (as the server
     * will see it once everything already sent has run); returns it, or null.
     */
    public QueryCommand beginIfNeeded() {
        if (autocommit || expected() != TransactionStatus.IDLE) {
            return null;
        }
        String sql = beginStatement(isolationLevel, readOnly, deferrable);
        QueryCommand begin = pipeline == null ? new SimpleQuery(sql) : unsynced(sql, false);
        core.send(begin);
        if (pipeline != null) {
            sentInPipeline(begin);
        }
        expected = TransactionStatus.INTRANS;
        return begin;
    }

    /** {@code BEGIN} with the given characteristics (null: the server's default). */
    public static String beginStatement(IsolationLevel level, Boolean readOnly, Boolean deferrable) {
        StringBuilder sb = new StringBuilder("BEGIN");
        if (level != null) {
            sb.append(" ISOLATION LEVEL ").append(level.sql());
        }
        if (readOnly != null) {
            sb.append(readOnly ? " READ ONLY" : " READ WRITE");
        }
        if (deferrable != null) {
            sb.append(deferrable ? " DEFERRABLE" : " NOT DEFERRABLE");
        }
        return sb.toString();
    }

    /** The BEGIN of the next transaction with the session's characteristics. */
    public String beginSql() {
        return beginStatement(isolationLevel, readOnly, deferrable);
    }

    /** A statement for pipeline mode: extended protocol, unnamed, no parameters, no Sync. */
    public static ExtendedQuery unsynced(String sql, boolean describe) {
        return new ExtendedQuery(sql, "", true, List.of(BoundParams.NONE), 0, describe, false, List.of());
    }

    // ---------------------------------------------------------------- pipeline

    /** Pipeline mode's rules: the blocks entered, the Syncs and what they report, the status. */
    public PipelineState pipelines() {
        return pipelines;
    }

    /** The pipeline the session is in, or null outside pipeline mode. */
    public Pipelining pipeline() {
        return pipeline;
    }

    public boolean pipelined() {
        return pipeline != null;
    }

    /** Enters (or leaves, with null) pipeline mode. */
    public void pipeline(Pipelining p) {
        this.pipeline = p;
    }

    /** {@code cmd} was sent in the pipeline without a Sync. */
    void sentInPipeline(Command cmd) {
        unsynced = true;
        pipeline.sent(cmd);
    }

    /** A Sync was sent: once it is answered, the server's status is the truth again. */
    public void syncSent() {
        unsynced = false;
    }

    // ---------------------------------------------------------------- prepared statements

    /**
     * Keeps the prepared-statement cache in step with what the server did with {@code cmd} run as {@code d}
     * decided (null for a simple query); a reset of the cache forgets the Parses in flight too.
     */
    public void afterStatement(QueryCommand cmd, PreparedStatements.Decision d) {
        if (prepared.afterStatement(cmd, d)) {
            parsing.clear();
        }
    }

    /**
     * Forgets every prepared statement (closed on the server with the next round trip), as after a user's DROP: for
     * a pool whose session reset changed what the statements' names resolve to.
     */
    public void forgetPlans() {
        prepared.forgetAll();
        parsing.clear();
    }

    InFlightParse parseInFlight(PreparedStatements.Key key) {
        return parsing.get(key);
    }

    void parsing(PreparedStatements.Key key, InFlightParse p) {
        parsing.put(key, p);
    }

    void parsed(PreparedStatements.Key key, InFlightParse p) {
        parsing.remove(key, p);
    }

    /** A named statement's Parse in flight: its name, and once answered, the error it failed with (or null). */
    static final class InFlightParse {
        final String name;
        TuskException failure;

        InFlightParse(String name) {
            this.name = name;
        }
    }

    // ---------------------------------------------------------------- characteristics

    public boolean autocommit() {
        return autocommit;
    }

    public void autocommit(boolean on) {
        autocommit = on;
    }

    public IsolationLevel isolationLevel() {
        return isolationLevel;
    }

    public void isolationLevel(IsolationLevel level) {
        isolationLevel = level;
    }

    public Boolean readOnly() {
        return readOnly;
    }

    public void readOnly(Boolean on) {
        readOnly = on;
    }

    public Boolean deferrable() {
        return deferrable;
    }

    public void deferrable(Boolean on) {
        deferrable = on;
    }
}
