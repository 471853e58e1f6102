package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.LoopFuture;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Two-phase commit on an {@link AsyncConnection}: the rules and SQL of {@link TwoPhaseState} (shared with
 * the blocking {@link TwoPhase}), checked on the event loop in order with the statements submitted before,
 * so a call pipelined after {@code tpcBegin} sees the transaction it opened. The state is confined to the
 * loop thread: the checks run where the statement is sent, the outcome is applied where its reply arrives.
 */
final class AsyncTwoPhase {
    private final AsyncConnection<?> conn;
    private final AsyncTransactions<?> transactions;
    private final TwoPhaseState state = new TwoPhaseState();

    AsyncTwoPhase(AsyncConnection<?> conn, AsyncTransactions<?> transactions) {
        this.conn = conn;
        this.transactions = transactions;
    }

    CompletableFuture<Void> begin(Xid id) {
        if (id == null) {
            return LoopFuture.failed(new ProgrammingException("tpcBegin() needs an xid: use conn.xid(formatId, gtrid, bqual) or a gid string"));
        }
        boolean[] begun = new boolean[1];
        CompletableFuture<Void> sent = conn.runOwn(idle -> {
            state.checkBegin(id, conn.expectedStatus(), conn.autocommit());
            state.begun(id);
            begun[0] = true;
            return new AsyncConnection.OwnStatement(
                    Transactions.beginStatement(conn.isolationLevel(), conn.readOnly(), conn.deferrable()), 'T');
        });
        return AsyncFutures.settle(sent.handleAsync((v, e) -> {
            if (e != null) {
                if (begun[0]) {
                    state.abandon(id); // BEGIN failed on the server: no two-phase transaction
                }
                throw AsyncFutures.rethrow(e);
            }
            return null;
        }, conn.loopExecutor()));
    }

    CompletableFuture<Void> prepare() {
        Xid[] preparing = new Xid[1];
        boolean[] sentAlive = new boolean[1]; // sent on a working connection (else it never left)
        CompletableFuture<String> sent = conn.runOwnForTag(idle -> {
            String sql = state.prepareSql(transactions.inBlock());
            preparing[0] = state.current();
            sentAlive[0] = conn.driver().failure() == null;
            state.preparing(); // statements sent after this one are refused, as after a blocking tpcPrepare()
            return new AsyncConnection.OwnStatement(sql, 'I');
        });
        return AsyncFutures.settle(sent.handleAsync((tag, e) -> {
            Xid id = preparing[0];
            if (id == null) { // refused before anything was sent
                throw AsyncFutures.rethrow(e);
            }
            if (e != null) {
                Throwable cause = LoopFuture.unwrap(e);
                if (cause instanceof TuskException te) {
                    boolean ended = conn.isClosed() || conn.info().transactionStatus() == TransactionStatus.IDLE;
                    // a reply lost with the connection (or cut off by close()) leaves it in doubt: maybe prepared
                    throw state.prepareFailed(id, te, ended, sentAlive[0] && conn.isClosed());
                }
                throw AsyncFutures.rethrow(cause);
            }
            state.prepareDone(id, tag);
            return null;
        }, conn.loopExecutor()));
    }

    CompletableFuture<Void> commit(Xid id) {
        return finish("COMMIT", "tpcCommit", id);
    }

    CompletableFuture<Void> rollback(Xid id) {
        return finish("ROLLBACK", "tpcRollback", id);
    }

    /**
     * A COMMIT [PREPARED] whose reply was lost with the connection fails as unknown (AsyncConnection's own
     * statements), and so does a ROLLBACK PREPARED (the transaction may still be prepared).
     */
    private CompletableFuture<Void> finish(String action, String call, Xid id) {
        String[] sent = new String[1];
        boolean[] sentAlive = new boolean[1]; // sent on a working connection (else it never left)
        CompletableFuture<Void> done = conn.runOwn(idle -> {
            sent[0] = state.finishSql(action, call, id, conn.expectedStatus(), transactions.inBlock());
            sentAlive[0] = conn.driver().failure() == null;
            return new AsyncConnection.OwnStatement(sent[0], 'I');
        });
        return AsyncFutures.settle(done.handleAsync((v, e) -> {
            if (e == null) {
                return null;
            }
            Throwable cause = LoopFuture.unwrap(e);
            if (sent[0] != null && cause instanceof TuskException te) {
                throw TwoPhaseState.finishFailed(sent[0], te, sentAlive[0] && conn.isClosed());
            }
            throw AsyncFutures.rethrow(cause);
        }, conn.loopExecutor()));
    }

    /** The prepared transactions of the whole server; no BEGIN, so the transaction state stays as it is. */
    CompletableFuture<List<Xid>> recover() {
        return AsyncFutures.settle(conn.runOwnForResults(idle -> new AsyncConnection.OwnStatement(TwoPhaseState.RECOVER_SQL, null))
                .thenApply(results -> TwoPhaseState.recovered(results.get(0))));
    }

    /** commit()/rollback() are refused during a two-phase transaction. Loop thread. */
    void checkNotInTpc(String call) {
        state.checkNotInTpc(call);
    }

    /** After PREPARE TRANSACTION only tpcCommit/tpcRollback may run. Loop thread. */
    void checkNoStatementAfterPrepare() {
        state.checkNoStatementAfterPrepare();
    }
}
