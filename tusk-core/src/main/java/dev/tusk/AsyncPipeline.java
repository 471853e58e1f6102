package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.PipelineState;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Pipeline mode on an {@link AsyncConnection}, as {@link Pipeline} on a blocking one: the statements submitted
 * while the block is open share one Sync. Their futures complete as their results arrive (the driver asks the
 * server to flush after each); an error fails its own statement and aborts the ones after it up to the next
 * {@link #sync()}, which fail with {@code PipelineAborted} as soon as the error arrives (those submitted later, at
 * once). In autocommit mode the statements between two
 * Syncs form one implicit transaction: they commit together, or not at all.
 *
 * <pre>{@code
 * AsyncPipeline p = conn.pipeline();
 * CompletableFuture<AsyncCursor<Row>> a = conn.execute("INSERT INTO t VALUES (%s) RETURNING id", 1);
 * CompletableFuture<AsyncCursor<Row>> b = conn.execute("SELECT count(*) FROM t");
 * p.sync()                                  // one round trip for both; fails with the first error
 *  .thenCompose(v -> p.closeAsync());
 * }</pre>
 *
 * Statements without parameters use the extended protocol too, so each string holds one statement; COPY is
 * refused in pipeline mode. Committing, rolling back or opening a savepoint syncs first.
 */
public final class AsyncPipeline implements AutoCloseable {
    private final AsyncConnection<?> conn;
    /** The block this object stands for in the connection's pipeline state (internal.op.PipelineState). */
    private final PipelineState.Block block;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CompletableFuture<Void> closing;

    AsyncPipeline(AsyncConnection<?> conn, PipelineState.Block block) {
        this.conn = conn;
        this.block = block;
    }

    /** Opens a pipeline block ({@link AsyncConnection#pipeline()}), entered in order with the statements submitted before. */
    static AsyncPipeline open(AsyncConnection<?> conn) {
        AsyncPipeline p = new AsyncPipeline(conn, conn.session.pipelines().newBlock());
        conn.operations.enterPipeline(p.block, conn.lease());
        return p;
    }

    /**
     * Sends a Sync for the pipeline this block belongs to, and leaves the block when {@code leave}; the future
     * completes when every result before the Sync is in, failing with the first error among them.
     */
    private CompletableFuture<Void> sync(boolean leave) {
        return conn.leaseOver() ? ConnectionShell.refusedLease() : conn.operations.syncPipeline(block, leave, conn.lease());
    }

    /**
     * Sends a Sync; the future completes once every result before it is in, or fails with the first error
     * since the last {@code sync()}.
     */
    public CompletableFuture<Void> sync() {
        if (closed.get()) {
            return LoopFuture.failed(new ProgrammingException("sync() on a closed pipeline"));
        }
        return sync(false);
    }

    /**
     * Syncs and leaves pipeline mode (a nested block returns to the outer one); the future is that of the
     * Sync. Statements submitted after this call are no longer part of the pipeline. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        if (closed.compareAndSet(false, true)) {
            closing = sync(true);
        }
        return closing;
    }

    /** {@link #closeAsync()} without waiting. */
    @Override
    public void close() {
        closeAsync();
    }
}
