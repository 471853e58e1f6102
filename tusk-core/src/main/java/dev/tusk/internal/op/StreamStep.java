package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.ResultData;

import java.time.Duration;
import java.util.Collection;

/**
 * A statement whose rows are read as they are consumed (psycopg's {@code stream()}), without I/O: the blocking
 * shell ({@code RowStream}) sends what this returns, waits as long as it says and hands over what arrived.
 *
 * <ul>
 * <li>The statement asks the server for its rows in chunks of {@link #CHUNK_ROWS}; memory stays bounded however
 * large the result (the server is held back by TCP flow control while the consumer works).</li>
 * <li>A stream of the statement as {@code execute()} runs it ({@link #of}: prepared-statement cache, formats,
 * a stale plan sent again before any row) has one statement timeout for all its waits: each wait gets what is
 * left of it; once it fires (the statement is cancelled) the server has the whole timeout again, once, as grace.
 * Its error is raised after the rows that came before it. A plain stream ({@link #plain}) waits under the
 * connection's statement timeout and raises its error as soon as it arrives.</li>
 * <li>A stream that another operation interrupts either reads its rest into memory ({@code keepRest}) or ends:
 * the rows still to come are dropped as they arrive and the statement is abandoned (cancelled unless it had
 * ended), a statement sent again after a stale plan as well; the prepared-statement cache is kept in step.</li>
 * </ul>
 *
 * <p>Runs on the thread holding the blocking connection's lock.
 */
public final class StreamStep {
    /** Rows per chunk the server sends before the consumer reads on. */
    public static final int CHUNK_ROWS = 256;
    /** The rows read from the socket at a time. */
    private int chunkRows = CHUNK_ROWS;

    private final Session session;
    /** The statement as execute() runs it, or null for a plain stream. */
    private Execute op;
    private QueryCommand cmd;
    /** The time left for waiting on the server (op streams; null: no timeout). */
    private Duration timeout;
    private long waitLeftNanos;
    /** The statement timeout fired during an earlier wait (its QueryCanceled becomes the timeout's error). */
    private Duration fired;
    /** Another operation reads the rest into memory instead of ending the statement. */
    private boolean keepRest;
    /** The statement's error, raised once the rows before it were consumed. */
    private TuskException failure;
    /** The op was told its command ended ({@link Execute#resume}). */
    private boolean resumed;
    private boolean finished;

    private StreamStep(Session session, Execute op, QueryCommand cmd, Duration timeout, boolean keepRest) {
        this.session = session;
        begin(op, cmd, timeout, keepRest);
    }

    /** The state of a new stream of {@code op} (or of {@code cmd}, a plain one): nothing of an earlier statement. */
    private void begin(Execute op, QueryCommand cmd, Duration timeout, boolean keepRest) {
        this.op = op;
        this.cmd = cmd;
        this.timeout = timeout;
        this.waitLeftNanos = timeout == null ? Long.MAX_VALUE : timeout.toNanos();
        this.fired = null;
        this.keepRest = keepRest;
        this.failure = null;
        this.resumed = false;
        this.finished = false;
        this.chunkRows = CHUNK_ROWS;
    }

    /** A stream of {@code op}, the statement as execute() would run it, under the statement timeout {@code timeout}. */
    public static StreamStep of(Session session, Execute op, Duration timeout, boolean keepRest) {
        return new StreamStep(session, op, null, timeout, keepRest);
    }

    /**
     * Whether this step's statement is over for good ({@link #finished()}, its command completed): nothing of the
     * connection refers to the step any more, so {@link #restart} may make it the step of a new statement.
     */
    public boolean ended() {
        return finished && (cmd == null || cmd.isDone());
    }

    /**
     * This step, {@link #ended()}, made the step of a new stream of {@code op} (as {@link #of} would make it, with
     * nothing of the statement before: no failure, no timeout fired, chunks of {@link #CHUNK_ROWS}): the consumer of
     * a stream that ran a prepared statement again reuses it.
     *
     * @throws IllegalStateException when the step is not {@link #ended()} or is a plain stream's
     */
    public StreamStep restart(Execute op, Duration timeout, boolean keepRest) {
        if (!ended() || this.op == null) {
            throw new IllegalStateException("only an ended stream of an op can be restarted");
        }
        begin(op, null, timeout, keepRest);
        return this;
    }

    /**
     * The statement of this step, {@link #ended()}, for the step's next stream to be made of ({@link Execute#forUser}):
     * null when there is none or it may not be reused ({@link Execute#reusable()}).
     */
    public Execute spareOp() {
        return ended() && op != null && op.reusable() ? op : null;
    }

    /** A stream of {@code cmd} as built (simple or unnamed extended), after a BEGIN when one is due. */
    public static StreamStep plain(Session session, QueryCommand cmd) {
        return new StreamStep(session, null, cmd, null, false);
    }

    /** Queues what leads (a BEGIN when one is due) and returns the statement to send and flush. May throw. */
    public QueryCommand start() {
        if (op != null) {
            cmd = (QueryCommand) op.start();
        } else {
            session.checkStatementAllowed();
            session.beginIfNeeded(); // queued already
        }
        cmd.streamChunk(chunkRows);
        return cmd;
    }

    /** Reads {@code rows} rows from the socket at a time instead of {@link #CHUNK_ROWS} (psycopg's {@code size=}); before the first read. */
    public void chunkRows(int rows) {
        chunkRows = rows;
        if (cmd != null) {
            cmd.streamChunk(rows);
        }
    }

    /** The shell sent {@code c}, the command {@link #start()} or {@link #read} returned. */
    public void sent(QueryCommand c) {
        if (op != null) {
            op.sent(c);
        }
    }

    /** The statement the shell waits for. */
    public QueryCommand command() {
        return cmd;
    }

    public boolean finished() {
        return finished;
    }

    /** A plain stream waits under the connection's statement timeout; a stream of an op under {@link #nextWait()}. */
    public boolean waitsUnderConnectionTimeout() {
        return op == null;
    }

    /** How long the next wait may take: what is left of the statement timeout (at least 1 ms), or null: no limit. */
    public Duration nextWait() {
        return timeout == null ? null : Duration.ofNanos(Math.max(1_000_000L, waitLeftNanos));
    }

    /** Whether the waits count against a statement timeout ({@link #waited} matters): a stream of an op with one. */
    public boolean timed() {
        return op != null && timeout != null;
    }

    /** The shell waited {@code nanos} for the statement (whether or not the wait failed): the timeout left shrinks. */
    public void waited(long nanos) {
        waitLeftNanos -= nanos;
    }

    /**
     * The shell waited for the statement ({@code f}: the statement timeout when it fired meanwhile). Takes the rows that arrived into {@code rows}; returns the statement to send and flush now (sent
     * again after a stale plan, before any row: its rows are streamed instead), else null. Once the statement has
     * ended, {@link #finished()} is true and its error waits in {@link #takeFailure()} (for a plain stream,
     * {@link #failsAtOnce()}).
     */
    public QueryCommand read(Duration f, Collection<ResultData> rows) {
        return read(f, rows, null);
    }

    /**
     * {@link #read(Duration, Collection)}, the holder for the rows still to come made of {@code spare}'s storage
     * when it is an earlier holder of this statement's rows that nobody reads again (null: none).
     */
    public QueryCommand read(Duration f, Collection<ResultData> rows, ResultData spare) {
        if (op == null) {
            cmd.drainStreamed(rows, spare);
            if (cmd.isDone()) {
                finished = true;
                TuskException e = cmd.error();
                failure = e == null || f == null ? e : StatementTimer.timedOut(f, e);
            }
            return null;
        }
        if (f != null && fired == null) {
            fired = f;
            waitLeftNanos = timeout.toNanos(); // the cancel was sent: the server has its grace again, once
        }
        if (!cmd.isDone()) {
            cmd.drainStreamed(rows, spare);
            return null;
        }
        // settled before its last results are taken: the cache learns the statement's columns from them
        Command again = op.resume(fired);
        resumed = again == null;
        cmd.drainStreamed(rows, null);
        if (again != null) {
            cmd = (QueryCommand) again;
            cmd.streamChunk(chunkRows);
            return cmd;
        }
        finished = true;
        failure = op.failure();
        return null;
    }

    /** A plain stream raises its error as soon as it arrives, before the rows of its last chunk. */
    public boolean failsAtOnce() {
        return op == null;
    }

    /** The statement's error, once (null: none, or taken already). */
    public TuskException takeFailure() {
        TuskException e = failure;
        failure = null;
        return e;
    }

    /** Another operation is about to run: whether this stream reads its rest into memory (else it is discarded). */
    public boolean keepsRest() {
        return keepRest;
    }

    /**
     * Reading the rest into memory failed with {@code e} (even the connection's: the next operation finds a broken
     * connection by itself): kept for the consumer.
     */
    public void restFailed(TuskException e) {
        finished = true;
        if (failure == null) {
            failure = e;
        }
    }

    /**
     * The stream is dropped: returns the statement to abandon (its rows, dropped as they arrive, and a cancel), or
     * null when it had ended.
     */
    public QueryCommand discard() {
        finished = true;
        if (cmd.isDone()) {
            return null;
        }
        cmd.discardRows();
        return cmd;
    }

    /**
     * After {@link #discard()} (and the abandon): keeps the prepared-statement cache in step. Returns the statement
     * sent again after a stale plan, its rows to be dropped, for the shell to send, flush and abandon as well (then
     * {@link #discardedAgain}); else null.
     */
    public QueryCommand discarded() {
        if (op == null || resumed || !cmd.isDone()) {
            return null;
        }
        resumed = true;
        Command again = op.resume(fired);
        if (again == null) {
            return null;
        }
        QueryCommand q = (QueryCommand) again;
        q.discardRows();
        return q;
    }

    /** The statement sent again by {@link #discarded()} was abandoned: settled when it ended. */
    public void discardedAgain(QueryCommand q) {
        if (q.isDone()) {
            op.resume(null);
        }
    }
}
