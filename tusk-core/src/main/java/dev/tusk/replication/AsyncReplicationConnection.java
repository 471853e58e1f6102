package dev.tusk.replication;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.replication.ReplicationAccess;
import dev.tusk.types.Lsn;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A replication connection on the event loop: {@link ReplicationConnection}'s commands returning futures, and
 * its streams as {@link AsyncReplicationStream}s, publishers with back-pressure.
 *
 * <pre>{@code
 * AsyncReplicationConnection.connect("dbname=shop")                                    // replication=database
 *     .thenCompose(rc -> rc.startPgOutput("shop_cdc", Lsn.INVALID, PgOutputOptions.publications("shop")))
 *     .thenAccept(changes -> changes.subscribe(subscriber));   // acknowledge with changes.acknowledge(commit.endLsn())
 * }</pre>
 *
 * <p>A logical replication connection ({@code replication=database}) also runs SQL through {@link #connection()}
 * (simple queries: no parameters). While a stream runs it owns the connection: statements submitted meanwhile
 * wait until the stream has ended (cancelled or closed), then run in order.
 */
public final class AsyncReplicationConnection implements AutoCloseable {
    private final AsyncConnection<?> conn;
    private final boolean owned;
    /** A logical stream started on this connection: another one would end at once (see ReplicationSql). */
    private volatile boolean logicalStarted;

    private AsyncReplicationConnection(AsyncConnection<?> conn, boolean owned) {
        this.conn = conn;
        this.owned = owned;
    }

    /**
     * Opens a logical replication connection ({@code replication=database}, unless {@code conninfo} sets
     * {@code replication} itself) in autocommit mode.
     */
    public static CompletableFuture<AsyncReplicationConnection> connect(String conninfo) {
        return connect(conninfo, "database");
    }

    /** Opens a physical replication connection ({@code replication=true}). */
    public static CompletableFuture<AsyncReplicationConnection> connectPhysical(String conninfo) {
        return connect(conninfo, "true");
    }

    private static CompletableFuture<AsyncReplicationConnection> connect(String conninfo, String mode) {
        ConnectOptions<Row> options;
        try {
            options = ReplicationSql.connectOptions(conninfo, mode);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return AsyncConnection.connect(options).thenApply(c -> new AsyncReplicationConnection(c, true));
    }

    /**
     * A replication connection over {@code conn}, opened with {@code replication=database} or
     * {@code replication=true} in its conninfo (and in autocommit mode); closing the result does not close
     * {@code conn}.
     */
    public static AsyncReplicationConnection of(AsyncConnection<?> conn) {
        return new AsyncReplicationConnection(conn, false);
    }

    /** The underlying connection. */
    public AsyncConnection<?> connection() {
        return conn;
    }

    // ------------------------------------------------------------------ commands

    /** {@code IDENTIFY_SYSTEM}: see {@link ReplicationConnection#identifySystem()}. */
    public CompletableFuture<SystemIdentity> identifySystem() {
        return single("IDENTIFY_SYSTEM", ReplicationSql::identity);
    }

    /** {@code CREATE_REPLICATION_SLOT}: creates the slot {@code spec} describes. */
    public CompletableFuture<CreatedSlot> createSlot(SlotSpec spec) {
        return single(spec.sql(), ReplicationSql::created);
    }

    /** {@code DROP_REPLICATION_SLOT}: fails if a stream uses the slot. */
    public CompletableFuture<Void> dropSlot(String name) {
        return dropSlot(name, false);
    }

    /** {@code DROP_REPLICATION_SLOT [WAIT]}: see {@link ReplicationConnection#dropSlot(String, boolean)}. */
    public CompletableFuture<Void> dropSlot(String name, boolean wait) {
        String sql;
        try {
            sql = ReplicationSql.dropSlot(name, wait);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return conn.execute(sql).thenApply(c -> null);
    }

    /** {@code READ_REPLICATION_SLOT}: a physical slot's restart position; empty when no such slot exists. */
    public CompletableFuture<Optional<SlotInfo>> readSlot(String name) {
        String sql;
        try {
            sql = ReplicationSql.readSlot(name);
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        return single(sql, ReplicationSql::slot);
    }

    /** {@code TIMELINE_HISTORY}: the history file of {@code timeline} (which must be 2 or more). */
    public CompletableFuture<TimelineHistory> timelineHistory(int timeline) {
        return single("TIMELINE_HISTORY " + timeline, ReplicationSql::history);
    }

    private <T> CompletableFuture<T> single(String sql, Function<Row, T> reply) {
        return conn.cursor(Rows.row()).execute(sql).thenApply(c -> reply.apply(ReplicationSql.single(sql, c.fetchone())));
    }

    // ------------------------------------------------------------------ streams

    /**
     * {@code START_REPLICATION SLOT slot LOGICAL start (options)}: the plugin's raw messages. The future completes
     * once the server streams, or fails with its error.
     */
    public CompletableFuture<AsyncReplicationStream<XLogData>> startLogical(String slot, Lsn start,
                                                                           Map<String, String> pluginOptions,
                                                                           StreamOptions options) {
        return start(() -> ReplicationSql.startLogical(slot, start, pluginOptions), options, false,
                ReplicationSql.logicalWhat(slot), start, x -> x, null);
    }

    /** As {@link #startLogical(String, Lsn, Map, StreamOptions)} with the default stream options. */
    public CompletableFuture<AsyncReplicationStream<XLogData>> startLogical(String slot, Lsn start,
                                                                           Map<String, String> pluginOptions) {
        return startLogical(slot, start, pluginOptions, StreamOptions.DEFAULTS);
    }

    /**
     * {@code START_REPLICATION [SLOT slot] PHYSICAL start [TIMELINE timeline]}: the WAL from {@code start} (which
     * must be valid). {@code slot} may be null; {@code timeline} 0 means the current one.
     */
    public CompletableFuture<AsyncReplicationStream<XLogData>> startPhysical(String slot, Lsn start, int timeline,
                                                                            StreamOptions options) {
        return start(() -> ReplicationSql.startPhysical(slot, start, timeline), options, true,
                ReplicationSql.physicalWhat(slot), start, x -> x, null);
    }

    /**
     * A logical stream from a {@code pgoutput} slot, decoded as {@link ReplicationConnection#startPgOutput}: each
     * message is decoded (its rows' values loaded by the connection's adapters) when the subscriber asks for it.
     */
    public CompletableFuture<AsyncReplicationStream<PgOutputMessage>> startPgOutput(String slot, Lsn start,
                                                                                   PgOutputOptions pgOutput,
                                                                                   StreamOptions options) {
        PgOutputDecoder decoder = new PgOutputDecoder(conn.adapters());
        return start(() -> ReplicationSql.startLogical(slot, start, pgOutput.toPluginOptions()), options, false,
                ReplicationSql.logicalWhat(slot), start, decoder::decode, decoder);
    }

    /** As {@link #startPgOutput(String, Lsn, PgOutputOptions, StreamOptions)} with the default stream options. */
    public CompletableFuture<AsyncReplicationStream<PgOutputMessage>> startPgOutput(String slot, Lsn start,
                                                                                   PgOutputOptions pgOutput) {
        return startPgOutput(slot, start, pgOutput, StreamOptions.DEFAULTS);
    }

    private <T> CompletableFuture<AsyncReplicationStream<T>> start(Supplier<String> sql,
                                                                  StreamOptions options, boolean physical, String what,
                                                                  Lsn start, Function<XLogData, ? extends T> decode,
                                                                  PgOutputDecoder decoder) {
        CopyBothCommand cmd;
        try {
            if (!physical && logicalStarted) {
                throw ReplicationSql.secondLogicalStream();
            }
            cmd = new CopyBothCommand(sql.get());
        } catch (RuntimeException e) {
            return LoopFuture.failed(e);
        }
        ReplicationAccess.Hooks<?, AsyncConnection<?>> h = ReplicationAccess.hooks();
        EventLoopDriver driver = h.asyncDriver(conn);
        AsyncReplicationStream<T> s = new AsyncReplicationStream<>(driver, cmd, options == null ? StreamOptions.DEFAULTS : options,
                physical, what, start, decode, decoder);
        h.startCopyBoth(conn, cmd, s::commandEnded);
        return s.started().thenApply(started -> {
            logicalStarted |= !physical;
            return started;
        });
    }

    /** Closes the connection if this object opened it, without waiting (a running stream ends with it). */
    @Override
    public void close() {
        if (owned) {
            conn.close();
        }
    }

    /** As {@link #close()}; completes once the socket is closed. */
    public CompletableFuture<Void> closeAsync() {
        return owned ? conn.closeAsync() : CompletableFuture.completedFuture(null);
    }
}
