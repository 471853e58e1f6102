package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ResultData;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * The two-phase commit state of a session and its rules, written once for both drivers (psycopg's): which call
 * is allowed when, the statement each one sends, and what its outcome does to the state. No I/O here: the
 * {@link TransactionOp}s run the statements.
 *
 * <p>Not thread-safe: the thread acting for the connection only (the blocking connection's lock holder, the async
 * connection's event loop).
 */
public final class TwoPhaseSteps {
    /** Microseconds since the epoch, so the timestamp does not depend on the session's DateStyle. */
    public static final String RECOVER_SQL = "SELECT gid, (extract(epoch FROM prepared) * 1000000)::int8, "
            + "owner::text, database::text FROM pg_catalog.pg_prepared_xacts ORDER BY prepared, gid";
    /** tpcBegin() without an xid. */
    public static final String XID_NEEDED = "tpcBegin() needs an xid: use conn.xid(formatId, gtrid, bqual) or a gid string";

    /** A two-phase call by id ({@code call}: tpcCommit, tpcRollback) without one. */
    public static ProgrammingException idNeeded(String call) {
        return new ProgrammingException(call + "(xid) needs an xid: call " + call + "() for the current transaction");
    }

    /** The gid of the two-phase transaction in progress (an Xid's text), or null. */
    private String xid;
    private boolean prepared;

    /** The two-phase transaction in progress, or null. */
    public String current() {
        return xid;
    }

    /**
     * Checks that {@code tpcBegin(id)} may run with the connection in transaction {@code status}
     * and autocommit {@code autocommit}.
     */
    public void checkBegin(String id, TransactionStatus status, boolean autocommit) {
        if (id == null) {
            throw new ProgrammingException(XID_NEEDED);
        }
        if (xid != null) {
            throw new ProgrammingException("can't start two-phase transaction " + id + ": transaction " + xid
                    + " is in progress; finish it with tpcCommit() or tpcRollback()");
        }
        if (status != TransactionStatus.IDLE) {
            throw new ProgrammingException("can't start two-phase transaction: connection in status "
                    + statusName(status) + "; commit or roll back first");
        }
        if (autocommit) {
            throw new ProgrammingException("can't use two-phase transactions in autocommit mode: setAutocommit(false) first");
        }
    }

    /** The BEGIN (sent by the caller) opened two-phase transaction {@code id}. */
    public void begun(String id) {
        xid = id;
        prepared = false;
    }

    /** The BEGIN of {@code id} failed: no two-phase transaction after all. */
    public void abandon(String id) {
        if (id.equals(xid)) {
            xid = null;
            prepared = false;
        }
    }

    /** Checks that {@code tpcPrepare()} may run and returns its {@code PREPARE TRANSACTION}. */
    public String prepareSql(boolean inBlock) {
        if (xid == null) {
            throw new ProgrammingException("tpcPrepare() must be called inside a two-phase transaction: call tpcBegin() first");
        }
        checkNoBlock(inBlock, "tpcPrepare()");
        if (prepared) {
            throw new ProgrammingException("tpcPrepare() was already called for " + xid + ": finish it with tpcCommit() or tpcRollback()");
        }
        return "PREPARE TRANSACTION " + quoteLiteral(xid);
    }

    /**
     * PREPARE TRANSACTION for {@code id} completed with the command tag {@code lastTag}: the transaction is
     * prepared, or, when the server answered ROLLBACK (a statement in it had failed), it is over and the
     * call fails.
     */
    public void prepareDone(String id, String lastTag) {
        if ("ROLLBACK".equals(lastTag)) {
            if (id.equals(xid)) {
                xid = null;
                prepared = false;
            }
            throw new ProgrammingException("two-phase transaction " + id + " was rolled back, not prepared: a "
                    + "statement in it had failed");
        }
        if (id.equals(xid)) {
            prepared = true;
        }
    }

    /**
     * PREPARE TRANSACTION for {@code id} failed with {@code e}; {@code ended} when the server ended the
     * transaction (idle again, or the connection is gone); {@code connectionGone} when the connection was lost or
     * closed by the user before the reply came. Returns the exception the caller raises: for a reply that never
     * came, {@link TransactionResolutionUnknown}, since the server may have prepared the transaction, which then
     * waits, in doubt, for tpcCommit(xid) or tpcRollback(xid).
     */
    public TuskException prepareFailed(String id, TuskException e, boolean ended, boolean connectionGone) {
        if (id.equals(xid)) {
            prepared = false;
            if (ended) {
                xid = null;
            }
        }
        if ("55000".equals(e.sqlstate())) {
            return new NotSupportedException("the server does not allow prepared transactions (" + e.getMessage()
                    + "): set max_prepared_transactions > 0 in its configuration", e, e.diag());
        }
        if (connectionGone && !(e instanceof TransactionResolutionUnknown)) {
            return inDoubt(id, "PREPARE TRANSACTION", "prepared", e);
        }
        return e;
    }

    /**
     * A ROLLBACK PREPARED or COMMIT PREPARED ({@code sql}) of {@code id} whose reply never came because the
     * connection was lost or closed: the transaction may still be prepared.
     */
    public static TuskException finishFailed(String sql, TuskException e, boolean connectionGone) {
        if (!connectionGone || e instanceof TransactionResolutionUnknown || !sql.startsWith("ROLLBACK PREPARED")) {
            return e;
        }
        return new TransactionResolutionUnknown("the connection was lost or closed before the reply to " + sql
                + " arrived: the prepared transaction may or may not have been rolled back; on a new connection,"
                + " look for it with tpcRecover() and finish it with tpcRollback(xid) if it is still there ("
                + TransactionSteps.reason(e) + ")", e);
    }

    private static TransactionResolutionUnknown inDoubt(String id, String statement, String done, TuskException e) {
        return new TransactionResolutionUnknown("the connection was lost or closed before the reply to " + statement
                + " arrived: two-phase transaction " + id + " may or may not have been " + done + "; on a new"
                + " connection, look for it with tpcRecover() and finish it with tpcCommit(xid) or tpcRollback(xid)"
                + " if it is there (" + TransactionSteps.reason(e) + ")", e);
    }

    /** Marks the current transaction prepared before its reply is in (the async driver: statements sent later are refused). */
    public void preparing() {
        prepared = true;
    }

    /**
     * Checks a {@code tpcCommit}/{@code tpcRollback} ({@code action} COMMIT or ROLLBACK, {@code call} the
     * method name) and returns its SQL. With {@code id} null it finishes the current transaction, and the
     * state ends even if the server then refuses: a failed one-phase COMMIT ends the transaction, and a
     * prepared one that can't be finished here (finished elsewhere, say) stays recoverable with
     * tpcCommit(xid)/tpcRollback(xid) instead of trapping this connection.
     */
    public String finishSql(String action, String call, String id, TransactionStatus status, boolean inBlock) {
        checkNoBlock(inBlock, call + "()");
        if (id == null) {
            if (xid == null) {
                throw new ProgrammingException(call + "() without an xid must be called inside a two-phase "
                        + "transaction: call tpcBegin() first, or pass the xid of a prepared transaction");
            }
            String current = xid;
            boolean wasPrepared = prepared;
            xid = null;
            prepared = false;
            return wasPrepared ? action + " PREPARED " + quoteLiteral(current) : action;
        }
        if (xid != null) {
            throw new ProgrammingException(call + "(xid) must be called outside a two-phase transaction: "
                    + "transaction " + xid + " is in progress on this connection");
        }
        if (status != TransactionStatus.IDLE) {
            throw new ProgrammingException(call + "(xid) can't run inside a transaction (status "
                    + statusName(status) + "): commit or roll back first, or use autocommit");
        }
        return action + " PREPARED " + quoteLiteral(id);
    }

    /** PREPARE, COMMIT and ROLLBACK end the whole transaction: not while blocks inside it are open. */
    private static void checkNoBlock(boolean inBlock, String call) {
        if (inBlock) {
            throw new ProgrammingException(call + " is forbidden inside a transaction() block: end the block first");
        }
    }

    /** commit()/rollback() are refused during a two-phase transaction. */
    public void checkNotInTpc(String call) {
        if (xid != null) {
            throw new ProgrammingException(call + " is forbidden during two-phase transaction " + xid
                    + ": use tpcCommit() or tpcRollback()");
        }
    }

    /** After PREPARE TRANSACTION only tpcCommit/tpcRollback may run. */
    public void checkNoStatementAfterPrepare() {
        if (prepared) {
            throw new ProgrammingException("two-phase transaction " + xid + " is prepared: finish it with tpcCommit() "
                    + "or tpcRollback() before running other statements");
        }
    }

    /** The status as psycopg names it in these errors (INTRANS, INERROR; anything else as IDLE). */
    static String statusName(TransactionStatus status) {
        return status == TransactionStatus.INTRANS || status == TransactionStatus.INERROR ? status.name() : "IDLE";
    }

    /**
     * A gid as a string literal: quotes doubled, and the E'' form when it holds a backslash, so it reads
     * the same whatever standard_conforming_strings says.
     */
    public static String quoteLiteral(String s) {
        String q = s.replace("'", "''");
        if (s.indexOf('\\') >= 0) {
            return "E'" + q.replace("\\", "\\\\") + "'";
        }
        return "'" + q + "'";
    }

    /** Makes an xid of a row of {@link #RECOVER_SQL}'s result (dev.tusk's {@code Xid::recovered}). */
    @FunctionalInterface
    public interface RecoveredXid<X> {
        X make(String gid, Instant prepared, String owner, String database);
    }

    /** The xids of {@link #RECOVER_SQL}'s result, each made by {@code xid} (which parses XA ids back). */
    public static <X> List<X> recovered(ResultData r, RecoveredXid<X> xid) {
        List<X> out = new ArrayList<>(r.rowCount());
        for (int i = 0; i < r.rowCount(); i++) {
            String micros = text(r, i, 1);
            Instant when = micros == null ? null : Instant.EPOCH.plus(Long.parseLong(micros), ChronoUnit.MICROS);
            out.add(xid.make(text(r, i, 0), when, text(r, i, 2), text(r, i, 3)));
        }
        return out;
    }

    private static String text(ResultData r, int row, int col) {
        int len = r.length(row, col);
        return len < 0 ? null : new String(r.data(row), r.offset(row, col), len, StandardCharsets.UTF_8);
    }
}
