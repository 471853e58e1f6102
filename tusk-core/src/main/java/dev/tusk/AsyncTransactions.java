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

    <T> CompletableFuture<T> run(TransactionOptions opts, Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        AsyncTransaction<R> block = new AsyncTransaction<>(conn);
        CompletableFuture<Void> opened = conn.runOwn(idle -> {
            block.outermost = idle;
            if (!idle && opts.hasCharacteristics()) {
                throw new ProgrammingException("isolationLevel, readOnly and deferrable can only be set on the outermost"
                        + " transaction block, and a transaction is already open");
            }
            block.savepointName = opts.savepointName() != null ? opts.savepointName()
                    : idle ? null : "_tusk_async_" + savepoints.incrementAndGet();
            String begin = idle ? Transactions.beginStatement(
                    opts.isolationLevel() != null ? opts.isolationLevel() : conn.isolationLevel(),
                    opts.readOnly() != null ? opts.readOnly() : conn.readOnly(),
                    opts.deferrable() != null ? opts.deferrable() : conn.deferrable()) : null;
            return new AsyncConnection.OwnStatement(Transaction.openSql(idle, begin, block.savepointName), idle ? 'T' : null);
        });
        CompletableFuture<T> result = new CompletableFuture<>();
        opened.thenCompose(v -> {
            CompletionStage<T> stage;
            try {
                stage = body.apply(block);
            } catch (RuntimeException e) {
                return CompletableFuture.<T>failedFuture(e);
            }
            return stage;
        }).whenComplete((value, error) -> {
            if (!opened.isDone() || opened.isCompletedExceptionally()) {
                block.status(Transaction.Status.FAILED);
                result.completeExceptionally(unwrap(error));
                return;
            }
            boolean ok = error == null;
            String end = ok ? Transaction.commitSql(block.outermost, block.savepointName)
                    : Transaction.rollbackSql(block.outermost, block.savepointName);
            conn.runOwn(idle -> new AsyncConnection.OwnStatement(end, block.outermost ? 'I' : null)).whenComplete((v, endError) -> {
                Throwable cause = unwrap(error);
                boolean quiet = cause instanceof Rollback r && r.transaction() == null
                        && (r.asyncTransaction() == null || r.asyncTransaction() == block);
                block.status(endError != null ? Transaction.Status.FAILED : ok ? Transaction.Status.COMMITTED
                        : quiet || cause instanceof Rollback ? Transaction.Status.ROLLED_BACK_EXPLICITLY
                        : Transaction.Status.ROLLED_BACK_WITH_ERROR);
                if (ok) {
                    if (endError != null) {
                        result.completeExceptionally(unwrap(endError));
                    } else {
                        result.complete(value);
                    }
                } else if (quiet) {
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

    /** The failure itself, without the CompletionException that dependent stages wrap it in. */
    static Throwable unwrap(Throwable t) {
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }
}
