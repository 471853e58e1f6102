package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.wire.Frontend;

import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * A COPY in progress, as psycopg's {@code Copy}: write to the server for {@code COPY ... FROM STDIN},
 * read from it for {@code COPY ... TO STDOUT}. Text and binary formats; memory stays bounded both ways.
 *
 * <pre>{@code
 * try (Copy copy = conn.cursor().copy("COPY users (id, name) FROM STDIN")) {
 *     copy.writeRow(1, "Alice");
 *     copy.writeRow(2, "Bob");
 * }                                    // CopyDone: the rows are in
 *
 * try (Copy copy = conn.cursor().copy("COPY users TO STDOUT")) {
 *     for (List<String> row : copy.rows()) { ... }
 * }
 * }</pre>
 *
 * Closing a COPY FROM sends CopyDone and raises the server's error, if any; {@link #abort(String)} ends
 * it with CopyFail instead, so nothing is written. Either way the connection stays usable.
 */
public final class Copy implements AutoCloseable {
    private TuskException reported;

    private final Connection<?> conn;
    private final CopyCommand cmd;
    private final CopyRows rows;
    private boolean closed;

    Copy(Connection<?> conn, CopyCommand cmd, AdaptersMap adapters) {
        this.conn = conn;
        this.cmd = cmd;
        this.rows = new CopyRows(cmd.format() == 1, adapters);
    }

    /** True for a binary-format COPY. */
    public boolean isBinary() {
        return cmd.format() == 1;
    }

    /**
     * The type oids of the columns, for binary {@link #writeRow}: each value's dumper must produce that
     * type (an int for int4, a Long for int8...), else writeRow fails before anything is sent.
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
        requireDirection(CopyCommand.Direction.IN, "write");
        rows.write(data, off, len);
        shipIfFull();
    }

    /** Sends text (COPY text or CSV format), encoded as UTF-8. */
    public void write(String data) {
        write(dev.tusk.internal.wire.Utf8.encode(data, "the COPY data"));
    }

    /** Sends one row, each value dumped by the adapters (text format: escaped; binary: typed). */
    public void writeRow(Object... values) {
        requireDirection(CopyCommand.Direction.IN, "writeRow");
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
            conn.checkUsable();
            if (rows.isFull()) {
                rows.writeMessage(conn.driver().core().output());
                conn.driver().flush();
            }
        } catch (TuskException e) {
            throw reported(e);
        } finally {
            conn.lock.unlock();
        }
    }

    /** Ends a COPY FROM with CopyFail: the server rolls the COPY back and reports {@code reason}. */
    public void abort(String reason) {
        if (closed) {
            return;
        }
        closed = true;
        conn.lock.lock();
        try {
            if (cmd.direction() == CopyCommand.Direction.IN && !cmd.isDone()) {
                rows.clear(); // the server drops what it got anyway
                Frontend.copyFail(conn.driver().core().output(), reason);
                finish();
            } else {
                drainOut();
            }
        } catch (TuskException expected) {
            // the server confirms the failure with an error: that is the point of abort
        } finally {
            conn.lock.unlock();
        }
    }

    // ------------------------------------------------------------------ COPY TO STDOUT

    /** The next chunk of data (a row, in text format), or null at the end. */
    public byte[] read() {
        requireDirection(CopyCommand.Direction.OUT, "read");
        conn.lock.lock();
        try {
            while (true) {
                byte[] chunk = cmd.nextChunk();
                if (chunk != null) {
                    return chunk;
                }
                if (cmd.outputComplete()) {
                    if (!cmd.isDone()) {
                        conn.driver().await(cmd);
                    }
                    cmd.throwIfFailed();
                    return null;
                }
                conn.driver().await(cmd);
                if (cmd.isDone() && cmd.error() != null && cmd.nextChunk() == null) {
                    throw cmd.error();
                }
            }
        } catch (TuskException e) {
            throw reported(e);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * The rows of a text-format COPY TO, each as its column values (null for \N), unescaped.
     */
    public Iterable<List<String>> rows() {
        if (isBinary()) {
            return binaryRows();
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

    private Iterable<List<String>> binaryRows() {
        throw new dev.tusk.errors.NotSupportedException("rows() of a binary COPY is not supported yet: use read() for the raw bytes");
    }

    /** Rows copied, from the command tag ("COPY 42"), once the COPY has ended; else -1. */
    public long rowcount() {
        return dev.tusk.internal.core.ResultData.affectedRows(cmd.commandTag());
    }

    /**
     * Ends the COPY: for COPY FROM, sends CopyDone (and the binary trailer) and raises the server's
     * error if the data was refused; for COPY TO, reads and drops what was not consumed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        conn.lock.lock();
        try {
            TuskException broken = conn.driver().core().brokenBy();
            if (broken != null) {
                // no I/O on a dead socket; say so only if read()/write() have not already (try-with-resources
                // would otherwise get its own exception back: "Self-suppression not permitted")
                if (broken != reported && cmd.error() != reported) {
                    throw new OperationalException("the COPY did not complete: the connection is broken ("
                            + broken.getMessage() + ")", broken);
                }
                return;
            }
            if (cmd.direction() == CopyCommand.Direction.IN && !cmd.isDone()) {
                rows.writeTrailer();
                rows.writeMessage(conn.driver().core().output());
                Frontend.copyDone(conn.driver().core().output());
                finish();
            } else {
                drainOut();
            }
            TuskException failed = cmd.error();
            if (failed != null && failed != reported) {
                throw failed;
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /** Remembers the last error read() or write() raised, so that close() does not raise it a second time. */
    private TuskException reported(TuskException e) {
        reported = e;
        return e;
    }

    private void finish() {
        cmd.inputFinished();
        conn.driver().flush();
        conn.driver().await(cmd);
    }

    private void drainOut() {
        while (!cmd.isDone()) {
            while (cmd.nextChunk() != null) {
                // dropped: the caller closed without reading
            }
            conn.driver().await(cmd);
        }
    }

    private void requireDirection(CopyCommand.Direction d, String op) {
        if (closed) {
            throw new ProgrammingException("the COPY is closed");
        }
        if (cmd.direction() != d) {
            throw new ProgrammingException(op + "() needs a COPY " + (d == CopyCommand.Direction.IN ? "... FROM STDIN" : "... TO STDOUT")
                    + "; this one is " + cmd.sql());
        }
    }
}
