package dev.tusk.replication;

import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.types.Lsn;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;

/** Builds the text of replication commands. */
final class ReplicationSql {
    private ReplicationSql() {
    }

    /** Slot names as the server accepts them: lower-case letters, digits and underscores, at most 63 bytes. */
    static void checkSlotName(String name) {
        if (name == null || name.isEmpty() || name.length() > 63) {
            throw new ProgrammingException("invalid replication slot name " + (name == null ? "null" : "\"" + name + "\"")
                    + ": it needs 1 to 63 characters");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_')) {
                throw new ProgrammingException("invalid replication slot name \"" + name
                        + "\": only lower-case letters, digits and underscores are allowed");
            }
        }
    }

    /** A double-quoted identifier. */
    static String identifier(String s) {
        return '"' + s.replace("\"", "\"\"") + '"';
    }

    /** A single-quoted string literal. */
    static String literal(String s) {
        if (s.indexOf('\0') >= 0) {
            throw new ProgrammingException("a replication option value cannot contain a NUL character");
        }
        return '\'' + s.replace("'", "''") + '\'';
    }

    /** The options of a replication connection: {@code replication=mode} unless {@code conninfo} sets it; autocommit. */
    static ConnectOptions<Row> connectOptions(String conninfo, String mode) {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(conninfo).autocommit(true);
        if (ConnectOptions.of(conninfo).effectiveParams().get("replication") == null) {
            b.param("replication", mode);
        }
        return b.build();
    }

    /** {@code START_REPLICATION SLOT slot LOGICAL start (options)}. */
    static String startLogical(String slot, Lsn start, Map<String, String> pluginOptions) {
        checkSlotName(slot);
        StringBuilder sql = new StringBuilder("START_REPLICATION SLOT ").append(slot).append(" LOGICAL ").append(start);
        if (pluginOptions != null && !pluginOptions.isEmpty()) {
            sql.append(" (");
            boolean first = true;
            for (Map.Entry<String, String> e : pluginOptions.entrySet()) {
                if (!first) {
                    sql.append(", ");
                }
                first = false;
                sql.append(identifier(e.getKey()));
                if (e.getValue() != null) {
                    sql.append(' ').append(literal(e.getValue()));
                }
            }
            sql.append(')');
        }
        return sql.toString();
    }

    /** {@code START_REPLICATION [SLOT slot] PHYSICAL start [TIMELINE timeline]}; {@code start} must be valid. */
    static String startPhysical(String slot, Lsn start, int timeline) {
        if (!start.isValid()) {
            throw new ProgrammingException("a physical stream needs a start position, such as identifySystem().xlogPosition()");
        }
        StringBuilder sql = new StringBuilder("START_REPLICATION");
        if (slot != null) {
            checkSlotName(slot);
            sql.append(" SLOT ").append(slot);
        }
        sql.append(" PHYSICAL ").append(start);
        if (timeline > 0) {
            sql.append(" TIMELINE ").append(timeline);
        }
        return sql.toString();
    }

    /**
     * The refusal of a second logical stream on a connection that ran one: PostgreSQL's walsender does not reset
     * the end-of-stream state of the first (StartLogicalReplication, unlike the physical StartReplication), so the
     * second would end at once, empty.
     */
    static ProgrammingException secondLogicalStream() {
        return new ProgrammingException("a logical replication stream already ran on this connection, and PostgreSQL"
                + " ends a second one on the same connection at once, empty: open a new replication connection for the"
                + " next stream");
    }

    static String logicalWhat(String slot) {
        return "the logical replication stream of slot " + slot;
    }

    static String physicalWhat(String slot) {
        return "the physical replication stream" + (slot != null ? " of slot " + slot : "");
    }

    static String dropSlot(String name, boolean wait) {
        checkSlotName(name);
        return "DROP_REPLICATION_SLOT " + name + (wait ? " WAIT" : "");
    }

    static String readSlot(String name) {
        checkSlotName(name);
        return "READ_REPLICATION_SLOT " + name;
    }

    // ------------------------------------------------------------------ replies

    /** The row of {@code IDENTIFY_SYSTEM}. */
    static SystemIdentity identity(Row r) {
        return new SystemIdentity(r.getString(0), ((Number) r.get(1)).intValue(), lsn(r, 2), r.getString(3));
    }

    /** The row of {@code CREATE_REPLICATION_SLOT}. */
    static CreatedSlot created(Row r) {
        return new CreatedSlot(r.getString(0), lsn(r, 1), r.getString(2), r.getString(3));
    }

    /** The row of {@code READ_REPLICATION_SLOT}: empty when no such slot exists. */
    static Optional<SlotInfo> slot(Row r) {
        if (r.isNull(0)) {
            return Optional.empty();
        }
        return Optional.of(new SlotInfo(r.getString(0), lsn(r, 1), r.isNull(2) ? null : ((Number) r.get(2)).intValue()));
    }

    /** The row of {@code TIMELINE_HISTORY}. */
    static TimelineHistory history(Row r) {
        Object content = r.get(1);
        String text = content instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : String.valueOf(content);
        return new TimelineHistory(r.getString(0), text);
    }

    /** The single row a replication command returns; {@code row} null: a ProgrammingException naming it. */
    static Row single(String sql, Row row) {
        if (row == null) {
            throw new ProgrammingException(sql + " returned no row");
        }
        return row;
    }

    private static Lsn lsn(Row r, int i) {
        return r.isNull(i) ? null : Lsn.parse(r.getString(i));
    }
}
