package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.op.PipelineState;

/**
 * Pipeline mode: statements are sent without waiting for their results, which come back in order.
 * An error aborts the statements that follow it up to the next {@link #sync()}: they fail with
 * {@code PipelineAborted}, those already queued as soon as the error arrives, those sent later at once.
 * {@code sync()} and {@code close()} raise the error, unless fetching a result has already raised it;
 * after {@code sync()} the pipeline runs statements again.
 *
 * <pre>{@code
 * try (Pipeline p = conn.pipeline()) {
 *     Cursor<Row> a = conn.execute("INSERT INTO t VALUES (%s) RETURNING id", 1);
 *     Cursor<Row> b = conn.execute("SELECT count(*) FROM t");
 *     p.sync();                         // one round trip for both
 *     long id = a.fetchone().getLong(0);
 * }
 * }</pre>
 *
 * Fetching from a cursor whose result has not arrived flushes the pipeline and waits for that result.
 * Queries without parameters use the extended protocol too, so each string holds one statement.
 */
public final class Pipeline implements AutoCloseable {
    private final Connection<?> conn;
    /** The rules of pipeline mode (internal.op.PipelineState): this class sends its Syncs and waits. */
    private final PipelineState state;
    private final PipelineState.Block block;
    private boolean closed;

    Pipeline(Connection<?> conn, PipelineState state, PipelineState.Block block) {
        this.conn = conn;
        this.state = state;
        this.block = block;
    }

    PipelineState.Block block() {
        return block;
    }

    /**
     * Sends a Sync and waits for every result before it; raises the first error since the last sync, unless
     * fetching a result already raised it (the {@code PipelineAborted} of the statements it made the server
     * skip are not raised again either). Afterwards statements run again.
     */
    public void sync() {
        conn.pipelines.sync(conn::checkUsable);
    }

    /** Syncs what is pending and leaves pipeline mode (a nested block returns to the outer one). */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        TuskException failure = null;
        try {
            if (!conn.isClosed() && state.sentSinceSync()) {
                sync();
            }
        } catch (TuskException e) {
            failure = e;
        } finally {
            conn.pipelines.ended(block);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
