package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The slot {@link ReplicationConnection#createSlot} creates: logical (with an output plugin) or physical,
 * permanent or temporary (dropped when the connection ends), with its options.
 *
 * <pre>{@code
 * rc.createSlot(SlotSpec.logical("orders_cdc", "pgoutput").snapshot(SlotSpec.Snapshot.EXPORT));
 * rc.createSlot(SlotSpec.physical("standby_1").reserveWal());
 * }</pre>
 *
 * Immutable: every method returns a new spec.
 */
public final class SlotSpec {
    /** What a new logical slot does with the snapshot at its consistent point. */
    public enum Snapshot {
        /** Exports it ({@link CreatedSlot#snapshotName()}): other sessions can read the data as of the slot's start. */
        EXPORT,
        /**
         * Uses it in the creating transaction, which must be the connection's current one, REPEATABLE READ and
         * READ ONLY, with no query run yet ({@code setAutocommit(false)},
         * {@code setIsolationLevel(REPEATABLE_READ)}, {@code setReadOnly(true)} before creating the slot).
         */
        USE,
        /** Drops it. */
        NOTHING
    }

    private final String name;
    private final String plugin;
    private final boolean temporary;
    private final Snapshot snapshot;
    private final boolean twoPhase;
    private final boolean failover;
    private final boolean reserveWal;

    private SlotSpec(String name, String plugin, boolean temporary, Snapshot snapshot, boolean twoPhase,
                     boolean failover, boolean reserveWal) {
        this.name = name;
        this.plugin = plugin;
        this.temporary = temporary;
        this.snapshot = snapshot;
        this.twoPhase = twoPhase;
        this.failover = failover;
        this.reserveWal = reserveWal;
    }

    /** A logical slot decoding with {@code plugin} ({@code "pgoutput"}, {@code "test_decoding"}...). */
    public static SlotSpec logical(String name, String plugin) {
        ReplicationSql.checkSlotName(name);
        if (plugin == null || plugin.isEmpty()) {
            throw new ProgrammingException("a logical slot needs an output plugin, such as \"pgoutput\"");
        }
        return new SlotSpec(name, plugin, false, null, false, false, false);
    }

    /** A physical slot. */
    public static SlotSpec physical(String name) {
        ReplicationSql.checkSlotName(name);
        return new SlotSpec(name, null, false, null, false, false, false);
    }

    /** Dropped when the replication connection ends (or on error). */
    public SlotSpec temporary() {
        return new SlotSpec(name, plugin, true, snapshot, twoPhase, failover, reserveWal);
    }

    /** Logical only: what to do with the snapshot (the server's default is {@link Snapshot#EXPORT}). */
    public SlotSpec snapshot(Snapshot s) {
        requireLogical("snapshot");
        return new SlotSpec(name, plugin, temporary, s, twoPhase, failover, reserveWal);
    }

    /** Logical only: decode prepared transactions at PREPARE TRANSACTION (pgoutput also needs {@code two_phase}). */
    public SlotSpec twoPhase() {
        requireLogical("twoPhase");
        return new SlotSpec(name, plugin, temporary, snapshot, true, failover, reserveWal);
    }

    /** Logical only: the slot is synchronised to standbys (PostgreSQL 17+). */
    public SlotSpec failover() {
        requireLogical("failover");
        return new SlotSpec(name, plugin, temporary, snapshot, twoPhase, true, reserveWal);
    }

    /** Physical only: the slot reserves WAL at once instead of at the first stream. */
    public SlotSpec reserveWal() {
        if (plugin != null) {
            throw new ProgrammingException("reserveWal() is for physical slots; a logical slot reserves WAL when created");
        }
        return new SlotSpec(name, plugin, temporary, snapshot, twoPhase, failover, true);
    }

    private void requireLogical(String what) {
        if (plugin == null) {
            throw new ProgrammingException(what + "() is for logical slots; " + name + " is physical");
        }
    }

    public String name() {
        return name;
    }

    /** The output plugin; null for a physical slot. */
    public String plugin() {
        return plugin;
    }

    public boolean isLogical() {
        return plugin != null;
    }

    public boolean isTemporary() {
        return temporary;
    }

    /** The {@code CREATE_REPLICATION_SLOT} command (PostgreSQL 15+ syntax). */
    String sql() {
        StringBuilder sb = new StringBuilder("CREATE_REPLICATION_SLOT ").append(name);
        if (temporary) {
            sb.append(" TEMPORARY");
        }
        List<String> opts = new ArrayList<>();
        if (plugin != null) {
            sb.append(" LOGICAL ").append(ReplicationSql.identifier(plugin));
            if (snapshot != null) {
                opts.add("SNAPSHOT '" + snapshot.name().toLowerCase(Locale.ROOT) + "'");
            }
            if (twoPhase) {
                opts.add("TWO_PHASE");
            }
            if (failover) {
                opts.add("FAILOVER");
            }
        } else {
            sb.append(" PHYSICAL");
            if (reserveWal) {
                opts.add("RESERVE_WAL");
            }
        }
        if (!opts.isEmpty()) {
            sb.append(" (").append(String.join(", ", opts)).append(')');
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return sql();
    }
}
