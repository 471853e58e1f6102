package dev.tusk.pool.model;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncPipeline;
import dev.tusk.Notify;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.pool.AsyncConnectionPool;
import dev.tusk.pool.PoolClosed;
import dev.tusk.pool.PoolTimeout;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static dev.tusk.pool.model.PoolStateMachineTest.SHOUT;
import static dev.tusk.pool.model.PoolStateMachineTest.catching;
import static dev.tusk.pool.model.PoolStateMachineTest.expect;
import static dev.tusk.pool.model.PoolStateMachineTest.stack;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test of {@link AsyncConnectionPool} (trust issue), the async twin of {@link PoolStateMachineTest}:
 * random sequences of lease and give-back ({@code close()} or {@code closeAsync()}), statements through the lease
 * (values checked, failing ones, transactions left open), an async pipeline used or left open, a row stream left
 * without demand, a statement still running at give-back, notify handlers, {@code notifications()} subscribers and
 * {@code notifies()} publishers made through a lease, notifications left unread, adapters registered through the
 * lease, {@code cancel()}, every call of a stale lease (statement, commit, rollback, transaction, pipeline sync,
 * close again, after the pool lent the connection again), a backend terminated (leased or idle) or frozen
 * (SIGSTOP, under a short statement timeout), a lease from a full pool (timing out, cancelled while waiting, or
 * served by a give-back), {@code withConnection} that completes or fails, and at the end of some sequences the
 * pool closed while a lease waits.
 *
 * <p>After each step: every future the test started completes within {@value #FUTURE_DEADLINE_MILLIS} ms; no
 * handler or subscriber of an ended lease received anything after it ended; the pool's stats add up (size at most
 * max and at least the live leases, available = size - leased, nobody waiting) and the server has as many backends
 * of the pool as its size. Every lease must be clean: transaction status IDLE, pipeline off, autocommit and statement
 * timeout as configured, a backend no other live lease has, no LISTEN, SET, temporary table, advisory lock, cursor,
 * loader or notification a previous borrower left. The pool has no {@code reset}: its own session reset is what is
 * tested. After the pool closes, the server has no backend of it left.
 *
 * <p>{@value #DEFAULT_SEQUENCES} sequences of {@value #DEFAULT_STEPS} steps by default; {@code
 * -Dtusk.asyncpoolmodel.sequences=N -Dtusk.asyncpoolmodel.steps=M -Dtusk.asyncpoolmodel.seed=S|random} for longer
 * runs and replays (sequence {@code i} uses seed {@code S + i}).
 */
@TuskTest
@Timeout(value = 30, unit = TimeUnit.MINUTES) // the CI-bounded run takes 2-3 minutes on a loaded machine
class AsyncPoolStateMachineTest {
    static final int DEFAULT_SEQUENCES = 30;
    static final int DEFAULT_STEPS = 20;
    static final long DEFAULT_SEED = 0xA5_2026_1207L;
    static final int MAX_SIZE = 3;
    static final long FUTURE_DEADLINE_MILLIS = 10_000;
    /** The statement timeout a lease sets before its backend is frozen: the statement then fails after the cancel's grace. */
    static final Duration FROZEN_STATEMENT_TIMEOUT = Duration.ofMillis(300);

    /** A lease the test holds. */
    static final class Lease {
        final AsyncConnection<Row> conn;
        final int pid;
        final int number;
        boolean givenBack;
        boolean broken;
        AsyncPipeline keptPipeline;
        Flow.Publisher<Notify> keptNotifies;
        Idle idleStream;
        /** What the lease's notify handler and notifications() subscriber received after the lease ended. */
        final List<Notify> seenAfterEnd = new CopyOnWriteArrayList<>();
        volatile boolean ended;
        boolean listens;

        Lease(AsyncConnection<Row> conn, int pid, int number) {
            this.conn = conn;
            this.pid = pid;
            this.number = number;
        }

        void heard(Notify n) {
            if (ended && !n.payload().startsWith("for #" + number + "(")) { // its own, delivered late, would be fine
                seenAfterEnd.add(n);
            }
        }

        @Override
        public String toString() {
            return "#" + number + "(pid " + pid + (givenBack ? ", given back" : "") + (broken ? ", broken" : "") + ")";
        }
    }

    /** A row subscriber that takes one row and then asks for nothing more. */
    static final class Idle implements Flow.Subscriber<Row> {
        final CompletableFuture<Void> gotFirst = new CompletableFuture<>();
        final CompletableFuture<Throwable> ended = new CompletableFuture<>();
        volatile Flow.Subscription subscription;

        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        public void onNext(Row r) {
            gotFirst.complete(null);
        }

        public void onError(Throwable t) {
            ended.complete(t);
        }

        public void onComplete() {
            ended.complete(null);
        }
    }

    @Test
    void everyLeaseIsCleanEveryFutureCompletesAndNothingLeaks(TestDatabase db) {
        db.admin("CREATE TABLE async_pool_model (v int)");
        ModelRuns runs = ModelRuns.fromProperties("AsyncPoolStateMachineTest", "tusk.asyncpoolmodel", DEFAULT_SEQUENCES,
                DEFAULT_STEPS, DEFAULT_SEED);
        ModelRuns.Report report = runs.run("async-pool-model", // the steps wait on futures with deadlines, not on threads
                (seed, index, steps, threads) -> new Sequence(db, runs, seed, index, steps));
        assertThat(report.failures()).as("failing sequences (base seed %d)", report.baseSeed()).isEmpty();
    }

    /** A future the test started and does not wait for at once: it must complete by {@code deadline}. */
    record Pending(String what, CompletableFuture<?> future, long deadline) {
    }

    static final class Sequence extends ModelRuns.Sequence {
        private final TestDatabase db;
        private final ModelRuns runs;
        private final List<Lease> leases = new ArrayList<>();
        private final List<Pending> pending = new ArrayList<>();
        private final String app;
        private Random random;
        private AsyncConnectionPool<Row> pool;
        private int leaseCount;

        Sequence(TestDatabase db, ModelRuns runs, long seed, int index, int steps) {
            super(seed, index, steps);
            this.db = db;
            this.runs = runs;
            this.app = "apool_model_" + index + "_" + Long.toUnsignedString(seed, 36);
        }

        List<Lease> live() {
            return leases.stream().filter(l -> !l.givenBack).toList();
        }

        List<Lease> stale() {
            return leases.stream().filter(l -> l.givenBack).toList();
        }

        @Override
        public String run() {
            random = new Random(seed);
            pool = AsyncConnectionPool.builder().conninfo(db.conninfo() + " sslmode=disable application_name=" + app)
                    .minSize(1).maxSize(MAX_SIZE).timeout(Duration.ofSeconds(5)).name(app).build();
            pool.open();
            String failure = null;
            try {
                for (int step = 0; step < steps && failure == null; step++) {
                    String op = pick();
                    stepsRun++;
                    try {
                        String r = apply(op, step);
                        history.add(step + " " + op + " -> " + r + "   live " + live());
                        checkInvariants();
                    } catch (Throwable t) {
                        failure = "step " + step + " " + op + ": " + t + stack(t);
                        history.add(step + " " + op + " -> " + t);
                    }
                }
                if (failure == null) {
                    try {
                        finish();
                    } catch (Throwable t) {
                        failure = "end of sequence: " + t + stack(t);
                    }
                }
            } finally {
                try {
                    closePool(failure == null);
                } catch (Throwable t) {
                    if (failure == null) {
                        failure = "closing the pool: " + t + stack(t);
                    }
                }
            }
            if (failure == null) {
                return null;
            }
            return runs.report("async pool sequence", index, seed, failure, history);
        }

        private static final List<String> OPS = List.of("lease", "lease", "lease", "giveBack", "giveBack", "giveBack",
                "useLeased", "pipelineBatch", "openTransaction", "failTransaction", "listen", "setGuc", "tempTable",
                "advisoryLock", "holdCursor", "toggleAutocommit", "registerAdapter", "notifyUnread", "notifyHandler",
                "subscribeNotifications", "keepNotifies", "keepPipeline", "abandonPipeline", "abandonStream",
                "giveBackRunning", "cancelRunning", "cancelIdle", "staleUse", "staleTransactionCalls", "staleClose",
                "staleUseAfterRelease", "stalePipelineSync", "staleNotifies", "killLeased", "killIdle", "freezeLeased",
                "withConnectionCompletes", "withConnectionFails", "leaseFromFullPool", "cancelWaitingLease",
                "waiterServedByGiveBack");

        private static final Set<String> NEED_LIVE = Set.of("giveBack", "useLeased", "pipelineBatch", "openTransaction",
                "failTransaction", "listen", "setGuc", "tempTable", "advisoryLock", "holdCursor", "toggleAutocommit",
                "registerAdapter", "notifyUnread", "notifyHandler", "subscribeNotifications", "keepNotifies",
                "keepPipeline", "abandonPipeline", "abandonStream", "giveBackRunning", "cancelRunning", "cancelIdle",
                "killLeased", "freezeLeased");

        private String pick() {
            while (true) {
                String op = OPS.get(random.nextInt(OPS.size()));
                boolean full = live().size() >= MAX_SIZE;
                if (NEED_LIVE.contains(op) && usable() == null && !op.equals("giveBack")) {
                    continue;
                }
                if (op.equals("giveBack") && live().isEmpty()) {
                    continue;
                }
                if ((op.equals("lease") || op.startsWith("withConnection") || op.equals("killIdle")
                        || op.equals("staleUseAfterRelease") || op.equals("staleNotifies")) && full) {
                    continue;
                }
                if ((op.equals("leaseFromFullPool") || op.equals("cancelWaitingLease") || op.equals("waiterServedByGiveBack"))
                        && !full) {
                    continue;
                }
                if ((op.equals("staleUse") || op.equals("staleClose") || op.equals("staleTransactionCalls")
                        || op.equals("staleUseAfterRelease")) && stale().isEmpty()) {
                    continue;
                }
                if (op.equals("stalePipelineSync") && stale().stream().noneMatch(l -> l.keptPipeline != null)) {
                    continue;
                }
                if (op.equals("staleNotifies") && stale().stream().noneMatch(l -> l.keptNotifies != null)) {
                    continue;
                }
                if (op.equals("freezeLeased") && !db.server().isEmbedded()) {
                    continue;
                }
                return op;
            }
        }

        /** A live lease that can still run statements (not broken, no stream, pipeline or statement left running). */
        private Lease usable() {
            List<Lease> l = live().stream().filter(x -> !x.broken && x.idleStream == null
                    && x.conn.info().pipelineStatus() == PipelineStatus.OFF).toList();
            return l.isEmpty() ? null : l.get(random.nextInt(l.size()));
        }

        private Lease anyLive() {
            List<Lease> l = live();
            return l.get(random.nextInt(l.size()));
        }

        private String apply(String op, int step) throws Exception {
            switch (op) {
                case "lease":
                    return "leased " + lease();
                case "giveBack": {
                    Lease l = anyLive();
                    giveBack(l);
                    return "gave back " + l;
                }
                case "useLeased": {
                    Lease l = usable();
                    cleanTransaction(l);
                    int n = random.nextInt(1_000_000);
                    Object v = await(l.conn.execute("SELECT %s::int + 1, %s::text", n, "v" + n), "a statement").fetchone();
                    Row r = (Row) v;
                    expect(r.getInt(0) == n + 1 && ("v" + n).equals(r.getString(1)), "SELECT " + n + " + 1 on " + l + " read "
                            + r.getInt(0) + ", " + r.getString(1));
                    await(l.conn.rollback(), "rollback");
                    return "values right on " + l;
                }
                case "pipelineBatch": {
                    Lease l = usable();
                    cleanTransaction(l);
                    AsyncPipeline p = l.conn.pipeline();
                    List<CompletableFuture<dev.tusk.AsyncCursor<Row>>> results = new ArrayList<>();
                    for (int i = 0; i < 4; i++) {
                        results.add(l.conn.execute("SELECT %s::int * 2", step * 10 + i));
                    }
                    await(p.sync(), "pipeline sync");
                    await(p.closeAsync(), "pipeline close");
                    for (int i = 0; i < 4; i++) {
                        int got = await(results.get(i), "a pipelined statement").fetchone().getInt(0);
                        expect(got == (step * 10 + i) * 2, "pipelined statement " + i + " on " + l + " read " + got);
                    }
                    await(l.conn.rollback(), "rollback");
                    return "pipeline of 4 right on " + l;
                }
                case "openTransaction": {
                    Lease l = usable();
                    cleanTransaction(l);
                    if (l.conn.autocommit()) {
                        await(l.conn.execute("BEGIN"), "BEGIN");
                    }
                    await(l.conn.execute("INSERT INTO async_pool_model VALUES (4)"), "insert");
                    expect(l.conn.info().transactionStatus() == TransactionStatus.INTRANS, "after BEGIN and INSERT: "
                            + l.conn.info().transactionStatus());
                    return "left a transaction open on " + l;
                }
                case "failTransaction": {
                    Lease l = usable();
                    cleanTransaction(l);
                    if (l.conn.autocommit()) {
                        await(l.conn.execute("BEGIN"), "BEGIN");
                    }
                    Throwable t = failureOf(l.conn.execute("SELECT 1 / %s", 0), "SELECT 1/0");
                    expect(t instanceof dev.tusk.errors.DataException, "SELECT 1/0 failed with " + t);
                    expect(l.conn.info().transactionStatus() == TransactionStatus.INERROR, "after a failed statement: "
                            + l.conn.info().transactionStatus());
                    return "left a failed transaction on " + l;
                }
                case "listen":
                case "setGuc":
                case "tempTable":
                case "advisoryLock":
                case "holdCursor": {
                    Lease l = usable();
                    String sql = switch (op) {
                        case "listen" -> "LISTEN amodel_channel_" + step;
                        case "setGuc" -> "SET tusk.model_dirty = 'x'";
                        case "tempTable" -> "CREATE TEMP TABLE IF NOT EXISTS amodel_tmp (a int)";
                        case "advisoryLock" -> "SELECT pg_try_advisory_lock(" + (seed * 31 + l.number) + ")";
                        default -> "DECLARE amodel_hold_" + step + " CURSOR WITH HOLD FOR SELECT 1";
                    };
                    cleanTransaction(l);
                    await(l.conn.execute(sql), op);
                    await(l.conn.commit(), "commit");
                    return op + " on " + l;
                }
                case "toggleAutocommit": {
                    Lease l = usable();
                    cleanTransaction(l);
                    boolean ac = l.conn.autocommit();
                    await(l.conn.setAutocommit(!ac), "setAutocommit");
                    return "autocommit " + !ac + " on " + l;
                }
                case "registerAdapter": {
                    Lease l = usable();
                    cleanTransaction(l);
                    l.conn.adapters().registerLoader("text", new PoolStateMachineTest.Shouting(dev.tusk.adapt.Format.TEXT));
                    l.conn.adapters().registerLoader("text", new PoolStateMachineTest.Shouting(dev.tusk.adapt.Format.BINARY));
                    Object v = await(l.conn.execute("SELECT 'x'::text"), "select").fetchone().get(0);
                    expect(SHOUT.equals(v), "a loader registered on a lease was not used by it: " + v);
                    cleanTransaction(l);
                    return "registered a loader on " + l;
                }
                case "notifyUnread": {
                    // a notification arrives on the lease's session and nobody reads it before the give-back
                    Lease l = usable();
                    cleanTransaction(l);
                    String channel = "amodel_unread_" + step;
                    await(l.conn.execute("LISTEN " + channel), "LISTEN");
                    await(l.conn.commit(), "commit");
                    db.admin("NOTIFY " + channel + ", 'for " + l + "'");
                    await(l.conn.execute("SELECT 1"), "a statement after the notification"); // it has arrived by now
                    await(l.conn.rollback(), "rollback");
                    l.listens = true;
                    return "left a notification unread on " + l;
                }
                case "notifyHandler": {
                    Lease l = usable();
                    l.conn.addNotifyHandler(l::heard);
                    return "notify handler on " + l;
                }
                case "subscribeNotifications": {
                    Lease l = usable();
                    l.conn.notifications().subscribe(new Flow.Subscriber<>() {
                        public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        public void onNext(Notify n) {
                            l.heard(n);
                        }

                        public void onError(Throwable t) {
                        }

                        public void onComplete() {
                        }
                    });
                    return "notifications() subscriber on " + l;
                }
                case "keepNotifies": {
                    Lease l = usable();
                    l.keptNotifies = l.conn.notifies(Duration.ofMillis(300), 1); // not subscribed yet
                    return "kept a notifies() publisher of " + l;
                }
                case "keepPipeline": {
                    Lease l = usable();
                    cleanTransaction(l);
                    AsyncPipeline p = l.conn.pipeline();
                    CompletableFuture<?> r = l.conn.execute("SELECT %s::int", step);
                    await(p.sync(), "sync");
                    await(p.closeAsync(), "pipeline close");
                    await(r, "pipelined statement");
                    cleanTransaction(l);
                    l.keptPipeline = p;
                    return "kept a closed pipeline of " + l;
                }
                case "abandonPipeline": {
                    Lease l = usable();
                    l.conn.pipeline();
                    pending("a statement queued in a pipeline left open by " + l,
                            l.conn.execute("INSERT INTO async_pool_model VALUES (5)"));
                    return "left a pipeline open on " + l;
                }
                case "abandonStream": {
                    Lease l = usable();
                    cleanTransaction(l);
                    Idle sub = new Idle();
                    if (l.conn.info().pipelineStatus() != PipelineStatus.OFF) { // an abandoned pipeline block is still open
                        l.conn.stream("SELECT generate_series(1, 200000)").subscribe(sub);
                        Throwable refused = await(sub.ended, "the refusal of a stream in pipeline mode");
                        expect(refused instanceof dev.tusk.errors.ProgrammingException, "a stream in pipeline mode: " + refused);
                        return "a stream refused in the pipeline left open on " + l;
                    }
                    l.conn.stream("SELECT generate_series(1, 200000)").subscribe(sub);
                    await(sub.gotFirst, "the stream's first row");
                    l.idleStream = sub;
                    return "left a stream without demand on " + l;
                }
                case "giveBackRunning": {
                    Lease l = usable();
                    pending("a statement running when " + l + " was given back", l.conn.execute("SELECT pg_sleep(0.3)"));
                    giveBack(l);
                    return "gave back " + l + " while its statement runs";
                }
                case "cancelRunning": {
                    Lease l = usable();
                    cleanTransaction(l);
                    CompletableFuture<?> running = l.conn.execute("SELECT pg_sleep(5)");
                    Thread.sleep(30);
                    await(l.conn.cancel(), "cancel()");
                    Throwable t = failureOf(running, "the cancelled statement");
                    expect(t instanceof dev.tusk.errors.QueryCanceled || t == null, "a cancelled pg_sleep(5) ended with " + t);
                    cleanTransaction(l);
                    int v = await(l.conn.execute("SELECT 11"), "a statement after the cancel").fetchone().getInt(0);
                    expect(v == 11, "after cancel() SELECT 11 read " + v);
                    cleanTransaction(l);
                    return "cancelled a statement of " + l + " (" + (t == null ? "it had ended" : "canceled") + ")";
                }
                case "cancelIdle": {
                    Lease l = usable();
                    cleanTransaction(l);
                    await(l.conn.cancel(), "cancel() with nothing running");
                    int v = await(l.conn.execute("SELECT 12"), "a statement after the cancel").fetchone().getInt(0);
                    expect(v == 12, "after an idle cancel() SELECT 12 read " + v);
                    cleanTransaction(l);
                    return "cancel() of idle " + l;
                }
                case "staleUse": {
                    Lease l = stale().get(random.nextInt(stale().size()));
                    Throwable t = failureOf(l.conn.execute("SELECT 1"), "a stale statement");
                    expect(t instanceof InterfaceException, "a statement on a lease given back ended with " + t);
                    expect(l.conn.isClosed(), "isClosed() of a lease given back is false");
                    return "stale use of " + l + " refused";
                }
                case "staleTransactionCalls": {
                    Lease l = stale().get(random.nextInt(stale().size()));
                    List<String> wrong = new ArrayList<>();
                    Map<String, CompletableFuture<?>> calls = Map.of("commit", l.conn.commit(), "rollback", l.conn.rollback(),
                            "transaction", l.conn.transaction(tx -> CompletableFuture.completedFuture(1)),
                            "setAutocommit", l.conn.setAutocommit(true), "cancel", l.conn.cancel());
                    for (var e : calls.entrySet()) {
                        Throwable t = failureOf(e.getValue(), "stale " + e.getKey());
                        if (!(t instanceof InterfaceException)) {
                            wrong.add(e.getKey() + "() ended with " + t);
                        }
                    }
                    expect(wrong.isEmpty(), "calls on a lease given back: " + wrong + " (expected InterfaceException)");
                    return "stale transaction calls of " + l + " refused";
                }
                case "staleClose": {
                    Lease l = stale().get(random.nextInt(stale().size()));
                    Throwable t = catching(l.conn::close);
                    expect(t == null, "close() of a lease given back raised " + t);
                    Throwable t2 = failureOf(l.conn.closeAsync(), "closeAsync() again");
                    expect(t2 == null, "closeAsync() of a lease given back ended with " + t2);
                    return "closed stale " + l + " again";
                }
                case "staleUseAfterRelease": {
                    Lease old = stale().get(random.nextInt(stale().size()));
                    Lease fresh = lease();
                    boolean same = fresh.pid == old.pid;
                    if (!fresh.conn.autocommit()) {
                        await(fresh.conn.execute("INSERT INTO async_pool_model VALUES (1)"), "the new borrower's insert");
                    }
                    Throwable t = failureOf(old.conn.execute("SELECT 1"), "a stale statement");
                    Throwable c = failureOf(old.conn.commit(), "a stale commit");
                    old.conn.close();
                    expect(t instanceof InterfaceException && c instanceof InterfaceException, "a stale lease (" + old
                            + ") while " + fresh + " holds " + (same ? "the same backend" : "another") + ": statement " + t
                            + ", commit " + c + " (expected InterfaceException)");
                    TransactionStatus st = fresh.conn.info().transactionStatus();
                    expect(fresh.conn.autocommit() ? st == TransactionStatus.IDLE : st == TransactionStatus.INTRANS,
                            "the new borrower's transaction status after the stale calls: " + st);
                    int v = await(fresh.conn.execute("SELECT 13"), "the new borrower's statement").fetchone().getInt(0);
                    expect(v == 13, "the new borrower read " + v);
                    return "stale " + old + " refused while " + fresh + " holds " + (same ? "the same backend" : "another");
                }
                case "stalePipelineSync": {
                    Lease old = pickStale(l -> l.keptPipeline != null);
                    Throwable t = failureOf(old.keptPipeline.sync(), "a stale pipeline's sync");
                    // refused: the lease ended (InterfaceException), or first because the block was closed
                    expect(t instanceof InterfaceException || t instanceof dev.tusk.errors.ProgrammingException,
                            "sync() of a pipeline made by " + old + " after its lease ended: " + t);
                    old.keptPipeline = null;
                    return "stale pipeline sync of " + old + " refused";
                }
                case "staleNotifies": {
                    Lease old = pickStale(l -> l.keptNotifies != null);
                    Lease fresh = lease();
                    String channel = "amodel_notify_" + step;
                    if (!fresh.conn.autocommit()) {
                        await(fresh.conn.setAutocommit(true), "setAutocommit");
                    }
                    List<Notify> seen = new CopyOnWriteArrayList<>();
                    CompletableFuture<Throwable> ended = new CompletableFuture<>();
                    old.keptNotifies.subscribe(new Flow.Subscriber<>() {
                        public void onSubscribe(Flow.Subscription s) {
                            s.request(Long.MAX_VALUE);
                        }

                        public void onNext(Notify n) {
                            seen.add(n);
                        }

                        public void onError(Throwable t) {
                            ended.complete(t);
                        }

                        public void onComplete() {
                            ended.complete(null);
                        }
                    });
                    await(fresh.conn.execute("LISTEN " + channel), "LISTEN");
                    await(fresh.conn.execute("NOTIFY " + channel + ", 'for " + fresh + "'"), "NOTIFY");
                    Throwable t = await(ended, "the stale notifies() publisher's end");
                    old.keptNotifies = null;
                    fresh.listens = true;
                    // it completes at once, even when its connection was lost meanwhile (seeds 4039276337478, 4325044199826)
                    expect(seen.isEmpty() && (t == null || t instanceof InterfaceException), "a notifies() publisher made by "
                            + old + " delivered " + seen + " (ended with " + t + ") after its lease ended, while " + fresh
                            + " listens");
                    return "stale notifies of " + old + " delivered nothing while " + fresh + " listens";
                }
                case "killLeased": {
                    Lease l = usable();
                    terminate(l.pid);
                    Throwable t = failureOf(l.conn.execute("SELECT 1"), "a statement on a terminated backend");
                    expect(t instanceof OperationalException && l.conn.isBroken(), "a statement on a lease whose backend was"
                            + " terminated ended with " + t + ", isBroken()=" + l.conn.isBroken());
                    l.broken = true;
                    return "killed " + l;
                }
                case "freezeLeased": {
                    Lease l = usable();
                    cleanTransaction(l);
                    l.conn.setStatementTimeout(FROZEN_STATEMENT_TIMEOUT);
                    signal("STOP", l.pid);
                    Throwable t;
                    long t0 = System.nanoTime();
                    try {
                        t = failureOf(l.conn.execute("SELECT 1"), "a statement on a frozen backend");
                    } finally {
                        signal("CONT", l.pid);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    expect(t instanceof OperationalException, "a statement on a frozen backend under a "
                            + FROZEN_STATEMENT_TIMEOUT.toMillis() + " ms statement timeout ended with " + t + " after " + ms + " ms");
                    l.broken = l.conn.isBroken();
                    return "froze " + l + ": the statement failed in " + ms + " ms, broken " + l.broken;
                }
                case "killIdle": {
                    StringBuilder pids = new StringBuilder();
                    for (Lease l : live()) {
                        pids.append(',').append(l.pid);
                    }
                    String killed = db.adminQuery("SELECT coalesce(string_agg(pid::text, ','), '') FROM pg_stat_activity WHERE"
                            + " application_name = '" + app + "' AND pid NOT IN (0" + pids + ")").trim();
                    if (!killed.isEmpty()) {
                        db.adminQuery("SELECT count(pg_terminate_backend(pid)) FROM unnest(ARRAY[" + killed + "]) pid");
                        awaitGone("pid IN (" + killed + ")");
                        // leased at once: the pool looks at an idle connection's socket before it lends it, so a
                        // backend that exited just before is not lent even when the event loop has not read its end
                        // yet (found by seed 2888716643562: the lease's first statement failed with OperationalException)
                    }
                    Lease l = lease(); // must work: the pool replaced the idle connections whose backend went away
                    return "killed idle backends [" + killed + "], then leased " + l;
                }
                case "withConnectionCompletes": {
                    // the body runs on the event loop: it must not block, so it chains the clean check's query
                    List<String> dirt = new CopyOnWriteArrayList<>();
                    int v = await(pool.withConnection(c -> {
                        dirt.add(quickDirt(c));
                        return c.execute(DIRT_SQL).thenCompose(cur -> {
                            dirt.add(dirtOf(cur.fetchone()));
                            return c.execute("INSERT INTO async_pool_model VALUES (2)");
                        }).thenCompose(x -> c.execute("SELECT 21")).thenApply(cur -> cur.fetchone().getInt(0));
                    }), "withConnection");
                    expect(String.join("", dirt).isEmpty(), "withConnection was lent a connection with:" + dirt);
                    expect(v == 21, "withConnection's body's value read " + v);
                    return "withConnection completed";
                }
                case "withConnectionFails": {
                    List<String> dirt = new CopyOnWriteArrayList<>();
                    Throwable t = failureOf(pool.withConnection(c -> {
                        dirt.add(quickDirt(c));
                        return c.execute(DIRT_SQL).thenCompose(cur -> {
                            dirt.add(dirtOf(cur.fetchone()));
                            return c.execute("INSERT INTO async_pool_model VALUES (3)");
                        }).thenCompose(x -> CompletableFuture.failedFuture(new IllegalStateException("the body's own failure")));
                    }), "withConnection");
                    expect(String.join("", dirt).isEmpty(), "withConnection was lent a connection with:" + dirt);
                    expect(t instanceof IllegalStateException && "the body's own failure".equals(t.getMessage()),
                            "withConnection whose body fails ended with " + t);
                    return "withConnection failed";
                }
                case "leaseFromFullPool": {
                    long t0 = System.nanoTime();
                    Throwable t = failureOf(pool.connection(Duration.ofMillis(200)), "a lease from a full pool");
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    expect(t instanceof PoolTimeout, "a lease from a full pool ended with " + t + " (expected PoolTimeout)");
                    expect(ms < 3000, "a 200 ms lease from a full pool took " + ms + " ms");
                    return "full pool refused in " + ms + " ms";
                }
                case "cancelWaitingLease": {
                    CompletableFuture<AsyncConnection<Row>> waiting = pool.connection(Duration.ofSeconds(30));
                    awaitStat("requests_waiting", 1);
                    waiting.cancel(true);
                    awaitStat("requests_waiting", 0);
                    return "cancelled a waiting lease";
                }
                case "waiterServedByGiveBack": {
                    CompletableFuture<AsyncConnection<Row>> waiting = pool.connection(Duration.ofSeconds(8));
                    awaitStat("requests_waiting", 1);
                    Lease back = anyLive();
                    giveBack(back);
                    AsyncConnection<Row> c = await(waiting, "a waiting lease after a give-back");
                    Lease l = adopt(c);
                    return "gave back " + back + ", the waiter got " + l;
                }
                default:
                    throw new IllegalStateException(op);
            }
        }

        private Lease pickStale(java.util.function.Predicate<Lease> which) {
            List<Lease> l = stale().stream().filter(which).toList();
            return l.get(random.nextInt(l.size()));
        }

        /** Ends an open or failed transaction the lease left, so that the next statement runs. */
        private void cleanTransaction(Lease l) throws Exception {
            if (l.conn.info().transactionStatus() != TransactionStatus.IDLE) {
                await(l.conn.rollback(), "rollback");
            }
        }

        private Lease lease() throws Exception {
            return adopt(await(pool.connection(Duration.ofSeconds(5)), "a lease"));
        }

        private Lease adopt(AsyncConnection<Row> c) throws Exception {
            Lease l = new Lease(c, c.info().backendPid(), ++leaseCount);
            for (Lease other : live()) {
                expect(other.conn != c, "the pool lent " + other + "'s handle again while it is still leased");
                expect(other.pid != l.pid, "the pool lent backend " + l.pid + ", which " + other + " still holds");
            }
            leases.add(l);
            checkClean(c, "lease " + l);
            return l;
        }

        private void giveBack(Lease l) throws Exception {
            l.ended = true;
            l.givenBack = true;
            if (random.nextBoolean()) {
                l.conn.close();
            } else {
                CompletableFuture<Void> closed = l.conn.closeAsync();
                pending("closeAsync() of " + l, closed);
            }
            if (l.idleStream != null) {
                // the abandoned subscriber asks for nothing more: it is told the stream ended with the lease, never left
                // waiting (a request now would be answered by the same end)
                pending("the end of the stream left without demand by " + l, l.idleStream.ended);
            }
        }

        /** What a new lease must look like. */
        private void checkClean(AsyncConnection<Row> c, String what) throws Exception {
            expect(!c.isClosed() && !c.isBroken(), what + ": the pool lent a closed or broken connection");
            expect(c.info().transactionStatus() == TransactionStatus.IDLE, what + ": lent in status "
                    + c.info().transactionStatus());
            expect(c.info().pipelineStatus() == PipelineStatus.OFF, what + ": lent in pipeline mode");
            expect(!c.autocommit(), what + ": lent in autocommit mode (the pool's connections start without)");
            expect(c.statementTimeout() == null, what + ": lent with a statement timeout " + c.statementTimeout());
            List<Notify> heard = new CopyOnWriteArrayList<>();
            Row r = await(c.execute(DIRT_SQL), what + ": the clean check").fetchone();
            String dirt = dirtOf(r);
            await(c.rollback(), what + ": rollback");
            CompletableFuture<Throwable> ended = new CompletableFuture<>();
            c.notifies(Duration.ofMillis(20), null).subscribe(new Flow.Subscriber<>() {
                public void onSubscribe(Flow.Subscription s) {
                    s.request(Long.MAX_VALUE);
                }

                public void onNext(Notify n) {
                    heard.add(n);
                }

                public void onError(Throwable t) {
                    ended.complete(t);
                }

                public void onComplete() {
                    ended.complete(null);
                }
            });
            Throwable notifiesEnd = await(ended, what + ": notifies()");
            expect(dirt.isEmpty(), what + ": the previous borrower's session state is still there:" + dirt);
            expect(notifiesEnd == null, what + ": notifies() ended with " + notifiesEnd);
            expect(heard.isEmpty(), what + ": the new borrower received a previous borrower's notifications: " + heard);
        }

        /** What a new lease may be lent with, read from the previous borrower's session. */
        static final String DIRT_SQL = "SELECT (SELECT count(*) FROM pg_listening_channels())::int,"
                + " coalesce(current_setting('tusk.model_dirty', true), ''),"
                + " (SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relnamespace = pg_my_temp_schema())::int,"
                + " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int,"
                + " (SELECT count(*) FROM pg_cursors)::int, 'x'::text";

        static String dirtOf(Row r) {
            Object text = r.get(5);
            return (r.getInt(0) > 0 ? " LISTEN" : "") + (!r.getString(1).isEmpty() ? " SET" : "")
                    + (r.getInt(2) > 0 ? " temporary-table" : "") + (r.getInt(3) > 0 ? " advisory-lock" : "")
                    + (r.getInt(4) > 0 ? " cursor" : "") + ("x".equals(text) ? "" : " a-loader-reading-text-as-" + text);
        }

        /** What a new lease shows without a round trip. */
        static String quickDirt(AsyncConnection<Row> c) {
            return (c.isClosed() || c.isBroken() ? " closed-or-broken" : "")
                    + (c.info().transactionStatus() != TransactionStatus.IDLE ? " status-" + c.info().transactionStatus() : "")
                    + (c.info().pipelineStatus() != PipelineStatus.OFF ? " pipeline-mode" : "")
                    + (c.autocommit() ? " autocommit" : "")
                    + (c.statementTimeout() != null ? " statement-timeout-" + c.statementTimeout() : "");
        }

        /** After each step. */
        private void checkInvariants() throws Exception {
            long now = System.nanoTime();
            for (Iterator<Pending> it = pending.iterator(); it.hasNext(); ) {
                Pending p = it.next();
                if (p.future().isDone()) {
                    it.remove();
                } else if (now > p.deadline()) {
                    throw new AssertionError("never completed: " + p.what() + " (deadline " + FUTURE_DEADLINE_MILLIS + " ms)");
                }
            }
            for (Lease l : leases) {
                expect(l.seenAfterEnd.isEmpty(), "a handler or subscriber of " + l + " received " + l.seenAfterEnd
                        + " after the lease ended");
            }
            awaitAccounts();
        }

        /** The pool's stats add up and the server has its connections, within 10 s (a give-back's repair is async). */
        private void awaitAccounts() throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            int leased = live().size();
            while (true) {
                long brokenLeased = live().stream().filter(l -> l.conn.isBroken()).count();
                Map<String, Long> stats = pool.getStats();
                long size = stats.getOrDefault("pool_size", -1L);
                long available = stats.getOrDefault("pool_available", -1L);
                long waiting = stats.getOrDefault("requests_waiting", -1L);
                int backends = Integer.parseInt(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + app + "'").trim());
                String why = "pool_size " + size + ", pool_available " + available + ", requests_waiting " + waiting
                        + ", leased " + leased + " (" + brokenLeased + " broken), server backends " + backends + ", max " + MAX_SIZE;
                // the server may have fewer backends than the pool counts (an idle one terminated is dropped when met),
                // never more: a backend the pool does not account for is a leak
                if (size >= Math.max(1, leased) && size <= MAX_SIZE && available == size - leased && waiting == 0
                        && backends <= size - brokenLeased) {
                    return;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the pool's accounts do not add up: " + why + " (stats " + stats + ")");
                }
                TimeUnit.MILLISECONDS.sleep(20);
            }
        }

        private void awaitStat(String stat, long value) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (pool.getStats().getOrDefault(stat, -1L) != value) {
                expect(System.nanoTime() < deadline, stat + " never became " + value + ": " + pool.getStats());
                TimeUnit.MILLISECONDS.sleep(5);
            }
        }

        /** Gives everything back; every connection is then idle and clean. */
        private void finish() throws Exception {
            for (Lease l : live()) {
                giveBack(l);
            }
            checkInvariants();
            history.add("end: " + pool.getStats());
            List<Lease> all = new ArrayList<>();
            Set<Integer> pids = new LinkedHashSet<>();
            for (int i = 0; i < MAX_SIZE; i++) {
                Lease l = lease();
                all.add(l);
                expect(pids.add(l.pid), "two final leases share backend " + l.pid);
            }
            if (index % 3 == 2) {
                return; // closePool: the pool closes while a lease waits, these three held
            }
            for (Lease l : all) {
                giveBack(l);
            }
            checkInvariants();
        }

        /**
         * Closes the pool: a lease waiting then fails with PoolClosed at once, a lease still held can be given back
         * (its connection is then closed), and the server has no backend of the pool left.
         */
        private void closePool(boolean check) throws Exception {
            CompletableFuture<AsyncConnection<Row>> waiting = null;
            if (check && live().size() >= MAX_SIZE) {
                waiting = pool.connection(Duration.ofSeconds(60));
                awaitStat("requests_waiting", 1);
            }
            long t0 = System.nanoTime();
            pool.close();
            if (waiting != null) {
                Throwable t = failureOf(waiting, "a lease waiting while the pool closes");
                long ms = (System.nanoTime() - t0) / 1_000_000;
                expect(t instanceof PoolClosed && ms < 3000, "a lease waiting while the pool closed ended with " + t
                        + " after " + ms + " ms");
            }
            for (Lease l : live()) {
                if (check) {
                    Throwable t = failureOf(l.conn.execute("SELECT 1"), "a statement on a lease held while the pool closed");
                    expect(t == null || t instanceof TuskException, "a lease held while the pool closed: " + t);
                }
                l.conn.close();
                l.givenBack = true;
                expect(l.conn.isClosed(), l + " given back to a closed pool is not closed");
            }
            if (check) {
                awaitGone("application_name = '" + app + "'");
            }
        }

        private void pending(String what, CompletableFuture<?> f) {
            pending.add(new Pending(what, f, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(FUTURE_DEADLINE_MILLIS)));
        }

        private void terminate(int pid) throws InterruptedException {
            db.adminQuery("SELECT pg_terminate_backend(" + pid + ")");
            awaitGone("pid = " + pid);
        }

        private void awaitGone(String where) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE " + where).trim().equals("0")) {
                expect(System.nanoTime() < deadline, "backends still there after 10 s: " + where);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        private static void signal(String sig, int pid) throws Exception {
            Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
            expect(p.waitFor() == 0, "kill -" + sig + " " + pid + " failed");
        }
    }

    /** The future's value; an AssertionError when it does not complete within the deadline. */
    static <T> T await(CompletableFuture<T> f, String what) throws Exception {
        try {
            return f.get(FUTURE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": the future did not complete within " + FUTURE_DEADLINE_MILLIS + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof Exception x ? x : e;
        }
    }

    /** What the future failed with (null when it completed); an AssertionError when it does not complete in time. */
    static Throwable failureOf(CompletableFuture<?> f, String what) {
        try {
            f.get(FUTURE_DEADLINE_MILLIS, TimeUnit.MILLISECONDS);
            return null;
        } catch (TimeoutException e) {
            throw new AssertionError(what + ": the future did not complete within " + FUTURE_DEADLINE_MILLIS + " ms");
        } catch (ExecutionException e) {
            Throwable t = e.getCause();
            return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
        } catch (java.util.concurrent.CancellationException e) {
            return e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(what + ": interrupted");
        }
    }
}
