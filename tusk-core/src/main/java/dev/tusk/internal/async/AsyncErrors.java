package dev.tusk.internal.async;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.notify.AsyncNotifications;
import dev.tusk.internal.op.AsyncWaiter;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.Liveness;
import dev.tusk.internal.op.Operation;
import dev.tusk.internal.op.TransactionSteps;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What an {@code AsyncConnection}'s calls fail with when the connection cannot run them: refused at once (closed,
 * given back to its pool), not sent (lost or closed first), or cut off by close() before the reply; the waiter's
 * {@link AsyncWaiter.Shell}, and whether it is closed or lost ({@link Liveness}). The errors shared with the
 * blocking {@code Connection} are {@link ConnectionErrors}'.
 */
public final class AsyncErrors implements AsyncWaiter.Shell, Liveness {
    /**
     * What these errors read of the connection's pool lending (dev.tusk's {@code ConnectionShell.State}, shared
     * with the lease handles).
     */
    public interface Lending {
        /** True when a pool owns the connection and it is idle in the pool (given back, not lent). */
        boolean idleInPool();

        /** Whether {@code handle} is the handle of the current lease. */
        boolean isLease(Object handle);
    }

    private final Lending state;
    private final AsyncClose closing;
    private final EventLoopDriver driver;
    private final AsyncNotifications<?> notifications;
    /** See {@link #watchClose}. */
    private final Set<Runnable> closeWatchers = ConcurrentHashMap.newKeySet();

    public AsyncErrors(Lending state, AsyncClose closing, EventLoopDriver driver,
            AsyncNotifications<?> notifications) {
        this.state = state;
        this.closing = closing;
        this.driver = driver;
        this.notifications = notifications;
    }

    /** A joining caller may read the reply itself unless handlers or subscribers wait for notifications. */
    @Override
    public boolean callerMayRead() {
        return !notifications.listening();
    }

    /** Why a new statement is refused at once (closed, or given back to the pool), or null. */
    @Override
    public TuskException refusal() {
        if (closing.started()) {
            return closedError();
        }
        if (state.idleInPool()) {
            return new InterfaceException("this connection was given back to its pool:"
                    + " lease another one (a pooled connection must not be used after close())");
        }
        return null;
    }

    /**
     * A call of the lease handle {@code lease} refused on the loop: its lease ended after the caller's check, with
     * the caller-thread refusal ({@link ConnectionErrors#endedLease()}); null while it lasts, or for the connection's own.
     */
    @Override
    public TuskException leaseEnded(Object lease) {
        return lease == null || state.isLease(lease) ? null : ConnectionErrors.endedLease();
    }

    /** A call refused at once because close() was called (not because the connection was given back), or null. */
    public TuskException closingError() {
        return closing.started() ? closedError() : null;
    }

    @Override
    public TuskException notSent(TuskException cause) {
        return brokenError(cause);
    }

    /**
     * A COMMIT (or COMMIT PREPARED) cut off before its reply fails with TransactionResolutionUnknown, as on
     * the blocking {@code Connection} (the server may have committed), whether the connection was lost or closed by the user
     * meanwhile; another statement cut off by close() says what that means for it ({@link #closedBeforeReply}).
     */
    @Override
    public TuskException error(Operation op, TuskException e) {
        TuskException closedByUser = closing.closedByUser();
        if (op.commits()) {
            return e == closedByUser ? TransactionSteps.closedWhileCommitting(e)
                    : TransactionSteps.unknownIfLost(e, driver.core().isBroken());
        }
        if (e == closedByUser) {
            return closedBeforeReply(op instanceof Execute x ? x.commitsOnItsOwn()
                    : op instanceof ExecuteMany m && m.commitsOnItsOwn());
        }
        return e;
    }

    /**
     * The error of a statement that was sent (close() flushes everything queued before its Terminate, and the
     * server runs it) but whose reply never came because the user closed the connection, which does not wait.
     * {@code commitsOnItsOwn}: an autocommit statement outside a transaction, which the server may have committed:
     * its outcome is unknown (TransactionResolutionUnknown, as for a COMMIT cut off). Otherwise it ran inside a
     * transaction that ends rolled back, unless a COMMIT already sent after it went through (that COMMIT's own
     * future says so).
     */
    private TuskException closedBeforeReply(boolean commitsOnItsOwn) {
        TuskException closedByUser = closing.closedByUser();
        if (commitsOnItsOwn) {
            return new TransactionResolutionUnknown("the connection was closed (close() was called)"
                    + " before the reply to this statement arrived: it was sent in autocommit mode, so the server may"
                    + " have run and committed it, or not; check the data on a new connection before retrying",
                    closedByUser);
        }
        return new OperationalException("the connection was closed (close() was called) before the reply to this"
                + " statement arrived; the server ends its transaction with a rollback (unless a COMMIT sent after it"
                + " went through: that COMMIT's own result says so)", closedByUser);
    }

    @Override
    public boolean closedOrLost() {
        return closing.started() || driver.failure() != null;
    }

    @Override
    public boolean lost() {
        TuskException f = driver.failure();
        return f != null && f != closing.closedByUser();
    }

    /** A call refused because the connection is closed (by the user) or broken. */
    @Override
    public OperationalException closedError() {
        TuskException broken = driver.failure();
        if (broken != null && broken != closing.closedByUser()) {
            return brokenError(broken);
        }
        return ConnectionErrors.closed();
    }

    /**
     * The connection closed (on the loop, once): the notifications end, completing when the user closed it, failing
     * when it was lost; then the {@link #watchClose watchers} run.
     */
    public void connectionClosed() {
        TuskException f = driver.failure();
        notifications.end(f == null || f == closing.closedByUser() ? null : brokenError(f));
        for (Runnable w : closeWatchers) {
            if (closeWatchers.remove(w)) {
                w.run();
            }
        }
    }

    /**
     * Runs {@code watcher} on the event loop once the connection is closed or lost, for what waits on the connection
     * with no statement in flight to fail (a row stream whose subscriber has no demand left). Returns what stops the
     * watch (a watcher that ran or was stopped runs no more); null, watching nothing, once the connection is closed.
     */
    public Runnable watchClose(Runnable watcher) {
        Runnable w = watcher::run; // an identity of its own: the same watcher may be registered twice
        closeWatchers.add(w);
        if (driver.isClosed() && closeWatchers.remove(w)) {
            return null; // closed before: connectionClosed() may have run already
        }
        return () -> closeWatchers.remove(w);
    }

    /**
     * A statement or call not sent because the connection failed with {@code cause} first: broken, or closed
     * by the user (then it did not run).
     */
    public OperationalException brokenError(TuskException cause) {
        if (cause == closing.closedByUser()) {
            return new OperationalException(ConnectionErrors.CLOSED + ": close() was called before this was sent to"
                    + " the server, so it did not run");
        }
        return ConnectionErrors.broken(cause);
    }
}
