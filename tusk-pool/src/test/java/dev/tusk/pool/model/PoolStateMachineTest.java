package dev.tusk.pool.model;

import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Pipeline;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.pool.PoolTimeout;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test of {@link ConnectionPool} (trust issue): random sequences of lease, dirtying the session in
 * some way (open or failed transaction, LISTEN, SET, temporary table, advisory lock, WITH HOLD cursor, autocommit,
 * an abandoned COPY TO, pipeline or stream), give back, use of a stale reference after give-back, killing a
 * backend (leased or idle) or freezing it (SIGSTOP, under a short statement timeout), {@code withConnection} that
 * returns or throws, leasing from a full pool, a lease given back from another thread while its statement runs, and
 * a {@code cancel()} from another thread racing the end of a short statement and of the lease (it must never stop the
 * next borrower's statements). Every
 * lease must be clean: transaction status IDLE, not broken, a working session on a backend no other live lease
 * has, and (the pool is built with a {@code reset} that runs DISCARD ALL, as psycopg_pool expects of its users)
 * no LISTEN, no SET, no temporary table, no advisory lock and no cursor left by a previous borrower. At the end
 * of each sequence every connection is given back and the pool must account for all of them: nothing leaked on
 * the client or on the server.
 *
 * <p>{@value #DEFAULT_SEQUENCES} sequences of {@value #DEFAULT_STEPS} steps by default; {@code
 * -Dtusk.poolmodel.sequences=N -Dtusk.poolmodel.steps=M -Dtusk.poolmodel.seed=S|random} for longer runs and replays
 * (sequence {@code i} uses seed {@code S + i}), {@code -Dtusk.poolmodel.includeKnownDefects=true} to run what
 * {@link #KNOWN_DEFECTS} leaves out.
 */
@TuskTest
@Timeout(value = 20, unit = TimeUnit.MINUTES) // the CI-bounded run takes well under a minute
class PoolStateMachineTest {
    /**
     * Operations whose current behaviour is a known defect: the model keeps the correct expectation, the CI run
     * leaves them out. The coordinator empties it as the fixes are merged.
     */
    static final Set<String> KNOWN_DEFECTS = Set.of();

    static final int DEFAULT_SEQUENCES = 30;
    static final int DEFAULT_STEPS = 25;
    static final long DEFAULT_SEED = 0x9001_2026_1206L;
    static final int MAX_SIZE = 3;
    static final long STEP_DEADLINE_MILLIS = 10_000;

    /** A connection the test holds, from one lease. */
    static final class Lease {
        final Connection<Row> conn;
        final int pid;
        final int number;
        boolean givenBack;
        boolean killed;
        boolean abandonedCopy;
        /** A pipeline block the lease used and closed, kept: after give-back its sync() must be refused. */
        Pipeline keptPipeline;
        /** A notifications stream made through the lease and not read yet: after give-back it must not deliver. */
        java.util.Iterator<dev.tusk.Notify> keptNotifies;

        Lease(Connection<Row> conn, int pid, int number) {
            this.conn = conn;
            this.pid = pid;
            this.number = number;
        }

        @Override
        public String toString() {
            return "#" + number + "(pid " + pid + (givenBack ? ", given back" : "") + (killed ? ", killed" : "") + ")";
        }
    }

    @Test
    void everyLeaseIsCleanAndNothingLeaks(TestDatabase db) {
        boolean includeKnown = Boolean.getBoolean("tusk.poolmodel.includeKnownDefects");
        db.admin("CREATE TABLE pool_model (v int)");
        ModelRuns runs = ModelRuns.fromProperties("PoolStateMachineTest", "tusk.poolmodel", DEFAULT_SEQUENCES,
                DEFAULT_STEPS, DEFAULT_SEED);
        ModelRuns.Report report = runs.run("pool-model",
                (seed, index, steps, threads) -> new Sequence(db, runs, seed, index, steps, includeKnown, threads));
        assertThat(report.failures()).as("failing sequences (base seed %d)", report.baseSeed()).isEmpty();
    }

    static final class Sequence extends ModelRuns.Sequence {
        private final TestDatabase db;
        private final ModelRuns runs;
        private final boolean includeKnown;
        private final StepThreads threads;
        private final List<Lease> leases = new ArrayList<>();
        private final String app;
        private Random random;
        private ConnectionPool<Row> pool;
        private int leaseCount;

        Sequence(TestDatabase db, ModelRuns runs, long seed, int index, int steps, boolean includeKnown,
                StepThreads threads) {
            super(seed, index, steps);
            this.db = db;
            this.runs = runs;
            this.includeKnown = includeKnown;
            this.threads = threads;
            this.app = "pool_model_" + index + "_" + Long.toUnsignedString(seed, 36);
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
            pool = ConnectionPool.builder().conninfo(db.conninfo() + " application_name=" + app).minSize(1).maxSize(MAX_SIZE)
                    .timeout(Duration.ofSeconds(5)).name(app)
                    .reset(PoolStateMachineTest::discardAll)
                    .open(true).build();
            String failure = null;
            try {
                for (int step = 0; step < steps && failure == null; step++) {
                    String op = pick();
                    stepsRun++;
                    final int s = step;
                    Object r = runWithDeadline(() -> apply(op, s));
                    if (r == HUNG) {
                        failure = "step " + step + " " + op + " hung: still running after " + STEP_DEADLINE_MILLIS + " ms";
                        history.add(step + " " + op + " -> HUNG");
                    } else if (r instanceof Throwable t) {
                        failure = "step " + step + " " + op + ": " + t + stack(t);
                        history.add(step + " " + op + " -> " + t);
                    } else {
                        history.add(step + " " + op + " -> " + r + "   live " + live());
                    }
                }
                if (failure == null) {
                    Object r = runWithDeadline(() -> {
                        finish();
                        return "ok";
                    });
                    if (r == HUNG) {
                        failure = "giving every connection back and checking the pool hung";
                    } else if (r instanceof Throwable t) {
                        failure = "end of sequence: " + t + stack(t);
                    }
                }
            } finally {
                Object closed = runWithDeadline(() -> {
                    pool.close();
                    return null;
                });
                if (closed == HUNG && failure == null) {
                    failure = "pool.close() hung";
                }
            }
            if (failure == null) {
                return null;
            }
            return runs.report("pool sequence", index, seed, failure, history);
        }

        private static final List<String> OPS = List.of("lease", "lease", "lease", "giveBack", "giveBack", "giveBack",
                "openTransaction", "failTransaction", "listen", "setGuc", "tempTable", "advisoryLock", "holdCursor",
                "toggleAutocommit", "abandonCopyOut", "abandonPipeline", "abandonStream", "staleUse", "staleClose",
                "staleUseAfterRelease", "staleCloseAfterRelease", "killLeased", "killIdle", "withConnectionCommits", "withConnectionThrows",
                "leaseFromFullPool", "useLeased", "registerAdapter", "keepPipeline", "keepNotifies",
                "stalePipelineSync", "staleNotifies", "cancelRacingGiveBack", "giveBackFromAnotherThread", "freezeLeased");

        private String pick() {
            while (true) {
                String op = OPS.get(random.nextInt(OPS.size()));
                if (!includeKnown && KNOWN_DEFECTS.contains(op)) {
                    continue;
                }
                boolean haveLive = !live().isEmpty();
                boolean full = live().size() >= MAX_SIZE;
                switch (op) {
                    case "lease", "withConnectionCommits", "withConnectionThrows", "killIdle" -> {
                        if (full) {
                            continue;
                        }
                    }
                    case "leaseFromFullPool" -> {
                        if (!full) {
                            continue;
                        }
                    }
                    case "staleUse", "staleClose" -> {
                        if (stale().isEmpty()) {
                            continue;
                        }
                    }
                    case "stalePipelineSync" -> {
                        if (stale().stream().noneMatch(l -> l.keptPipeline != null)) {
                            continue;
                        }
                    }
                    case "staleNotifies" -> {
                        if (full || stale().stream().noneMatch(l -> l.keptNotifies != null)) {
                            continue;
                        }
                    }
                    case "freezeLeased" -> {
                        if (!haveLive || !db.server().isEmbedded()) {
                            continue; // SIGSTOP needs the server's processes on this machine
                        }
                    }
                    case "staleUseAfterRelease", "staleCloseAfterRelease" -> {
                        if (!stale().isEmpty() && !full) {
                            return op;
                        }
                        continue;
                    }
                    default -> {
                        if (!haveLive) {
                            continue;
                        }
                    }
                }
                return op;
            }
        }

        private Lease anyLive() {
            List<Lease> l = live();
            return l.get(random.nextInt(l.size()));
        }

        private Lease usableLive() {
            List<Lease> l = live().stream().filter(x -> !x.killed && !x.abandonedCopy).toList();
            return l.isEmpty() ? null : l.get(random.nextInt(l.size()));
        }

        /** Runs one operation and checks what the model says about it; returns a short description. */
        private String apply(String op, int step) throws Exception {
            switch (op) {
                case "lease": {
                    Lease l = lease();
                    return "leased " + l;
                }
                case "giveBack": {
                    Lease l = anyLive();
                    l.conn.close();
                    l.givenBack = true;
                    return "gave back " + l;
                }
                case "useLeased": {
                    Lease l = usableLive();
                    if (l == null) {
                        return "no usable lease";
                    }
                    if (l.conn.info().transactionStatus() == TransactionStatus.INERROR) {
                        l.conn.rollback();
                    }
                    int v = l.conn.execute("SELECT %s::int", step).fetchone().getInt(0);
                    expect(v == step, "a leased connection answered " + v + " to SELECT " + step);
                    return "used " + l;
                }
                case "openTransaction":
                case "failTransaction":
                case "listen":
                case "setGuc":
                case "tempTable":
                case "advisoryLock":
                case "holdCursor":
                case "toggleAutocommit":
                case "abandonCopyOut":
                case "abandonPipeline":
                case "abandonStream":
                case "registerAdapter":
                case "keepPipeline":
                case "keepNotifies": {
                    Lease l = usableLive();
                    if (l == null) {
                        return "no usable lease";
                    }
                    dirty(op, l, step);
                    return op + " on " + l;
                }
                case "staleUse": {
                    Lease l = stale().get(random.nextInt(stale().size()));
                    if (isLentAgain(l)) {
                        return "stale " + l + " is lent again (staleUseAfterRelease covers it)";
                    }
                    Throwable t = catching(() -> l.conn.execute("SELECT 1"));
                    expect(t instanceof InterfaceException, "a statement on a connection given back to the pool ended with " + t
                            + " (expected InterfaceException)");
                    return "stale use of " + l + " refused";
                }
                case "stalePipelineSync": {
                    // a pipeline block of an ended lease, synced while the next borrower (if any) has a pipeline of its own
                    Lease old = pickStale(l -> l.keptPipeline != null);
                    Lease holder = live().stream().filter(x -> x.conn == old.conn || x.pid == old.pid).findFirst().orElse(null);
                    Throwable t = catching(old.keptPipeline::sync);
                    expect(t instanceof InterfaceException, "sync() of a pipeline block made by " + old + " after its lease"
                            + " ended " + (t == null ? "succeeded" : "ended with " + t) + (holder == null ? ""
                            : " while " + holder + " holds the connection") + " (expected InterfaceException)");
                    old.keptPipeline = null;
                    return "stale pipeline sync of " + old + " refused";
                }
                case "staleNotifies": {
                    // the next borrower listens and is notified; a stream made through the old lease must not deliver it
                    Lease old = pickStale(l -> l.keptNotifies != null);
                    Lease fresh = lease();
                    String channel = "model_notify_" + step;
                    if (!fresh.conn.autocommit()) {
                        fresh.conn.setAutocommit(true);
                    }
                    fresh.conn.execute("LISTEN " + channel);
                    fresh.conn.execute("NOTIFY " + channel + ", 'for " + fresh + "'");
                    List<dev.tusk.Notify> seen = new ArrayList<>();
                    Throwable t = catching(() -> old.keptNotifies.forEachRemaining(seen::add));
                    old.keptNotifies = null;
                    expect(seen.isEmpty() && (t == null || t instanceof InterfaceException), "a notifications stream made by "
                            + old + " delivered " + seen + " (ended with " + t + ") after its lease ended, while " + fresh
                            + " listens");
                    return "stale notifies of " + old + " delivered nothing to it while " + fresh + " listens";
                }
                case "staleClose": {
                    Lease l = stale().get(random.nextInt(stale().size()));
                    if (isLentAgain(l)) {
                        return "stale " + l + " is lent again (staleCloseAfterRelease covers it)";
                    }
                    Throwable t = catching(l.conn::close);
                    expect(t == null, "close() of a connection already given back raised " + t);
                    return "closed stale " + l + " again";
                }
                case "staleUseAfterRelease": {
                    // the pool lends the same connection to someone else; the old reference must still be refused
                    Lease old = stale().get(random.nextInt(stale().size()));
                    Lease fresh = lease();
                    if (fresh.conn != old.conn) {
                        return "leased " + fresh + ", another object than stale " + old;
                    }
                    fresh.conn.execute("INSERT INTO pool_model VALUES (1)"); // the new borrower's open transaction
                    Throwable t = catching(() -> old.conn.execute("SELECT 1"));
                    expect(t instanceof InterfaceException, "a stale reference (" + old + ", given back) ran a statement on the"
                            + " session the pool has lent again to " + fresh + ": " + (t == null ? "it succeeded" : t.toString())
                            + " (expected InterfaceException)");
                    return "stale " + old + " refused while " + fresh + " holds the same connection";
                }
                case "staleCloseAfterRelease": {
                    // the pool lends the same connection to someone else; closing the old reference must not give
                    // the new borrower's connection back
                    Lease old = stale().get(random.nextInt(stale().size()));
                    Lease fresh = lease();
                    if (fresh.conn != old.conn) {
                        return "leased " + fresh + ", another object than stale " + old;
                    }
                    old.conn.close();
                    Throwable t = catching(() -> fresh.conn.execute("SELECT 1"));
                    expect(t == null, "closing a stale reference (" + old + ", given back) gave back the connection the pool"
                            + " has lent again to " + fresh + ", whose next statement failed: " + t);
                    return "stale close of " + old + " left " + fresh + " alone";
                }
                case "killLeased": {
                    Lease l = anyLive();
                    terminate(l.pid);
                    l.killed = true;
                    // fetched: in a pipeline left open, execute() only queues the statement
                    Throwable t = catching(() -> l.conn.execute("SELECT 1").fetchone());
                    expect(t instanceof OperationalException && l.conn.isBroken(),
                            "a statement on a leased connection whose backend was terminated ended with " + t
                                    + ", isBroken()=" + l.conn.isBroken());
                    return "killed " + l;
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
                        awaitGone("pid IN (" + killed + ")"); // the pool may open new ones meanwhile (minSize)
                    }
                    Lease l = lease(); // must be a working connection: the pool checks before lending
                    return "killed idle backends [" + killed + "], then leased " + l;
                }
                case "withConnectionCommits": {
                    pool.withConnection(c -> {
                        checkClean(c, "withConnection");
                        return c.execute("INSERT INTO pool_model VALUES (2)");
                    });
                    return "withConnection returned";
                }
                case "withConnectionThrows": {
                    Throwable t = catching(() -> pool.withConnection(c -> {
                        checkClean(c, "withConnection");
                        c.execute("INSERT INTO pool_model VALUES (3)");
                        throw new IllegalStateException("the body's own failure");
                    }));
                    expect(t instanceof IllegalStateException && "the body's own failure".equals(t.getMessage()),
                            "withConnection whose body throws ended with " + t);
                    return "withConnection threw";
                }
                case "cancelRacingGiveBack": {
                    // cancel() from another thread racing the end of a short statement and the end of the lease:
                    // whatever it stops, it must never stop the next borrower's statements
                    Lease l = usableLive();
                    if (l == null) {
                        return "no usable lease";
                    }
                    if (l.conn.info().transactionStatus() == TransactionStatus.INERROR) {
                        l.conn.rollback();
                    }
                    long delayMicros = random.nextInt(4000);
                    java.util.concurrent.Future<Throwable> statement = threads.executor().submit(
                            () -> catching(() -> l.conn.execute("SELECT pg_sleep(0.002)")));
                    java.util.concurrent.Future<Throwable> cancel = threads.executor().submit(() -> {
                        java.util.concurrent.locks.LockSupport.parkNanos(delayMicros * 1000);
                        return catching(l.conn::cancel);
                    });
                    Throwable st = statement.get(STEP_DEADLINE_MILLIS / 2, TimeUnit.MILLISECONDS);
                    expect(st == null || st instanceof dev.tusk.errors.QueryCanceled, "a statement raced by cancel() ended with "
                            + st + stack(st));
                    l.conn.close(); // the cancel may still be on its way
                    l.givenBack = true;
                    Lease fresh = lease();
                    Throwable next = catching(() -> fresh.conn.execute("SELECT pg_sleep(0.02)"));
                    Throwable c = cancel.get(STEP_DEADLINE_MILLIS / 2, TimeUnit.MILLISECONDS);
                    Throwable after = next != null ? null : catching(() -> fresh.conn.execute("SELECT pg_sleep(0.02)"));
                    if (!fresh.conn.autocommit() && fresh.conn.info().transactionStatus() != TransactionStatus.IDLE) {
                        fresh.conn.rollback();
                    }
                    expect(c == null || c instanceof InterfaceException, "cancel() racing the lease's end ended with " + c
                            + stack(c));
                    expect(next == null && after == null, "the cancel of " + l + " (sent " + delayMicros + " us after its"
                            + " statement, which ended with " + st + ") reached " + fresh + ": " + (next != null ? next : after));
                    return "cancel " + delayMicros + " us into a statement of " + l + " (" + (st == null ? "it ended" : "canceled")
                            + ", cancel() " + (c == null ? "returned" : c.getClass().getSimpleName()) + "), then " + fresh
                            + " ran undisturbed";
                }
                case "giveBackFromAnotherThread": {
                    // the lease is closed (given back) while its statement runs in another thread: the statement
                    // fails, close() returns at once, and the next lease is clean
                    Lease l = usableLive();
                    if (l == null) {
                        return "no usable lease";
                    }
                    java.util.concurrent.Future<Throwable> statement = threads.executor().submit(
                            () -> catching(() -> l.conn.execute("SELECT pg_sleep(0.3)")));
                    Thread.sleep(random.nextInt(60));
                    long t0 = System.nanoTime();
                    l.conn.close();
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    l.givenBack = true;
                    Throwable st = statement.get(STEP_DEADLINE_MILLIS / 2, TimeUnit.MILLISECONDS);
                    expect(ms < 1000, "close() of a lease whose statement runs in another thread took " + ms + " ms");
                    Lease fresh = lease();
                    return "gave back " + l + " while its statement ran (it ended with " + st + "), then leased " + fresh;
                }
                case "freezeLeased": {
                    // the backend stops answering (SIGSTOP) under a short statement timeout: the statement fails
                    // within a bounded time and the connection says so; the pool never lends it again broken
                    Lease l = usableLive();
                    if (l == null) {
                        return "no usable lease";
                    }
                    if (l.conn.info().transactionStatus() == TransactionStatus.INERROR) {
                        l.conn.rollback();
                    }
                    l.conn.setStatementTimeout(Duration.ofMillis(300));
                    signal("STOP", l.pid);
                    Throwable t;
                    long t0 = System.nanoTime();
                    try {
                        t = catching(() -> l.conn.execute("SELECT 1"));
                    } finally {
                        signal("CONT", l.pid);
                    }
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    expect(t instanceof OperationalException, "a statement on a frozen backend under a 300 ms statement"
                            + " timeout ended with " + t + " after " + ms + " ms");
                    expect(t instanceof dev.tusk.errors.QueryCanceled || l.conn.isBroken(), "a statement on a frozen backend"
                            + " failed with " + t + " but isBroken() is false");
                    l.killed = l.conn.isBroken();
                    return "froze " + l + ": the statement failed in " + ms + " ms";
                }
                case "leaseFromFullPool": {
                    long t0 = System.nanoTime();
                    Throwable t = catching(() -> pool.connection(Duration.ofMillis(200)));
                    long ms = (System.nanoTime() - t0) / 1_000_000;
                    expect(t instanceof PoolTimeout, "a lease from a full pool ended with " + t + " (expected PoolTimeout)");
                    expect(ms < 3000, "a 200 ms lease from a full pool took " + ms + " ms");
                    return "full pool refused in " + ms + " ms";
                }
                default:
                    throw new IllegalStateException(op);
            }
        }

        private Lease pickStale(java.util.function.Predicate<Lease> which) {
            List<Lease> l = stale().stream().filter(which).toList();
            return l.get(random.nextInt(l.size()));
        }

        private boolean isLentAgain(Lease stale) {
            return live().stream().anyMatch(l -> l.conn == stale.conn);
        }

        private Lease lease() throws Exception {
            Connection<Row> c = pool.connection(Duration.ofSeconds(5));
            Lease l = new Lease(c, c.info().backendPid(), ++leaseCount);
            for (Lease other : live()) {
                expect(other.conn != c, "the pool lent " + other + "'s connection object again while it is still leased");
                expect(other.pid != l.pid, "the pool lent backend " + l.pid + ", which " + other + " still holds");
            }
            checkClean(c, "lease #" + l.number);
            leases.add(l);
            return l;
        }

        private void dirty(String op, Lease l, int step) throws Exception {
            Connection<Row> c = l.conn;
            if (c.info().transactionStatus() == TransactionStatus.INERROR) {
                c.rollback();
            }
            switch (op) {
                case "openTransaction" -> {
                    boolean ac = c.autocommit();
                    if (ac) {
                        c.execute("BEGIN");
                    }
                    c.execute("INSERT INTO pool_model VALUES (4)");
                }
                case "failTransaction" -> {
                    if (c.autocommit()) {
                        c.execute("BEGIN");
                    }
                    catching(() -> c.execute("SELECT 1 / %s", 0));
                    expect(c.info().transactionStatus() == TransactionStatus.INERROR, "SELECT 1/0 in a transaction left "
                            + c.info().transactionStatus());
                }
                case "listen" -> {
                    c.execute("LISTEN model_channel_" + step);
                    c.commit();
                }
                case "setGuc" -> {
                    c.execute("SET tusk.model_dirty = 'x'");
                    c.commit();
                }
                case "tempTable" -> {
                    c.execute("CREATE TEMP TABLE IF NOT EXISTS model_tmp (a int)");
                    c.commit();
                }
                case "advisoryLock" -> {
                    c.execute("SELECT pg_try_advisory_lock(%s)", seed * 31 + l.number); // never waits for another session
                    c.commit();
                }
                case "holdCursor" -> {
                    c.execute("DECLARE model_hold_" + step + " CURSOR WITH HOLD FOR SELECT 1");
                    c.commit();
                }
                case "toggleAutocommit" -> {
                    if (c.info().transactionStatus() != TransactionStatus.IDLE) {
                        c.rollback();
                    }
                    c.setAutocommit(!c.autocommit());
                }
                case "abandonCopyOut" -> {
                    Copy copy = c.cursor().copy("COPY (SELECT generate_series(1, 20000)) TO STDOUT");
                    expect(copy.read() != null, "COPY TO gave no data");
                    l.abandonedCopy = true;
                }
                case "abandonPipeline" -> {
                    Pipeline p = c.pipeline();
                    c.execute("INSERT INTO pool_model VALUES (5)");
                    l.abandonedCopy = true; // not used again before give-back either
                }
                case "abandonStream" -> {
                    var s = c.cursor().stream("SELECT generate_series(1, 20000)").iterator();
                    expect(s.hasNext(), "the stream gave no row");
                    s.next();
                    l.abandonedCopy = true;
                }
                case "registerAdapter" -> {
                    c.adapters().registerLoader("text", new Shouting(dev.tusk.adapt.Format.TEXT));
                    c.adapters().registerLoader("text", new Shouting(dev.tusk.adapt.Format.BINARY));
                    expect(SHOUT.equals(c.execute("SELECT 'x'::text").fetchone().get(0)), "a loader registered on a lease"
                            + " was not used by it");
                    if (!c.autocommit()) {
                        c.rollback();
                    }
                }
                case "keepPipeline" -> {
                    Pipeline p = c.pipeline();
                    c.execute("SELECT %s::int", step);
                    p.sync();
                    p.close();
                    l.keptPipeline = p;
                    if (!c.autocommit()) {
                        c.rollback();
                    }
                }
                case "keepNotifies" -> l.keptNotifies = c.notifies(Duration.ofMillis(300), 1).iterator(); // lazy: nothing read
                default -> throw new IllegalStateException(op);
            }
        }

        /** What a new lease must look like. */
        private static void checkClean(Connection<Row> c, String what) {
            expect(!c.isClosed() && !c.isBroken(), what + ": the pool lent a closed or broken connection");
            expect(c.info().transactionStatus() == TransactionStatus.IDLE, what + ": the pool lent a connection in status "
                    + c.info().transactionStatus());
            expect(c.info().pipelineStatus() == PipelineStatus.OFF, what + ": the pool lent a connection in pipeline mode ("
                    + c.info().pipelineStatus() + "): the previous borrower's pipeline block was never closed");
            boolean ac = c.autocommit();
            Row r = c.execute("SELECT (SELECT count(*) FROM pg_listening_channels())::int,"
                    + " coalesce(current_setting('tusk.model_dirty', true), ''),"
                    + " (SELECT count(*) FROM pg_class WHERE relpersistence = 't' AND relnamespace = pg_my_temp_schema())::int,"
                    + " (SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())::int,"
                    + " (SELECT count(*) FROM pg_cursors)::int").fetchone();
            String dirt = (r.getInt(0) > 0 ? " LISTEN" : "") + (!r.getString(1).isEmpty() ? " SET" : "")
                    + (r.getInt(2) > 0 ? " temporary-table" : "") + (r.getInt(3) > 0 ? " advisory-lock" : "")
                    + (r.getInt(4) > 0 ? " cursor" : "");
            Object text = c.execute("SELECT 'x'::text").fetchone().get(0);
            if (!ac) {
                c.rollback(); // the check's own transaction
            }
            expect(dirt.isEmpty(), what + ": the previous borrower's session state is still there:" + dirt);
            expect("x".equals(text), what + ": a text value reads as " + text + ": a loader a previous borrower registered"
                    + " is still there");
        }

        /** Gives everything back; the pool must then hold every connection idle, and the server no more backends. */
        private void finish() throws Exception {
            for (Lease l : live()) {
                l.conn.close();
                l.givenBack = true;
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            String why;
            while (true) {
                var stats = pool.getStats();
                long size = stats.getOrDefault("pool_size", -1L);
                long available = stats.getOrDefault("pool_available", -1L);
                int backends = Integer.parseInt(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE application_name = '"
                        + app + "'").trim());
                why = "pool_size " + size + ", pool_available " + available + ", server backends " + backends + ", max "
                        + MAX_SIZE + " (stats " + stats + ")";
                if (size >= 1 && size <= MAX_SIZE && available == size && backends == size) {
                    break;
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("after every connection was given back: " + why);
                }
                TimeUnit.MILLISECONDS.sleep(50);
            }
            history.add("end: " + why);
            // and every idle connection is clean
            List<Connection<Row>> all = new ArrayList<>();
            try {
                Set<Integer> pids = new LinkedHashSet<>();
                for (int i = 0; i < MAX_SIZE; i++) {
                    Connection<Row> c = pool.connection(Duration.ofSeconds(5));
                    all.add(c);
                    checkClean(c, "final lease " + i);
                    expect(pids.add(c.info().backendPid()), "two final leases share backend " + c.info().backendPid());
                }
            } finally {
                for (Connection<Row> c : all) {
                    c.close();
                }
            }
        }

        /** Terminates a backend and waits until it has exited (pg_terminate_backend only sends the signal). */
        private void terminate(int pid) throws InterruptedException {
            db.adminQuery("SELECT pg_terminate_backend(" + pid + ")");
            awaitGone("pid = " + pid);
        }

        private static void signal(String sig, int pid) throws Exception {
            Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
            expect(p.waitFor() == 0, "kill -" + sig + " " + pid + " failed");
        }

        private void awaitGone(String where) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (!db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE " + where).trim().equals("0")) {
                expect(System.nanoTime() < deadline, "terminated backends still there after 5 s: " + where);
                TimeUnit.MILLISECONDS.sleep(10);
            }
        }

        private static final Object HUNG = new Object();

        /** What the step returned or threw, or {@link #HUNG}. */
        private Object runWithDeadline(Callable<Object> body) {
            StepThreads.Outcome o = threads.call(body, STEP_DEADLINE_MILLIS);
            return o.hung() ? HUNG : o.error() != null ? o.error() : o.value();
        }
    }

    static final String SHOUT = "LOADED BY A PREVIOUS BORROWER";

    /** A loader that reads every text as a fixed word: what a borrower may register for its own needs. */
    static final class Shouting implements dev.tusk.adapt.Loader<Object> {
        private final dev.tusk.adapt.Format format;

        Shouting(dev.tusk.adapt.Format format) {
            this.format = format;
        }

        @Override
        public Object load(java.nio.ByteBuffer data) {
            return SHOUT;
        }

        @Override
        public dev.tusk.adapt.Format format() {
            return format;
        }
    }

    /** The pool's reset: what psycopg_pool's documentation asks of users who change session state. */
    static void discardAll(Connection<Row> c) {
        boolean ac = c.autocommit();
        if (!ac) {
            c.setAutocommit(true);
        }
        c.execute("DISCARD ALL");
        if (!ac) {
            c.setAutocommit(false);
        }
    }

    interface Body {
        void run() throws Exception;
    }

    static Throwable catching(Body body) {
        try {
            body.run();
            return null;
        } catch (Throwable t) {
            return t;
        }
    }

    static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    static String stack(Throwable t) {
        return ModelRuns.stack(t, 10);
    }
}
