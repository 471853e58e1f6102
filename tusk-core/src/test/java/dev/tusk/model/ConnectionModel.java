package dev.tusk.model;

import dev.tusk.TransactionStatus;

/**
 * What a blocking {@link dev.tusk.Connection} must look like from the outside after each step of a random
 * sequence (trust issue, model-based tests): its transaction status, autocommit, closed or broken, whether a
 * fault was injected and not yet noticed, and how many rows of the sequence's table are committed.
 *
 * <p>The model is deliberately small: it says what is <em>allowed</em>, not how the driver does it. After a
 * fault ({@link #faultPending}) any I/O may fail with an {@code OperationalException}, after which the
 * connection must say {@code isBroken()}; until then the last known status still holds.
 */
final class ConnectionModel {
    /** The server-side transaction state the model tracks (ACTIVE is never visible between steps). */
    TransactionStatus tx = TransactionStatus.IDLE;
    boolean autocommit;
    /** Closed by the user ({@code close()}): isClosed() true, isBroken() false. */
    boolean closed;
    /** Lost (a fault was noticed): isClosed() and isBroken() true, status UNKNOWN. */
    boolean broken;
    /** A fault (cut or freeze) was injected and the connection has not noticed it yet. */
    boolean faultPending;
    /** The injected fault is a freeze (the peer stops answering, nothing closes). */
    boolean frozen;
    /** A FaultProxy delay is on (faults nothing by itself). */
    boolean delayed;
    /** Rows of the sequence's table committed so far; meaningless once {@link #rowsUnknown}. */
    long committedRows;
    /** Rows inserted in the open transaction, committed with it. */
    long pendingRows;
    /** A fault hit a step that may have committed: the row count is no longer known. */
    boolean rowsUnknown;
    /** Where a two-phase transaction driven step by step (tpcBegin, tpcPrepare, tpcCommit/tpcRollback) is. */
    Tpc tpc = Tpc.NONE;
    /** Rows of the prepared two-phase transaction: committed by tpcCommit() only. */
    long preparedRows;

    /** The steps of a two-phase transaction: none, begun (BEGIN sent), prepared (PREPARE TRANSACTION done). */
    enum Tpc {
        NONE, BEGUN, PREPARED
    }

    ConnectionModel(boolean autocommit) {
        this.autocommit = autocommit;
    }

    ConnectionModel copy() {
        ConnectionModel m = new ConnectionModel(autocommit);
        m.tx = tx;
        m.closed = closed;
        m.broken = broken;
        m.faultPending = faultPending;
        m.frozen = frozen;
        m.delayed = delayed;
        m.committedRows = committedRows;
        m.pendingRows = pendingRows;
        m.rowsUnknown = rowsUnknown;
        m.tpc = tpc;
        m.preparedRows = preparedRows;
        return m;
    }

    /** Neither closed nor known broken: operations are expected to reach the server. */
    boolean usable() {
        return !closed && !broken;
    }

    boolean idle() {
        return tx == TransactionStatus.IDLE;
    }

    boolean inError() {
        return tx == TransactionStatus.INERROR;
    }

    // ------------------------------------------------------------------ transitions used by the operations

    /** A statement that inserted {@code n} rows succeeded. */
    void inserted(long n) {
        if (autocommit && tx == TransactionStatus.IDLE) {
            committedRows += n;
        } else {
            pendingRows += n;
            tx = TransactionStatus.INTRANS;
        }
    }

    /** A statement that changes nothing succeeded (it still opens a transaction without autocommit). */
    void statementOk() {
        inserted(0);
    }

    /** A statement failed on the server. */
    void statementFailed() {
        if (autocommit && tx == TransactionStatus.IDLE) {
            return;
        }
        tx = TransactionStatus.INERROR;
    }

    void committed() {
        if (tx == TransactionStatus.INTRANS) {
            committedRows += pendingRows;
        }
        pendingRows = 0;
        tx = TransactionStatus.IDLE;
    }

    void rolledBack() {
        pendingRows = 0;
        tx = TransactionStatus.IDLE;
    }

    /** The connection noticed a fault. */
    void lost() {
        broken = true;
        faultPending = false;
        frozen = false;
        rowsUnknown = true;
        pendingRows = 0;
        tpc = Tpc.NONE;
        preparedRows = 0;
    }

    void closedByUser() {
        if (!broken) {
            closed = true;
        }
        pendingRows = 0; // the server rolls an open transaction back (a prepared one stays prepared, uncommitted)
        tx = TransactionStatus.IDLE;
        tpc = Tpc.NONE;
        preparedRows = 0;
    }

    /** The status {@code conn.info().transactionStatus()} must report, or null when it may be either. */
    TransactionStatus expectedStatus() {
        if (closed || broken) {
            return TransactionStatus.UNKNOWN;
        }
        return tx;
    }

    @Override
    public String toString() {
        return "{tx=" + tx + (autocommit ? " autocommit" : "") + (closed ? " closed" : "") + (broken ? " broken" : "")
                + (faultPending ? (frozen ? " frozen" : " fault-pending") : "") + (delayed ? " delayed" : "")
                + (tpc == Tpc.NONE ? "" : " tpc=" + tpc) + " rows=" + (rowsUnknown ? "?" : committedRows + "+" + pendingRows) + "}";
    }
}
