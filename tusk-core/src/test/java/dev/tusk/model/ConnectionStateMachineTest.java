package dev.tusk.model;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.ConnectionInfo;
import dev.tusk.Connection;
import dev.tusk.PipelineStatus;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.ModelRuns;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Model-based test of the blocking {@link Connection}'s states (trust issue): random sequences of operations
 * (statements, transactions and blocks, pipelines, COPY in and out, streams, server cursors, two-phase commit in
 * one step and step by step (tpcBegin, statements, tpcPrepare, tpcCommit/tpcRollback, with misplaced commit, rollback
 * and statements, close and faults between the steps), cancel, statement timeout, close, Thread.interrupt of the
 * caller in the middle of statements, commit, rollback, COPY, streams and pipelines ({@link InterruptOps}), notify
 * handlers that throw, run a statement or close the connection ({@link NotifyOps})) with network faults injected at random points through a {@link FaultProxy}
 * (the {@link AsyncConnection} also: COPY both ways ({@link AsyncCopyOps}) and stream publishers ({@link AsyncStreamOps})
 * with random demand, cancels, throwing subscribers, server errors, statement timeouts and terminated backends, each
 * followed by a statement that must read its own answer ({@link FollowUp}), the table's rows checked after them)
 * (cut now, cut at the k-th message of a type, cut after n bytes, freeze, delay). After every step the real
 * connection is checked against {@link ConnectionModel}: the step's outcome (success or the exception class the
 * model allows), {@code info().transactionStatus()}, {@code isBroken()}, {@code isClosed()}, autocommit, and at
 * the end of each sequence the rows the server really committed. Every step runs under a deadline, so a hang is
 * a failure with its seed, never a stuck build.
 *
 * <p>Runs {@value #DEFAULT_SEQUENCES} sequences of {@value #DEFAULT_STEPS} steps by default. Longer runs and
 * replays: {@code -Dtusk.model.sequences=N -Dtusk.model.steps=M} and {@code -Dtusk.model.seed=S} (sequence
 * {@code i} uses seed {@code S + i}; {@code -Dtusk.model.seed=random} picks a fresh one). A failure prints the
 * seed, the replay command and every step so far. {@code -Dtusk.model.includeKnownDefects=true} also runs the
 * operations of {@link #KNOWN_DEFECTS}. {@code -Dtusk.model.interruptStats=true} prints each interrupted step's outcome
 * (INTERRUPT-STAT lines), to see how many interrupts reached I/O.
 */
@TuskTest
@Timeout(value = 20, unit = TimeUnit.MINUTES) // the CI-bounded run takes well under a minute; see MAX_RUN_MILLIS
class ConnectionStateMachineTest {
    /**
     * Operations (by {@link Op#name()}) whose current behaviour is one of the trust issue's known defects: the
     * model keeps their correct expectation but the CI run leaves them out. Empty it as the fixes are merged. A key
     * may also be {@code [async.]name[WhenClosed]}: the operation on the async driver only, and/or only on a closed
     * or broken connection.
     */
    static final Set<String> KNOWN_DEFECTS = Set.of();

    static final int DEFAULT_SEQUENCES = 60;
    static final int DEFAULT_STEPS = 25;
    static final long DEFAULT_SEED = 0x7057_2026_1206L;
    /** No step may take longer than this (the longest legitimate one, a cancelled 5 s sleep, takes ~0.2 s). */
    static final long STEP_DEADLINE_MILLIS = 10_000;
    /** Long runs stop starting sequences after this, inside the @Timeout. */
    static final long MAX_RUN_MILLIS = 18 * 60_000;
    /** Steps still run on a closed or broken connection before the sequence ends. */
    static final int STEPS_AFTER_CLOSE = 3;

    private static final Object HUNG = new Object();
    private static final List<Ops.Weighted> BLOCKING_OPS = concat(Ops.ALL, InterruptOps.BLOCKING, NotifyOps.ALL);
    private static final List<Ops.Weighted> ASYNC_OPS = concat(AsyncOps.ALL, AsyncCopyOps.ALL, AsyncStreamOps.ALL,
            InterruptOps.ASYNC, NotifyOps.ALL);

    @SafeVarargs
    private static List<Ops.Weighted> concat(List<Ops.Weighted>... lists) {
        List<Ops.Weighted> all = new ArrayList<>();
        for (List<Ops.Weighted> l : lists) {
            all.addAll(l);
        }
        return List.copyOf(all);
    }

    @Test
    void randomSequencesKeepTransactionStatusBrokenAndOutcomesTrue(TestDatabase db) {
        runSequences(db, false);
    }

    @Test
    void randomSequencesOnTheAsyncConnectionKeepItsStateTrue(TestDatabase db) {
        runSequences(db, true);
    }

    private static void runSequences(TestDatabase db, boolean async) {
        boolean includeKnown = Boolean.getBoolean("tusk.model.includeKnownDefects");
        String variant = async ? "async" : "blocking";
        ModelRuns runs = ModelRuns.fromProperties("ConnectionStateMachineTest (" + variant + ")", "tusk.model",
                DEFAULT_SEQUENCES, DEFAULT_STEPS, DEFAULT_SEED).timeCap(MAX_RUN_MILLIS);
        ModelRuns.Report report = runs.run("model-step",
                (seed, index, steps, threads) -> new Sequence(db, runs, seed, index, steps, includeKnown, threads, async));
        assertThat(report.failures()).as("failing sequences (%s, base seed %d)", variant, report.baseSeed()).isEmpty();
    }

    /** One random sequence on a fresh connection through a fresh proxy. */
    static final class Sequence extends ModelRuns.Sequence {
        private final TestDatabase db;
        private final ModelRuns runs;
        private final boolean includeKnown;
        private final StepThreads threads;
        private final boolean async;
        private Connection<Row> conn;
        private AsyncConnection<Row> asyncConn;

        Sequence(TestDatabase db, ModelRuns runs, long seed, int index, int steps, boolean includeKnown,
                StepThreads threads, boolean async) {
            super(seed, index, steps);
            this.async = async;
            this.db = db;
            this.runs = runs;
            this.includeKnown = includeKnown;
            this.threads = threads;
        }

        /** Runs the sequence; returns a failure report, or null. */
        @Override
        public String run() {
            Random random = new Random(seed);
            String table = "model_" + index + "_" + Long.toUnsignedString(seed, 36);
            String gidPrefix = "tusk-model-" + Long.toUnsignedString(seed, 36) + "-";
            boolean autocommit = random.nextBoolean();
            db.admin("CREATE TABLE " + table + " (id serial, v int)");
            FaultProxy proxy = FaultProxy.start(db.host(), db.port()).triggersOnlyOnConnection(1); // not a cancel's
            ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1")
                    .port(proxy.port()).sslmode("disable").autocommit(autocommit).build();
            if (async) {
                asyncConn = AsyncConnection.connect(options).join();
            } else {
                conn = Connection.connect(options);
            }
            Env env = new Env(db, proxy, conn, asyncConn, table, gidPrefix, random, threads.executor());
            ConnectionModel model = new ConnectionModel(autocommit);
            history.add("connect autocommit=" + autocommit + " " + model);
            String failure = null;
            int afterClose = 0;
            try {
                for (int step = 0; step < steps && failure == null; step++) {
                    if (!model.usable() && afterClose++ >= STEPS_AFTER_CLOSE) {
                        break;
                    }
                    Op op = pick(random, model);
                    env.step = step;
                    stepsRun++;
                    ConnectionModel before = model;
                    Op.Outcome expected = model.usable() ? op.expect(model.copy())
                            : op.quietWhenClosed() ? Op.Outcome.ok(model.copy())
                            : Op.Outcome.fails(OperationalException.class, model.copy());
                    long t0 = System.nanoTime();
                    Object result = runWithDeadline(() -> {
                        op.apply(env);
                        return null;
                    });
                    long ms = ModelRuns.millisSince(t0);
                    if (result == HUNG) {
                        history.add(step + " " + op + " -> HUNG (no answer within " + STEP_DEADLINE_MILLIS + " ms)");
                        failure = "step " + step + " " + op.name() + " hung: still running after " + STEP_DEADLINE_MILLIS
                                + " ms in state " + before;
                        break;
                    }
                    Throwable t = (Throwable) result;
                    history.add(step + " " + op + " -> " + describe(t) + " (" + ms + " ms), expected " + expected.describe());
                    if (expected.allows(t)) {
                        model = expected.next();
                    } else if ((before.faultPending || op.mayBreakConnection(env)) && t instanceof OperationalException
                            && isBroken()) {
                        model = before.copy();
                        model.lost();
                    } else {
                        failure = "step " + step + " " + op.name() + " in state " + before + ": expected "
                                + expected.describe() + (before.faultPending ? " (or a lost connection)" : "") + ", got "
                                + describe(t) + stack(t);
                        break;
                    }
                    if ((before.faultPending || op instanceof Ops.Fault) && model.usable()
                            && (isBroken() || info().transactionStatus() == TransactionStatus.UNKNOWN)) {
                        // noticed the fault (the async driver's loop reads the cut at once, maybe while this runs:
                        // the status may say UNKNOWN a moment before isBroken() says so)
                        awaitBroken();
                        model.lost();
                    }
                    String wrong = checkState(model);
                    if (wrong != null && model.faultPending && model.usable() && noticedMeanwhile()) {
                        // the loop noticed the pending fault between checkState's reads (isBroken() false, then
                        // the status UNKNOWN): the connection is lost, as the model allows
                        model.lost();
                        wrong = checkState(model);
                    }
                    if (wrong == null && op.checksRows()) {
                        wrong = checkRows(model, table);
                    }
                    history.add("   " + model);
                    if (wrong != null) {
                        failure = "after step " + step + " " + op.name() + ": " + wrong;
                    }
                }
                if (failure == null) {
                    failure = finish(proxy, model, table);
                }
            } finally {
                Object closed = runWithDeadline(() -> {
                    closeConnection();
                    return null;
                });
                proxy.close();
                if (closed == HUNG && failure == null) {
                    failure = "close() at the end of the sequence hung";
                }
                rollbackPrepared();
            }
            if (failure == null) {
                return null;
            }
            return runs.report("sequence", index, seed, failure, history);
        }

        /** The end of a sequence: a fault that fired must be noticed; the committed rows must be what the model says. */
        private String finish(FaultProxy proxy, ConnectionModel model, String table) {
            if (model.usable() && model.faultPending && (proxy.triggered() || model.frozen)) {
                // A prepared two-phase transaction refuses statements without touching the socket: its probe is
                // the call that may run then, tpcRollback(), which must reach the server and notice the fault.
                boolean prepared = model.tpc == ConnectionModel.Tpc.PREPARED;
                Object r = runWithDeadline(() -> {
                    if (async && prepared) {
                        AsyncOps.join(asyncConn.tpcRollback());
                    } else if (async) {
                        AsyncOps.join(asyncConn.execute("SELECT 1"));
                    } else if (prepared) {
                        conn.tpcRollback();
                    } else {
                        conn.execute("SELECT 1");
                    }
                    return null;
                });
                history.add("end: " + (prepared ? "tpcRollback()" : "SELECT 1") + " after the injected fault fired -> "
                        + (r == HUNG ? "HUNG" : describe((Throwable) r)));
                if (r == HUNG) {
                    return "a statement after a " + (model.frozen ? "freeze" : "cut") + " hung";
                }
                if (!(r instanceof OperationalException) || !isBroken()) {
                    return "a statement after a fault that fired ended with " + describe((Throwable) r)
                            + " and isBroken()=" + isBroken() + ": expected an OperationalException and isBroken()";
                }
                model.lost();
            }
            runWithDeadline(() -> {
                closeConnection();
                return null;
            });
            if (!model.rowsUnknown) {
                String count = db.adminQuery("SELECT count(*) FROM " + table);
                history.add("end: committed rows " + count + ", model " + model.committedRows);
                if (Long.parseLong(count.trim()) != model.committedRows) {
                    return "the table has " + count + " committed rows, the model " + model.committedRows
                            + " (a rolled-back or aborted step committed, or a committed one did not)";
                }
            }
            return null;
        }

        private void rollbackPrepared() {
            String gids = db.adminQuery("SELECT coalesce(string_agg(gid, '|'), '') FROM pg_prepared_xacts WHERE database = current_database()");
            if (gids == null || gids.isBlank()) {
                return;
            }
            for (String gid : gids.trim().split("\\|")) {
                db.admin("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
            }
        }

        private Op pick(Random random, ConnectionModel model) {
            List<Op> candidates = new ArrayList<>();
            List<Integer> weights = new ArrayList<>();
            int total = 0;
            for (Ops.Weighted w : async ? ASYNC_OPS : BLOCKING_OPS) {
                Op op = w.factory().apply(random);
                String key = (async ? "async." : "") + op.name() + (model.usable() ? "" : "WhenClosed");
                boolean known = KNOWN_DEFECTS.contains(op.name()) || KNOWN_DEFECTS.contains(key);
                boolean tpcAllows = model.tpc == ConnectionModel.Tpc.NONE || op instanceof Ops.Fault
                        || Ops.DURING_TPC.contains(op.name());
                if ((includeKnown || !known) && (!model.usable() || op.applicable(model) && tpcAllows)
                        && !(model.usable() == false && op instanceof Ops.Fault)) {
                    candidates.add(op);
                    weights.add(w.weight());
                    total += w.weight();
                }
            }
            int x = random.nextInt(total);
            for (int i = 0; i < candidates.size(); i++) {
                x -= weights.get(i);
                if (x < 0) {
                    return candidates.get(i);
                }
            }
            throw new IllegalStateException();
        }

        /** Whether the connection, with a fault pending, turns out to have noticed it (within 2 s). */
        private boolean noticedMeanwhile() {
            awaitBroken();
            return isBroken();
        }

        /** Waits (up to 2 s) for isBroken() once the connection showed it noticed a fault. */
        private void awaitBroken() {
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
            while (!isBroken() && System.nanoTime() < end) {
                java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
            }
        }

        private boolean isBroken() {
            return async ? asyncConn.isBroken() : conn.isBroken();
        }

        private boolean isClosed() {
            return async ? asyncConn.isClosed() : conn.isClosed();
        }

        private ConnectionInfo info() {
            return async ? asyncConn.info() : conn.info();
        }

        private boolean autocommit() {
            return async ? asyncConn.autocommit() : conn.autocommit();
        }

        private void closeConnection() throws Exception {
            if (async) {
                AsyncOps.join(asyncConn.closeAsync());
            } else {
                conn.close();
            }
        }

        /** The step's exception (unwrapped from the async driver's), null when it returned, or {@link #HUNG}. */
        private Object runWithDeadline(Callable<Object> body) {
            StepThreads.Outcome o = threads.call(body, STEP_DEADLINE_MILLIS);
            return o.hung() ? HUNG : o.error() == null ? o.value() : AsyncOps.unwrap(o.error());
        }

        /** What the connection says about itself must match the model; returns what is wrong, or null. */
        private String checkState(ConnectionModel m) {
            boolean broken = isBroken();
            boolean closed = isClosed();
            TransactionStatus status = info().transactionStatus();
            String seen = " (isBroken()=" + broken + ", isClosed()=" + closed + ", transactionStatus()=" + status + ")";
            if (m.broken) {
                if (!broken || !closed || status != TransactionStatus.UNKNOWN) {
                    return "the connection was lost: expected isBroken(), isClosed() and status UNKNOWN" + seen;
                }
                return null;
            }
            if (m.closed) {
                if (!closed || (broken && !m.faultPending) || status != TransactionStatus.UNKNOWN) {
                    return "the connection was closed: expected isClosed(), not isBroken(), status UNKNOWN" + seen;
                }
                return null;
            }
            if (broken || closed) {
                return "the connection should be usable" + (m.faultPending ? " (a fault is pending but nothing noticed it)" : "")
                        + seen;
            }
            if (status != m.tx) {
                return "transactionStatus() is " + status + ", the model says " + m.tx + seen;
            }
            if (autocommit() != m.autocommit) {
                return "autocommit() is " + autocommit() + ", the model says " + m.autocommit;
            }
            if (info().pipelineStatus() != PipelineStatus.OFF) {
                return "pipelineStatus() is " + info().pipelineStatus() + " after the pipeline block ended";
            }
            return null;
        }

        /**
         * After a step that {@link Op#checksRows() says so}: the committed rows, counted by another session, and in a
         * transaction the rows the connection sees, must be the model's; returns what is wrong, or null.
         */
        private String checkRows(ConnectionModel m, String table) {
            if (m.broken || m.rowsUnknown || m.faultPending) {
                return null;
            }
            String committed = db.adminQuery("SELECT count(*) FROM " + table).trim();
            history.add("   committed rows " + committed);
            if (Long.parseLong(committed) != m.committedRows) {
                return "the table has " + committed + " committed rows, the model " + m.committedRows;
            }
            if (!m.usable() || m.tx != TransactionStatus.INTRANS) {
                return null;
            }
            String sql = "SELECT count(*) FROM " + table;
            Object seen = runWithDeadline(() -> async ? AsyncOps.join(asyncConn.execute(sql)).fetchone().getLong(0)
                    : conn.execute(sql).fetchone().getLong(0));
            if (seen == HUNG || seen instanceof Throwable) {
                return "counting the rows in the transaction: " + (seen == HUNG ? "HUNG" : describe((Throwable) seen));
            }
            long all = m.committedRows + m.pendingRows;
            if ((Long) seen != all) {
                return "the transaction sees " + seen + " rows, the model " + all;
            }
            return null;
        }

        private static String describe(Throwable t) {
            if (t == null) {
                return "success";
            }
            String msg = String.valueOf(t.getMessage());
            return t.getClass().getSimpleName() + "(" + (msg.length() > 200 ? msg.substring(0, 200) + "..." : msg) + ")";
        }

        private static String stack(Throwable t) {
            return ModelRuns.stack(t, 12);
        }
    }
}
