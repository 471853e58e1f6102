package dev.tusk;

import dev.tusk.internal.io.LoopFuture;
import dev.tusk.errors.ProgrammingException;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
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
    /** Blocks opened (their BEGIN/SAVEPOINT sent) and not yet ended, as the loop has sent them. */
    private final AtomicInteger openBlocks = new AtomicInteger();

    AsyncTransactions(AsyncConnection<R> conn) {
        this.conn = conn;
    }

    <T> CompletableFuture<T> run(TransactionOptions opts, Function<AsyncTransaction<R>, ? extends CompletionStage<T>> body) {
        AsyncTransaction<R> block = new AsyncTransaction<>(conn);
        AtomicBoolean counted = new AtomicBoolean();
        CompletableFuture<Void> opened = conn.runOwn(idle -> {
            conn.twoPhase().checkNoStatementAfterPrepare();
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
            openBlocks.incrementAndGet();
            counted.set(true);
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
                if (counted.getAndSet(false)) {
                    openBlocks.decrementAndGet();
                }
                block.status(Transaction.Status.FAILED);
                result.completeExceptionally(LoopFuture.unwrap(error));
                return;
            }
            boolean ok = error == null;
            String end = ok ? Transaction.commitSql(block.outermost, block.savepointName)
                    : Transaction.rollbackSql(block.outermost, block.savepointName);
            conn.runOwnForTag(idle -> {
                if (counted.getAndSet(false)) {
                    openBlocks.decrementAndGet();
                }
                return new AsyncConnection.OwnStatement(end, block.outermost ? 'I' : null);
            }).whenComplete((tag, endError) -> {
                Throwable cause = ok ? null : notEnclosing(block, LoopFuture.unwrap(error));
                boolean quiet = cause instanceof Rollback r && r.transaction() == null
                        && (r.asyncTransaction() == null || r.asyncTransaction() == block);
                if (ok && endError == null && block.outermost && "ROLLBACK".equals(tag)) {
                    cause = Transaction.silentRollback(); // the server rolled back a transaction whose error the body swallowed
                }
                block.status(endError != null ? Transaction.Status.FAILED : cause == null ? Transaction.Status.COMMITTED
                        : cause instanceof Rollback ? Transaction.Status.ROLLED_BACK_EXPLICITLY
                        : Transaction.Status.ROLLED_BACK_WITH_ERROR);
                if (cause == null) {
                    if (endError != null && !block.outermost && !conn.isClosed()) {
                        // RELEASE refused (the body swallowed an error): undo the savepoint so the outer block can go on
                        String undo = Transaction.rollbackSql(false, block.savepointName);
                        conn.runOwn(idle -> new AsyncConnection.OwnStatement(undo, null))
                                .whenComplete((x, undoError) -> result.completeExceptionally(LoopFuture.unwrap(endError)));
                    } else if (endError != null) {
                        result.completeExceptionally(LoopFuture.unwrap(endError));
                    } else {
                        result.complete(value);
                    }
                } else if (quiet) {
                    result.complete(null); // a quiet rollback of this block
                } else {
                    if (endError != null && cause != LoopFuture.unwrap(endError)) {
                        cause.addSuppressed(LoopFuture.unwrap(endError));
                    }
                    result.completeExceptionally(cause);
                }
            });
        });
        return result;
    }

    /** True while a transaction() block is open, as far as the statements sent so far go (acting thread). */
    boolean inBlock() {
        return openBlocks.get() > 0;
    }

    /**
     * A {@link Rollback} naming a block that cannot be one around {@code block} (ended, of another connection,
     * a blocking {@link Transaction}, or anything outside an outermost block) becomes a ProgrammingException,
     * as in {@link Transactions}; any other failure stays as it is.
     */
    private Throwable notEnclosing(AsyncTransaction<R> block, Throwable cause) {
        if (!(cause instanceof Rollback r) || (r.transaction() == null && (r.asyncTransaction() == null || r.asyncTransaction() == block))) {
            return cause;
        }
        AsyncTransaction<?> target = r.asyncTransaction();
        boolean mayEnclose = r.transaction() == null && target.connection() == conn
                && target.status() == Transaction.Status.ACTIVE && !block.outermost;
        if (mayEnclose) {
            return cause;
        }
        return new ProgrammingException("Rollback names " + (target != null ? target : r.transaction())
                + ", which does not enclose the block it was thrown from: name this block or one around it", r);
    }
}
