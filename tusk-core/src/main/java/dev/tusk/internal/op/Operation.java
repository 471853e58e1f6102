package dev.tusk.internal.op;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.BoundParams;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.observe.Observer;

import java.time.Duration;

/**
 * One operation on a connection, written once for both drivers and without I/O (psycopg's generators):
 * a small state machine run by a waiter ({@link BlockingWaiter} on the caller's thread, {@link AsyncWaiter} on
 * the event loop), always on the thread acting for the connection.
 *
 * <p>{@link #start()} queues the commands that lead (a BEGIN, the first chunks of a batch) into the protocol
 * core and returns the command to send last and wait for; the waiter sends it, calls {@link #sent} and waits.
 * When that command has completed, {@link #resume} decides: the operation ended (null: {@link #failure()} says
 * how), or it queued more and returns the next command to wait for. Every command of one step leaves in one
 * write.
 */
public abstract class Operation {
    /** The statement timeout of the operation's steps; null: none. */
    private Duration timeout;
    /** The pipeline the operation's statements are queued in, or null outside pipeline mode (set by start()). */
    Session.Pipelining pipe;
    /** What listeners see of the operation, null when nobody listens. */
    private Observation observation;

    Operation(Duration timeout) {
        this.timeout = timeout;
    }

    /** The operation made new again under {@code timeout} (an {@link Execute} reused): not started, nobody observing. */
    final void renew(Duration timeout) {
        this.timeout = timeout;
        this.pipe = null;
        this.observation = null;
    }

    /** Whether listeners observe the operation ({@link #observeStart} found some). */
    final boolean observing() {
        return observation != null;
    }

    /** Queues the leading commands and returns the command to send and wait for; null: ended without one. May throw. */
    public abstract Command start();

    /**
     * The command returned last has completed; {@code fired} is the statement timeout when it ran out meanwhile
     * (the statement was cancelled because of it), else null. Returns the next command to send and wait for, or
     * null once the operation has ended. Never throws.
     */
    public abstract Command resume(Duration fired);

    /** Once ended: why it failed, or null. */
    public abstract TuskException failure();

    /** The waiter has just sent {@code cmd}, the command {@link #start()} or {@link #resume} returned. */
    public void sent(Command cmd) {
    }

    /**
     * Whether the operation commits (COMMIT, COMMIT PREPARED): if the connection is lost before its reply, the
     * outcome is unknown and the caller is told so.
     */
    public boolean commits() {
        return false;
    }

    /** The first command sent in the current step: the statement timeout runs from when it reaches the server. */
    public abstract Command first();

    /** The statement timeout of the current step; null: none. */
    public final Duration timeout() {
        return timeout;
    }

    /** True when the operation's statements are queued in a pipeline (their results wait for the pipeline's reads). */
    public final boolean pipelined() {
        return pipe != null;
    }

    // ---------------------------------------------------------------- listeners

    /** The session the operation runs in. */
    abstract Session session();

    /**
     * The waiter is about to run the operation, on the submitting thread: the listeners' statementStarted when the
     * session has any (else a null check, nothing more).
     */
    final void observeStart() {
        Observer o = session().observer();
        if (o != null) {
            observation = Observation.start(o, session(), this);
        }
    }

    /**
     * {@code sql} as sent unprepared: with the listeners' comment appended (see
     * {@link dev.tusk.observe.TuskListener#statementComment}); {@code sql} itself when nobody listens.
     */
    final String commented(String sql) {
        Observation ob = observation;
        return ob == null ? sql : Observer.withComment(sql, ob.comment());
    }

    /** Whether listeners observe the operation. */
    final boolean observed() {
        return observation != null;
    }

    /** The operation ended with the caller's {@code error} (null: succeeded): the listeners' statementEnded, once. */
    final void observeEnd(Throwable error) {
        Observation ob = observation;
        if (ob != null) {
            ob.end(this, error);
            statementObserved();
        }
    }

    /** The listeners have heard of the operation's end as a statement (called after each observeEnd). */
    void statementObserved() {
    }

    /** The statement text listeners see: as sent, with placeholders, never with values merged in. */
    abstract String observedSql();

    /** The first parameter set, for listeners allowed to see values; null: none. */
    BoundParams observedParams() {
        return null;
    }

    /** The parameter sets of the operation (1 for a single statement). */
    int batchSize() {
        return 1;
    }

    /** A statement of the driver's own (COMMIT, SAVEPOINT...). */
    boolean ownStatement() {
        return false;
    }

    /** Whether the statement ran prepared (named) on the server. */
    abstract boolean observedPrepared();

    /** The rows returned or affected, once ended without error. */
    abstract long observedRows();

    /** The bytes of the row values received, once ended without error; -1 when not known. */
    long observedBytes() {
        return -1;
    }
}
