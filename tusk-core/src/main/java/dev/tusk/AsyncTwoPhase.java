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
        return settle(sent.handleAsync((v, e) -> {
            if (e != null) {
                if (begun[0]) {
                    state.abandon(id); // BEGIN failed on the server: no two-phase transaction
                }
                throw rethrow(e);
            }
            return null;
        }, conn.loopExecutor()));
    }

    CompletableFuture<Void> prepare() {
        Xid[] preparing = new Xid[1];
        CompletableFuture<String> sent = conn.runOwnForTag(idle -> {
            String sql = state.prepareSql(transactions.inBlock());
            preparing[0] = state.current();
            state.preparing(); // statements sent after this one are refused, as after a blocking tpcPrepare()
            return new AsyncConnection.OwnStatement(sql, 'I');
        });
        return settle(sent.handleAsync((tag, e) -> {
            Xid id = preparing[0];
            if (id == null) { // refused before anything was sent
                throw rethrow(e);
            }
            if (e != null) {
                Throwable cause = AsyncTransactions.unwrap(e);
                if (cause instanceof TuskException te) {
                    boolean ended = conn.isClosed() || conn.info().transactionStatus() == TransactionStatus.IDLE;
                    throw state.prepareFailed(id, te, ended);
                }
                throw rethrow(cause);
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

    private CompletableFuture<Void> finish(String action, String call, Xid id) {
        CompletableFuture<Void> sent = conn.runOwn(idle -> new AsyncConnection.OwnStatement(
                state.finishSql(action, call, id, conn.expectedStatus(), transactions.inBlock()), 'I'));
        if (!"COMMIT".equals(action)) {
            return settle(sent);
        }
        // a COMMIT [PREPARED] whose reply was lost with the connection has an unknown outcome, and says so
        return settle(sent.handle((v, e) -> {
            if (e == null) {
                return null;
            }
            Throwable cause = AsyncTransactions.unwrap(e);
            if (cause instanceof TuskException te) {
                throw Transactions.outcomeUnknownIfLost(te, conn.isBroken());
            }
            throw rethrow(cause);
        }));
    }

    /** The prepared transactions of the whole server; no BEGIN, so the transaction state stays as it is. */
    CompletableFuture<List<Xid>> recover() {
        return settle(conn.runOwnForResults(idle -> new AsyncConnection.OwnStatement(TwoPhaseState.RECOVER_SQL, null))
                .thenApply(results -> TwoPhaseState.recovered(results.get(0))));
    }

    /**
     * A future with the outcome of {@code stage}, its failure unwrapped: the caller's {@code handle} sees the
     * ProgrammingException or server error itself, as with every other AsyncConnection future.
     */
    static <T> CompletableFuture<T> settle(CompletableFuture<T> stage) {
        LoopFuture<T> f = new LoopFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(AsyncTransactions.unwrap(e));
            } else {
                f.complete(v);
            }
        });
        return f;
    }

    /** {@code e} to throw from a stage: unchecked as it is, else wrapped (the stage's future fails with it either way). */
    private static RuntimeException rethrow(Throwable e) {
        return e instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(e);
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
