package dev.tusk;

import dev.tusk.errors.ProgrammingException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Transaction blocks of an {@link AsyncConnection}: BEGIN (or a SAVEPOINT when a transaction is already
 * open), the body's future, then COMMIT/RELEASE when it completes or ROLLBACK when it fails, with the
 * same SQL and the same {@link Rollback} rules as the blocking {@link Transaction}.
 */
final class AsyncTransactions<R> {
    private final AsyncConnection<R> conn;
    private final AtomicInteger savepoints = new AtomicInteger();

    AsyncTransactions(AsyncConnection<R> conn) {
        this.conn = conn;
    }

    /** Whether the block began the transaction, and its savepoint; decided on the loop thread. */
    private static final class Block {
        boolean outer;
        String savepoint;
    }

    <T> CompletableFuture<T> run(TransactionOptions opts, Function<AsyncConnection<R>, ? extends CompletionStage<T>> body) {
        Block block = new Block();
        CompletableFuture<Void> opened = conn.runOwn(idle -> {
            block.outer = idle;
            if (!idle && opts.hasCharacteristics()) {
                throw new ProgrammingException("isolationLevel, readOnly and deferrable can only be set on the outermost"
                        + " transaction block, and a transaction is already open");
            }
            block.savepoint = opts.savepointName() != null ? opts.savepointName()
                    : idle ? null : "_tusk_async_" + savepoints.incrementAndGet();
            String begin = idle ? Transactions.beginStatement(
                    opts.isolationLevel() != null ? opts.isolationLevel() : conn.isolationLevel(),
                    opts.readOnly() != null ? opts.readOnly() : conn.readOnly(),
                    opts.deferrable() != null ? opts.deferrable() : conn.deferrable()) : null;
            return new AsyncConnection.OwnStatement(Transaction.openSql(idle, begin, block.savepoint), idle ? 'T' : null);
        });
        CompletableFuture<T> result = new CompletableFuture<>();
        opened.thenCompose(v -> {
            CompletionStage<T> stage;
            try {
                stage = body.apply(conn);
            } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
            }
            return stage;
        }).whenComplete((value, error) -> {
            if (!opened.isDone() || opened.isCompletedExceptionally()) {
                result.completeExceptionally(unwrap(error));
                return;
            }
            boolean ok = error == null;
            String end = ok ? Transaction.commitSql(block.outer, block.savepoint)
                    : Transaction.rollbackSql(block.outer, block.savepoint);
            conn.runOwn(idle -> new AsyncConnection.OwnStatement(end, block.outer ? 'I' : null)).whenComplete((v, endError) -> {
                Throwable cause = unwrap(error);
                if (ok) {
                    if (endError != null) {
                        result.completeExceptionally(unwrap(endError));
                    } else {
                        result.complete(value);
                    }
                } else if (cause instanceof Rollback r && r.transaction() == null) {
                    result.complete(null); // a quiet rollback of this block
                } else {
                    if (endError != null) {
                        cause.addSuppressed(unwrap(endError));
                    }
                    result.completeExceptionally(cause);
                }
            });
        });
        return result;
    }

    private static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
