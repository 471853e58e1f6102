package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.blocking.Abandon;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.op.StreamStep;
import dev.tusk.internal.rows.LiveRows;
import dev.tusk.internal.rows.ResultView;
import dev.tusk.internal.rows.RowsNotKept;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * Rows of a running statement, read from the socket a chunk at a time so memory stays bounded however
 * large the result: the server is held back by TCP flow control while the consumer works. Works in
 * autocommit mode too (no cursor or transaction needed). The rules (chunks, timeout, stale plan, ending early)
 * are {@link StreamStep}'s; this class makes rows of what arrives, under the connection's lock for the reads.
 */
final class RowStream<R> implements LiveRows<R> {
    private final Connection<?> conn;
    private StreamStep step;
    private AdaptersMap adapters;
    private final RowFactory<R> factory;
    /**
     * A driver's stream ({@link dev.tusk.internal.rows.LiveRows}, which its consumer never uses once closed): once
     * closed after its statement ended, its cursor's next such stream reuses it ({@link #restart}).
     */
    private final boolean reusable;
    /** Results read and not yet reached: from {@link #pendingHead} on (the ones before it are taken, set to null). */
    private final ArrayList<ResultData> pending = new ArrayList<>(2);
    private int pendingHead;
    /** The factory's rows are used one at a time ({@link RowsNotKept}): storage of passed rows is written over. */
    private final boolean rowsNotKept;
    /** The results the last row returned came from. */
    private ResultData returnedFrom;
    /** Results all of whose rows were passed (rowsNotKept): storage for the rows still to come, or null. */
    private ResultData spare;
    private ResultView view;
    /**
     * The last view and result of the statement before ({@link #dropRows}), kept by a {@link #reusable} stream of a
     * {@link RowsNotKept} factory whose consumer never reads those rows again, when that result is small
     * ({@link ResultData#recyclable()}: a large one is never kept): the next statement's first result is written
     * into that result's storage when it has the same columns ({@link QueryCommand#recycle}), and shown through
     * that view ({@link ResultView#reusedFor}). Null: none.
     */
    private ResultView recycledView;
    private ResultData recycledData;
    private RowFactory.RowMaker<R> maker;
    private List<Column> makerColumns;
    private int pos;
    private boolean interrupted;
    /**
     * The timeout, when it fired while the statement was being written ({@link #flushSent}) and the write completed
     * all the same (the statement was cancelled): the next wait's outcome, so its error names the timeout. Else null.
     */
    private Duration firedWhileSending;
    /**
     * Closed by its consumer while another thread held the connection's lock ({@link ActiveWork#closeStream}): the
     * holder, or the next thread to take the lock, ends it if it still runs; never reused. Set without the lock.
     */
    private volatile boolean closedUnlocked;
    /** The cursor that opened the stream (set by the connection). */
    Cursor<?> owner;
    /** Reads {@code rows} rows from the socket at a time instead of 256 (psycopg's {@code stream(..., size=)}); before the first read. */
    void chunkRows(int rows) {
        step.chunkRows(rows);
    }

    /** {@code reusable}: a driver's stream, which its cursor may reuse once it is closed (see {@link #reusable}). */
    RowStream(Connection<?> conn, StreamStep step, AdaptersMap adapters, RowFactory<R> factory, boolean reusable) {
        this.conn = conn;
        this.step = step;
        this.adapters = adapters;
        this.factory = factory;
        this.rowsNotKept = factory instanceof RowsNotKept;
        this.reusable = reusable;
    }

    /**
     * Whether this stream, just closed by its consumer, may serve its cursor's next stream: a driver's stream whose
     * statement is over for good (nothing of the connection refers to it: read to its end or ended by the close,
     * not left to a broken connection). Lock held.
     */
    boolean reusableAfterClose() {
        return reusable && owner != null && step.ended();
    }

    /**
     * Kept by its cursor until the next stream ({@link #reusableAfterClose()}): drops the rows it read, so that a
     * statement left unused after its last result does not hold that result's storage. Lock held.
     */
    void dropRows() {
        if (reusable && rowsNotKept && view != null && view.data.recyclable()) { // a large result is not kept
            recycledView = view;
            recycledData = view.data;
        }
        pending.clear();
        pendingHead = 0;
        returnedFrom = null;
        spare = null;
        view = null;
    }

    /** Whether the stream holds results or rows (for tests: a stream kept for reuse holds none). */
    boolean holdsRows() {
        return view != null || returnedFrom != null || spare != null || !pending.isEmpty();
    }

    /**
     * The storage of the last result of the statement before, for the next statement's command to write its first
     * result into ({@link QueryCommand#recycle}); null when there is none. Taken: asked once per statement.
     */
    ResultData takeRecycledData() {
        ResultData d = recycledData;
        recycledData = null;
        return d;
    }

    /** The result of its statement before the stream keeps for the next one, or null (for tests). */
    ResultData recycledData() {
        return recycledData;
    }

    /** The step of this stream, for its {@link #restart}. */
    StreamStep step() {
        return step;
    }

    /**
     * This stream, closed and {@link #reusableAfterClose()}, made the stream of {@code step} (this stream's own
     * step restarted) as the constructor makes one: nothing of the previous statement's rows, results, row maker
     * or interruption is kept. Lock held.
     */
    RowStream<R> restart(StreamStep step, AdaptersMap adapters, Cursor<?> owner) {
        this.step = step;
        this.adapters = adapters;
        dropRows();
        maker = null;
        makerColumns = null;
        pos = 0;
        interrupted = false;
        firedWhileSending = null;
        this.owner = owner;
        return this;
    }

    @Override
    public boolean hasNext() {
        while (true) {
            if (view != null && pos < view.data.rowCount()) {
                return true;
            }
            if (pendingHead < pending.size()) {
                ResultData next = pending.set(pendingHead++, null);
                if (pendingHead == pending.size()) {
                    pending.clear();
                    pendingHead = 0;
                }
                if (!next.returnsRows()) {
                    continue;
                }
                view = view(next);
                if (makerColumns != next.columns()) {
                    makerColumns = Column.asColumns(view.columns());
                    maker = factory.maker(makerColumns);
                }
                pos = 0;
                continue;
            }
            if (interrupted) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection"
                        + " before it was consumed; read a stream to its end (or close it) before the next statement");
            }
            if (step.finished()) {
                TuskException e = step.takeFailure();
                if (e != null) {
                    throw e;
                }
                return false;
            }
            fetchChunk();
        }
    }

    /**
     * The view of {@code next}: the loaders of the previous chunk of the same result, or of the cursor's previous
     * stream when it read a result alike ({@link ResultView#fits}: a prepared statement run again), else chosen now.
     */
    private ResultView view(ResultData next) {
        if (view != null && view.columns() == next.columns()) {
            return new ResultView(next, view);
        }
        ResultView shape = owner == null ? null : owner.streamShape;
        if (shape != null && shape.fits(next, adapters)) {
            ResultView old = recycledView;
            if (old != null) { // the statement before's, whose rows nobody reads again (see recycledView)
                recycledView = null;
                return old.reusedFor(next, shape);
            }
            return new ResultView(next, shape);
        }
        ResultView fresh = new ResultView(next, adapters);
        if (owner != null) {
            owner.streamShape = fresh.shape();
        }
        return fresh;
    }

    @Override
    public R next() {
        if (!hasNext()) {
            throw new NoSuchElementException();
        }
        ResultData d = view.data;
        if (d != returnedFrom) {
            if (rowsNotKept && returnedFrom != null) { // a row of later results is out: none of these is read again
                spare = returnedFrom;
            }
            returnedFrom = d;
        }
        return maker.make(new Row(view, pos++));
    }

    /** Ends the statement unless it was read to its end: as the close of {@link Cursor#stream}'s Stream. */
    @Override
    public void close() {
        ActiveWork.closeStream(conn, this);
    }

    /** Marks the stream closed by its consumer without the lock (see {@link #closedUnlocked}). */
    void closeUnlocked() {
        closedUnlocked = true;
    }

    /** Whether its consumer closed it without the lock (see {@link #closedUnlocked}). */
    boolean closedUnlocked() {
        return closedUnlocked;
    }

    /**
     * Reads the next chunk under the lock. The step was unfinished when this thread decided to read, but another
     * thread's operation may have taken the lock first and settled this stream meanwhile (its rest read into
     * memory, or the stream ended): then there is nothing to read from the server, and {@link #hasNext} goes on
     * with what the settle left (the rows kept, the error, or the interruption).
     */
    private void fetchChunk() {
        conn.lock.lock();
        try {
            if (step.finished()) {
                return; // settled by another thread's operation while this one waited for the lock
            }
            if (ActiveWork.activeStream(conn) != this) {
                throw new OperationalException("the stream was interrupted: another operation ran on the connection before it was consumed");
            }
            readChunk();
            ActiveWork.endIfClosedUnlocked(conn, this); // closed by another thread while this one read
            if (step.finished() && step.failsAtOnce()) {
                TuskException e = step.takeFailure();
                if (e != null) {
                    throw e;
                }
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** Waits for the next chunk as the step says, and sends the statement again when it says so. Lock held. */
    private void readChunk() {
        QueryCommand cmd = step.command();
        Duration f = timed(cmd);
        if (f == null) {
            f = firedWhileSending;
        }
        firedWhileSending = null;
        ResultData s = spare;
        spare = null; // the command's now (or dropped)
        QueryCommand again = step.read(f, pending, s);
        if (again != null) { // sent again (a stale prepared plan, before any row): stream its rows instead
            conn.driver().core().send(again);
            step.sent(again);
            flushSent();
        }
        if (step.finished()) {
            ActiveWork.streamEnded(conn, this);
        }
    }

    /**
     * Writes the statement just sent (held by the core) under the timeout the stream's waits run under: a server that
     * stops reading (frozen, its socket buffers full) cannot block the write for ever. Lock held.
     */
    void flushSent() {
        Duration f = timed(null);
        if (f != null) {
            firedWhileSending = f;
        }
    }

    /**
     * Writes what the core holds, then waits for {@code cmd} unless null, under the timeout the step says (the
     * connection's, none, or what is left of the statement's own); returns the timeout when it fired. Lock held.
     */
    private Duration timed(QueryCommand cmd) {
        if (step.waitsUnderConnectionTimeout()) {
            return conn.waits.flushAndAwaitTimed(cmd);
        }
        if (!step.timed()) { // no timeout: nothing to count the wait against (no clock read)
            return conn.waits.flushAndAwaitTimed(cmd, null);
        }
        long start = System.nanoTime();
        try {
            return conn.waits.flushAndAwaitTimed(cmd, step.nextWait());
        } finally {
            step.waited(System.nanoTime() - start);
        }
    }

    /**
     * Another operation is about to run: a stream keeping its rest reads it to the end into memory (its error,
     * even the connection's, kept for the consumer: the operation finds a broken connection by itself), any
     * other ends ({@link #discard}). Lock held.
     */
    void settle() {
        if (!step.keepsRest()) {
            discard(true, Abandon.FOR_NEXT_STATEMENT);
            return;
        }
        try {
            while (!step.finished()) {
                if (closedUnlocked) { // its consumer closed it meanwhile: the rest is dropped, not kept
                    discard(false, Abandon.ON_CLOSE);
                    return;
                }
                readChunk();
            }
        } catch (TuskException e) {
            step.restFailed(e);
        }
    }

    /**
     * Ends the statement so the connection can serve the next one: the rows still to come are dropped as they
     * arrive (never collected), and unless they had all arrived the server is asked to cancel the statement
     * ({@link ActiveWork#abandon}) within {@code limit}: bounded memory and time however large the result. Lock held.
     * {@code interrupted}: another operation forced it, and the consumer learns so at its next read.
     */
    void discard(boolean interrupted, Duration limit) {
        this.interrupted = interrupted;
        pending.clear();
        pendingHead = 0;
        view = null;
        spare = null;
        QueryCommand running = step.discard();
        if (running != null) {
            ActiveWork.abandon(conn, running, "the statement of the stream closed early", true, limit);
        }
        QueryCommand again = step.discarded();
        if (again != null) { // a stale plan sent again: that one is ended as well
            conn.driver().core().send(again);
            step.sent(again);
            // written under a close's write bound, as its other writes: a frozen server (its socket buffers full) ends
            // it in the bound and the cancel's grace, the connection broken, instead of blocking the close for ever
            conn.waits.flushForClose();
            ActiveWork.abandon(conn, again, "the statement of the stream closed early", true, limit);
            step.discardedAgain(again);
        }
    }
}
