package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;

import java.util.List;

/**
 * Two-phase commit on one blocking connection, with psycopg's rules: {@code tpcBegin} outside any
 * transaction and not in autocommit; {@code tpcPrepare} once; {@code tpcCommit()/tpcRollback()} finish the
 * current one (one-phase when it was not prepared); with an xid they finish a prepared transaction from any
 * connection, outside a transaction. The rules and SQL are {@link TwoPhaseState}'s (shared with
 * {@link AsyncTwoPhase}); this class runs them under the connection's lock.
 */
final class TwoPhase {
    private final Connection<?> conn;
    private final Transactions transactions;
    private final TwoPhaseState state = new TwoPhaseState();

    TwoPhase(Connection<?> conn, Transactions transactions) {
        this.conn = conn;
        this.transactions = transactions;
    }

    void begin(Xid id) {
        conn.lock.lock();
        try {
            if (id != null) {
                conn.checkUsable();
                conn.syncPipelineIfAny();
            }
            state.checkBegin(id, transactions.status(), transactions.autocommit());
            transactions.runCommand(transactions.beginSql());
            state.begun(id);
        } finally {
            conn.lock.unlock();
        }
    }

    void prepare() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            String sql = state.prepareSql(transactions.inBlock());
            conn.syncPipelineIfAny();
            Xid id = state.current();
            SimpleQuery q;
            try {
                q = transactions.runCommand(sql);
            } catch (TuskException e) {
                // a reply lost with the connection leaves the transaction in doubt: maybe prepared (trust #22)
                throw state.prepareFailed(id, e, transactions.status() == 'I' || conn.isClosed(), conn.isClosed());
            }
            List<ResultData> results = q.results();
            state.prepareDone(id, results.isEmpty() ? null : results.get(results.size() - 1).commandTag());
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
            String sql = state.finishSql(action, call, id, transactions.status(), transactions.inBlock());
            try {
                transactions.runCommand(sql);
            } catch (TuskException e) {
                // a COMMIT [PREPARED] whose reply was lost with the connection has an unknown outcome, and says so
                // and a ROLLBACK PREPARED's leaves the prepared transaction maybe still there
                throw "COMMIT".equals(action) ? transactions.outcomeUnknownIfLost(e)
                        : TwoPhaseState.finishFailed(sql, e, conn.isClosed());
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** The prepared transactions of the whole server (not only this database), as psycopg. */
    List<Xid> recover() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            conn.syncPipelineIfAny();
            SimpleQuery q = transactions.runCommand(TwoPhaseState.RECOVER_SQL); // no BEGIN: leaves the transaction state alone
            return TwoPhaseState.recovered(q.results().get(0));
        } finally {
            conn.lock.unlock();
        }
    }

    void checkNotInTpc(String call) {
        state.checkNotInTpc(call);
    }

    /** After PREPARE TRANSACTION only tpcCommit/tpcRollback may run. Lock held. */
    void checkNoStatementAfterPrepare() {
        state.checkNoStatementAfterPrepare();
    }
}
