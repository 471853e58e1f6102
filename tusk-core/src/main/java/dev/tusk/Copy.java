package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.blocking.Abandon;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.CopyRows;
import dev.tusk.internal.wire.Utf8;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A COPY in progress, as psycopg's {@code Copy}: write to the server for {@code COPY ... FROM STDIN},
 * read from it for {@code COPY ... TO STDOUT}. Text and binary formats; memory stays bounded both ways.
 *
 * <pre>{@code
 * try (Copy copy = conn.cursor().copy("COPY users (id, name) FROM STDIN")) {
 *     copy.writeRow(1, "Alice");
 *     copy.writeRow(2, "Bob");
 *     copy.finish();                   // CopyDone: the rows are in
 * }                                    // without finish(): CopyFail, nothing is copied
 *
 * try (Copy copy = conn.cursor().copy("COPY users TO STDOUT")) {
 *     for (List<String> row : copy.rows()) { ... }
 * }
 * }</pre>
 *
 * <p>A COPY FROM keeps its rows only when {@link #finish()} is called, as a {@link Transaction} block commits
 * only when {@code tx.commit()} is: a Java block cannot see the exception that ends it, so closing a COPY FROM
 * that was not finished (an exception left the block, or finish() was forgotten) ends it with CopyFail, the
 * server copies nothing, and {@link #close()} raises a {@link ProgrammingException} saying so (added as a
 * suppressed exception to the one leaving the block). This is psycopg's outcome for an exception in
 * {@code with cursor.copy()}. {@link #abort(String)} ends it with CopyFail quietly.
 *
 * <p>While a COPY FROM is open, any other statement on the connection (from any thread) is refused with a
 * {@link ProgrammingException} ("another command is already in progress"), as libpq does; the COPY and the
 * connection are unaffected. A COPY TO that is closed before its end, or still open when another statement
 * runs, is cancelled on the server and the rest of its data is dropped, in bounded time and memory (inside a
 * transaction the cancel leaves the transaction in error, as with libpq). Either way the connection stays usable.
 */
public final class Copy implements AutoCloseable, Iterable<byte[]> {
    private TuskException reported;

    private final Connection<?> conn;
    /** The COPY's rules (start, data, end), shared with {@link AsyncCopy}. */
    private final CopyOperation op;
    private final CopyCommand cmd;
    private final CopyRows rows;
    /**
     * Set once by whichever ends the COPY first: finish(), close(), abort() (which may run on several threads and
     * take the lock only after setting it: close and abort never wait for another thread's call), or another
     * statement or a lease's end (lock held).
     */
    private final AtomicBoolean closed = new AtomicBoolean();
    /** The COPY was ended by {@link #finish()}. */
    private volatile boolean finished;
    /** Why the COPY was ended without its user (another statement abandoned it), else null; set before closed. */
    private volatile String endedBy;

    /** The CopyFail reason when a COPY FROM is closed without {@link #finish()}. */
    static final String CLOSED_WITHOUT_FINISH = CopyOperation.CLOSED_WITHOUT_FINISH;

    Copy(Connection<?> conn, CopyOperation op, AdaptersMap adapters) {
        this.conn = conn;
        this.op = op;
        this.cmd = op.command();
        this.rows = new CopyRows(op.binary(), adapters);
    }

    /** True for a binary-format COPY. */
    public boolean isBinary() {
        return op.binary();
    }

    /**
     * The type oids of the columns, as psycopg's {@code set_types}: for binary {@link #writeRow} each value's
     * dumper must produce that type (an int for int4, a Long for int8...), else writeRow fails before anything
     * is sent; for {@link #readRow()} and {@link #typedRows()} each value is loaded as that type, in text or
     * binary format.
     */
    public void setTypes(int... oids) {
        rows.setTypes(oids);
    }

    // ------------------------------------------------------------------ COPY FROM STDIN

    /** Sends raw data in the COPY's format. */
    public void write(byte[] data) {
        write(data, 0, data.length);
    }

    public void write(byte[] data, int off, int len) {
        requireDirection(true, "write");
        rows.write(data, off, len);
        shipIfFull();
    }

    /** Sends text (COPY text or CSV format), encoded as UTF-8. */
    public void write(String data) {
        write(Utf8.encode(data, "the COPY data"));
    }

    /** Sends one row, each value dumped by the adapters (text format: escaped; binary: typed). */
    public void writeRow(Object... values) {
        requireDirection(true, "writeRow");
        rows.writeRow(values);
        shipIfFull();
    }

    /**
     * Sends the collected rows as one CopyData message once there are enough of them (else checks only that
     * the connection is still usable, so a dead one fails the write at once).
     */
    private void shipIfFull() {
        conn.lock.lock();
        try {
            conn.checkUsable(this);
            if (rows.isFull()) {
                op.data(conn.driver().core().output(), rows);
                Duration fired = conn.waits.flushTimed(); // a server that stops reading cannot block it forever
                if (fired != null) { // the timeout cancelled the COPY while its data went out: its error follows
                    conn.waits.awaitTimed(cmd);
                    throwIfFailed(fired);
                }
            }
        } catch (TuskException e) {
            throw reported(e);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Ends a COPY FROM with CopyFail: the server rolls the COPY back and reports {@code reason}; nothing is
     * copied (in an explicit transaction, the transaction is then in error). A COPY TO not read to its end is
     * cancelled and the rest dropped. Quiet: raises nothing unless the connection is broken. Idempotent.
     *
     * <p>Never waits for another thread's call on the connection (a read or write of this COPY, maybe from a server
     * that stopped answering): past 50 ms the connection is closed under that call, which fails, and
     * {@code isBroken()} is true (the server then drops the COPY: nothing is copied), as {@link #close()} does.
     */
    public void abort(String reason) {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (!lockToEnd()) {
            return; // the connection was closed under another thread's call: the COPY is over
        }
        try {
            ActiveWork.copyEnded(conn, this);
            if (conn.driver().core().isBroken()) {
                return;
            }
            if (op.in() && !cmd.isDone()) {
                failInput(reason);
            } else {
                dropOutput(Abandon.ON_CLOSE);
            }
        } catch (TuskException e) {
            if (conn.driver().core().isBroken()) {
                throw e;
            }
            // the server confirms the failure with an error: that is the point of abort
        } finally {
            conn.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ COPY TO STDOUT

    /** The next chunk of data (a row, in text format), or null at the end. */
    public byte[] read() {
        requireDirection(false, "read");
        conn.lock.lock();
        try {
            while (true) {
                byte[] chunk = cmd.nextChunk();
                if (chunk != null) {
                    return chunk;
                }
                if (cmd.outputComplete()) {
                    throwIfFailed(cmd.isDone() ? null : conn.waits.awaitTimed(cmd));
                    return null;
                }
                Duration fired = conn.waits.awaitTimed(cmd);
                if (cmd.isDone() && cmd.error() != null && cmd.nextChunk() == null) {
                    throw op.failure(fired);
                }
            }
        } catch (TuskException e) {
            throw reported(e);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * The data blocks of a COPY TO, as {@link #read()} returns them (one per row as the server sends them), as
     * psycopg's {@code for block in copy}.
     */
    @Override
    public Iterator<byte[]> iterator() {
        return new Iterator<>() {
            private byte[] next = read();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public byte[] next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                byte[] block = next;
                next = read();
                return block;
            }
        };
    }

    /**
     * The next row of a COPY TO, or null at the end, as psycopg's {@code read_row()}: with {@link #setTypes}
     * each value loaded as its column's type (text or binary COPY); without, a text COPY's values as Strings and
     * a binary COPY's as their bytes. A row whose column count differs from setTypes' is refused
     * ({@link ProgrammingException}).
     */
    public List<Object> readRow() {
        byte[] chunk;
        while ((chunk = read()) != null) {
            List<Object> row = rows.parseRow(chunk);
            if (row != null) {
                return row;
            }
        }
        return null;
    }

    /** The rows of a COPY TO as {@link #readRow()} reads them (typed by {@link #setTypes}), text or binary. */
    public Iterable<List<Object>> typedRows() {
        return () -> new Iterator<>() {
            private List<Object> next = readRow();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public List<Object> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                List<Object> row = next;
                next = readRow();
                return row;
            }
        };
    }

    /**
     * The rows of a text-format COPY TO, each as its column values (null for \N), unescaped. The values stay
     * text: after {@link #setTypes} (and for a binary COPY) use {@link #typedRows()}, which loads them; this one
     * refuses rather than ignore the types.
     */
    public Iterable<List<String>> rows() {
        RuntimeException refused = op.textRowsRefusal(rows.hasTypes(), "read()");
        if (refused != null) {
            throw refused;
        }
        return () -> new Iterator<>() {
            private byte[] next = read();

            @Override
            public boolean hasNext() {
                return next != null;
            }

            @Override
            public List<String> next() {
                if (next == null) {
                    throw new NoSuchElementException();
                }
                List<String> row = CopyRows.parseTextRow(next);
                next = read();
                return row;
            }
        };
    }

    /** Rows copied, from the command tag ("COPY 42"), once the COPY has ended; else -1. */
    public long rowcount() {
        return op.rowcount();
    }

    /** The COPY statement's command (its columns and format), for the cursor that started it. */
    CopyCommand command() {
        return cmd;
    }

    /**
     * Ends the COPY and returns the rows copied. COPY FROM: sends what is collected, the binary trailer and
     * CopyDone, waits for the server and raises its error if it refused the data; only then are the rows in.
     * COPY TO: reads the rest and drops it (the server finishes the statement). Then the COPY is closed
     * ({@link #close()} does nothing more); calling finish() again returns the same count.
     *
     * <p>finish() is a statement: it waits for the connection as every statement does when another thread's call
     * holds it (a read or write of this COPY from another thread, which its own statement timeout bounds), but with
     * a statement timeout ({@link ConnectOptions.Builder#statementTimeout}) at most that long: then it raises an
     * {@link OperationalException} and the COPY stays open, unchanged (finish() it again, or close() it).
     *
     * @return the rows copied, from the server's command tag
     */
    public long finish() {
        if (closed.get()) {
            return alreadyEnded();
        }
        lockForFinish();
        try {
            if (!closed.compareAndSet(false, true)) { // ended meanwhile (by another thread, or another statement)
                return alreadyEnded();
            }
            finished = true;
            ActiveWork.copyEnded(conn, this);
            broken(true);
            Duration fired = null;
            if (op.in() && !cmd.isDone()) {
                op.finishInput(conn.driver().core().output(), rows);
                fired = conn.waits.flushAndAwaitTimed(cmd);
            } else if (!cmd.isDone()) {
                cmd.discardOutput();
                fired = conn.waits.awaitTimed(cmd);
            }
            throwIfFailed(fired);
            return rowcount();
        } finally {
            conn.lock.unlock();
        }
    }

    /** finish() after the COPY ended: the same count again after a finish(), else refused. */
    private long alreadyEnded() {
        if (finished && cmd.isDone()) {
            throwIfFailed(null);
            return rowcount();
        }
        throw new ProgrammingException("the COPY has already ended (" + (endedBy != null ? endedBy
                : "closed or aborted") + "): finish() must come before close()");
    }

    /**
     * Takes the connection's lock for {@link #finish()}: as a statement, within the statement timeout when there is
     * one (else as long as the holder's call runs, as every statement); the COPY is left as it was when it cannot.
     */
    private void lockForFinish() {
        Duration limit = conn.state.statementTimeout;
        if (limit == null || limit.isZero() || limit.isNegative()) {
            conn.lock.lock();
            return;
        }
        boolean locked;
        try {
            locked = conn.lock.tryLock() || conn.lock.tryLock(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller
            throw new OperationalException("finish() was interrupted while it waited for the connection, which another"
                    + " thread's call held; the COPY is still open: finish() it again, or close() it", e);
        }
        if (!locked) {
            throw new OperationalException("finish() could not take the connection within the statement timeout ("
                    + limit.toMillis() + " ms): another thread's call on it (a read or write of this COPY, or a"
                    + " statement) still runs; the COPY is still open: finish() it again, or close() it");
        }
    }

    /**
     * Takes the connection's lock for {@link #close()} or {@link #abort}, which never wait for another thread's
     * call: when the COPY still runs on the server, past 50 ms the connection is closed under that call
     * ({@link ActiveWork#lockOrCloseUnder}); when the server has ended it already, nothing is left to end there and
     * the close just leaves. False: the lock is not held, and the COPY is over.
     */
    private boolean lockToEnd() {
        if (cmd.isDone()) {
            return ActiveWork.lockForClose(conn);
        }
        return ActiveWork.lockOrCloseUnder(conn, () -> new OperationalException("the connection was closed because a"
                + " COPY on it was closed while another thread's call held it; the connection is broken,"
                + " open a new one"));
    }

    /**
     * Ends the COPY if {@link #finish()} did not. COPY FROM: ends it with CopyFail, so nothing is copied, and
     * raises a {@link ProgrammingException} saying so (or the server's error, if it had already refused the
     * data and read()/write() did not raise it yet). COPY TO: a COPY not read to its end is cancelled on the
     * server and the rest dropped, in bounded time. Never leaves the connection in the middle of a COPY.
     *
     * <p>Never waits for another thread's call on the connection (a read or write of this COPY, maybe from a server
     * that stopped answering): past 50 ms the connection is closed under that call, which fails, and
     * {@code isBroken()} is true; the server then drops the COPY, and a COPY FROM, which copied nothing, still
     * raises its {@link ProgrammingException}.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        boolean running = !cmd.isDone();
        if (!lockToEnd()) {
            if (op.in() && running) {
                throw new ProgrammingException("the COPY FROM was closed without finish() while another thread's call"
                        + " held the connection: the connection was closed under that call (isBroken() is true) and"
                        + " nothing was copied; call copy.finish() to end it and keep the rows");
            }
            return; // a COPY TO: ended with the connection, or by the server already
        }
        try {
            ActiveWork.copyEnded(conn, this);
            if (broken(false)) {
                return;
            }
            if (op.in() && !cmd.isDone()) {
                failInput(CLOSED_WITHOUT_FINISH);
                TuskException failed = cmd.error();
                if (failed != null && failed != reported && !(failed instanceof QueryCanceled)) {
                    throw failed; // the server had refused the data already: its reason tells more
                }
                throw new ProgrammingException("the COPY FROM was closed without finish(): it was ended with CopyFail"
                        + " and nothing was copied; call copy.finish() to end it and keep the rows");
            }
            boolean cancelled = dropOutput(Abandon.ON_CLOSE);
            TuskException failed = cmd.error();
            if (failed != null && failed != reported && !(cancelled && failed instanceof QueryCanceled)) {
                throw failed;
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** True once the server has ended the COPY statement (its ReadyForQuery was read). */
    boolean commandDone() {
        return cmd.isDone();
    }

    boolean isCopyIn() {
        return op.in();
    }

    /**
     * Another statement needs the connection while this COPY TO is unfinished: it is cancelled and the rest is
     * dropped ({@link ActiveWork#abandon}); read() then says why. Lock held.
     */
    void abandon(String why) {
        endedBy = "ended because " + why + " before it was read to its end";
        closed.set(true);
        dropOutput(Abandon.FOR_NEXT_STATEMENT);
    }

    /**
     * The connection is going back to its pool with this COPY unfinished: the COPY is over for its user, and the
     * pool closes the connection (the server then drops the COPY, so a COPY FROM copies nothing) and opens another
     * rather than drain and reuse it, as psycopg_pool discards a connection given back ACTIVE. No I/O. Lock held.
     */
    void abandonForGiveBack() {
        endedBy = "ended because the connection was given back to its pool (which closed it)";
        closed.set(true);
    }

    /**
     * Whether the connection broke under the COPY: then no I/O is attempted, and the reason is raised unless
     * read()/write() already raised it (try-with-resources would otherwise get its own exception back:
     * "Self-suppression not permitted") or {@code always}. Lock held.
     */
    private boolean broken(boolean always) {
        TuskException broken = conn.driver().core().brokenBy();
        if (broken == null) {
            return false;
        }
        if (always || (broken != reported && cmd.error() != reported)) {
            throw new OperationalException("the COPY did not complete: " + ConnectionErrors.unusable(broken), broken);
        }
        return true;
    }

    /** Remembers the last error read() or write() raised, so that close() does not raise it a second time. */
    private TuskException reported(TuskException e) {
        reported = e;
        return e;
    }

    /**
     * COPY FROM: CopyFail, and the server's answer awaited as a close waits ({@link Abandon#ON_CLOSE}; its error is
     * expected). Lock held.
     */
    private void failInput(String reason) {
        op.failInput(conn.driver().core().output(), rows, reason);
        conn.waits.flushForClose(); // the rows still buffered go first: bounded as a close's write
        ActiveWork.abandon(conn, cmd, "the COPY ended with CopyFail", false, Abandon.ON_CLOSE);
    }

    /**
     * COPY TO: drops what is queued and what still comes; unless it had all arrived, the server is asked to
     * cancel the COPY; all within {@code limit}. Lock held.
     *
     * @return true when a cancel request was sent
     */
    private boolean dropOutput(Duration limit) {
        if (cmd.isDone()) {
            while (cmd.nextChunk() != null) {
                // dropped: the caller closed without reading
            }
            return false;
        }
        cmd.discardOutput();
        return ActiveWork.abandon(conn, cmd, "the COPY TO closed before its end", !cmd.outputComplete(), limit);
    }

    /** The error the COPY ended with ({@code fired}: the statement timeout, when it fired), raised if any. */
    private void throwIfFailed(Duration fired) {
        TuskException e = op.failure(fired);
        if (e != null) {
            throw e;
        }
    }

    private void requireDirection(boolean in, String call) {
        if (closed.get()) {
            throw new ProgrammingException(endedBy != null ? "the COPY was " + endedBy : "the COPY is closed");
        }
        ProgrammingException wrong = op.wrongDirection(call, in);
        if (wrong != null) {
            throw wrong;
        }
    }
}
