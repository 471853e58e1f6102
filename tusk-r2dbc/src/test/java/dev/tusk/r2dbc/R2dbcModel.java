package dev.tusk.r2dbc;

import io.r2dbc.spi.IsolationLevel;

import java.util.ArrayList;
import java.util.List;

/**
 * What an R2DBC connection under {@link R2dbcStateMachineTest} should be: the user's auto-commit flag, whether a
 * transaction is open on the server (begun explicitly, or by a statement with auto-commit off) and whether it
 * failed, whether it is read-only, the values the small table holds committed and as this session sees them, the
 * open savepoints, the session's default isolation, and whether the connection was closed, lost, or has a network
 * fault not yet noticed.
 */
final class R2dbcModel {
    /** R2DBC's auto-commit flag as the user set it (a transaction begun explicitly suspends it). */
    boolean autoCommit = true;
    boolean inTx;
    boolean failedTx;
    boolean readOnlyTx;
    boolean closed;
    /** The connection was lost (cut, frozen): whatever was not committed is gone. */
    boolean lost;
    /** A fault was injected and not yet noticed: a step that talks to the server may fail and lose the connection. */
    boolean faultPending;
    /** The server stopped answering: every step must still end (the user's timeout). */
    boolean frozen;
    /** The session's default isolation ({@code setTransactionIsolationLevel}). */
    IsolationLevel sessionIsolation = IsolationLevel.READ_COMMITTED;
    final List<Integer> committed = new ArrayList<>();
    final List<Integer> visible = new ArrayList<>();
    final List<Sp> savepoints = new ArrayList<>();
    /** A savepoint name that was released or rolled past (using it is an error that fails the transaction). */
    String staleSavepoint;
    /** The server process of the connection (pooled mode: of the lease). */
    int pid;

    record Sp(String name, List<Integer> visible) {
    }

    boolean usable() {
        return !closed && !lost;
    }

    /** What {@code Connection.isAutoCommit()} should say. */
    boolean isAutoCommit() {
        return autoCommit && !inTx;
    }

    /** The backend's state in {@code pg_stat_activity} between steps. */
    String serverState() {
        return failedTx ? "idle in transaction (aborted)" : inTx ? "idle in transaction" : "idle";
    }

    /** A statement ran: with auto-commit off it opened a transaction if none was. */
    void ran() {
        if (!autoCommit) {
            inTx = true;
        }
    }

    /** Rows were inserted by a statement that succeeded. */
    void inserted(List<Integer> values) {
        ran();
        visible.addAll(values);
        if (!inTx) {
            committed.addAll(values);
        }
    }

    /** A statement failed on the server: inside a transaction the transaction is failed. */
    void failed() {
        ran();
        if (inTx) {
            failedTx = true;
        }
    }

    /** COMMIT or ROLLBACK: a failed transaction rolls back either way. */
    void end(boolean commit) {
        if (commit && !failedTx) {
            committed.clear();
            committed.addAll(visible);
        } else {
            visible.clear();
            visible.addAll(committed);
        }
        inTx = false;
        failedTx = false;
        readOnlyTx = false;
        if (!savepoints.isEmpty()) {
            staleSavepoint = savepoints.get(0).name();
        }
        savepoints.clear();
    }

    /** The connection is closed or lost: what was not committed is gone. */
    void gone(boolean lostIt) {
        end(false);
        closed = true;
        lost |= lostIt;
        faultPending = false;
    }

    /**
     * Pooled mode: a new lease, as r2dbc-pool hands it over after the driver's {@code preRelease}: no transaction,
     * auto-commit on, the session's default isolation reset.
     */
    void newLease() {
        sessionIsolation = IsolationLevel.READ_COMMITTED;
        end(false);
        closed = false;
        lost = false;
        faultPending = false;
        frozen = false;
        autoCommit = true;
    }

    @Override
    public String toString() {
        return (closed ? (lost ? "LOST" : "CLOSED") : "open") + " autoCommit=" + autoCommit + " inTx=" + inTx
                + " failed=" + failedTx + " readOnly=" + readOnlyTx + " isolation=" + sessionIsolation.asSql()
                + " committed=" + committed.size() + " visible=" + visible.size() + " savepoints=" + savepoints.size()
                + (faultPending ? (frozen ? " FROZEN" : " FAULT-PENDING") : "");
    }
}
