package dev.tusk;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Two-phase commit on one connection, with psycopg's rules: {@code tpcBegin} outside any transaction and
 * not in autocommit; {@code tpcPrepare} once; {@code tpcCommit()/tpcRollback()} finish the current one
 * (one-phase when it was not prepared); with an xid they finish a prepared transaction from any connection,
 * outside a transaction. State guarded by the connection's lock.
 */
final class TwoPhase {
    /** Microseconds since the epoch, so the timestamp does not depend on the session's DateStyle. */
    private static final String RECOVER_SQL = "SELECT gid, (extract(epoch FROM prepared) * 1000000)::int8, "
            + "owner::text, database::text FROM pg_catalog.pg_prepared_xacts ORDER BY prepared, gid";

    private final Connection<?> conn;
    private final Transactions transactions;
    private Xid xid;
    private boolean prepared;

    TwoPhase(Connection<?> conn, Transactions transactions) {
        this.conn = conn;
        this.transactions = transactions;
    }

    void begin(Xid id) {
        if (id == null) {
            throw new ProgrammingException("tpcBegin() needs an xid: use conn.xid(formatId, gtrid, bqual) or a gid string");
        }
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            if (xid != null) {
                throw new ProgrammingException("can't start two-phase transaction " + id + ": transaction " + xid
                        + " is in progress; finish it with tpcCommit() or tpcRollback()");
            }
            if (transactions.status() != 'I') {
                throw new ProgrammingException("can't start two-phase transaction: connection in status "
                        + transactions.statusName() + "; commit or roll back first");
            }
            if (transactions.autocommit()) {
                throw new ProgrammingException("can't use two-phase transactions in autocommit mode: setAutocommit(false) first");
            }
            transactions.runCommand(transactions.beginSql());
            xid = id;
            prepared = false;
        } finally {
            conn.lock.unlock();
        }
    }

    void prepare() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            if (xid == null) {
                throw new ProgrammingException("tpcPrepare() must be called inside a two-phase transaction: call tpcBegin() first");
            }
            checkNoBlock("tpcPrepare()");
            if (prepared) {
                throw new ProgrammingException("tpcPrepare() was already called for " + xid + ": finish it with tpcCommit() or tpcRollback()");
            }
            conn.syncPipelineIfAny();
            SimpleQuery q;
            try {
                q = transactions.runCommand("PREPARE TRANSACTION " + quoteLiteral(xid.toString()));
            } catch (TuskException e) {
                if (transactions.status() == 'I' || conn.isClosed()) {
                    xid = null; // the server ended the transaction (rolled back)
                }
                if ("55000".equals(e.sqlstate())) {
                    throw new NotSupportedException("the server does not allow prepared transactions ("
                            + e.getMessage() + "): set max_prepared_transactions > 0 in its configuration", e, e.diag());
                }
                throw e;
            }
            List<ResultData> results = q.results();
            if (!results.isEmpty() && "ROLLBACK".equals(results.get(results.size() - 1).commandTag())) {
                Xid lost = xid;
                xid = null;
                throw new ProgrammingException("two-phase transaction " + lost + " was rolled back, not prepared: a "
                        + "statement in it had failed");
            }
            prepared = true;
        } finally {
            conn.lock.unlock();
        }
    }

    void commit(Xid id) {
        finish("COMMIT", "tpcCommit", id);
    }

    void rollback(Xid id) {
        finish("ROLLBACK", "tpcRollback", id);
    }

    private void finish(String action, String call, Xid id) {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            checkNoBlock(call + "()");
            if (id == null) {
                if (xid == null) {
                    throw new ProgrammingException(call + "() without an xid must be called inside a two-phase "
                            + "transaction: call tpcBegin() first, or pass the xid of a prepared transaction");
                }
                // the state ends even when the server refuses: a failed one-phase COMMIT ends the transaction,
                // and a prepared one that can't be finished here (finished elsewhere, say) stays recoverable
                // with tpcCommit(xid)/tpcRollback(xid) instead of trapping this connection
                Xid current = xid;
                boolean wasPrepared = prepared;
                xid = null;
                prepared = false;
                runFinish(action, wasPrepared ? action + " PREPARED " + quoteLiteral(current.toString()) : action);
                return;
            }
            if (xid != null) {
                throw new ProgrammingException(call + "(xid) must be called outside a two-phase transaction: "
                        + "transaction " + xid + " is in progress on this connection");
            }
            if (transactions.status() != 'I') {
                throw new ProgrammingException(call + "(xid) can't run inside a transaction (status "
                        + transactions.statusName() + "): commit or roll back first, or use autocommit");
            }
            runFinish(action, action + " PREPARED " + quoteLiteral(id.toString()));
        } finally {
            conn.lock.unlock();
        }
    }

    /** A COMMIT [PREPARED] whose reply was lost with the connection has an unknown outcome, and says so. */
    private void runFinish(String action, String sql) {
        try {
            transactions.runCommand(sql);
        } catch (TuskException e) {
            throw "COMMIT".equals(action) ? transactions.outcomeUnknownIfLost(e) : e;
        }
    }

    /** The prepared transactions of the whole server (not only this database), as psycopg. */
    List<Xid> recover() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            SimpleQuery q = transactions.runCommand(RECOVER_SQL); // no BEGIN: leaves the transaction state alone
            ResultData r = q.results().get(0);
            List<Xid> out = new ArrayList<>(r.rowCount());
            for (int i = 0; i < r.rowCount(); i++) {
                String micros = text(r, i, 1);
                Instant when = micros == null ? null : Instant.EPOCH.plus(Long.parseLong(micros), ChronoUnit.MICROS);
                out.add(Xid.recovered(text(r, i, 0), when, text(r, i, 2), text(r, i, 3)));
            }
            return out;
        } finally {
            conn.lock.unlock();
        }
    }

    private static String text(ResultData r, int row, int col) {
        int len = r.length(row, col);
        return len < 0 ? null : new String(r.data(), r.offset(row, col), len, StandardCharsets.UTF_8);
    }

    /** PREPARE, COMMIT and ROLLBACK end the whole transaction: not while blocks inside it are open. */
    private void checkNoBlock(String call) {
        if (transactions.inBlock()) {
            throw new ProgrammingException(call + " is forbidden inside a transaction() block: end the block first");
        }
    }

    void checkNotInTpc(String call) {
        if (xid != null) {
            throw new ProgrammingException(call + " is forbidden during two-phase transaction " + xid
                    + ": use tpcCommit() or tpcRollback()");
        }
    }

    /** After PREPARE TRANSACTION only tpcCommit/tpcRollback may run. Lock held. */
    void checkNoStatementAfterPrepare() {
        if (prepared) {
            throw new ProgrammingException("two-phase transaction " + xid + " is prepared: finish it with tpcCommit() "
                    + "or tpcRollback() before running other statements");
        }
    }

    /**
     * A gid as a string literal: quotes doubled, and the E'' form when it holds a backslash, so it reads
     * the same whatever standard_conforming_strings says.
     */
    static String quoteLiteral(String s) {
        String q = s.replace("'", "''");
        if (s.indexOf('\\') >= 0) {
            return "E'" + q.replace("\\", "\\\\") + "'";
        }
        return "'" + q + "'";
    }
}
