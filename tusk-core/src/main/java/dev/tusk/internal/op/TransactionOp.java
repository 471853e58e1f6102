package dev.tusk.internal.op;

import dev.tusk.IsolationLevel;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.core.ResultData;
import dev.tusk.internal.core.SimpleQuery;
import dev.tusk.internal.observe.Observer;
import dev.tusk.observe.TransactionOutcome;
import dev.tusk.observe.TransactionStep;

import java.time.Duration;
import java.util.List;

/**
 * One transaction step of the driver's own (psycopg's {@code _commit_gen}, {@code Transaction._enter_gen}/
 * {@code _exit_gen}, the {@code tpc_*} generators), the same for both drivers: {@link #decide()} applies the
 * {@link TransactionSteps} rules on the thread acting for the connection and picks the statement (or nothing);
 * the waiter sends it; {@link #resume} applies its outcome to the session's state and, when the rules say so,
 * sends a second statement (the ROLLBACK after a refused COMMIT, the ROLLBACK TO SAVEPOINT after a refused
 * RELEASE, the ROLLBACK undoing a BEGIN whose SAVEPOINT failed). Made by {@link TransactionSteps}' factories.
 */
public final class TransactionOp extends Operation {
    enum Kind { COMMIT, ROLLBACK, OPEN, COMMIT_BLOCK, ROLLBACK_BLOCK, TPC_BEGIN, TPC_PREPARE, TPC_COMMIT, TPC_ROLLBACK,
        TPC_RECOVER }

    private final TransactionSteps steps;
    private final Session session;
    final Kind kind;
    // what the step was made with (by TransactionSteps)
    String savepoint;
    IsolationLevel level;
    Boolean readOnly;
    Boolean deferrable;
    /** For {@link Kind#OPEN}: the block always rolls back. */
    private boolean forceRollback;
    TransactionSteps.Block block;
    TransactionSteps.Status endStatus;
    boolean innerToo;
    /** The gid of a two-phase step (an Xid's text), or null. */
    String xid;
    // what decide() chose
    private boolean decided;
    private String sql;
    private TransactionStatus leaves;
    private String current;
    // the run
    private SimpleQuery cmd;
    private SimpleQuery undo;
    private TuskException failure;
    private boolean resumed;
    private boolean finished;
    private boolean statementEnded;
    private boolean emitted;
    private long startNanos;
    /** The error that makes a block roll back (the body's), for the listeners; null: none, or a Rollback. */
    private Throwable cause;

    TransactionOp(TransactionSteps steps, Kind kind, Duration timeout) {
        super(timeout);
        this.steps = steps;
        this.session = steps.session();
        this.kind = kind;
    }

    /**
     * Applies the rules (may throw ProgrammingException) and picks the statement; once. On the thread acting for the
     * connection, before the step is run, in order with the statements sent before it.
     */
    public void decide() {
        if (decided) {
            return;
        }
        decided = true;
        TwoPhaseSteps tpc = steps.twoPhase();
        switch (kind) {
            case COMMIT, ROLLBACK -> {
                steps.checkExplicitEnd(kind == Kind.COMMIT ? "commit()" : "rollback()");
                if (session.expected() != TransactionStatus.IDLE) {
                    sql = kind == Kind.COMMIT ? "COMMIT" : "ROLLBACK";
                    leaves = TransactionStatus.IDLE;
                }
            }
            case OPEN -> {
                tpc.checkNoStatementAfterPrepare();
                TransactionStatus status = session.expected();
                boolean outer = status == TransactionStatus.IDLE;
                if (!outer && (level != null || readOnly != null || deferrable != null)) {
                    throw new ProgrammingException("isolationLevel, readOnly and deferrable can only be set on the "
                            + "outermost transaction block, and a transaction is already open (status " + status
                            + "): set them on the block that begins the transaction, or commit first");
                }
                String name = savepoint;
                if (name == null && !outer) {
                    name = steps.newSavepointName();
                }
                String begin = outer ? Session.beginStatement(level != null ? level : session.isolationLevel(),
                        readOnly != null ? readOnly : session.readOnly(),
                        deferrable != null ? deferrable : session.deferrable()) : null;
                block = new TransactionSteps.Block(outer, name, forceRollback);
                block.observeStart(session.observer());
                steps.push(block); // statements sent after this one are inside the block
                sql = TransactionSteps.openSql(outer, begin, name);
                leaves = outer ? TransactionStatus.INTRANS : null;
            }
            case COMMIT_BLOCK -> {
                steps.remove(block);
                sql = TransactionSteps.commitSql(block.outer(), block.savepoint());
                leaves = block.outer() ? TransactionStatus.IDLE : null;
            }
            case ROLLBACK_BLOCK -> {
                if (!steps.isOpen(block)) {
                    block.status(TransactionSteps.Status.FAILED);
                    finish();
                    return;
                }
                if (innerToo) {
                    steps.removeUpTo(block);
                } else {
                    steps.remove(block);
                }
                if (steps.closed()) {
                    block.status(TransactionSteps.Status.FAILED);
                    finish();
                    return;
                }
                block.status(endStatus);
                sql = TransactionSteps.rollbackSql(block.outer(), block.savepoint());
                leaves = block.outer() ? TransactionStatus.IDLE : null;
            }
            case TPC_BEGIN -> {
                tpc.checkBegin(xid, session.expected(), session.autocommit());
                tpc.begun(xid);
                sql = session.beginSql();
                leaves = TransactionStatus.INTRANS;
            }
            case TPC_PREPARE -> {
                sql = tpc.prepareSql(steps.inBlock());
                current = tpc.current();
                tpc.preparing(); // statements sent after this one are refused
                leaves = TransactionStatus.IDLE;
            }
            case TPC_COMMIT, TPC_ROLLBACK -> {
                boolean commit = kind == Kind.TPC_COMMIT;
                current = xid != null ? xid : tpc.current();
                sql = tpc.finishSql(commit ? "COMMIT" : "ROLLBACK", commit ? "tpcCommit" : "tpcRollback", xid,
                        session.expected(), steps.inBlock());
                leaves = TransactionStatus.IDLE;
            }
            case TPC_RECOVER -> sql = TwoPhaseSteps.RECOVER_SQL; // no BEGIN: the transaction state stays as it is
            default -> throw new IllegalStateException(kind.toString());
        }
    }

    /** Whether the step sends a statement (decided already); false: it ended at once, without error. */
    public boolean sends() {
        return sql != null;
    }

    @Override
    public Command start() {
        decide();
        if (sql == null) {
            return null;
        }
        startNanos = System.nanoTime();
        return cmd = new SimpleQuery(sql);
    }

    @Override
    public void sent(Command c) {
        if (c == cmd && leaves != null) {
            session.expect(leaves);
        } else if (c == undo && (kind != Kind.COMMIT_BLOCK || block.outer())) {
            session.expect(TransactionStatus.IDLE);
        }
    }

    @Override
    public Command resume(Duration fired) {
        if (undo != null) { // the second statement, undoing what a failure left
            session.afterStatement(undo, null); // a ROLLBACK forgets the prepared statements, as after any statement
            TuskException u = undo.error();
            if (u != null && u != failure) {
                failure.addSuppressed(u);
            }
            if (block != null && session.core().isBroken()) {
                block.status(TransactionSteps.Status.FAILED);
            }
            finish();
            return null;
        }
        session.afterStatement(cmd, null);
        TuskException e = cmd.error();
        if (e != null && fired != null) {
            e = StatementTimer.timedOut(fired, e);
        }
        return outcome(e);
    }

    /**
     * The waiter failed with {@code e} before the step could resume (the blocking waiter raises a lost connection or
     * an abandoned statement at once): the outcome is applied as {@link #resume} would, nothing more is sent, and the
     * error the caller sees is returned.
     */
    public TuskException interrupted(TuskException e) {
        if (cmd != null && !resumed) {
            outcome(e);
        } else if (failure == null) {
            failure = e;
        } else if (e != failure) {
            failure.addSuppressed(e); // the undo after a failure was cut off
        }
        if (block != null && session.core().isBroken()) {
            block.status(TransactionSteps.Status.FAILED);
        }
        finish();
        return failure;
    }

    private Command outcome(TuskException e) {
        Command next = decideOutcome(e);
        if (next == null) {
            finish();
        }
        return next;
    }

    private Command decideOutcome(TuskException e) {
        resumed = true;
        failure = e;
        boolean broken = session.core().isBroken();
        TwoPhaseSteps tpc = steps.twoPhase();
        switch (kind) {
            case OPEN -> {
                if (e != null) {
                    steps.remove(block);
                    block.status(TransactionSteps.Status.FAILED);
                    if (block.outer() && !broken) {
                        return undoTransaction(); // BEGIN ran but SAVEPOINT failed: no transaction nobody owns
                    }
                }
            }
            case COMMIT_BLOCK -> {
                if (e == null) {
                    if (block.outer() && "ROLLBACK".equals(lastTag())) {
                        block.status(TransactionSteps.Status.ROLLED_BACK_WITH_ERROR);
                        failure = TransactionSteps.silentRollback();
                    } else {
                        block.status(TransactionSteps.Status.COMMITTED);
                    }
                } else if (broken) {
                    block.status(TransactionSteps.Status.FAILED);
                } else {
                    block.status(TransactionSteps.Status.ROLLED_BACK_WITH_ERROR);
                    if (!block.outer()) {
                        // RELEASE refused (the block's transaction had failed): back to the savepoint, so the outer
                        // block can go on, then the failure
                        undo = new SimpleQuery(TransactionSteps.rollbackSql(false, block.savepoint()));
                        return undo;
                    }
                    // a refused COMMIT ends the transaction on the server (deferred constraints, serialization)
                    return undoTransaction();
                }
            }
            case ROLLBACK_BLOCK -> {
                if (e != null && broken) {
                    block.status(TransactionSteps.Status.FAILED);
                }
            }
            case TPC_BEGIN -> {
                if (e != null) {
                    tpc.abandon(xid); // BEGIN failed on the server: no two-phase transaction
                }
            }
            case TPC_PREPARE -> {
                if (e != null) {
                    // a reply lost with the connection (or cut off by close()) leaves it in doubt: maybe prepared
                    boolean gone = steps.closed();
                    boolean ended = gone || session.reported() == TransactionStatus.IDLE;
                    failure = tpc.prepareFailed(current, e, ended, gone);
                } else {
                    try {
                        tpc.prepareDone(current, lastTag());
                    } catch (ProgrammingException rolledBack) {
                        failure = rolledBack;
                    }
                }
            }
            case TPC_ROLLBACK -> {
                if (e != null) { // a ROLLBACK PREPARED cut off leaves the transaction maybe still prepared
                    failure = TwoPhaseSteps.finishFailed(sql, e, steps.closed());
                }
            }
            default -> {
            }
        }
        return null;
    }

    /** For a block being opened: it rolls back where it would commit (psycopg's {@code force_rollback}). */
    public TransactionOp forceRollback(boolean on) {
        this.forceRollback = on;
        return this;
    }

    /** The error that makes the block roll back (the body's), which the listeners see as the block's end. */
    public TransactionOp cause(Throwable e) {
        this.cause = e;
        return this;
    }

    /**
     * The step has ended for good: the listeners hear of the block's end or of the step, once, after they heard of
     * its statement's end (a block holds its statements).
     */
    private void finish() {
        finished = true;
        if (!observed() || statementEnded) {
            emit();
        }
    }

    @Override
    void statementObserved() {
        statementEnded = true;
        if (finished) {
            emit();
        }
    }

    private void emit() {
        if (emitted) {
            return;
        }
        emitted = true;
        Observer o = session.observer();
        if (o == null) {
            return;
        }
        boolean lost = session.core().isBroken() && failure != null;
        switch (kind) {
            case OPEN -> {
                if (failure != null) {
                    block.observeEnd(o, failure, false);
                }
            }
            case COMMIT_BLOCK, ROLLBACK_BLOCK -> block.observeEnd(o, failure != null ? failure : cause,
                    lost && commits());
            case TPC_BEGIN, TPC_RECOVER -> {
            }
            default -> {
                if (sql == null) {
                    return; // nothing to commit or roll back: nothing happened
                }
                TransactionStep.Kind k = switch (kind) {
                    case COMMIT -> TransactionStep.Kind.COMMIT;
                    case ROLLBACK -> TransactionStep.Kind.ROLLBACK;
                    case TPC_PREPARE -> TransactionStep.Kind.PREPARE;
                    case TPC_COMMIT -> sql.contains(" PREPARED ") ? TransactionStep.Kind.COMMIT_PREPARED
                            : TransactionStep.Kind.COMMIT;
                    default -> sql.contains(" PREPARED ") ? TransactionStep.Kind.ROLLBACK_PREPARED
                            : TransactionStep.Kind.ROLLBACK;
                };
                TuskException error = commits() ? TransactionSteps.unknownIfLost(failure, lost) : failure;
                TransactionOutcome outcome = error == null ? switch (k) {
                    case COMMIT, COMMIT_PREPARED -> TransactionOutcome.COMMITTED;
                    case PREPARE -> TransactionOutcome.PREPARED;
                    default -> TransactionOutcome.ROLLED_BACK;
                } : error instanceof TransactionResolutionUnknown ? TransactionOutcome.UNKNOWN : TransactionOutcome.FAILED;
                o.transactionStep(new TransactionStep(o.facts(), k, current, outcome, System.nanoTime() - startNanos,
                        error));
            }
        }
    }

    /** A ROLLBACK after a failure left a transaction open, when nothing was sent after it; else null. */
    private Command undoTransaction() {
        if (session.reported() == TransactionStatus.IDLE || session.core().hasPending()) {
            return null;
        }
        undo = new SimpleQuery("ROLLBACK");
        return undo;
    }

    @Override
    public TuskException failure() {
        return failure;
    }

    @Override
    public Command first() {
        return undo != null ? undo : cmd;
    }

    /**
     * A COMMIT (of a block, of the transaction, or COMMIT PREPARED): if the connection is lost before its reply,
     * the outcome is unknown ({@link TransactionSteps#unknownIfLost}).
     */
    @Override
    public boolean commits() {
        return kind == Kind.COMMIT || kind == Kind.TPC_COMMIT || kind == Kind.COMMIT_BLOCK && block.outer();
    }

    /** The block this step opened, ends or rolls back (null for the other steps). */
    public TransactionSteps.Block block() {
        return block;
    }

    /** The results of the step's statement, once ended without error. */
    public List<ResultData> results() {
        return cmd.results();
    }

    private String lastTag() {
        List<ResultData> r = cmd.results();
        return r.isEmpty() ? null : r.get(r.size() - 1).commandTag();
    }

    // ---------------------------------------------------------------- listeners

    @Override
    Session session() {
        return session;
    }

    @Override
    String observedSql() {
        return sql;
    }

    @Override
    boolean ownStatement() {
        return true;
    }

    @Override
    boolean observedPrepared() {
        return false;
    }

    @Override
    long observedRows() {
        return cmd == null ? -1 : Observation.rows(List.of(cmd));
    }
}
