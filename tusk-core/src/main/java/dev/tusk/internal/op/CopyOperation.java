package dev.tusk.internal.op;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.CopyCommand;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.wire.Frontend;
import dev.tusk.internal.wire.MessageWriter;

import java.time.Duration;

/**
 * One COPY statement (psycopg's {@code _copy_base.py} generators), its rules written once for both drivers and
 * without I/O; {@code Copy} and {@code AsyncCopy} keep only how they wait and stream:
 * <ul>
 * <li>start: refused in a pipeline (NotSupportedException, as psycopg); a statement after PREPARE TRANSACTION is refused; outside autocommit with no
 * transaction open, a BEGIN goes first in the same write; then the COPY statement, which pauses once the server
 * said which way the data goes (CopyInResponse or CopyOutResponse);</li>
 * <li>a start that fails: the BEGIN's error first, else the server's (the statement timeout's when it fired),
 * else a statement that was not a COPY ... FROM STDIN / TO STDOUT;</li>
 * <li>COPY FROM: CopyData messages (counted), then CopyDone after the binary trailer, or CopyFail with a
 * reason; COPY TO: the chunks the command queues;</li>
 * <li>the end: the error the COPY ended with, the rows copied from the command tag;</li>
 * <li>the listeners' copyStarted (on the submitting thread) and copyEnded (once, when the command completes,
 * whichever way: ended by the server, refused, or the connection lost).</li>
 * </ul>
 * The data-phase steps run on the thread acting for the connection.
 */
public final class CopyOperation {
    /** The CopyFail reason when a COPY FROM is closed without finish(). */
    public static final String CLOSED_WITHOUT_FINISH = "COPY abandoned by the client: the Copy was closed without finish()";

    private final Session session;
    private final String sql;
    private final CopyCommand cmd;
    private QueryCommand begin;
    /** Run once the COPY statement has completed (the driver's part of the end), or null. */
    private Runnable onEnd;
    /** What the listeners see of the COPY, or null when nobody listens. */
    private volatile CopyObservation observation;

    public CopyOperation(Session session, String sql) {
        this.session = session;
        this.sql = sql;
        this.cmd = new CopyCommand(sql);
        cmd.onComplete(this::completed);
    }

    // ---------------------------------------------------------------- start

    /**
     * The listeners' copyStarted, on the submitting thread (its context becomes the COPY's parent); the
     * session's observer decides, else nothing. Call before {@link #start()}, or let start() do it.
     */
    public void observeStart() {
        Observer o = session.observer();
        if (o != null && observation == null) {
            observation = CopyObservation.start(o, sql);
        }
    }

    /**
     * Queues the BEGIN when one is needed and returns the COPY command to send and wait for: it completes, or
     * pauses once the server is ready to receive or send the data. Refuses (throws, nothing sent) inside a
     * pipeline or after PREPARE TRANSACTION; the listeners then hear of the refusal.
     */
    public CopyCommand start() {
        observeStart();
        try {
            if (session.pipelined()) {
                throw new NotSupportedException("COPY is not supported in pipeline mode (PostgreSQL's extended"
                        + " query pipeline has no room for the COPY sub-protocol, as in libpq): close the pipeline"
                        + " block first, then call copy()");
            }
            session.checkStatementAllowed();
        } catch (RuntimeException e) {
            refused(e);
            throw e;
        }
        begin = session.beginIfNeeded();
        return cmd;
    }

    /** The first command {@link #start()} queued: the BEGIN it needed, else the COPY itself. */
    public Command first() {
        return begin != null ? begin : cmd;
    }

    /**
     * The COPY was refused before it was sent ({@code e}): the listeners hear of it as its end. Any thread;
     * nothing more happens once the COPY has ended.
     */
    public void refused(Throwable e) {
        CopyObservation ob = observation;
        if (ob != null) {
            ob.end(-1, cmd.dataBytes(), e);
        }
    }

    /**
     * The wait for the start is over ({@code fired}: the statement timeout, when it fired meanwhile): the error
     * that ends the COPY before its data, or null when the server is ready to receive or send it.
     */
    public TuskException startFailure(Duration fired) {
        if (begin != null && begin.error() != null) {
            return begin.error();
        }
        return cmd.direction() == CopyCommand.Direction.UNKNOWN ? failure(fired) : null;
    }

    /**
     * The error the COPY ended with, as the caller sees it: the BEGIN's, else the server's (the statement
     * timeout's when it fired), else, for a statement that was no COPY ... FROM STDIN / TO STDOUT, a
     * ProgrammingException; null when it succeeded (or has not ended).
     */
    public TuskException failure(Duration fired) {
        if (begin != null && begin.error() != null) {
            return begin.error();
        }
        TuskException e = cmd.error();
        if (e != null) {
            return fired == null ? e : StatementTimer.timedOut(fired, e);
        }
        if (cmd.isDone() && cmd.direction() == CopyCommand.Direction.UNKNOWN) {
            return new ProgrammingException("copy() needs a COPY ... FROM STDIN or TO STDOUT statement: " + sql);
        }
        return null;
    }

    // ---------------------------------------------------------------- data

    public CopyCommand command() {
        return cmd;
    }

    public String sql() {
        return sql;
    }

    /** COPY ... FROM STDIN: the client sends the data. */
    public boolean in() {
        return cmd.direction() == CopyCommand.Direction.IN;
    }

    /** True for a binary-format COPY. */
    public boolean binary() {
        return cmd.format() == 1;
    }

    /**
     * Why {@code rows()}, whose values are text, cannot run on this COPY, or null when it can: a binary COPY has no text
     * values, and after setTypes() ({@code typed}) they would ignore the types. {@code raw}: the call that gives the
     * raw bytes on this driver ({@code "read()"}, {@code "chunks()"}).
     */
    public RuntimeException textRowsRefusal(boolean typed, String raw) {
        if (binary()) {
            return new NotSupportedException("rows() gives text values, which a binary COPY does not have: call "
                    + "setTypes(...) and use typedRows() or readRow() for its values, or " + raw + " for the raw bytes");
        }
        return typed ? new ProgrammingException("rows() gives the values as text and would ignore setTypes(): use "
                + "typedRows() (or readRow()) for the values loaded as their types") : null;
    }

    /**
     * Why the call {@code call}() cannot run on this COPY, which it needs to go {@code wantIn} (FROM STDIN) or
     * not (TO STDOUT); null when it can.
     */
    public ProgrammingException wrongDirection(String call, boolean wantIn) {
        if (cmd.direction() == (wantIn ? CopyCommand.Direction.IN : CopyCommand.Direction.OUT)) {
            return null;
        }
        return new ProgrammingException(call + "() needs a COPY " + (wantIn ? "... FROM STDIN" : "... TO STDOUT")
                + "; this one is " + sql);
    }

    /** COPY FROM: {@code data} as one CopyData message (nothing when empty). */
    public void data(MessageWriter out, byte[] data) {
        if (data.length > 0) {
            Frontend.copyData(out, data, 0, data.length);
            cmd.sentData(data.length);
        }
    }

    /** COPY FROM: the rows collected as one CopyData message (nothing when none), then cleared. */
    public void data(MessageWriter out, CopyRows rows) {
        cmd.sentData(rows.size());
        rows.writeMessage(out);
    }

    /**
     * COPY FROM ends well: what {@code rest} still holds with the binary trailer, then CopyDone; the server
     * answers with the rows copied, or its error. Nothing when the server already ended the COPY.
     */
    public void finishInput(MessageWriter out, CopyRows rest) {
        if (cmd.isDone()) {
            return;
        }
        rest.writeTrailer();
        data(out, rest);
        Frontend.copyDone(out);
        cmd.inputFinished();
    }

    /**
     * COPY FROM ends with CopyFail ({@code reason}, null: "aborted by the client"): the server copies nothing
     * and answers with an error saying so. What {@code rest} holds (null: nothing) is dropped. Nothing when the
     * server already ended the COPY.
     */
    public void failInput(MessageWriter out, CopyRows rest, String reason) {
        if (rest != null) {
            rest.clear(); // the server drops what it got anyway
        }
        if (cmd.isDone()) {
            return;
        }
        Frontend.copyFail(out, reason == null ? "aborted by the client" : reason);
        cmd.inputFinished();
    }

    // ---------------------------------------------------------------- end

    /** Rows copied, from the command tag ("COPY 42"), once the COPY has ended; else -1. */
    public long rowcount() {
        return ResultData.affectedRows(cmd.commandTag());
    }

    /**
     * Runs {@code r} once the COPY statement has completed (whichever way: the server ended it, or the
     * connection was lost), on the thread that drives the core, after the listeners heard of the end.
     */
    public void onEnd(Runnable r) {
        this.onEnd = r;
    }

    private void completed() {
        CopyObservation ob = observation;
        if (ob != null) {
            TuskException e = failure(null);
            ob.end(e == null ? rowcount() : -1, cmd.dataBytes(), e);
        }
        Runnable r = onEnd;
        if (r != null) {
            r.run();
        }
    }
}
