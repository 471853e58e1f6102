package dev.tusk.r2dbc;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.AsyncCursor;
import dev.tusk.AsyncRawCursor;
import dev.tusk.Notify;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.AsyncAccess;
import dev.tusk.internal.connect.CancelRequester;
import dev.tusk.internal.pool.PoolAccess;
import io.r2dbc.spi.Connection;
import io.r2dbc.spi.ConnectionMetadata;
import io.r2dbc.spi.IsolationLevel;
import io.r2dbc.spi.Lifecycle;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.Result;
import io.r2dbc.spi.TransactionDefinition;
import io.r2dbc.spi.ValidationDepth;
import org.reactivestreams.Publisher;
import reactor.adapter.JdkFlowAdapter;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * An R2DBC connection on one Tusk {@link AsyncConnection}. Statements are sent as soon as their publisher is
 * subscribed to, without waiting for those before them: Tusk pipelines them, and their results come back in
 * order. Auto-commit is on by default (R2DBC's rule); {@link #beginTransaction()} and auto-commit off send
 * {@code BEGIN} themselves, so the Tusk connection underneath always runs in auto-commit mode.
 *
 * <p>Beyond the SPI: {@link #getNotifications()} (LISTEN/NOTIFY as a Flux), {@link #copyIn} and
 * {@link #copyOut} (COPY as publishers), and {@link #unwrap()} for Tusk's own API on the same session.
 *
 * <p>Signals are delivered on Tusk's event-loop threads: operators downstream must not block them.
 */
public final class TuskConnection implements Connection, Lifecycle {
    private final AsyncConnection<Row> conn;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** R2DBC's auto-commit flag, as the user set it. */
    private volatile boolean autoCommit = true;
    /** Whether a transaction is open: set as BEGIN/COMMIT are submitted, resynchronised with the server after statements. */
    private volatile boolean inTransaction;
    private volatile IsolationLevel isolationLevel = IsolationLevel.READ_COMMITTED;
    /** Every statement submitted gets the next number; see {@link #settled}. */
    private final AtomicLong submitted = new AtomicLong();
    /** The server's notices not yet given to a statement's result. */
    private final ConcurrentLinkedQueue<Diagnostic> notices = new ConcurrentLinkedQueue<>();
    private final AtomicLong cursorNames = new AtomicLong();
    /** Statements submitted and not yet answered. */
    private final java.util.concurrent.atomic.AtomicInteger running = new java.util.concurrent.atomic.AtomicInteger();
    /** When the server last answered a statement ({@link System#nanoTime()}): the deadlines of {@link #bounded}. */
    private volatile long answeredAt = System.nanoTime();
    /** The cancel requests sent for statements whose subscriber cancelled, which later work waits for. */
    private final CancelsOnTheirWay cancels = new CancelsOnTheirWay();
    /** Tusk's door: statements answered through a callback, cancel requests gated on their statement. */
    @SuppressWarnings("unchecked")
    private static final AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>> TUSK =
            (AsyncAccess.Hooks<AsyncConnection<?>, AsyncCursor<?>>) AsyncAccess.hooks();
    /** Tusk's pool door: the session reset its own pools run on every give-back of a used lease. */
    private static final PoolAccess.AsyncHooks<AsyncConnection<?>> POOL = PoolAccess.async();
    /**
     * Whether the current lease sent anything to the server (a statement, a transaction or savepoint command, a
     * setting, COPY) or subscribed to notifications or took the Tusk connection with {@link #unwrap()}: cleared by
     * {@link #postAllocate()}; {@link #preRelease()} resets the session only when it is set.
     */
    private volatile boolean used;
    /**
     * The version of Tusk's adapters on the connection when the lease began ({@link #postAllocate()}): adapters a
     * borrower registered through {@link #unwrap()} cannot be undone, so {@link #preRelease()} closes such a
     * connection (as Tusk's own pools do) rather than lend them to the next borrower.
     */
    private volatile int adaptersAtLease;
    /** Signalled by {@link #preRelease()}: the notification subscriptions of the lease that ends complete. */
    private volatile Sinks.One<Boolean> leaseOver = Sinks.one();

    /**
     * The {@code SET}s of the connection's own settings (its factory's statement and lock timeouts), which
     * {@link #preRelease()} runs again after the session reset; null: none.
     */
    private final String sessionSettings;

    TuskConnection(AsyncConnection<Row> conn, String sessionSettings) {
        this.conn = conn;
        this.sessionSettings = sessionSettings;
        conn.addNoticeHandler(notices::add);
        this.inTransaction = conn.info().transactionStatus() != TransactionStatus.IDLE;
        this.adaptersAtLease = conn.adapters().version();
    }

    /** Tusk's connection underneath, for its own API (adapters, pipelines, server cursors...). */
    public AsyncConnection<Row> unwrap() {
        markUsed(); // whatever is done with it, the session may need the reset
        return conn;
    }

    /** Tusk's connection, for this face's own reads of it (its adapters...): not a use of the lease. */
    AsyncConnection<Row> tusk() {
        return conn;
    }

    /** The lease sent something (or may have): {@link #preRelease()} resets the session. No store when already set. */
    private void markUsed() {
        if (!used) {
            used = true;
        }
    }

    // ------------------------------------------------------------ running statements

    /**
     * Submits one statement now: {@code params} null for the simple protocol (several statements allowed, text
     * results), else the extended protocol with {@code $n} parameters. The future never fails: an error becomes
     * the result's error segment, after the notices received before it.
     */
    CompletableFuture<List<Result>> run(String text, Object[] params) {
        Submission.Future s = new Submission.Future(this, text);
        submit(s, params);
        return s.results;
    }

    /**
     * As {@link #run}, into {@code s} (its number, its cursor), the statement's outcome handed to {@code s}
     * ({@link Submission#accept}) on Tusk's event loop, or on this thread when refused at once.
     */
    void submit(Submission s, Object[] params) {
        markUsed();
        beginIfNeeded();
        s.seq = submitted.incrementAndGet();
        running.incrementAndGet(); // before the check: a cancel registered meanwhile sees this statement in flight
        s.raw = params != null;
        if (cancels.active() && cancels.defer(() -> send(s, params))) {
            return;
        }
        send(s, params);
    }

    private void send(Submission s, Object[] params) {
        if (cancels.unconfirmed()) {
            s.accept(null, cancelNotConfirmed());
            return;
        }
        AsyncCursor<Row> cur;
        try {
            cur = s.raw ? takeRawCursor() : takeCursor();
        } catch (RuntimeException e) {
            s.accept(null, e);
            return;
        }
        s.cursor = cur;
        TUSK.execute(cur, s.text, params, s); // no future: Tusk hands the outcome to s
    }

    /**
     * {@code send} now, or once the cancel requests on their way ended ({@link CancelsOnTheirWay}) in order with the
     * work that waits for them; fails without sending when one of them was never confirmed.
     */
    private <T> CompletableFuture<T> afterCancels(Supplier<CompletableFuture<T>> send) {
        if (cancels.active()) {
            CompletableFuture<T> later = new CompletableFuture<>();
            if (cancels.defer(() -> sendChecked(send).whenComplete(complete(later)))) {
                return later;
            }
        }
        return sendChecked(send);
    }

    private <T> CompletableFuture<T> sendChecked(Supplier<CompletableFuture<T>> send) {
        if (cancels.unconfirmed()) {
            return CompletableFuture.failedFuture(cancelNotConfirmed());
        }
        try {
            return send.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Waits (without blocking) until no cancel request is on its way: for the work that does not go through {@link #afterCancels}. */
    Mono<Void> noCancelOnItsWay() {
        if (!cancels.active()) {
            return Mono.empty();
        }
        return Mono.fromFuture(() -> afterCancels(() -> CompletableFuture.completedFuture((Void) null)), true);
    }

    private static <T> BiConsumer<T, Throwable> complete(CompletableFuture<T> later) {
        return (v, e) -> {
            if (e != null) {
                later.completeExceptionally(e);
            } else {
                later.complete(v);
            }
        };
    }

    private static OperationalException cancelNotConfirmed() {
        return new OperationalException("a cancel request sent for an earlier statement was not confirmed"
                + " by the server and may still arrive to stop any later statement: the connection was closed");
    }

    /**
     * The Results of the statement {@code s} once Tusk answered it (its cursor, or its error), called once on the
     * thread completing it: the notices received before the answer go first; the cursor is kept for the next
     * statement.
     */
    List<Result> answered(Submission s, AsyncCursor<Row> c, Throwable err) {
        answeredAt = System.nanoTime();
        running.decrementAndGet();
        List<Diagnostic> n = drainNotices();
        settled(s.seq);
        List<Result> out;
        if (err != null) {
            out = List.of(TuskResult.failed(Errors.translate(err, s.text), n));
        } else {
            try {
                out = TuskResult.of(c, n, this);
            } catch (RuntimeException e) {
                out = List.of(TuskResult.failed(Errors.translate(e, s.text), n));
            }
        }
        giveBack(s.cursor, s.raw); // its results are all read: the next statement may use it
        return out;
    }

    // ------------------------------------------------------------ cursors kept for the next statement

    /**
     * Cursors whose statement has completed and whose results were all read into R2DBC Results, kept for the next
     * statements: a new Tusk cursor per statement costs a map of adapters with empty caches (its dumpers and
     * loaders found again each time). Up to {@link #SPARE_CURSORS} of each kind are kept; a cursor made before an
     * adapter was registered on the connection is dropped rather than reused (a cursor sees the registrations made
     * before it).
     */
    private static final int SPARE_CURSORS = 32;
    private final SpareCursors<AsyncRawCursor<Row>> spareRaw = new SpareCursors<>(SPARE_CURSORS);
    private final SpareCursors<AsyncCursor<Row>> spareSimple = new SpareCursors<>(SPARE_CURSORS);
    /** {@code conn.adapters().version()} when the spare cursors were made; a change drops them. */
    private volatile int spareVersion;

    private AsyncRawCursor<Row> takeRawCursor() {
        AsyncRawCursor<Row> c = takeSpare(spareRaw);
        return c != null ? c : conn.rawCursor();
    }

    private AsyncCursor<Row> takeCursor() {
        AsyncCursor<Row> c = takeSpare(spareSimple);
        return c != null ? c : conn.cursor();
    }

    private <C extends AsyncCursor<Row>> C takeSpare(SpareCursors<C> spares) {
        int version = conn.adapters().version();
        if (version != spareVersion) {
            spareVersion = version;
            spareRaw.clear();
            spareSimple.clear();
            return null;
        }
        return spares.take();
    }

    @SuppressWarnings("unchecked")
    private void giveBack(AsyncCursor<Row> cur, boolean raw) {
        if (cur == null || closed.get() || conn.adapters().version() != spareVersion) {
            return;
        }
        if (raw) {
            spareRaw.give((AsyncRawCursor<Row>) cur);
        } else {
            spareSimple.give(cur);
        }
    }

    /**
     * The last R2DBC metadata made, with the Tusk columns it describes: reused while a statement's results have the
     * same columns (Tusk describes a prepared statement's columns anew for each execution, equal but not the same
     * objects, so they are compared field by field).
     */
    private volatile TuskRowMetadata lastMetadata;

    TuskRowMetadata metadataFor(List<dev.tusk.Column> cols) {
        TuskRowMetadata md = lastMetadata;
        if (md == null || !TuskRowMetadata.sameColumns(md.source(), cols)) {
            md = new TuskRowMetadata(cols);
            lastMetadata = md;
        }
        return md;
    }

    /**
     * Submits the bindings {@code sets} of one statement ({@code $n} parameters, at least two) as one batch ended by
     * ONE Sync, as JDBC's executeBatch: Parse once, then Bind/Execute per binding. Each binding's result (its rows,
     * its update count) is kept and becomes one Result, in order. The server runs them as one unit: outside a
     * transaction in one implicit transaction that commits at the Sync, so an error in any binding rolls back the
     * bindings before it and skips those after it; the future then holds a single Result carrying that error.
     * With {@code returning} true Tusk keeps every execution's result and does not rewrite a plain INSERT into
     * multi-row INSERTs, whose one count per chunk could not be split per binding (a trigger or rule may skip rows).
     */
    void submitMany(Submission s, List<Object[]> sets) {
        markUsed();
        beginIfNeeded();
        s.seq = submitted.incrementAndGet();
        running.incrementAndGet();
        s.raw = true; // no cursor kept: a batch's cursor holds every binding's results
        afterCancels(() -> conn.rawCursor().executemany(s.text, sets, true)).whenComplete(s);
    }

    /**
     * Sends a statement of the driver's own (BEGIN, SAVEPOINT, SET...), failing with its translated error; completes
     * with its (first) command tag.
     */
    private CompletableFuture<String> own(String sql) {
        markUsed();
        return sendOwn(sql);
    }

    /** As {@link #own}, not counted as a use of the lease (the driver's own housekeeping). */
    private CompletableFuture<String> sendOwn(String sql) {
        long seq = submitted.incrementAndGet();
        running.incrementAndGet();
        return afterCancels(() -> conn.execute(sql)).handle((cur, err) -> {
            answeredAt = System.nanoTime();
            running.decrementAndGet();
            drainNotices();
            settled(seq);
            if (err != null) {
                Throwable t = Errors.translate(err, sql);
                throw t instanceof RuntimeException r ? r : new java.util.concurrent.CompletionException(t);
            }
            return cur.statusmessage();
        });
    }

    /**
     * A statement of the driver's own that does none of the user's work (BEGIN, ROLLBACK, SAVEPOINT, SET...): a server
     * that does not answer it within {@link #CONTROL_DEADLINE} does not answer at all, and the connection is closed
     * ({@link #unanswered}); the server then rolls back whatever transaction was open.
     */
    private Mono<Void> ownMono(String sql) {
        return bounded(Mono.fromFuture(() -> own(sql), true), sql, CONTROL_DEADLINE, ROLLED_BACK).then();
    }

    /**
     * How long a statement of the driver's own that does none of the user's work may wait for the server (BEGIN,
     * ROLLBACK, SAVEPOINT, SET..., and the reset of {@link #preRelease()}): they take the server no time, so a server
     * silent that long does not answer.
     */
    static final Duration CONTROL_DEADLINE = Duration.ofSeconds(3);
    /**
     * How long a COMMIT may wait for the server: longer than {@link #CONTROL_DEADLINE}, as it runs the transaction's
     * deferred triggers and constraints and may wait for synchronous standbys.
     */
    static final Duration COMMIT_DEADLINE = Duration.ofSeconds(10);

    /**
     * {@code answer}, or once the server kept it waiting {@code deadline} the error of {@link #unanswered} (the
     * connection closed). Only the wait for this statement counts: while others sent on the connection are in flight
     * (pipelined, a long query ahead of it) their time is theirs, and the deadline counts from the last answer. Not
     * for ROLLBACK ({@link #rollback()}) nor the release ({@link #preRelease()}), which count from when they are issued.
     */
    private <T> Mono<T> bounded(Mono<T> answer, String what, Duration deadline, String outcome) {
        return answer.timeout(waitedFor(deadline.toNanos(), deadline.toNanos()),
                Mono.defer(() -> unanswered(what, deadline, outcome)));
    }

    /** Emits once only one statement (the bounded one) is in flight and no answer came for {@code deadline} ns. */
    private Mono<Long> waitedFor(long delay, long deadline) {
        return Mono.delay(Duration.ofNanos(delay)).flatMap(t -> {
            if (running.get() > 1) {
                return waitedFor(deadline, deadline); // others still ahead (or behind): theirs is their own time
            }
            long left = answeredAt + deadline - System.nanoTime();
            return left > 0 ? waitedFor(left, deadline) : Mono.just(t);
        });
    }

    /**
     * The server did not answer {@code what} within {@code deadline}: the connection is closed without waiting for it
     * (a pool then drops it: {@link #validate} says false), and the caller gets an error saying so and what became of
     * the statement ({@code outcome}).
     */
    private <T> Mono<T> unanswered(String what, Duration deadline, String outcome) {
        closed.set(true);
        conn.closeAsync();
        return Mono.error(new R2dbcNonTransientResourceException("the server did not answer " + what + " within "
                + deadline.toMillis() + " ms: the connection was closed" + outcome));
    }

    /**
     * A subscriber cancelled before the answer to {@code s} came: when that statement is the only one in flight, the server
     * is asked to cancel it (on Tusk's canceller threads, not the event loop), so a long query stops instead of
     * running to its end; with others in flight it is left to finish (a cancel request cannot name a statement).
     */
    void cancelled(Submission s) {
        if (s.answered || closed.get()) {
            return;
        }
        cancels.register(); // first: a statement submitted from now on waits until the request ended
        if (running.get() != 1 || s.answered) {
            cancels.ended(true);
            return;
        }
        StatementCancel gate = new StatementCancel(s);
        TUSK.cancel(conn, Duration.ofSeconds(10), gate).whenComplete((v, e) -> {
            boolean confirmed = gate.confirmed();
            if (!confirmed) { // may still arrive: no statement may run on this session any more
                closed.set(true);
                conn.closeAsync();
            }
            cancels.ended(confirmed);
        });
    }

    /**
     * The request cancelling one statement: written only while that statement has not been answered (once it has,
     * the request would stop whatever runs next); {@link #confirmed()} unless written and never confirmed.
     */
    private static final class StatementCancel implements CancelRequester.Gate {
        private final Submission statement;
        private volatile boolean written;
        private volatile boolean confirmed;

        StatementCancel(Submission statement) {
            this.statement = statement;
        }

        @Override
        public boolean mayWrite() {
            written = !statement.answered;
            return written;
        }

        @Override
        public void ended(boolean confirmed) {
            this.confirmed = confirmed;
        }

        boolean confirmed() {
            return !written || confirmed;
        }
    }

    /** Once the last statement submitted has completed, the server's transaction status is the truth. */
    private void settled(long seq) {
        if (seq == submitted.get()) {
            inTransaction = conn.info().transactionStatus() != TransactionStatus.IDLE;
        }
    }

    private List<Diagnostic> drainNotices() {
        if (notices.isEmpty()) {
            return List.of();
        }
        List<Diagnostic> out = new ArrayList<>();
        Diagnostic d;
        while ((d = notices.poll()) != null) {
            out.add(d);
        }
        return out;
    }

    /** With auto-commit off, the first statement outside a transaction opens one (as JDBC drivers do). */
    void beginIfNeeded() {
        if (!autoCommit && !inTransaction) {
            inTransaction = true;
            own("BEGIN");
        }
    }

    boolean inTransaction() {
        return inTransaction;
    }

    String nextCursorName() {
        return "tusk_r2dbc_" + cursorNames.incrementAndGet();
    }

    // ------------------------------------------------------------ transactions

    @Override
    public Mono<Void> beginTransaction() {
        return beginTransaction(new TransactionDefinition() {
            @Override
            public <T> T getAttribute(io.r2dbc.spi.Option<T> option) {
                return null;
            }
        });
    }

    /**
     * {@code BEGIN} with the definition's isolation level and read-only flag, then {@code SET LOCAL lock_timeout}
     * for its lock wait timeout; nothing when a transaction is already open.
     */
    @Override
    public Mono<Void> beginTransaction(TransactionDefinition definition) {
        if (definition == null) {
            throw new IllegalArgumentException("definition must not be null");
        }
        return Mono.defer(() -> {
            if (inTransaction) {
                return Mono.empty();
            }
            StringBuilder sql = new StringBuilder("BEGIN");
            IsolationLevel level = definition.getAttribute(TransactionDefinition.ISOLATION_LEVEL);
            if (level != null) {
                sql.append(" ISOLATION LEVEL ").append(level.asSql());
            }
            Boolean readOnly = definition.getAttribute(TransactionDefinition.READ_ONLY);
            if (readOnly != null) {
                sql.append(readOnly ? " READ ONLY" : " READ WRITE");
            }
            Duration lockWait = definition.getAttribute(TransactionDefinition.LOCK_WAIT_TIMEOUT);
            if (lockWait != null) {
                sql.append("; SET LOCAL lock_timeout = ").append(lockWait.toMillis());
            }
            inTransaction = true;
            return ownMono(sql.toString());
        });
    }

    @Override
    public Mono<Void> commitTransaction() {
        return Mono.defer(() -> endTransaction("COMMIT"));
    }

    @Override
    public Mono<Void> rollbackTransaction() {
        return Mono.defer(() -> endTransaction("ROLLBACK"));
    }

    /**
     * COMMIT or ROLLBACK of the open transaction, if any. The server answers the COMMIT of a failed transaction with
     * ROLLBACK and no error: that commit fails with {@link R2dbcRollbackException} (the work is gone, it must not
     * look committed).
     */
    private Mono<Void> endTransaction(String sql) {
        if (!inTransaction && conn.info().transactionStatus() == TransactionStatus.IDLE) {
            return Mono.empty();
        }
        inTransaction = false;
        if (!sql.equals("COMMIT")) {
            return rollback();
        }
        return bounded(Mono.fromFuture(() -> own(sql), true), sql, COMMIT_DEADLINE, COMMIT_UNKNOWN)
                .flatMap(tag -> "ROLLBACK".equals(tag)
                ? Mono.error(new R2dbcRollbackException("the transaction was rolled back, not committed:"
                        + " a statement in it had failed", "40000", 0, sql))
                : Mono.empty());
    }

    /**
     * ROLLBACK, within {@link #CONTROL_DEADLINE} counted from when it is issued, the statements still in flight ahead
     * of it included (unlike the other statements of {@link #ownMono}): r2dbc-pool gives a lease back by calling
     * rollbackTransaction() first when it saw the lease begin a transaction, and a user's statement frozen on the server
     * ahead of it must not keep the release, and the pool's slot, for ever. What a ROLLBACK does is done whether it is
     * answered or not (closing the connection rolls the transaction back on the server), so the only loss is a
     * statement ahead of it that runs longer than the deadline: it fails with the connection closed.
     */
    private Mono<Void> rollback() {
        return Mono.fromFuture(() -> own("ROLLBACK"), true)
                .timeout(CONTROL_DEADLINE, Mono.defer(() -> unanswered("ROLLBACK", CONTROL_DEADLINE,
                        ROLLED_BACK + statementsAhead(running.get() - 1))))
                .then();
    }

    /** What becomes of the transaction when a statement of the driver's own goes unanswered and the connection is closed. */
    private static final String ROLLED_BACK = " (the server rolls back any transaction that was open)";

    /** The part of an error about the {@code ahead} statements left unanswered when the connection was closed. */
    private static String statementsAhead(int ahead) {
        return ahead <= 0 ? "" : "; " + ahead + (ahead == 1 ? " statement" : " statements")
                + " sent before it and not answered fail with the connection closed";
    }

    /** What became of a COMMIT the server did not answer. */
    private static final String COMMIT_UNKNOWN = ": whether the transaction was committed is unknown (the COMMIT may"
            + " have reached the server); check the data before doing its work again";

    @Override
    public Mono<Void> createSavepoint(String name) {
        String quoted = identifier(name, "savepoint name");
        return Mono.defer(() -> {
            if (!inTransaction) {
                inTransaction = true;
                return ownMono("BEGIN; SAVEPOINT " + quoted);
            }
            return ownMono("SAVEPOINT " + quoted);
        });
    }

    @Override
    public Mono<Void> releaseSavepoint(String name) {
        String quoted = identifier(name, "savepoint name");
        return Mono.defer(() -> ownMono("RELEASE SAVEPOINT " + quoted));
    }

    @Override
    public Mono<Void> rollbackTransactionToSavepoint(String name) {
        String quoted = identifier(name, "savepoint name");
        return Mono.defer(() -> ownMono("ROLLBACK TO SAVEPOINT " + quoted));
    }

    static String identifier(String name, String what) {
        if (name == null) {
            throw new IllegalArgumentException(what + " must not be null");
        }
        if (name.isEmpty() || name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(what + " must be a non-empty identifier without NUL characters");
        }
        return '"' + name.replace("\"", "\"\"") + '"';
    }

    /** True when auto-commit is on and no transaction is open (a transaction begun explicitly suspends it). */
    @Override
    public boolean isAutoCommit() {
        return autoCommit && !inTransaction;
    }

    /**
     * Turning auto-commit on commits an open transaction, also one begun explicitly (while it is open
     * {@link #isAutoCommit()} is false: R2DBC commits when the mode changes); turning it off opens one at the next
     * statement.
     */
    @Override
    public Mono<Void> setAutoCommit(boolean autoCommit) {
        return Mono.defer(() -> {
            this.autoCommit = autoCommit;
            if (autoCommit && inTransaction) {
                inTransaction = false;
                return bounded(Mono.fromFuture(() -> own("COMMIT"), true), "COMMIT", COMMIT_DEADLINE, COMMIT_UNKNOWN)
                        .then();
            }
            return Mono.empty();
        });
    }

    @Override
    public IsolationLevel getTransactionIsolationLevel() {
        return isolationLevel;
    }

    /** {@code SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL ...}: transactions begun afterwards. */
    @Override
    public Mono<Void> setTransactionIsolationLevel(IsolationLevel isolationLevel) {
        if (isolationLevel == null) {
            throw new IllegalArgumentException("isolationLevel must not be null");
        }
        return Mono.defer(() -> ownMono("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL " + isolationLevel.asSql())
                .doOnSuccess(v -> this.isolationLevel = isolationLevel));
    }

    /** A pool lends the connection: the new lease has not used the session yet (see {@link #preRelease()}). */
    @Override
    public Mono<Void> postAllocate() {
        return Mono.fromRunnable(() -> {
            used = false;
            adaptersAtLease = conn.adapters().version();
        });
    }

    /**
     * Called by a pool (r2dbc-pool) before the connection goes back: the session is handed to the next borrower as
     * a new one, as Tusk's own pools do. An open transaction is rolled back (also one opened with auto-commit off,
     * which r2dbc-pool does not see); then, when the lease used the connection at all, Tusk's pool reset runs in the
     * same round trip: open cursors closed, {@code SET SESSION AUTHORIZATION DEFAULT}, {@code RESET ALL} (search_path,
     * work_mem, the default isolation...), {@code UNLISTEN *}, advisory locks released, temporary tables and
     * sequence state discarded, statements made with SQL {@code PREPARE} deallocated; Tusk's client-side settings go
     * back to the connection options, and the factory's {@code statementTimeout} and {@code lockWaitTimeout} are set
     * again (pipelined behind the reset). This face's own state follows: auto-commit on, isolation READ COMMITTED,
     * the lease's notification subscriptions complete, the notices not yet read are dropped. A lease that sent
     * nothing costs no round trip. An error makes the pool drop the connection; a server that does not answer
     * within {@link #RELEASE_DEADLINE}, counted from this call and the lease's statements still in flight included,
     * is one (the connection is closed), and so is a connection closed or lost during the lease.
     */
    @Override
    public Mono<Void> preRelease() {
        return Mono.defer(() -> {
            boolean wasUsed = used;
            used = false;
            autoCommit = true;
            isolationLevel = IsolationLevel.READ_COMMITTED;
            Sinks.One<Boolean> over = leaseOver;
            leaseOver = Sinks.one();
            over.tryEmitValue(Boolean.TRUE);
            if (closed.get() || conn.isClosed() || conn.isBroken()) { // the pool drops it now, not at its next lease
                return Mono.error(new R2dbcNonTransientResourceException("the connection was closed or lost during the"
                        + " lease (a close(), a server that did not answer, a network failure): its pool drops it"));
            }
            if (conn.adapters().version() != adaptersAtLease) {
                closed.set(true); // the pool drops it: the next borrower gets a connection without these adapters
                conn.closeAsync();
                return Mono.error(new R2dbcNonTransientResourceException("the lease registered adapters on the"
                        + " connection (through unwrap()), which cannot be undone for the next borrower: it was closed"));
            }
            boolean rollback = inTransaction || conn.info().transactionStatus() != TransactionStatus.IDLE;
            if (!wasUsed && !rollback) {
                return Mono.empty();
            }
            inTransaction = false;
            String what = rollback ? "ROLLBACK and the session reset" : "the session reset";
            return Mono.fromFuture(() -> {
                        // both submitted now: Tusk pipelines them, one round trip
                        CompletableFuture<String> rolledBack = rollback ? own("ROLLBACK") : CompletableFuture.completedFuture(null);
                        long resetSeq = submitted.incrementAndGet(); // counted: the ROLLBACK's end is not the last
                        CompletableFuture<Void> reset = afterCancels(() -> POOL.resetSession(conn))
                                .whenComplete((v, e) -> settled(resetSeq));
                        // the connection's own settings, which the reset's RESET ALL took away: pipelined behind it
                        CompletableFuture<String> restored = sessionSettings == null
                                ? CompletableFuture.completedFuture(null) : sendOwn(sessionSettings);
                        return rolledBack.thenCombine(reset, (tag, v) -> (Void) null).thenCombine(restored, (v, tag) -> v);
                    }, true)
                    .onErrorMap(e -> Errors.translate(e, what))
                    .doOnSuccess(v -> drainNotices())
                    .timeout(RELEASE_DEADLINE, Mono.defer(() -> unanswered(what, RELEASE_DEADLINE,
                            " as it went back to its pool (which drops it)"
                                    + statementsAhead(running.get() - (rollback ? 1 : 0) - (sessionSettings == null ? 0 : 1)))));
        });
    }

    /** How long {@link #preRelease()} waits for the server to undo the borrower's session state. */
    static final Duration RELEASE_DEADLINE = CONTROL_DEADLINE;

    /** The server's {@code lock_timeout} for the session (0: wait forever). */
    @Override
    public Mono<Void> setLockWaitTimeout(Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout must not be null");
        }
        return Mono.defer(() -> ownMono("SET lock_timeout = " + timeout.toMillis()));
    }

    /** The server's {@code statement_timeout} for the session (0: none); a statement over it fails with R2dbcTimeoutException. */
    @Override
    public Mono<Void> setStatementTimeout(Duration timeout) {
        if (timeout == null) {
            throw new IllegalArgumentException("timeout must not be null");
        }
        return Mono.defer(() -> ownMono("SET statement_timeout = " + timeout.toMillis()));
    }

    // ------------------------------------------------------------ statements

    @Override
    public TuskBatch createBatch() {
        return new TuskBatch(this);
    }

    @Override
    public TuskStatement createStatement(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql must not be null");
        }
        Sql parsed = lastSql;
        if (parsed == null || parsed.text != sql) { // the same String object: an application's constant, run again
            parsed = Sql.cached(sql);
            lastSql = parsed;
        }
        return new TuskStatement(this, parsed);
    }

    /** The statement text parsed last on this connection (any thread; a Sql is immutable, so a stale read is harmless). */
    private Sql lastSql;

    // ------------------------------------------------------------ life cycle

    /**
     * LOCAL: not closed and not broken; REMOTE: also answers {@code SELECT 1} (refused in a failed transaction, which
     * still proves the session alive). Never fails: false instead.
     */
    @Override
    public Mono<Boolean> validate(ValidationDepth depth) {
        if (depth == null) {
            throw new IllegalArgumentException("depth must not be null");
        }
        return Mono.defer(() -> {
            boolean local = !closed.get() && !conn.isClosed() && !conn.isBroken() && !cancels.unconfirmed();
            if (!local || depth == ValidationDepth.LOCAL) {
                return Mono.just(local);
            }
            return Mono.fromFuture(() -> afterCancels(() -> conn.execute("SELECT 1")), true)
                    .map(c -> true)
                    .onErrorResume(e -> Mono.just(inFailedTransaction(e)));
        });
    }

    /** The server refused a statement only because the transaction had failed: the connection itself is fine. */
    private static boolean inFailedTransaction(Throwable e) {
        return Errors.unwrap(e) instanceof TuskException t && "25P02".equals(t.sqlstate());
    }

    /** Closes the Tusk connection (an open transaction is rolled back by the server); idempotent. */
    @Override
    public Mono<Void> close() {
        return Mono.defer(() -> {
            if (!closed.compareAndSet(false, true)) {
                return Mono.empty();
            }
            return Mono.fromFuture(conn::closeAsync, true).onErrorResume(e -> Mono.empty());
        });
    }

    @Override
    public ConnectionMetadata getMetadata() {
        String version = conn.info().parameterStatus("server_version");
        return new ConnectionMetadata() {
            @Override
            public String getDatabaseProductName() {
                return "PostgreSQL";
            }

            @Override
            public String getDatabaseVersion() {
                return version == null ? String.valueOf(conn.info().serverVersion()) : version;
            }
        };
    }

    // ------------------------------------------------------------ beyond the SPI

    /**
     * The notifications this session receives (after {@code LISTEN channel}), as a Flux: each subscriber gets
     * every notification from its subscription on, in order, and completes when the connection closes or goes back
     * to its pool ({@link #preRelease()}: the next borrower's notifications are not the previous one's).
     */
    public Flux<Notify> getNotifications() {
        return Flux.defer(() -> {
            markUsed();
            return JdkFlowAdapter.flowPublisherToFlux(conn.notifications()).takeUntilOther(leaseOver.asMono());
        });
    }

    /**
     * {@code COPY ... FROM STDIN}: sends {@code data} (in the COPY's format) as it arrives, then ends the COPY; emits
     * the number of rows copied. An error of {@code data} aborts the COPY (nothing is copied).
     */
    public Mono<Long> copyIn(String sql, Publisher<ByteBuffer> data) {
        if (sql == null || data == null) {
            throw new IllegalArgumentException("sql and data must not be null");
        }
        return Mono.fromFuture(() -> {
                    markUsed();
                    return afterCancels(() -> conn.cursor().copy(sql));
                }, true)
                .onErrorMap(e -> Errors.translate(e, sql))
                .flatMap(copy -> Flux.from(data)
                        .concatMap(buf -> {
                            ByteBuffer d = buf.duplicate();
                            byte[] b = new byte[d.remaining()];
                            d.get(b);
                            return Mono.fromFuture(() -> copy.write(b), true);
                        }, 1)
                        .then(Mono.fromFuture(copy::finish, true))
                        .onErrorResume(e -> Mono.fromFuture(() -> copy.abort(String.valueOf(Errors.unwrap(e).getMessage())), true)
                                .onErrorResume(ignored -> Mono.empty())
                                .then(Mono.error(e)))
                        .doOnCancel(copy::close))
                .onErrorMap(e -> Errors.translate(e, sql));
    }

    /** {@code COPY ... TO STDOUT}: the data as it arrives (a row per buffer in text format), with back-pressure. */
    public Flux<ByteBuffer> copyOut(String sql) {
        if (sql == null) {
            throw new IllegalArgumentException("sql must not be null");
        }
        return Mono.fromFuture(() -> {
                    markUsed();
                    return afterCancels(() -> conn.cursor().copy(sql));
                }, true)
                .flatMapMany((AsyncCopy copy) -> JdkFlowAdapter.flowPublisherToFlux(copy.chunks())
                        .map(ByteBuffer::wrap)
                        .concatWith(Mono.fromFuture(copy::finish, true).then(Mono.empty())))
                .onErrorMap(e -> Errors.translate(e, sql));
    }

    @Override
    public String toString() {
        return "TuskConnection[" + conn + "]";
    }
}
