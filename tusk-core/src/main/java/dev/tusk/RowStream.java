package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.Execute;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;

/**
 * Rows of a running statement, read from the socket a chunk at a time so memory stays bounded however
 * large the result: the server is held back by TCP flow control while the consumer works. Works in
 * autocommit mode too (no cursor or transaction needed).
 */
final class RowStream<R> implements Iterator<R> {
    private final Connection<?> conn;
    private QueryCommand cmd;
    private final AdaptersMap adapters;
    private final RowFactory<R> factory;
    private final ArrayDeque<ResultData> pending = new ArrayDeque<>();
    private ResultView view;
    private RowFactory.RowMaker<R> maker;
    private java.util.List<Column> makerColumns;
    private int pos;
    private boolean finished;
    private boolean interrupted;
    /**
     * The statement as {@link Connection#run} would run it (prepared-statement cache, formats), or null for a
     * stream of {@link Connection#openStream(Cursor, RowFactory, String, Object)}.
     */
    private final Execute op;
    /** The time left for waiting on the server (op streams; null: no timeout). */
    private final java.time.Duration timeout;
    private long waitLeftNanos;
    /** The statement timeout fired during an earlier wait (its QueryCanceled becomes the timeout's error). */
    private java.time.Duration fired;
    /** Another operation reads the rest into memory instead of ending the statement. */
    private final boolean keepRest;
    /** The statement's error, raised once the rows before it were consumed (op streams). */
    private TuskException failure;
    /** The op was told its command ended ({@link Execute#resume}). */
    private boolean resumed;
    /** The cursor that opened the stream (set by the connection). */
    Cursor<?> owner;
    /** The rows read from the socket at a time: psycopg's {@code stream(..., size=)}. */
    private int chunkRows = Connection.STREAM_CHUNK_ROWS;

    /** Reads {@code rows} rows from the socket at a time instead of {@link Connection#STREAM_CHUNK_ROWS}; before the first read. */
    void chunkRows(int rows) {
        chunkRows = rows;
        cmd.streamChunk(rows);
    }

    RowStream(Connection<?> conn, QueryCommand cmd, AdaptersMap adapters, RowFactory<R> factory) {
        this(conn, cmd, adapters, factory, null, null, false);
    }

    RowStream(Connection<?> conn, QueryCommand cmd, AdaptersMap adapters, RowFactory<R> factory, Execute op,
              java.time.Duration timeout, boolean keepRest) {
        this.conn = conn;
        this.cmd = cmd;
        this.adapters = adapters;
        this.factory = factory;
        this.op = op;
        this.timeout = timeout;
        this.waitLeftNanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        this.keepRest = keepRest;
    }

    @Override
    public boolean hasNext() {
        while (true) {
            if (view != null && pos < view.data.rowCount()) {
                return true;
            }
            if (!pending.isEmpty()) {
                ResultData next = pending.poll();
                if (!next.returnsRows()) {
                    continue;
                }
                view = view != null && view.columns() == next.columns() ? new ResultView(next, view) : new ResultView(next, adapters);
                if (makerColumns != next.columns()) {
                    maker = factory.maker(next.columns());
                    makerColumns = next.columns();
                }
                pos = 0;
                continue;
            }
            if (interrupted) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection"
                        + " before it was consumed; read a stream to its end (or close it) before the next statement");
            }
            if (finished) {
                if (failure != null) {
                    TuskException e = failure;
                    failure = null;
                    throw e;
                }
                return false;
            }
            fetchChunk();
        }
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        return maker.make(new Row(view, pos++));
    }

    private void fetchChunk() {
        conn.lock.lock();
        try {
            if (conn.activeStream() != this) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection before it was consumed");
            }
            if (op != null) {
                readChunk();
                return;
            }
            java.time.Duration fired = conn.awaitTimed(cmd);
            pending.addAll(cmd.drainStreamed());
            if (cmd.isDone()) {
                finished = true;
                conn.streamEnded(this);
                Connection.throwIfFailed(cmd, fired);
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Reads the next chunk of an op stream under what is left of its timeout; at the statement's end, settles
     * it ({@link Execute#resume}: the prepared-statement cache, a stale plan sent again) and keeps its error
     * for after the rows. Lock held.
     */
    private void readChunk() {
        long start = System.nanoTime();
        java.time.Duration wait = timeout == null ? null : java.time.Duration.ofNanos(Math.max(1_000_000L, waitLeftNanos));
        java.time.Duration f;
        try {
            f = conn.awaitTimed(cmd, wait);
        } finally {
            waitLeftNanos -= System.nanoTime() - start;
        }
        if (f != null && fired == null) {
            fired = f;
            waitLeftNanos = timeout.toNanos(); // the cancel was sent: the server has its grace again, once
        }
        if (!cmd.isDone()) {
            pending.addAll(cmd.drainStreamed());
            return;
        }
        // settled before its last results are taken: the cache learns the statement's columns from them
        Command again = op.resume(fired);
        resumed = again == null;
        pending.addAll(cmd.drainStreamed());
        if (again != null) { // sent again (a stale prepared plan, before any row): stream its rows instead
            cmd = (QueryCommand) again;
            cmd.streamChunk(chunkRows);
            conn.driver().core().send(cmd);
            op.sent(cmd);
            conn.driver().flush();
            return;
        }
        finished = true;
        conn.streamEnded(this);
        failure = op.failure();
    }

    /**
     * Another operation is about to run: a stream keeping its rest reads it to the end into memory (its error,
     * even the connection's, kept for the consumer: the operation finds a broken connection by itself), any
     * other ends ({@link #discard}). Lock held.
     */
    void settle() {
        if (!keepRest) {
            discard(true);
            return;
        }
        try {
            while (!finished) {
                readChunk();
            }
        } catch (TuskException e) {
            finished = true;
            if (failure == null) {
                failure = e;
            }
        }
    }

    /**
     * Ends the statement so the connection can serve the next one: the rows still to come are dropped as they
     * arrive (never collected), and unless they had all arrived the server is asked to cancel the statement
     * ({@link Connection#abandon}): bounded memory and time however large the result. Lock held.
     * {@code interrupted}: another operation forced it, and the consumer learns so at its next read.
     */
    void discard(boolean interrupted) {
        this.interrupted = interrupted;
        finished = true;
        pending.clear();
        view = null;
        if (!cmd.isDone()) {
            cmd.discardRows();
            conn.abandon(cmd, "the statement of the stream closed early", true);
        }
        if (op != null && !resumed && cmd.isDone()) {
            resumed = true;
            Command again = op.resume(fired); // keeps the prepared-statement cache in step
            if (again != null) { // a stale plan sent again: that one is ended as well
                QueryCommand q = (QueryCommand) again;
                q.discardRows();
                conn.driver().core().send(q);
                op.sent(q);
                conn.driver().flush();
                conn.abandon(q, "the statement of the stream closed early", true);
                if (q.isDone()) {
                    op.resume(null);
                }
            }
        }
    }
}
