package dev.tusk.replication;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.replication.ReplicationAccess;
import dev.tusk.types.Lsn;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A replication connection: the walsender protocol's commands as methods, and the streams they start.
 *
 * <pre>{@code
 * try (ReplicationConnection rc = ReplicationConnection.connect("dbname=shop")) {      // replication=database
 *     rc.createSlot(SlotSpec.logical("shop_cdc", "pgoutput"));
 *     try (PgOutputStream changes = rc.startPgOutput("shop_cdc", Lsn.INVALID, PgOutputOptions.publications("shop"))) {
 *         for (PgOutputMessage m : changes) { ...; if (m instanceof PgOutputMessage.Commit c) changes.acknowledge(c.endLsn()); }
 *     }
 * }
 * }</pre>
 *
 * <p>A logical replication connection ({@code replication=database}) also runs SQL through
 * {@link #connection()} (simple queries only: no parameters) while no stream runs; a physical one
 * ({@code replication=true}) runs only replication commands. The connection runs in autocommit mode
 * (replication commands cannot run inside a transaction block), except for
 * {@link SlotSpec.Snapshot#USE}. While a stream runs, the connection belongs to it: a statement on
 * {@link #connection()} is refused with a {@code ProgrammingException} (nothing is sent, the stream goes on)
 * until the stream is closed.
 */
public final class ReplicationConnection implements AutoCloseable {
    private final Connection<?> conn;
    private final boolean owned;
    private ReplicationStream active;
    /** A logical stream started on this connection: another one would end at once (see ReplicationSql). */
    private boolean logicalStarted;

    private ReplicationConnection(Connection<?> conn, boolean owned) {
        this.conn = conn;
        this.owned = owned;
    }

    /**
     * Opens a logical replication connection ({@code replication=database}, unless {@code conninfo} sets
     * {@code replication} itself) in autocommit mode.
     */
    public static ReplicationConnection connect(String conninfo) {
        return connect(conninfo, "database");
    }

    /** Opens a physical replication connection ({@code replication=true}). */
    public static ReplicationConnection connectPhysical(String conninfo) {
        return connect(conninfo, "true");
    }

    private static ReplicationConnection connect(String conninfo, String mode) {
        return new ReplicationConnection(Connection.connect(ReplicationSql.connectOptions(conninfo, mode)), true);
    }

    /**
     * A replication connection over {@code conn}, opened with {@code replication=database} or
     * {@code replication=true} in its conninfo; closing the result does not close {@code conn}.
     */
    public static ReplicationConnection of(Connection<?> conn) {
        return new ReplicationConnection(conn, false);
    }

    /** The underlying connection. */
    public Connection<?> connection() {
        return conn;
    }

    // ------------------------------------------------------------------ commands

    /** {@code IDENTIFY_SYSTEM}: the cluster's identifier, current timeline and WAL position, and the database. */
    public SystemIdentity identifySystem() {
        return ReplicationSql.identity(single("IDENTIFY_SYSTEM"));
    }

    /** {@code CREATE_REPLICATION_SLOT}: creates the slot {@code spec} describes. */
    public CreatedSlot createSlot(SlotSpec spec) {
        return ReplicationSql.created(single(spec.sql()));
    }

    /** {@code DROP_REPLICATION_SLOT}: fails at once if a stream uses the slot. */
    public void dropSlot(String name) {
        dropSlot(name, false);
    }

    /**
     * {@code DROP_REPLICATION_SLOT [WAIT]}: with {@code wait}, waits until the stream that uses the slot (if any)
     * ends, instead of failing (bounded by the connection's statement timeout, if set).
     */
    public void dropSlot(String name, boolean wait) {
        run(ReplicationSql.dropSlot(name, wait));
    }

    /** {@code READ_REPLICATION_SLOT}: a physical slot's restart position; empty when no such slot exists. */
    public Optional<SlotInfo> readSlot(String name) {
        return ReplicationSql.slot(single(ReplicationSql.readSlot(name)));
    }

    /** {@code TIMELINE_HISTORY}: the history file of {@code timeline} (which must be 2 or more). */
    public TimelineHistory timelineHistory(int timeline) {
        return ReplicationSql.history(single("TIMELINE_HISTORY " + timeline));
    }

    // ------------------------------------------------------------------ streams

    /**
     * {@code START_REPLICATION SLOT slot LOGICAL start (options)}: a logical stream of the plugin's raw
     * messages. {@code start} {@link Lsn#INVALID} starts where the slot stands (after what was acknowledged).
     */
    public ReplicationStream startLogical(String slot, Lsn start, Map<String, String> pluginOptions, StreamOptions options) {
        if (logicalStarted && active == null) {
            throw ReplicationSql.secondLogicalStream();
        }
        return start(ReplicationSql.startLogical(slot, start, pluginOptions), options, false, ReplicationSql.logicalWhat(slot), start);
    }

    /** As {@link #startLogical(String, Lsn, Map, StreamOptions)} with the default stream options. */
    public ReplicationStream startLogical(String slot, Lsn start, Map<String, String> pluginOptions) {
        return startLogical(slot, start, pluginOptions, StreamOptions.DEFAULTS);
    }

    /**
     * {@code START_REPLICATION [SLOT slot] PHYSICAL start [TIMELINE timeline]}: the WAL from {@code start}
     * (which must be valid). {@code slot} may be null; {@code timeline} 0 means the current one.
     */
    public ReplicationStream startPhysical(String slot, Lsn start, int timeline, StreamOptions options) {
        return start(ReplicationSql.startPhysical(slot, start, timeline), options, true, ReplicationSql.physicalWhat(slot), start);
    }

    /**
     * A logical stream from a {@code pgoutput} slot, decoded: transactions, relations and the rows' values as
     * the connection's adapters load them.
     */
    public PgOutputStream startPgOutput(String slot, Lsn start, PgOutputOptions pgOutput, StreamOptions options) {
        ReplicationStream raw = startLogical(slot, start, pgOutput.toPluginOptions(), options);
        return new PgOutputStream(raw, conn.adapters(), pgOutput);
    }

    /** As {@link #startPgOutput(String, Lsn, PgOutputOptions, StreamOptions)} with the default stream options. */
    public PgOutputStream startPgOutput(String slot, Lsn start, PgOutputOptions pgOutput) {
        return startPgOutput(slot, start, pgOutput, StreamOptions.DEFAULTS);
    }

    private ReplicationStream start(String sql, StreamOptions options, boolean physical, String what, Lsn start) {
        ReplicationAccess.Hooks<Connection<?>, ?> h = ReplicationAccess.hooks();
        ReentrantLock lock = h.lock(conn);
        lock.lock();
        try {
            requireNoStream();
            h.checkUsable(conn);
            BlockingDriver driver = h.driver(conn);
            ReplicationStream s = new ReplicationStream(this, lock, driver, new CopyBothCommand(sql),
                    options == null ? StreamOptions.DEFAULTS : options, physical, what, start);
            active = s;
            try {
                s.begin();
            } catch (RuntimeException e) {
                active = null;
                throw e;
            }
            logicalStarted |= !physical;
            return s;
        } finally {
            lock.unlock();
        }
    }

    void streamEnded(ReplicationStream s) {
        if (active == s) {
            active = null;
        }
    }

    private void requireNoStream() {
        if (active != null) {
            throw new ProgrammingException("a replication stream is running on this connection: close it first");
        }
    }

    private void run(String sql) {
        requireNoStream();
        conn.execute(sql);
    }

    private Row single(String sql) {
        requireNoStream();
        return ReplicationSql.single(sql, conn.cursor(Rows.row()).execute(sql).fetchone());
    }

    /** Closes the stream if one runs, then the connection if this object opened it. */
    @Override
    public void close() {
        try {
            ReplicationStream s = active;
            if (s != null && !conn.isClosed()) {
                s.close();
            }
        } finally {
            if (owned) {
                conn.close();
            }
        }
    }

    /** The plugin options of {@code map}, in order. */
    static Map<String, String> options(String... keyValues) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        return m;
    }
}
