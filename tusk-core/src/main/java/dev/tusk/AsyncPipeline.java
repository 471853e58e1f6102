package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.Session;

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
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile CompletableFuture<Void> closing;
    /** Acting thread only (see AsyncConnection's fields), as the fields below. */
    private AsyncPipeline outer;
    /** Statements sent since the last Sync (root pipeline only). */
    private int unsynced;
    /** The first error since the caller last synced (root pipeline only). */
    private TuskException firstError;

    AsyncPipeline(AsyncConnection<?> conn) {
        this.conn = conn;
    }

    /**
     * Sends a Sync; the future completes once every result before it is in, or fails with the first error
     * since the last {@code sync()}.
     */
    public CompletableFuture<Void> sync() {
        if (closed.get()) {
            return LoopFuture.failed(new dev.tusk.errors.ProgrammingException("sync() on a closed pipeline"));
        }
        return conn.pipelineSync(this, false);
    }

    /**
     * Syncs and leaves pipeline mode (a nested block returns to the outer one); the future is that of the
     * Sync. Statements submitted after this call are no longer part of the pipeline. Idempotent.
     */
    public CompletableFuture<Void> closeAsync() {
        if (closed.compareAndSet(false, true)) {
            closing = conn.pipelineSync(this, true);
        }
        return closing;
    }

    /** {@link #closeAsync()} without waiting. */
    @Override
    public void close() {
        closeAsync();
    }

    // ------------------------------------------------------------------ the connection's side (acting thread)

    void enter(AsyncPipeline outer) {
        this.outer = outer;
    }

    AsyncPipeline outer() {
        return outer;
    }

    private AsyncPipeline root() {
        return outer == null ? this : outer.root();
    }

    /** A statement was sent without Sync. */
    /** A statement was sent in the pipeline; one refused at once (the pipeline is aborted until the next Sync) does not count. */
    void sent(Command cmd) {
        if (!cmd.isDone()) {
            root().unsynced++;
        }
    }

    private final Session.Pipelining tracker = new Session.Pipelining() {
        @Override
        public void sent(Command cmd) {
            AsyncPipeline.this.sent(cmd);
        }

        @Override
        public void failed(TuskException e) {
            AsyncPipeline.this.failed(e);
        }
    };

    /** What the operation layer tells this pipeline about the statements sent in it. */
    Session.Pipelining tracker() {
        return tracker;
    }

    boolean hasUnsynced() {
        return root().unsynced > 0;
    }

    /** A statement of the pipeline failed (or was skipped after a failure). */
    void failed(TuskException e) {
        AsyncPipeline root = root();
        if (root.firstError == null) {
            root.firstError = e;
        }
        conn.pipelineAborted();
    }

    SyncCommand startSync() {
        root().unsynced = 0;
        return new SyncCommand();
    }

    /**
     * The Sync's ReadyForQuery arrived: {@code f} (a caller's sync, else null for one the driver sent before
     * its own statement) completes with the first error since the caller last synced.
     */
    void synced(SyncCommand sync, LoopFuture<Void> f) {
        AsyncPipeline root = root();
        if (root.firstError == null) {
            root.firstError = sync.error();
        }
        if (f == null) {
            return;
        }
        TuskException e = root.firstError;
        root.firstError = null;
        if (e != null) {
            f.completeExceptionally(e);
        } else {
            f.complete(null);
        }
    }
}
