package dev.tusk.jdbc;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Savepoint;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What a JDBC connection under {@link JdbcStateMachineTest} should be: autocommit, whether a transaction is open or
 * failed, the values the small table holds committed and as this session sees them, the savepoints, the statements
 * and result sets the sequence holds and whether each should be closed, and whether a network fault is pending.
 */
final class JdbcModel {
    boolean autocommit = true;
    boolean closed;
    /** The connection was lost (cut, frozen past its timeout): closed, and whatever was not committed is gone. */
    boolean lost;
    /** A fault was injected and has not been noticed yet: any step that talks to the server may fail and lose it. */
    boolean faultPending;
    /** The server stopped answering (the network timeout is then what ends each step). */
    boolean frozen;
    boolean readOnly;
    /** A transaction is open (autocommit off and something ran since the last commit/rollback). */
    boolean inTx;
    /** A statement failed inside the open transaction: everything until rollback fails. */
    boolean failedTx;
    /** The table's committed values (sorted when compared). */
    final List<Integer> committed = new ArrayList<>();
    /** The table's values as this session sees them inside its transaction. */
    final List<Integer> visible = new ArrayList<>();
    /** Open savepoints, oldest first, with what the session saw when each was set. */
    final List<Sp> savepoints = new ArrayList<>();
    /** A savepoint that was released or rolled past (using it again is an error). */
    Savepoint stale;
    final List<Handle<Statement>> statements = new ArrayList<>();
    final List<Handle<PreparedStatement>> prepared = new ArrayList<>();
    /** Result sets, each with the values it should still produce. */
    final List<OpenResult> results = new ArrayList<>();
    int networkTimeoutMillis;

    record Sp(Savepoint savepoint, List<Integer> visible) {
    }

    static final class Handle<T> {
        final T object;
        boolean closed;

        Handle(T object) {
            this.object = object;
        }
    }

    static final class OpenResult {
        final ResultSet rs;
        final Handle<? extends Statement> owner;
        final List<Integer> remaining;
        boolean closed;

        OpenResult(ResultSet rs, Handle<? extends Statement> owner, List<Integer> remaining) {
            this.rs = rs;
            this.owner = owner;
            this.remaining = remaining;
        }
    }

    boolean usable() {
        return !closed && !lost;
    }

    /** A statement changed the table: in autocommit it is committed, otherwise it opens or extends the transaction. */
    void inserted(List<Integer> values) {
        visible.addAll(values);
        if (autocommit) {
            committed.addAll(values);
        } else {
            inTx = true;
        }
    }

    /** Something ran in the session without changing the table (opens a transaction when autocommit is off). */
    void ran() {
        if (!autocommit) {
            inTx = true;
        }
    }

    /** A statement failed on the server: inside a transaction the transaction is failed. */
    void failed() {
        if (!autocommit) {
            inTx = true;
            failedTx = true;
        }
    }

    void commitOrRollback(boolean commit) {
        if (commit && !failedTx) {
            committed.clear();
            committed.addAll(visible);
        } else {
            visible.clear();
            visible.addAll(committed);
        }
        endTx();
    }

    void endTx() {
        inTx = false;
        failedTx = false;
        if (!savepoints.isEmpty()) {
            stale = savepoints.get(0).savepoint();
        }
        savepoints.clear();
        // a commit or rollback ends the open cursors of a transaction: result sets may then fail (never be wrong)
    }

    /** The connection is closed or lost: what was not committed is gone, every object it made is closed. */
    void gone(boolean lostIt) {
        closed = true;
        lost |= lostIt;
        faultPending = false;
        visible.clear();
        visible.addAll(committed);
        inTx = false;
        failedTx = false;
        savepoints.clear();
        statements.forEach(h -> h.closed = true);
        prepared.forEach(h -> h.closed = true);
        results.forEach(r -> r.closed = true);
    }

    @Override
    public String toString() {
        return (closed ? (lost ? "LOST" : "CLOSED") : "open") + " autocommit=" + autocommit + " inTx=" + inTx
                + " failed=" + failedTx + " readOnly=" + readOnly + " committed=" + committed.size() + " visible="
                + visible.size() + " savepoints=" + savepoints.size() + " statements=" + statements.size() + "/"
                + prepared.size() + " results=" + results.size() + (faultPending ? " FAULT-PENDING" : "")
                + " netTimeout=" + networkTimeoutMillis;
    }
}
