package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.blocking.Abandon;
import dev.tusk.internal.blocking.BlockingClose;
import dev.tusk.internal.blocking.TimedLock;
import dev.tusk.internal.blocking.Usability;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ExtendedQuery;
import dev.tusk.internal.core.QueryCommand;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.CopyOperation;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.StreamStep;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * The statement a blocking {@link Connection} has running while its user reads it: a {@link RowStream} reading its
 * rows as they are consumed, or a {@link Copy}; started here, settled before another call uses the connection, and
 * ended when a lease closes with one still open. (The rules are internal.op.StreamStep's and CopyOperation's.)
 */
final class ActiveWork {
    private ActiveWork() {
    }

    /**
     * What changes on a blocking connection, shared with its lease handles: ConnectionShell's, and the statement
     * running while its user reads it, which the check before every other call settles ({@link Usability}).
     */
    static final class State<R> extends ConnectionShell.State<R, Connection<R>> implements Usability.Work {
        /** The stream reading its rows from the server now, or null; read without the lock by {@link #streaming}. */
        volatile RowStream<?> activeStream;
        /** The COPY started and not yet ended through its {@link Copy}; lock held to read or change it. */
        Copy activeCopy;
        /**
         * The operations started on the connection ({@link #operationStarts}), counted: a cursor's statement is the
         * one the server runs (or the backend is idle after it) while the count its start saw is the last
         * ({@link Cursor#operation}). Written under the lock, read by a targeted cancel without it.
         */
        volatile long operations;
        /**
         * Held by a targeted cancel ({@link Cursor#cancelStatement}) from the moment it decides to write its
         * request until the server confirmed it (or its deadline passed): an operation starting waits for it.
         */
        final ReentrantLock cancelGate = new ReentrantLock();

        /**
         * The gate of a targeted cancel of {@code cursor}'s statement ({@link Cursor#cancelStatement}): it writes only
         * while that statement is the last operation started (and {@code lease}, the handle's own gate, allows it),
         * holding {@link #cancelGate} from that decision until the server handled the request.
         */
        CancelRequester.Gate targeting(Cursor<?> cursor, CancelRequester.Gate lease) {
            return new CancelRequester.Gate() {
                @Override
                public boolean mayWrite() {
                    cancelGate.lock();
                    boolean write = false;
                    try {
                        write = cursor.operation == operations && lease.mayWrite();
                        return write;
                    } finally {
                        if (!write) {
                            cancelGate.unlock();
                        }
                    }
                }

                @Override
                public void ended(boolean confirmed) {
                    cancelGate.unlock(); // the server handled it (or its deadline passed): operations may start
                    lease.ended(confirmed); // then a lease's give-back it held up, which runs one
                }
            };
        }

        /** The count moves on (a cancel of the operation before is dropped from now on). Lock held. */
        @Override
        public void operationStarts() {
            operations++; // one writer: under the connection's lock
        }

        /**
         * Before every write to the server: a targeted cancel holding the gate is waited for (its own deadline bounds
         * it). With {@link #operationStarts} before the write, each side writes its own, then reads the other's:
         * either the cancel sees the count moved on and is dropped, or the write sees it in flight and waits until
         * the server handled it (it stopped the operation it targets, or found the backend idle). A call that sends
         * nothing (a setter) never waits.
         */
        void awaitCancelInFlight() {
            if (cancelGate.isLocked()) {
                cancelGate.lock();
                cancelGate.unlock();
            }
        }

        @Override
        public boolean streaming() {
            return activeStream != null;
        }

        /** A stream left unfinished is ended, or when it keeps its rest, read to its end into memory. Lock held. */
        @Override
        public void settleStream() {
            RowStream<?> s = activeStream;
            if (s != null) {
                activeStream = null;
                if (s.closedUnlocked()) {
                    s.discard(false, Abandon.ON_CLOSE); // its consumer closed it meanwhile: nobody reads the rest
                } else {
                    s.settle();
                }
            }
        }

        @Override
        public boolean copyOpenBesides(Object by) {
            return activeCopy != null && activeCopy != by;
        }

        /**
         * Another call wants the connection while a COPY is open (lock held). A COPY FROM is the caller's to end
         * (its data would be committed or lost): refused, as libpq does, and the connection stays as it was. A
         * COPY TO nobody finished is abandoned: cancelled on the server and the rest dropped, in bounded time.
         */
        @Override
        public void settleCopy() {
            Copy c = activeCopy;
            if (c.commandDone()) {
                activeCopy = null;
                return;
            }
            if (c.isCopyIn()) {
                throw new ProgrammingException("another command is already in progress: a COPY ... FROM STDIN is open"
                        + " on this connection; end it first with copy.finish() (or copy.abort(reason))");
            }
            activeCopy = null;
            c.abandon("another statement ran on the connection");
        }
    }

    /** Starts a statement whose rows are read as they are consumed: see {@link Cursor#stream}. */
    static <T> RowStream<T> openStream(Connection<?> conn, Cursor<T> cursor, RowFactory<T> factory, String query,
                                       Object params) {
        conn.use();
        TimedLock.lock(conn.lock, conn.state.statementTimeout); // the timeout covers the wait for another call
        try {
            conn.checkUsable();
            conn.session.pipelines().checkStreamAllowed();
            conn.session.runPrelude(conn.state.statementTimeout);
            cursor.operation = conn.state.operations;
            Binder.Bound st = params == null ? null : cursor.binder().bind(query, params, cursor.adaptersInUse());
            QueryCommand cmd = st == null || st.params() == null ? new SimpleQuery(st == null ? query : st.sql())
                    : new ExtendedQuery(st.sql(), "", true, st.params(), conn.resultFormat(null, cursor.binary()) == 1 ? 1 : 0, true);
            return startStream(conn, cursor, factory, StreamStep.plain(conn.session, cmd), null, false);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Starts a statement whose rows are read as they are consumed, prepared and in the result format as
     * {@link Cursor#execute} would run it (see {@link Cursor#stream(String, List, ExecuteOptions, boolean)}).
     */
    static <T> RowStream<T> openStream(Connection<?> conn, Cursor<T> cursor, RowFactory<T> factory, String query,
                                       Object params, ExecuteOptions opts, boolean keepRest, boolean reusable) {
        conn.use();
        Duration timeout = conn.timeout(opts);
        TimedLock.lock(conn.lock, timeout); // the timeout covers the wait for another thread's call
        try {
            conn.checkUsable();
            conn.session.pipelines().checkStreamAllowed();
            conn.session.runPrelude(timeout);
            cursor.operation = conn.state.operations;
            RowStream<T> closed = reusable ? cursor.closedStream : null;
            // the closed stream's statement, which nothing refers to any more, made this one (else a new one)
            Execute op = conn.statement(cursor.binder(), cursor.adaptersInUse(), cursor.binary(), cursor.maxRows(),
                    query, params, opts, closed == null ? null : closed.step().spareOp());
            if (closed == null) {
                return startStream(conn, cursor, factory, StreamStep.of(conn.session, op, timeout, keepRest), null,
                        reusable);
            }
            cursor.closedStream = null; // taken: should the start fail, it is simply dropped
            return startStream(conn, cursor, factory, closed.step().restart(op, timeout, keepRest), closed, true);
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Sends the statement of {@code step} and makes it the active stream: {@code closed} restarted (a closed stream
     * of the cursor's, {@code step} its own), else a new one. Lock held.
     */
    private static <T> RowStream<T> startStream(Connection<?> conn, Cursor<T> cursor, RowFactory<T> factory,
                                                StreamStep step, RowStream<T> closed, boolean reusable) {
        QueryCommand cmd = step.start();
        if (closed != null) {
            cmd.recycle(closed.takeRecycledData()); // the closed stream's last result: nobody reads its rows again
        }
        conn.driver().core().send(cmd);
        step.sent(cmd);
        RowStream<T> s = closed != null ? closed.restart(step, cursor.adaptersInUse(), cursor)
                : new RowStream<>(conn, step, cursor.adaptersInUse(), factory, reusable);
        s.flushSent(); // under the statement's timeout, as its waits: a large parameter a frozen server never reads
        s.owner = cursor;
        conn.state.activeStream = s;
        return s;
    }

    /**
     * How long a close waits for the connection's lock, held by another thread (its statement, or a read of this
     * stream): past it, the stream is only marked closed ({@link RowStream#closeUnlocked}) and whoever holds or next
     * takes the lock ends it. A close never waits for another thread's statement nor for the server behind it.
     */
    private static final long CLOSE_LOCK_WAIT_MS = 50;

    /**
     * Closing a stream of an ended lease does nothing (the pool dealt with it). A driver's stream whose statement is
     * then over for good is kept by its cursor for the next one ({@link Cursor#closedStream}). With the lock held by
     * another thread, the stream is marked closed instead and never reused (that thread may still touch it).
     */
    static <T> void closeStream(Connection<?> conn, RowStream<T> s) {
        if (conn.leaseOver()) {
            return;
        }
        if (!lockForClose(conn)) {
            s.closeUnlocked();
            if (!conn.lock.tryLock()) { // else the holder let go before it could see the mark: ended here
                return;
            }
        }
        try {
            if (conn.state.activeStream == s && !conn.driver().core().isBroken()) {
                conn.state.activeStream = null;
                s.discard(false, Abandon.ON_CLOSE);
            }
            if (conn.state.activeStream != s && s.reusableAfterClose() && !s.closedUnlocked()
                    && !conn.driver().core().isBroken()) {
                @SuppressWarnings("unchecked") // a cursor's streams all make its factory's rows
                Cursor<T> owner = (Cursor<T>) s.owner;
                s.dropRows();
                owner.closedStream = s;
            }
        } finally {
            conn.lock.unlock();
        }
    }

    /**
     * Takes the lock for a close that must end what the connection runs (a lease's unfinished work, a COPY's
     * close or abort), waiting at most {@link #CLOSE_LOCK_WAIT_MS}. When another thread keeps it (its statement, or
     * a read or write of that COPY or stream, maybe from a server that stopped answering), the close does not wait
     * for that call: the connection is closed under it, as {@link Connection#close()} does, for {@code reason}'s
     * error (that call fails saying so), and false is returned, the lock not held.
     */
    static boolean lockOrCloseUnder(Connection<?> conn, Supplier<OperationalException> reason) {
        if (lockForClose(conn)) {
            return true;
        }
        conn.closing.close(reason.get()); // that call fails with reason's message; never lent with it running
        return false;
    }

    /** Takes the lock for a close, waiting at most {@link #CLOSE_LOCK_WAIT_MS}: false when another thread keeps it. */
    static boolean lockForClose(Connection<?> conn) {
        if (conn.lock.tryLock()) { // the usual case, free: and an interrupted thread still closes as before
            return true;
        }
        try {
            return conn.lock.tryLock(CLOSE_LOCK_WAIT_MS, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // kept for the caller; the close is still done, by the mark
            return false;
        }
    }

    /**
     * A stream closed by its consumer while this thread held the lock ({@link RowStream#closeUnlocked}) and still
     * running is ended now. Lock held.
     */
    static void endIfClosedUnlocked(Connection<?> conn, RowStream<?> s) {
        if (s.closedUnlocked() && conn.state.activeStream == s && !conn.driver().core().isBroken()) {
            conn.state.activeStream = null;
            s.discard(false, Abandon.ON_CLOSE);
        }
    }

    static RowStream<?> activeStream(Connection<?> conn) {
        return conn.state.activeStream;
    }

    /** Whether a stream {@code cursor} opened still reads its rows from the server (see {@link Cursor#isStreaming()}). */
    static boolean streaming(Connection<?> conn, Cursor<?> cursor) {
        conn.look();
        RowStream<?> s = conn.state.activeStream;
        return s != null && s.owner == cursor;
    }

    static void streamEnded(Connection<?> conn, RowStream<?> s) {
        if (conn.state.activeStream == s) {
            conn.state.activeStream = null;
        }
    }

    /** A stream left unfinished when its lease ends is ended, as a close ({@link Abandon#ON_CLOSE}). Lock held. */
    static void finishActiveStream(Connection<?> conn) {
        RowStream<?> s = conn.state.activeStream;
        if (s != null) {
            conn.state.activeStream = null;
            s.discard(true, Abandon.ON_CLOSE);
        }
    }

    /**
     * Ends a statement whose remaining results are being dropped, within {@code limit} (a close's, or the next
     * statement's): see {@link Abandon#abandon}. Lock held.
     */
    static boolean abandon(Connection<?> conn, Command cmd, String what, boolean cancel, Duration limit) {
        return Abandon.abandon(conn.driver(), conn::sendCancel, cmd, what, cancel, limit);
    }

    // ---------------------------------------------------------------- COPY

    static void copyEnded(Connection<?> conn, Copy c) {
        if (conn.state.activeCopy == c) {
            conn.state.activeCopy = null;
        }
    }

    /** Starts a COPY statement; returns once the server is ready to send or receive data. */
    static Copy startCopy(Connection<?> conn, Cursor<?> cursor, String sql) {
        conn.use();
        TimedLock.lock(conn.lock, conn.state.statementTimeout); // the timeout covers the wait for another call
        try {
            conn.checkUsable();
            conn.session.runPrelude(conn.state.statementTimeout); // the COPY's start waits as long
            CopyOperation op = new CopyOperation(conn.session, sql);
            Command cmd = op.start(); // after the BEGIN it queued, if one is needed
            // written under the statement timeout as its reply is awaited: a long COPY statement (its parameters are
            // merged into its text) that a frozen server no longer reads cannot block the write for ever
            TuskException failed = op.startFailure(conn.waits.runTimed(cmd));
            if (failed != null) {
                throw failed;
            }
            Copy copy = new Copy(conn, op, cursor.adaptersInUse());
            conn.state.activeCopy = copy;
            return copy;
        } finally {
            conn.lock.unlock();
        }
    }

    // ---------------------------------------------------------------- a lease's end

    /**
     * A lease is closed: a stream its user left open is ended here (cancelled), in bounded time, so the pool gets
     * a connection that is not in the middle of a statement; a COPY left open is only marked ended: the pool sees
     * it still in progress ({@link ConnectionHooks.Blocking#leftovers}) and closes the connection instead of reusing it. An error
     * breaks the connection, which the pool then sees. With the lock held by another thread (reading that stream or
     * COPY, maybe from a server that stopped answering) past {@link #CLOSE_LOCK_WAIT_MS}, the lease's end does not
     * wait for it: the connection is closed under that call, as {@link Connection#close()} does, and the pool drops it.
     */
    static void endUnfinishedWork(Connection<?> conn) {
        if (conn.state.activeCopy == null && conn.state.activeStream == null) {
            return; // read without the lock: both are set by the lease's user, who is closing it now
        }
        if (!lockOrCloseUnder(conn, () -> BlockingClose.CLOSED_BY_USER)) { // the pool closes it: "closed", not broken
            return;
        }
        try {
            Copy c = conn.state.activeCopy;
            conn.state.activeCopy = null;
            if (c != null && !c.commandDone() && !conn.driver().core().isBroken()) {
                c.abandonForGiveBack();
            }
            if (conn.state.activeStream != null && !conn.driver().core().isBroken()) {
                finishActiveStream(conn);
            }
        } catch (TuskException e) {
            // the connection broke meanwhile: the pool sees it closed and replaces it
        } finally {
            conn.lock.unlock();
        }
    }
}
