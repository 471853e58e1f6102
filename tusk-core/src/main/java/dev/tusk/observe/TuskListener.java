package dev.tusk.observe;

/**
 * Receives what Tusk's connections and pools do, for tracing, metrics and logging. Every method does nothing by
 * default: implement the ones you need. Set a listener on a connection's options with
 * {@link dev.tusk.ConnectOptions.Builder#listener} (pools made from those options use it too) or for every
 * connection made afterwards with {@link TuskListeners#register}; several listeners compose, each seeing every
 * event and getting back its own contexts.
 *
 * <h2>Threads and contexts</h2>
 * <ul>
 * <li>{@link #statementStarted} runs on the thread that submits the statement, before it is sent: for an
 * {@code AsyncConnection} the caller's thread at submit time, so the listener can take that thread's context
 * (OpenTelemetry's {@code Context.current()}) as the parent. What it returns (any object, null allowed) is handed
 * back to {@link #statementEnded}, which may run on another thread (the async connection's event loop).</li>
 * <li>{@link #statementEnded} is called exactly once per started statement: when it succeeds, fails, or the
 * connection is closed or lost under it.</li>
 * <li>The same pairing holds for pipelines, COPY and transaction blocks. A statement queued inside a pipeline
 * receives, as {@code parent}, the context this listener returned from {@link #pipelineStarted}.</li>
 * </ul>
 *
 * <h2>Rules for implementations</h2>
 * <ul>
 * <li>Be quick and never block: the calls are made inline, some on the event loop.</li>
 * <li>An exception thrown by a listener is caught and logged once (logger {@code dev.tusk.observe}, WARNING);
 * the statement goes on as if nothing happened.</li>
 * <li>Events never carry parameter values or passwords, except {@link StatementStart#parameters()} when the
 * user turned on {@link dev.tusk.ConnectOptions.Builder#observeParameters}.</li>
 * </ul>
 */
public interface TuskListener {

    // ---------------------------------------------------------------- connections

    /** One attempt to connect to one host and address ended, successfully or not. */
    default void connectAttempt(ConnectAttempt attempt) {
    }

    /**
     * A connection ended: closed by its user, or broken (lost, or closed after a fatal error). Told exactly once,
     * as soon as the end is known: for a break, on both drivers, when it is found (on the thread of the
     * {@link dev.tusk.Connection} call that found it, or on the {@link dev.tusk.AsyncConnection}'s event loop),
     * not when the user closes the broken connection later.
     */
    default void connectionClosed(ConnectionClosed event) {
    }

    // ---------------------------------------------------------------- statements

    /**
     * A statement (or an executemany batch) is about to be sent. Runs on the submitting thread.
     *
     * @param parent the context this listener returned for the pipeline the statement is queued in, else null
     * @return this listener's context for the statement, handed back to {@link #statementEnded} (may be null)
     */
    default Object statementStarted(StatementStart start, Object parent) {
        return null;
    }

    /**
     * A comment to append to the text of the statement started with {@code context}, as sent to the server (the
     * sqlcommenter convention: {@code key='value'} pairs separated by commas, without {@code /*} and its end), or
     * null for none. Lets the server's logs and {@code pg_stat_activity} tell which trace a statement belongs to.
     *
     * <p>Asked at most once per statement, only when the statement's text is about to be sent unprepared, and
     * possibly on another thread than {@link #statementStarted} (an {@code AsyncConnection}'s event loop): use
     * {@code context}, not the thread's state. Not asked, so never added:
     * <ul>
     * <li>for a statement run as a named prepared statement: its text is parsed once and must stay the same, as
     * the prepared-statement cache knows it (a per-statement comment would make every text distinct and nothing
     * would ever be prepared). The cache counts and keys the text without the comment, so a statement run often
     * is prepared as usual after {@code prepareThreshold} runs, and from then on carries no comment;</li>
     * <li>for a statement whose text holds a comment already ({@code --} or a slash-star one), as sqlcommenter
     * says, for {@code executemany}, COPY, server-side cursors and the driver's own statements (BEGIN,
     * COMMIT...).</li>
     * </ul>
     * A comment containing the end or the start of a comment is refused (logged once, not sent).
     * {@link StatementStart#sql()} stays the text without the comment. The default returns null.
     */
    default String statementComment(StatementStart start, Object context) {
        return null;
    }

    /** The statement started with {@code context} ended; possibly on another thread. Called exactly once. */
    default void statementEnded(StatementEnd end, Object context) {
    }

    /** A pipeline begins; returns this listener's context, the {@code parent} of its statements. */
    default Object pipelineStarted(PipelineStart start) {
        return null;
    }

    /** The pipeline started with {@code context} ended (after its statements ended). */
    default void pipelineEnded(PipelineEnd end, Object context) {
    }

    /**
     * A COPY begins ({@code cursor.copy(...)}: its statement is about to be sent), on the calling thread (for an
     * {@code AsyncConnection}, the submitting thread), by both drivers; {@code parent} is null (a COPY never runs
     * in a pipeline). {@link CopyStart#direction()} is the one the statement names (the last of {@code STDIN} and
     * {@code STDOUT} in it). A COPY is not also reported as a statement.
     */
    default Object copyStarted(CopyStart start, Object parent) {
        return null;
    }

    /**
     * The COPY started with {@code context} ended, exactly once: the server ended it (all its data moved, or it
     * failed, a COPY FROM closed without {@code finish()} included, with the server's error for the CopyFail), it
     * was refused before it was sent (in a pipeline, after PREPARE TRANSACTION), or the connection was lost under it.
     * May run on another thread than {@link #copyStarted} (the event loop). {@link CopyEnd#rows()} is the count
     * the server reported, -1 on error; {@link CopyEnd#bytes()} the COPY data moved either way.
     */
    default void copyEnded(CopyEnd end, Object context) {
    }

    // ---------------------------------------------------------------- transactions

    /**
     * A transaction block ({@code conn.transaction(...)}, outermost or a savepoint) begins, on both drivers: called
     * just before its BEGIN or SAVEPOINT is sent (on the caller's thread for {@link dev.tusk.Connection}, on the
     * event loop for {@link dev.tusk.AsyncConnection}); the context returned is handed back to
     * {@link #transactionEnded} exactly once, however the block ends (committed, rolled back, its BEGIN refused,
     * the connection closed or lost). The block's own statements (BEGIN, SAVEPOINT, COMMIT, RELEASE, ROLLBACK) are
     * also reported as statements ({@link StatementStart#own()}), between the two calls.
     */
    default Object transactionStarted(TransactionStart start) {
        return null;
    }

    /**
     * The transaction block started with {@code context} ended: committed (released, for a savepoint), rolled back
     * (by a {@link dev.tusk.Rollback}, {@code close()} without commit, or an error, then in
     * {@link TransactionEnd#error()}), FAILED when its end never reached the server, UNKNOWN when the reply to its
     * COMMIT was lost. A block closed with an outer one ends with it.
     */
    default void transactionEnded(TransactionEnd end, Object context) {
    }

    /**
     * A step ended, on both drivers, with its outcome (possibly {@link TransactionOutcome#UNKNOWN}):
     * {@code conn.commit()} or {@code conn.rollback()} of an open transaction (nothing is reported when none is
     * open: nothing was sent), {@code tpcPrepare()}, {@code tpcCommit()} and {@code tpcRollback()} (the
     * {@code _PREPARED} kinds once prepared, or by xid). A transaction block's end is its {@link #transactionEnded},
     * not a step. The statement itself is also reported as a statement ({@link StatementStart#own()}).
     */
    default void transactionStep(TransactionStep step) {
    }

    // ---------------------------------------------------------------- the rest of a session

    /** A notification (LISTEN/NOTIFY) arrived on a connection. */
    default void notificationReceived(NotificationReceived event) {
    }

    /** A cancel request was sent to the server (or could not be sent: see {@link CancelSent#error()}). */
    default void cancelSent(CancelSent event) {
    }

    // ---------------------------------------------------------------- pools (tusk-pool)

    /** A pool opened; {@code pool} can be read for the gauges until {@link #poolClosed}. */
    default void poolOpened(PoolView pool) {
    }

    /** A pool closed. */
    default void poolClosed(PoolView pool) {
    }

    /** A caller got a connection from a pool; {@link LeaseEvent#nanos()} is how long it waited. */
    default void leaseAcquired(LeaseEvent event) {
    }

    /** A caller gave back a connection; {@link LeaseEvent#nanos()} is how long it held it. */
    default void leaseReturned(LeaseEvent event) {
    }

    /** A caller gave up waiting for a connection (PoolTimeout); {@link LeaseEvent#nanos()} is how long it waited. */
    default void leaseTimedOut(LeaseEvent event) {
    }

    /** A pool made a new connection; {@link PoolConnectionEvent#nanos()} is how long it took. */
    default void poolConnectionCreated(PoolConnectionEvent event) {
    }

    /** A pool closed one of its connections (too old, idle, broken, or the pool closing). */
    default void poolConnectionClosed(PoolConnectionEvent event) {
    }
}
