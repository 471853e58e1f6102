package dev.tusk;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.AsyncErrors;
import dev.tusk.internal.async.Cancellers;
import dev.tusk.internal.async.LeaseSubscriptions;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.connect.CancelsInFlight;
import dev.tusk.internal.connect.EstablishedSession;
import dev.tusk.internal.core.ProtocolCore;
import dev.tusk.internal.core.SessionState;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.notify.HandlerScope;
import dev.tusk.internal.notify.Handlers;
import dev.tusk.internal.observe.Observer;
import dev.tusk.internal.op.Binder;
import dev.tusk.internal.op.ConnectionErrors;
import dev.tusk.internal.op.Execute;
import dev.tusk.internal.op.ExecuteMany;
import dev.tusk.internal.op.Liveness;
import dev.tusk.internal.op.Session;
import dev.tusk.internal.op.SessionZone;
import dev.tusk.internal.op.TwoPhaseSteps;
import dev.tusk.internal.query.PreparedStatements;
import dev.tusk.observe.CancelSent;
import dev.tusk.observe.ConnectionClosed;
import dev.tusk.observe.NotificationReceived;
import dev.tusk.types.DateTimeAdapters;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What the blocking {@link Connection} and the non-blocking {@link AsyncConnection} share that does no I/O, written
 * once: the state shared with a pool's lease handles and the lease checks every public call starts with
 * ({@link #use()}, {@link #look()}, {@link #leaseEnded()}), the lease's start and end, psycopg's settable connection
 * attributes and the statement timeout, the notify and notice handlers and the notifications subscriptions a lease
 * adds, the adapters, the session's transaction characteristics and XA ids, whether the connection is closed or
 * broken (from the shell's {@link #liveness()}), the pool's part of close(), and what a
 * closed connection refuses a new cursor with. Each shell adds how it runs the operations (on the caller's thread
 * under a lock, or on an event loop).
 *
 * <p>Its public methods are the shells' own: javac gives each shell an access bridge (a public class inheriting them
 * from this package-private one), so they are called, documented and seen by reflection as the shell's. A method
 * with a generic parameter type is better kept in each shell: the bridge shows it erased in {@code javap} (as
 * removeNotifyHandler's and removeNoticeHandler's do). Those whose return type differs (the blocking value or the
 * future) stay in each shell too; the async one's doc links its blocking twin.
 *
 * @param <R> the row type the cursors return
 * @param <C> the shell ({@code Connection<R>} or {@code AsyncConnection<R>})
 * @param <S> the shell's shared state
 */
abstract class ConnectionShell<R, C extends ConnectionShell<R, C, S>, S extends ConnectionShell.State<R, C>> {
    /** What changes on the connection, shared with its lease handles. */
    final S state;
    /**
     * The connection itself, or for a pool's lease handle the pooled connection, whose state the handle
     * shares: every public call starts with {@link #use()} or {@link #look()} (a future's: {@link #leaseEnded()}),
     * which refuse a lease that ended.
     */
    final C home;
    final ConnectOptions<R> options;
    final AdaptersMap adapters;
    final Handlers<Diagnostic> notices;
    /** The notify handlers, which the shell's notifications deliver to. */
    final Handlers<Notify> notifyHandlers;
    /** The session state the operations' rules need (transaction status, prepared statements, pipeline). */
    final Session session;
    /** The session as connected: where it is (its info, a cancel request's target) and its observer. */
    final EstablishedSession<?> server;
    /** A lease handle's notify and notice handlers, removed when its lease ends; null: none. */
    private List<Consumer<Notify>> leaseNotifyHandlers;
    private List<Consumer<Diagnostic>> leaseNoticeHandlers;
    /** A lease handle's notifications subscriptions (an AsyncConnection's), ended with the lease; null: none. */
    private volatile LeaseSubscriptions leaseSubscriptions;
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ConnectionShell, LeaseSubscriptions> LEASE_SUBSCRIPTIONS =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionShell.class, LeaseSubscriptions.class, "leaseSubscriptions");
    /**
     * A lease handle's own adapters, a child of the pooled connection's made by its first {@link #adapters()} call
     * (null until then, and on the connection itself): what the lease registers reaches its own cursors only, never
     * the pooled connection's map, so a borrower who keeps the map after the lease changes no one's values.
     */
    private volatile AdaptersMap leaseAdapters;
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<ConnectionShell, AdaptersMap> LEASE_ADAPTERS =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionShell.class, AdaptersMap.class, "leaseAdapters");

    /** A new connection over the session {@code server} established, its attributes as {@code options} say. */
    @SuppressWarnings("unchecked")
    ConnectionShell(S state, ConnectOptions<R> options, EstablishedSession<?> server) {
        ProtocolCore core = server.core();
        this.server = server;
        this.state = state;
        this.home = (C) this;
        this.options = options;
        this.adapters = (options.context() != null ? options.context().adapters() : Tusk.adapters()).child();
        // one for both kinds: "inside a handler of this connection"
        HandlerScope scope = new HandlerScope(!(server.driver() instanceof BlockingDriver));
        this.notices = Handlers.notices(scope);
        this.notifyHandlers = Handlers.notifies(scope);
        core.session().columnFactory(Column.FACTORY);
        this.session = new Session(core, new PreparedStatements(options.prepareThreshold(), options.preparedMax(),
                Column.FACTORY), options.autocommit());
        session.observer(server.observer());
        state.rowFactory = options.rowFactory();
        state.cursorFactory = options.cursorFactory();
        state.statementTimeout = options.statementTimeout();
        DateTimeAdapters.useSessionZone(adapters, new SessionZone(core.session()));
        core.session().noticeSink(notices);
    }

    /**
     * A pool's lease handle: a connection sharing {@code pooled}'s state (no allocation but the handle) whose
     * every call is refused once the lease ended ({@link #use()}).
     */
    ConnectionShell(C pooled) {
        this.state = pooled.state;
        this.home = pooled;
        this.options = pooled.options;
        this.adapters = pooled.adapters;
        this.notices = pooled.notices;
        this.notifyHandlers = pooled.notifyHandlers;
        this.session = pooled.session;
        this.server = pooled.server;
    }

    /** A lease handle's view of {@link #info()}, made on first use; null on the connection itself. */
    private ConnectionInfo leaseInfo;

    /** A new lease handle of this pooled connection (see {@link #ConnectionShell(ConnectionShell)}). */
    abstract C newLeaseHandle();

    /** A pooled connection's close() gives it back; a lease handle's ends its lease; else the connection closes. */
    public abstract void close();

    /**
     * Whether the connection is closed or lost, and what a call then fails with (this handle's lease aside): the
     * shell's closing object, which reads its driver.
     */
    abstract Liveness liveness();

    /** Closes the connection itself, pooled or not, without waiting for the server. */
    abstract void closeUnpooled();

    /** A new live view of the connection's details (made once, on first use of {@link #info()}). */
    abstract ConnectionInfo newInfo();

    /** The client-side limit of a statement run with {@code opts}: theirs, else the connection's. */
    final Duration timeout(ExecuteOptions opts) {
        return opts.timeout() != null ? opts.timeout() : state.statementTimeout;
    }

    /**
     * The result format of a statement: the call's choice ({@code chosen}, from its ExecuteOptions), else the cursor's
     * ({@code cursorBinary}), else the connection's default ({@link ConnectOptions#binaryResults()}): 1 binary, 0 text,
     * or automatic ({@link PreparedStatements#AUTO_FORMAT}) when nothing was chosen.
     */
    final int resultFormat(Boolean chosen, Boolean cursorBinary) {
        Boolean b = chosen != null ? chosen : cursorBinary != null ? cursorBinary : options.binaryResults();
        return b == null ? PreparedStatements.AUTO_FORMAT : b ? 1 : 0;
    }

    /**
     * A client cursor's statement as both drivers bind it ({@code binder}, {@code adapters}, {@code binary},
     * {@code maxRows}: the cursor's; 0 rows: no limit): in the result format and with the preparation {@code opts}
     * ask for, under their timeout.
     */
    final Execute statement(Binder binder, AdaptersMap adapters, Boolean binary, int maxRows, String query,
                            Object params, ExecuteOptions opts) {
        return statement(binder, adapters, binary, maxRows, query, params, opts, null);
    }

    /** As above, made of {@code spare} when not null (see {@link Binder#statement(dev.tusk.internal.op.Session,
     * String, Object, AdaptersMap, int, Boolean, java.time.Duration, Execute)}). */
    final Execute statement(Binder binder, AdaptersMap adapters, Boolean binary, int maxRows, String query,
                            Object params, ExecuteOptions opts, Execute spare) {
        Execute op = binder.statement(session, query, params, adapters, resultFormat(opts.binary(), binary),
                opts.prepare(), timeout(opts), spare);
        if (maxRows > 0) {
            op.maxRows(maxRows);
        }
        return op;
    }

    /**
     * A client cursor's executemany as both drivers bind it (see {@link ExecuteMany}), under {@code timeout} (null: the
     * connection's statement timeout); null for no parameter sets.
     */
    final ExecuteMany many(Binder binder, AdaptersMap adapters, Boolean binary, String query, Iterable<?> paramSets,
                           boolean returning, Duration timeout) {
        return binder.many(session, query, paramSets, adapters, resultFormat(null, binary), returning,
                timeout != null ? timeout : state.statementTimeout);
    }

    /** ON, ABORTED (a statement failed since the last Sync) or OFF, as {@link ConnectionInfo#pipelineStatus()}. */
    final PipelineStatus pipelineStatus() {
        look();
        return PipelineStatus.values()[session.pipelines().status()];
    }

    /** The listeners of a connection made with {@code options}, or null when nobody listens. */
    static Observer observer(ConnectOptions<?> options) {
        return Observer.of(options.listeners(), options.observeParameters(), options.slowStatementThreshold());
    }

    /** What the session hands each notification to: {@code deliver}, the listeners ({@code o}, may be null) hearing of it first. */
    static Consumer<Notify> observed(Observer o, Consumer<Notify> deliver) {
        return o == null ? deliver : n -> {
            o.notificationReceived(new NotificationReceived(o.facts(), n.channel(), n.pid(), n.payload().length()));
            deliver.accept(n);
        };
    }

    /** The session's notifications, each made a {@link Notify} and given to {@code deliver}. */
    static SessionState.NotificationSink notifySink(Consumer<Notify> deliver) {
        return (channel, payload, pid) -> deliver.accept(new Notify(channel, payload, pid));
    }

    /**
     * The listeners hear that the connection ended: {@code cause} is what broke it, unless it is null or
     * {@code byUser} (the shell's mark of a close() the user called).
     */
    final void observeClosed(TuskException cause, TuskException byUser) {
        Observer o = session.observer();
        if (o != null) {
            boolean broken = cause != null && cause != byUser;
            o.connectionClosed(new ConnectionClosed(o.facts(), broken, broken ? cause : null));
        }
    }

    /**
     * True once {@code close()} was called or the connection was lost (by a fatal error); for a pool's lease,
     * also once the lease ended.
     */
    public boolean isClosed() {
        return leaseOver() || liveness().closedOrLost();
    }

    /** True when the connection was lost (not closed by the user): the server went away or a fatal error. */
    public boolean isBroken() {
        return !leaseOver() && liveness().lost();
    }

    /**
     * This connection, for a new cursor: refused at once when the connection is closed or broken, as psycopg's
     * {@code conn.cursor()}; a lease that ended is refused as by {@link #look()}.
     */
    @SuppressWarnings("unchecked")
    final C forNewCursor() {
        look();
        Liveness l = liveness();
        if (l.closedOrLost()) {
            throw l.closedError();
        }
        return (C) this;
    }

    // ---------------------------------------------------------------- cancellation

    /**
     * psycopg's rule: {@code cancel()} is refused ({@code ProgrammingException}) after {@code tpcPrepare()}
     * (nothing runs that a cancel could stop; only tpcCommit or tpcRollback may follow); on a closed connection it
     * does nothing and is not refused. The session's statement check knows that state.
     */
    final void checkCancelAllowed() {
        if (isClosed()) {
            return;
        }
        try {
            session.checkStatementAllowed();
        } catch (ProgrammingException why) {
            throw new ProgrammingException("cancel() cannot be used with a prepared two-phase transaction ("
                    + why.getMessage() + ")", why);
        }
    }

    /**
     * Sends a CancelRequest for this session to its host (a connection of its own, over TLS if this one is),
     * waiting at most {@code timeout} (null: {@code connect_timeout}, else 10 s) for the server to take it; the
     * listeners hear of it ({@code reason}), sent or failed. On the calling thread.
     *
     * <p>Through a pool's lease handle, the request targets the lease: one whose lease ended before its bytes were
     * written is dropped unsent (it would cancel the next borrower's statement), and the lease's end gives the
     * connection back to the pool only once the requests written through it were handled ({@link CancelsInFlight}).
     */
    final void requestCancel(Duration timeout, String reason) {
        requestCancel(timeout, reason, leaseGate());
    }

    /** The gate of a cancel made through this handle: {@link CancelRequester#ALWAYS}, or a lease's (see above). */
    final CancelRequester.Gate leaseGate() {
        return home == this ? CancelRequester.ALWAYS : state.cancels.gate(() -> state.lease == this);
    }

    /** As {@link #requestCancel(Duration, String)}, through {@code gate}. */
    final void requestCancel(Duration timeout, String reason, CancelRequester.Gate gate) {
        SessionState s = session.core().session();
        Observer o = session.observer();
        boolean sent;
        try {
            sent = CancelRequester.cancel(server.host(), server.params(), server.tls(), s.backendPid(), s.secretKey(),
                    timeout, gate);
        } catch (RuntimeException e) {
            if (o != null) {
                o.cancelSent(new CancelSent(o.facts(), reason, e));
            }
            throw e;
        }
        if (sent && o != null) {
            o.cancelSent(new CancelSent(o.facts(), reason, null));
        }
    }

    /** The id of a two-phase call by id ({@code call}), refused when null. */
    static Xid requireXid(Xid xid, String call) {
        if (xid == null) {
            throw TwoPhaseSteps.idNeeded(call);
        }
        return xid;
    }

    // ---------------------------------------------------------------- pool leases

    /**
     * What changes on a connection, in one object shared with its lease handles: a handle is a connection of its
     * own (the cursors, settings, streams, pipelines and copies made through it belong to it) acting on the state
     * of the pooled connection, its {@link #home}.
     */
    static class State<R, C> implements AsyncErrors.Lending {
        volatile Duration statementTimeout;
        /** A live view of the session, made on first use. */
        ConnectionInfo info;
        /** Set when a pool owns the connection: close() gives it back to the pool. */
        volatile Consumer<? super C> giveBack;
        /** With a pool: whether the connection is lent out (else it is idle in the pool and refuses calls). */
        volatile boolean lent;
        /** The settable connection attributes (psycopg's row_factory, cursor_factory, server_cursor_factory). */
        volatile RowFactory<R> rowFactory;
        volatile CursorFactory cursorFactory;
        volatile ServerCursorFactory serverCursorFactory = ServerCursorFactory.SERVER_CURSOR;
        /** With a pool: the handle of the current lease, null while the connection is not lent. */
        volatile C lease;
        /** With a pool: whether the current (or last) lease did anything with the connection; a reset is then due. */
        volatile boolean leaseUsed;
        /** With a pool: the cancel requests made through leases and not yet handled, which hold up a give-back. */
        final CancelsInFlight cancels = new CancelsInFlight();

        /** {@link #statementTimeout}, for the internal code that reads it through a {@code Supplier}. */
        Duration statementTimeout() {
            return statementTimeout;
        }

        @Override
        public boolean idleInPool() {
            return giveBack != null && !lent;
        }

        @Override
        public boolean isLease(Object handle) {
            return lease == handle;
        }
    }

    /** Ends a lease once: {@link State#lease} from its handle to null (the field's type is erased to Object). */
    @SuppressWarnings("rawtypes")
    private static final AtomicReferenceFieldUpdater<State, Object> LEASE =
            AtomicReferenceFieldUpdater.newUpdater(State.class, Object.class, "lease");

    /**
     * Where every call that may change the session starts: a lease handle acts only while its lease lasts
     * (then marks it used: the pool resets the session after it); the connection itself (not a handle) always
     * may, at the cost of one comparison. A volatile read or two, no allocation.
     */
    final void use() {
        if (home != this) {
            State<R, C> s = state;
            if (s.lease != this) {
                throw ConnectionErrors.endedLease();
            }
            if (!s.leaseUsed) {
                s.leaseUsed = true;
            }
        }
    }

    /**
     * As {@link #use()} for the calls returning a future, which fail instead of throwing: true when this is a lease
     * handle whose lease ended; else false, a lease being marked used.
     */
    final boolean leaseEnded() {
        if (home != this) {
            State<R, C> s = state;
            if (s.lease != this) {
                return true;
            }
            if (!s.leaseUsed) {
                s.leaseUsed = true;
            }
        }
        return false;
    }

    /** As {@link #use()} for the calls that only read the connection's state. */
    final void look() {
        if (home != this && state.lease != this) {
            throw ConnectionErrors.endedLease();
        }
    }

    /**
     * What the event loop checks again before it runs this handle's work ({@link AsyncErrors#leaseEnded}): the
     * handle of a pool's lease, or null for the connection itself (nothing to check).
     */
    final Object lease() {
        return home == this ? null : this;
    }

    /** Whether this is a lease handle whose lease ended (nothing marked). */
    final boolean leaseOver() {
        return home != this && state.lease != this;
    }

    /** The refusal of a call returning a future (an AsyncConnection's) on a lease that ended. */
    static <T> CompletableFuture<T> refusedLease() {
        return LoopFuture.failed(ConnectionErrors.endedLease());
    }

    /** A new lease of this pooled connection: a handle that refuses every call once the lease ended. */
    final C startLease() {
        C l = newLeaseHandle();
        if (state.leaseUsed) {
            state.leaseUsed = false; // a volatile write (a fence) only after a lease that used the connection
        }
        state.lease = l;
        return l;
    }

    /**
     * A lease handle's close(): ends the lease, removes the handlers added through it and gives the connection
     * back to its pool; a second call does nothing.
     */
    final void endLease() {
        if (!LEASE.compareAndSet(state, this, null)) {
            return;
        }
        if (leaseNotifyHandlers != null) {
            leaseNotifyHandlers.forEach(notifyHandlers::remove);
        }
        if (leaseNoticeHandlers != null) {
            leaseNoticeHandlers.forEach(notices::remove);
        }
        LeaseSubscriptions subs = leaseSubscriptions;
        if (subs != null) {
            subs.endAll(); // before the pool may lend the connection again
        }
        home.close(); // a pooled connection's close() gives it back
    }

    /**
     * A lease handle's notifications subscription ({@code end} completes it): it ends with the lease, before the
     * pool may lend the connection again, so it never hears the next borrower's notifications; one made after the
     * lease ended completes at once. Returns what cancels that and {@code deadline}'s end, if any.
     */
    final Runnable endsWithLease(Runnable end, Function<Runnable, Runnable> deadline) {
        if (leaseSubscriptions == null) {
            LEASE_SUBSCRIPTIONS.compareAndSet(this, null, new LeaseSubscriptions());
        }
        return leaseSubscriptions.add(end, this::leaseOver, deadline);
    }

    /**
     * The pool's part of close(), the same on both shells: a lease handle ends its lease; a pooled connection lent
     * out goes back to its pool (once), an idle one stays as it is. False for a connection of no pool, which the
     * shell then closes for real.
     */
    final boolean givenBack() {
        if (home != this) {
            endLease();
            return true;
        }
        Consumer<? super C> pool = state.giveBack;
        if (pool == null) {
            return false;
        }
        if (state.lent) {
            beforeGiveBack();
            state.lent = false;
            // held while a cancel request written through the lease is not yet handled (it would stop the next
            // borrower's statement); then given back on a canceller thread, not on the thread of that cancel() call
            CancelsInFlight cancels = state.cancels;
            if (!cancels.inFlight() || !cancels.hold(() -> giveBackAfterCancels(pool), Cancellers::execute)) {
                giveBackAfterCancels(pool);
            }
        }
        return true;
    }

    /**
     * Gives the connection to its pool once no cancel request made through a lease is in flight: closed first
     * (the pool replaces it) when one of them was never confirmed, and may still reach the server.
     */
    private void giveBackAfterCancels(Consumer<? super C> pool) {
        if (state.cancels.unconfirmed()) {
            closeUnpooled();
        }
        pool.accept(home);
    }

    /** What a pooled connection ends before it goes back to its pool (nothing here). */
    void beforeGiveBack() {
    }

    /**
     * DISCARD ALL but for DEALLOCATE ALL, which would drop the driver's own prepared statements: only those
     * made with SQL PREPARE ({@code from_sql}) are deallocated. Its first result ({@link #RESET_SCHEMAS_BEFORE}) is
     * the schemas that unqualified names resolved to in the borrower's session (written with pg_catalog: the
     * borrower's search_path still applies there); the one after RESET ALL ({@link #RESET_SCHEMAS_AFTER}) those they
     * resolve to now, and whether temporary tables, which come first too, are about to be dropped. When either
     * changes, the statements the driver prepared for the borrower may name other tables for the next one (see
     * {@code ConnectionHooks#namesResolveOtherwise}).
     */
    static final String RESET_SESSION_SQL = "SELECT pg_catalog.current_schemas(false); CLOSE ALL;"
            + " SET SESSION AUTHORIZATION DEFAULT; RESET ALL;"
            + " SELECT current_schemas(false), CASE WHEN pg_my_temp_schema() = 0 THEN false"
            + " ELSE EXISTS (SELECT FROM pg_class WHERE relnamespace = pg_my_temp_schema()) END;"
            + " UNLISTEN *; SELECT pg_advisory_unlock_all(); DISCARD TEMP; DISCARD SEQUENCES;"
            + " DO $tusk$DECLARE s text; BEGIN FOR s IN SELECT name FROM pg_prepared_statements WHERE from_sql LOOP"
            + " EXECUTE format('DEALLOCATE %I', s); END LOOP; END$tusk$";
    /** The results of {@link #RESET_SESSION_SQL} that say what unqualified names resolved to, and resolve to. */
    static final int RESET_SCHEMAS_BEFORE = 0;
    static final int RESET_SCHEMAS_AFTER = 4;
    /** How many results {@link #RESET_SESSION_SQL} has. */
    static final int RESET_RESULTS = 10;

    /** Puts the statement timeout and the settable connection attributes back to the connection options' (a pool's reset). */
    final void resetAttributes() {
        state.statementTimeout = options.statementTimeout();
        session.prepared().threshold(options.prepareThreshold());
        session.prepared().max(options.preparedMax());
        state.rowFactory = options.rowFactory();
        state.cursorFactory = options.cursorFactory();
        state.serverCursorFactory = ServerCursorFactory.SERVER_CURSOR;
    }

    // ---------------------------------------------------------------- handlers

    /** Adds a notify handler; one added through a lease handle is removed when its lease ends. */
    final void addNotify(Consumer<Notify> handler) {
        notifyHandlers.add(handler);
        if (home != this) { // removed when the lease ends
            if (leaseNotifyHandlers == null) {
                leaseNotifyHandlers = new ArrayList<>(2);
            }
            leaseNotifyHandlers.add(handler);
        }
    }

    public void removeNotifyHandler(Consumer<Notify> handler) {
        use();
        notifyHandlers.remove(handler);
        if (leaseNotifyHandlers != null) {
            leaseNotifyHandlers.remove(handler);
        }
    }

    /** Adds a notice handler; one added through a lease handle is removed when its lease ends. */
    final void addNotice(Consumer<Diagnostic> handler) {
        notices.add(handler);
        if (home != this) { // removed when the lease ends
            if (leaseNoticeHandlers == null) {
                leaseNoticeHandlers = new ArrayList<>(2);
            }
            leaseNoticeHandlers.add(handler);
        }
    }

    public void removeNoticeHandler(Consumer<Diagnostic> handler) {
        use();
        notices.remove(handler);
        if (leaseNoticeHandlers != null) {
            leaseNoticeHandlers.remove(handler);
        }
    }

    // ---------------------------------------------------------------- state

    /**
     * The connection's adapters: registrations here reach this connection's cursors only. A pool lease's are its own
     * (made on this first call, over the pooled connection's): its registrations reach the cursors it makes, and
     * neither the pooled connection nor the next borrower; the map kept after the lease ended still takes
     * registrations, which then reach no one.
     */
    public AdaptersMap adapters() {
        use();
        if (home == this) {
            return adapters;
        }
        AdaptersMap mine = leaseAdapters;
        if (mine == null) {
            LEASE_ADAPTERS.compareAndSet(this, null, adapters.child());
            mine = leaseAdapters;
        }
        return mine;
    }

    /**
     * The adapters this handle's new cursors and statements use: a lease's own once {@link #adapters()} made them,
     * else the connection's. Makes nothing, checks nothing (the callers check the lease).
     */
    final AdaptersMap adaptersInUse() {
        AdaptersMap mine = leaseAdapters;
        return mine != null ? mine : adapters;
    }

    /**
     * Connection details and the server's reported state. A pool lease's view answers only while the lease lasts,
     * as the lease itself: kept after it, it refuses every call rather than show the next borrower's session.
     */
    public ConnectionInfo info() {
        look();
        ConnectionInfo i = state.info;
        if (i == null) {
            state.info = i = home.newInfo();
        }
        if (home == this) {
            return i;
        }
        ConnectionInfo mine = leaseInfo; // made once per lease that asks (a race makes two alike)
        if (mine == null) {
            leaseInfo = mine = new ConnectionInfo(i, this);
        }
        return mine;
    }

    public boolean autocommit() {
        look();
        return session.autocommit();
    }

    public IsolationLevel isolationLevel() {
        look();
        return session.isolationLevel();
    }

    public Boolean readOnly() {
        look();
        return session.readOnly();
    }

    public Boolean deferrable() {
        look();
        return session.deferrable();
    }

    /** An XA transaction id for {@code tpcBegin(Xid)}. */
    public Xid xid(int formatId, String gtrid, String bqual) {
        look();
        return new Xid(formatId, gtrid, bqual);
    }

    /** An XA transaction id with an empty branch qualifier. */
    public Xid xid(int formatId, String gtrid) {
        look();
        return new Xid(formatId, gtrid, "");
    }

    /**
     * The client-side limit of every statement (see {@link ConnectOptions.Builder#statementTimeout});
     * {@link ExecuteOptions#timeout()} overrides it per call. Null: none. When it runs out the driver sends a cancel
     * request and the statement fails with {@code QueryCanceled} naming the timeout.
     *
     * <p>On an {@link AsyncConnection} a statement's clock starts when it reaches the head of the pipeline; if the
     * server stays silent after the cancel for as long again (at least 1 s, at most 10 s) the connection is broken
     * with an OperationalException. The server cancels whatever the connection runs when the request arrives: with
     * statements pipelined behind the late one, the cancel may reach the next of them instead, if the late one
     * finished meanwhile.
     *
     * <pre>{@code
     * conn.execute("SELECT slow()", List.of(), ExecuteOptions.builder().timeout(Duration.ofSeconds(2)).build());
     * // QueryCanceled: "statement timeout: the statement ran longer than 2000 ms ..."
     * }</pre>
     */
    public Duration statementTimeout() {
        look();
        return state.statementTimeout;
    }

    /** Changes the client-side statement timeout for the statements that follow; null removes it. */
    public void setStatementTimeout(Duration timeout) {
        use();
        state.statementTimeout = timeout;
    }

    // psycopg's settable connection attributes ---------------------------------------------------------------
    // (prepare_threshold, prepared_max, row_factory, cursor_factory, server_cursor_factory): they start as the
    // ConnectOptions say, and a pool puts them back to that when a connection returns. Each applies to the
    // statements that follow the call (on an AsyncConnection: those submitted after it).

    /**
     * Executions of a query before it is prepared on the server (psycopg's {@code prepare_threshold}): 0
     * prepares at once, null never prepares automatically.
     */
    public Integer prepareThreshold() {
        look();
        return session.prepared().threshold();
    }

    /** Changes {@link #prepareThreshold()} for the statements that follow (null: stop preparing automatically). */
    public void setPrepareThreshold(Integer threshold) {
        use();
        session.prepared().threshold(ConnectOptions.checkPrepareThreshold(threshold));
    }

    /** How many statements stay prepared before the least recently used is closed (psycopg's {@code prepared_max}). */
    public int preparedMax() {
        look();
        return session.prepared().max();
    }

    /**
     * Changes {@link #preparedMax()}; when lowered, the statements beyond it are closed on the server with the
     * next statement. 0 stops preparing. A negative value is refused ({@code ProgrammingException}).
     */
    public void setPreparedMax(int max) {
        use();
        session.prepared().max(ConnectOptions.checkPreparedMax(max));
    }

    /** The row factory of the cursors made without one (psycopg's {@code row_factory}). */
    public RowFactory<R> rowFactory() {
        look();
        return state.rowFactory;
    }

    /**
     * Changes the row factory of the cursors made from now on without one; cursors made before keep theirs.
     * Unlike psycopg it cannot change the row type {@code R}: connect with another
     * {@link ConnectOptions.Builder#rowFactory} for that, or pass one to {@code cursor(RowFactory)}.
     */
    public void setRowFactory(RowFactory<R> factory) {
        use();
        state.rowFactory = Objects.requireNonNull(factory, "rowFactory");
    }

    /** The class of cursor {@code cursor()} and {@code execute} make (psycopg's {@code cursor_factory}). */
    public CursorFactory cursorFactory() {
        look();
        return state.cursorFactory;
    }

    /** Changes the class of cursor {@code cursor()}, {@code cursor(RowFactory)} and {@code execute} make from now on. */
    public void setCursorFactory(CursorFactory factory) {
        use();
        state.cursorFactory = Objects.requireNonNull(factory, "cursorFactory");
    }

    /** The class of cursor {@code cursor(String)} makes (psycopg's {@code server_cursor_factory}). */
    public ServerCursorFactory serverCursorFactory() {
        look();
        return state.serverCursorFactory;
    }

    /** Changes the class of cursor {@code cursor(String)} makes from now on. */
    public void setServerCursorFactory(ServerCursorFactory factory) {
        use();
        state.serverCursorFactory = Objects.requireNonNull(factory, "serverCursorFactory");
    }
    // end of the settable connection attributes ---------------------------------------------------------------
}
