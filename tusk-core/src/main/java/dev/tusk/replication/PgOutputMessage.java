package dev.tusk.replication;

import dev.tusk.types.Lsn;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * One decoded message of the {@code pgoutput} plugin (PostgreSQL's "Logical Replication Message Formats",
 * protocol versions 1 to 4). Each carries {@link #lsn()}, the WAL position the server gave it (XLogData's
 * {@code dataStart}).
 *
 * <p>Transactions come as {@link Begin}, the changes, {@link Commit}: acknowledge
 * {@link Commit#endLsn()} once the transaction is processed, and a restart from the slot resumes after it.
 * With streaming, a large transaction's changes come in blocks ({@link StreamStart} ... {@link StreamStop},
 * their DML carrying the {@code xid}) before its {@link StreamCommit} or {@link StreamAbort}. With two-phase
 * decoding a prepared transaction comes as {@link BeginPrepare} ... {@link Prepare}, later
 * {@link CommitPrepared} or {@link RollbackPrepared}.
 *
 * <p>{@code xid} fields are unsigned 32-bit transaction ids, 0 where the protocol sends none (DML outside a
 * stream block).
 */
public sealed interface PgOutputMessage {
    /** The WAL position of this message. */
    Lsn lsn();

    /** The start of a transaction; {@code finalLsn} is its commit record's position. */
    record Begin(Lsn lsn, Lsn finalLsn, Instant commitTime, long xid) implements PgOutputMessage {
    }

    /** The end of a transaction: acknowledge {@code endLsn} once it is processed. */
    record Commit(Lsn lsn, int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime) implements PgOutputMessage {
    }

    /** The replication origin the transaction came from (sent after Begin when it has one). */
    record Origin(Lsn lsn, Lsn originLsn, String name) implements PgOutputMessage {
    }

    /**
     * A table's description, sent before its first change in the stream and again after it changed (the stream
     * keeps the latest one per table: changes carry it).
     */
    record Relation(Lsn lsn, long xid, int oid, String namespace, String name, char replicaIdentity,
                    List<RelationColumn> columns) implements PgOutputMessage {
        /** The index of the column named {@code column}, or -1. */
        public int indexOf(String column) {
            for (int i = 0; i < columns.size(); i++) {
                if (columns.get(i).name().equals(column)) {
                    return i;
                }
            }
            return -1;
        }

        /** {@code namespace.name}. */
        public String qualifiedName() {
            return namespace + "." + name;
        }
    }

    /** A data type's name, sent before the first relation that uses it when it is not a built-in type. */
    record Type(Lsn lsn, long xid, int oid, String namespace, String name) implements PgOutputMessage {
    }

    /** A row inserted. */
    record Insert(Lsn lsn, long xid, Relation relation, Tuple newTuple) implements PgOutputMessage {
    }

    /**
     * A row updated. {@code oldKey}: the old replica identity key, sent when the key changed (replica identity
     * DEFAULT or USING INDEX); {@code oldTuple}: the whole old row (replica identity FULL); both null otherwise.
     */
    record Update(Lsn lsn, long xid, Relation relation, Tuple oldKey, Tuple oldTuple, Tuple newTuple)
            implements PgOutputMessage {
    }

    /** A row deleted: its key ({@code oldKey}) or, with replica identity FULL, the whole row ({@code oldTuple}). */
    record Delete(Lsn lsn, long xid, Relation relation, Tuple oldKey, Tuple oldTuple) implements PgOutputMessage {
    }

    /** Tables truncated together. */
    record Truncate(Lsn lsn, long xid, List<Relation> relations, boolean cascade, boolean restartIdentity)
            implements PgOutputMessage {
    }

    /** A logical decoding message ({@code pg_logical_emit_message}), sent with the {@code messages} option. */
    record Message(Lsn lsn, long xid, boolean transactional, Lsn messageLsn, String prefix, byte[] content)
            implements PgOutputMessage {
        /** The content as UTF-8 text. */
        public String text() {
            return new String(content, StandardCharsets.UTF_8);
        }
    }

    /** A block of a large in-progress transaction's changes starts (protocol 2+). */
    record StreamStart(Lsn lsn, long xid, boolean firstSegment) implements PgOutputMessage {
    }

    /** The current stream block ends. */
    record StreamStop(Lsn lsn) implements PgOutputMessage {
    }

    /** A streamed transaction committed: acknowledge {@code endLsn} once it is processed. */
    record StreamCommit(Lsn lsn, long xid, int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime)
            implements PgOutputMessage {
    }

    /**
     * A streamed transaction (or, when {@code subXid != xid}, one of its subtransactions) aborted: drop its
     * changes. {@code abortLsn} and {@code abortTime} come with parallel streaming (protocol 4), else null.
     */
    record StreamAbort(Lsn lsn, long xid, long subXid, Lsn abortLsn, Instant abortTime) implements PgOutputMessage {
    }

    /** A prepared transaction starts (protocol 3). */
    record BeginPrepare(Lsn lsn, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
            implements PgOutputMessage {
    }

    /** A transaction was prepared ({@code PREPARE TRANSACTION gid}). */
    record Prepare(Lsn lsn, int flags, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
            implements PgOutputMessage {
    }

    /** A prepared transaction was committed: acknowledge {@code endLsn}. */
    record CommitPrepared(Lsn lsn, int flags, Lsn commitLsn, Lsn endLsn, Instant commitTime, long xid, String gid)
            implements PgOutputMessage {
    }

    /** A prepared transaction was rolled back. */
    record RollbackPrepared(Lsn lsn, int flags, Lsn prepareEndLsn, Lsn rollbackEndLsn, Instant prepareTime,
                            Instant rollbackTime, long xid, String gid) implements PgOutputMessage {
    }

    /** A streamed transaction was prepared (protocol 3 with streaming). */
    record StreamPrepare(Lsn lsn, int flags, Lsn prepareLsn, Lsn endLsn, Instant prepareTime, long xid, String gid)
            implements PgOutputMessage {
    }
}
