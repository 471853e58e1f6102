package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.SyncCommand;

import java.util.ArrayList;
import java.util.List;

/**
 * Pipeline mode: statements are sent without waiting for their results, which come back in order.
 * An error aborts the statements that follow it up to the next {@link #sync()} (they fail with
 * {@code PipelineAborted}); {@code sync()} and {@code close()} raise the first error.
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
    private final List<Command> sinceSync = new ArrayList<>();
    private final Pipeline outer;
    private boolean closed;
    private boolean beganTransaction;

    Pipeline(Connection<?> conn, Pipeline outer) {
        this.conn = conn;
        this.outer = outer;
    }

    /** Records a statement sent in this pipeline. Lock held. */
    void sent(Command c) {
        root().sinceSync.add(c);
    }

    Pipeline root() {
        return outer == null ? this : outer.root();
    }

    boolean beganTransaction() {
        return root().beganTransaction;
    }

    void beganTransaction(boolean b) {
        root().beganTransaction = b;
    }

    /** True when a statement failed since the last sync. */
    boolean aborted() {
        for (Command c : root().sinceSync) {
            if (c.isDone() && c.error() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends a Sync and waits for every result before it; raises the first error since the last sync.
     */
    public void sync() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            SyncCommand sync = new SyncCommand();
            conn.driver().run(sync);
            Pipeline root = root();
            root.beganTransaction = false;
            List<Command> sent = new ArrayList<>(root.sinceSync);
            root.sinceSync.clear();
            for (Command c : sent) {
                if (c.error() != null) {
                    throw c.error();
                }
            }
            sync.throwIfFailed();
        } finally {
            conn.lock.unlock();
        }
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
            if (!conn.isClosed() && !root().sinceSync.isEmpty()) {
                sync();
            }
        } catch (TuskException e) {
            failure = e;
        } finally {
            conn.pipelineEnded(this, outer);
        }
        if (failure != null) {
            throw failure;
        }
    }
}
