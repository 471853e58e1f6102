package dev.tusk;

import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.SyncCommand;
import dev.tusk.internal.op.StatementTimer;
import dev.tusk.internal.op.Session;

import java.util.ArrayList;
import java.util.List;

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
    private final List<Command> sinceSync = new ArrayList<>();
    /** Errors of {@link #sinceSync} a fetch has already raised (compared by identity). */
    private final List<TuskException> raised = new ArrayList<>(1);
    private final Pipeline outer;
    private boolean closed;
    private final Session.Pipelining tracker = new Session.Pipelining() {
        @Override
        public void sent(Command cmd) {
            Pipeline.this.sent(cmd);
        }

        @Override
        public void failed(TuskException e) {
            // raised by the statement's cursor, or by sync()
        }
    };

    Pipeline(Connection<?> conn, Pipeline outer) {
        this.conn = conn;
        this.outer = outer;
    }

    /** Records a statement sent in this pipeline. Lock held. */
    void sent(Command c) {
        root().sinceSync.add(c);
    }

    /** A fetch raised {@code e}, the error of a statement sent in this pipeline. Lock held. */
    void raised(TuskException e) {
        root().raised.add(e);
    }

    Pipeline root() {
        return outer == null ? this : outer.root();
    }

    /** What the operation layer tells this pipeline: the statements sent in it (their errors are raised by sync()). */
    Session.Pipelining tracker() {
        return tracker;
    }

    boolean aborted() {
        for (Command c : root().sinceSync) {
            if (c.isDone() && c.error() != null) {
                return true;
            }
        }
        return false;
    }

    /**
     * Sends a Sync and waits for every result before it; raises the first error since the last sync, unless
     * fetching a result already raised it (the {@code PipelineAborted} of the statements it made the server
     * skip are not raised again either). Afterwards statements run again.
     */
    public void sync() {
        conn.lock.lock();
        try {
            conn.checkUsable();
            SyncCommand sync = new SyncCommand();
            conn.syncSent();
            java.time.Duration fired = conn.runTimed(sync);
            Pipeline root = root();
            List<Command> sent = new ArrayList<>(root.sinceSync);
            List<TuskException> seen = new ArrayList<>(root.raised);
            root.sinceSync.clear();
            root.raised.clear();
            TuskException first = firstError(sent);
            if (first != null && !raisedAlready(seen, first)) {
                throw fired != null ? StatementTimer.timedOut(fired, first) : first;
            }
            Connection.throwIfFailed(sync, fired);
        } finally {
            conn.lock.unlock();
        }
    }

    /** The error that aborted the pipeline (the PipelineAborted of the statements it skipped only without one). */
    private static TuskException firstError(List<Command> sent) {
        TuskException aborted = null;
        for (Command c : sent) {
            TuskException e = c.error();
            if (e instanceof PipelineAborted) {
                if (aborted == null) {
                    aborted = e;
                }
            } else if (e != null) {
                return e;
            }
        }
        return aborted;
    }

    private static boolean raisedAlready(List<TuskException> seen, TuskException e) {
        for (TuskException s : seen) {
            if (s == e) {
                return true;
            }
        }
        return false;
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
