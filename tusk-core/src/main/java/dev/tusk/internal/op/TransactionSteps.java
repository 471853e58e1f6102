package dev.tusk.internal.op;

import dev.tusk.IsolationLevel;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.observe.Observer;
import dev.tusk.observe.TransactionEnd;
import dev.tusk.observe.TransactionOutcome;
import dev.tusk.observe.TransactionStart;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.function.BooleanSupplier;
import java.util.regex.Pattern;

/**
 * The transaction rules of a session, written once for both drivers (psycopg's): the stack of open transaction
 * blocks, the two-phase commit state ({@link TwoPhaseSteps}), which call is allowed when, and the
 * {@link TransactionOp}s that run commit/rollback, the blocks' BEGIN / SAVEPOINT / COMMIT / RELEASE / ROLLBACK
 * [TO SAVEPOINT], and the two-phase commit steps. The connections only decide when to run them (under the blocking
 * connection's lock, in order on the async connection's event loop) and how their callers wait.
 *
 * <p>Owned by the {@link Session}; the thread acting for the connection only, but for the blocks' status.
 */
public final class TransactionSteps {
    /** The advice the reasons for a loss end with (LostConnection, the timers), dropped when they are wrapped. */
    private static final Pattern ADVICE = Pattern.compile("[;:,]?\\s*the connection is broken, open a new one");
    /** What a COMMIT whose reply never came means. */
    public static final String COMMIT_LOST = "the connection was lost while committing: the transaction may or may not "
            + "have been committed; check the data on a new connection before retrying";

    /** Where a block is in its life: the values of {@code dev.tusk.Transaction.Status}, in the same order. */
    public enum Status {
        ACTIVE, COMMITTED, ROLLED_BACK_EXPLICITLY, ROLLED_BACK_WITH_ERROR, FAILED
    }

    /** One transaction block as the rules see it: a BEGIN (the outermost) or a SAVEPOINT, and how it stands. */
    public static final class Block {
        private final boolean outer;
        private final String savepoint;
        private volatile Status status = Status.ACTIVE;
        /** What the listeners saw of the block's start (null: nobody listens), and their context. */
        private TransactionStart observedStart;
        private Object observedContext;
        private volatile boolean observedEnd;

        /** The block rolls back where it would commit (psycopg's {@code force_rollback}). */
        private final boolean forceRollback;

        Block(boolean outer, String savepoint, boolean forceRollback) {
            this.outer = outer;
            this.savepoint = savepoint;
            this.forceRollback = forceRollback;
        }

        /** True when the block began the transaction (BEGIN), false for a savepoint. */
        public boolean outer() {
            return outer;
        }

        /** The block's savepoint, or null (an outermost block without a given name). */
        public String savepoint() {
            return savepoint;
        }

        public Status status() {
            return status;
        }

        public boolean isActive() {
            return status == Status.ACTIVE;
        }

        void status(Status s) {
            status = s;
        }

        /** The block begins (its BEGIN or SAVEPOINT is about to be sent): the listeners' transactionStarted. */
        void observeStart(Observer o) {
            if (o != null) {
                observedStart = new TransactionStart(o.facts(), savepoint, System.nanoTime());
                observedContext = o.transactionStarted(observedStart);
            }
        }

        /**
         * The block has ended as its status says, {@code error} the error that ended it (the body's or the end's) or
         * null; {@code unknown}: its COMMIT's reply was lost. The listeners' transactionEnded, once.
         */
        void observeEnd(Observer o, Throwable error, boolean unknown) {
            if (o == null || observedStart == null || observedEnd) {
                return;
            }
            observedEnd = true;
            TransactionOutcome outcome = switch (status) {
                case COMMITTED -> TransactionOutcome.COMMITTED;
                case ROLLED_BACK_EXPLICITLY, ROLLED_BACK_WITH_ERROR -> TransactionOutcome.ROLLED_BACK;
                default -> unknown ? TransactionOutcome.UNKNOWN : TransactionOutcome.FAILED;
            };
            o.transactionEnded(new TransactionEnd(observedStart, outcome,
                    System.nanoTime() - observedStart.startNanos(), error), observedContext);
        }
    }

    /** Where a {@link dev.tusk.Rollback} thrown in a block goes. */
    public enum Unwind {
        /** It names this block (or none): the block rolls back and swallows it. */
        HERE,
        /** It names an open block around this one: this one rolls back, the Rollback goes on outwards. */
        OUTWARD,
        /** It names a block that does not enclose this one (ended, another connection's): a ProgrammingException. */
        NOT_ENCLOSING,
        /** It names this block (or none), which has already ended: a ProgrammingException. */
        AFTER_END
    }

    private final Session session;
    /** Open blocks, innermost first, as far as the statements sent so far go. */
    private final ArrayDeque<Block> blocks = new ArrayDeque<>();
    private final TwoPhaseSteps twoPhase = new TwoPhaseSteps();
    private BooleanSupplier closedByUser = () -> false;
    private int savepoints;

    TransactionSteps(Session session) {
        this.session = session;
    }

    public TwoPhaseSteps twoPhase() {
        return twoPhase;
    }

    /** How to tell that the user closed the connection (the session sees only a broken core). */
    public void closedBy(BooleanSupplier closed) {
        this.closedByUser = closed;
    }

    /** The connection is closed or broken. */
    boolean closed() {
        return session.core().isBroken() || closedByUser.getAsBoolean();
    }

    public Session session() {
        return session;
    }

    // ---------------------------------------------------------------- the block stack

    /** True while a transaction() block is open. */
    public boolean inBlock() {
        return !blocks.isEmpty();
    }

    /** The innermost open block, or null. */
    public Block innermost() {
        return blocks.peek();
    }

    /** {@code b} is open on this session. */
    public boolean isOpen(Block b) {
        return blocks.contains(b);
    }

    void push(Block b) {
        blocks.push(b);
    }

    void remove(Block b) {
        blocks.remove(b);
    }

    /** Removes {@code b} and, first, every block still open inside it (ended with it: rolled back explicitly). */
    void removeUpTo(Block b) {
        while (!blocks.isEmpty() && blocks.peek() != b) {
            Block inner = blocks.pop();
            inner.status(Status.ROLLED_BACK_EXPLICITLY);
            inner.observeEnd(session.observer(), null, false);
        }
        blocks.remove(b);
    }

    /** A block whose end never reached the server (the connection was closed or lost, {@code error}): FAILED. */
    public void abandon(Block b, Throwable error) {
        blocks.remove(b);
        if (b.isActive()) {
            b.status(Status.FAILED);
        }
        b.observeEnd(session.observer(), error, false);
    }

    /** Where a Rollback naming {@code target} (null: none) goes from block {@code here}. */
    public Unwind unwind(Block here, Block target) {
        if (target == null || target == here) {
            return here.isActive() ? Unwind.HERE : Unwind.AFTER_END;
        }
        if (!target.isActive() || !here.isActive()) {
            return Unwind.NOT_ENCLOSING;
        }
        boolean hereSeen = false;
        for (Iterator<Block> it = blocks.iterator(); it.hasNext(); ) { // innermost first: here, then what encloses it
            Block b = it.next();
            if (b == here) {
                hereSeen = true;
            } else if (b == target) {
                return hereSeen ? Unwind.OUTWARD : Unwind.NOT_ENCLOSING;
            }
        }
        return Unwind.NOT_ENCLOSING;
    }

    /** A savepoint name for a nested block: {@code _tusk_<depth>}, made unique among the open blocks. */
    String newSavepointName() {
        String name = "_tusk_" + (blocks.size() + 1);
        for (Block b : blocks) {
            if (name.equals(b.savepoint)) {
                return name + "_" + (++savepoints); // a block opened beside another (async): never the same name
            }
        }
        return name;
    }

    // ---------------------------------------------------------------- rules

    /** Autocommit and the transaction characteristics only change outside any transaction. */
    public void checkIdle(String attribute) {
        if (!blocks.isEmpty()) {
            throw new ProgrammingException("can't change '" + attribute + "' now: a connection.transaction() block "
                    + "is in progress; change it before opening the block");
        }
        TransactionStatus status = session.expected();
        if (status != TransactionStatus.IDLE) {
            throw new ProgrammingException("can't change '" + attribute + "' now: connection in transaction status "
                    + status + "; commit or roll back first");
        }
    }

    /** conn.commit()/rollback(): not inside a transaction() block, not during a two-phase transaction. */
    void checkExplicitEnd(String call) {
        if (!blocks.isEmpty()) {
            throw new ProgrammingException("explicit " + call + " is forbidden inside a transaction() block: the "
                    + "block commits when it ends normally and rolls back on an exception (or call the block's own "
                    + "commit()/rollback())");
        }
        twoPhase.checkNotInTpc(call);
    }

    // ---------------------------------------------------------------- the steps

    /** conn.commit() / conn.rollback(): COMMIT or ROLLBACK when a transaction is open, else nothing. */
    public TransactionOp end(boolean commit, Duration timeout) {
        return new TransactionOp(this, commit ? TransactionOp.Kind.COMMIT : TransactionOp.Kind.ROLLBACK, timeout);
    }

    /**
     * Opens a block: BEGIN with the given characteristics (null: the session's) when no transaction is open, else a
     * SAVEPOINT ({@code savepoint} null: a name of the driver's).
     */
    public TransactionOp open(String savepoint, IsolationLevel level, Boolean readOnly, Boolean deferrable,
                              Duration timeout) {
        TransactionOp op = new TransactionOp(this, TransactionOp.Kind.OPEN, timeout);
        op.savepoint = savepoint;
        op.level = level;
        op.readOnly = readOnly;
        op.deferrable = deferrable;
        return op;
    }

    /**
     * Commits block {@code b}: COMMIT, or RELEASE of its savepoint; a refusal rolls it back. A block opened with
     * force_rollback rolls back instead, as if explicitly.
     */
    public TransactionOp commitBlock(Block b, Duration timeout) {
        if (b.forceRollback) {
            return rollbackBlock(b, Status.ROLLED_BACK_EXPLICITLY, false, timeout);
        }
        TransactionOp op = new TransactionOp(this, TransactionOp.Kind.COMMIT_BLOCK, timeout);
        op.block = b;
        return op;
    }

    /**
     * Rolls back block {@code b}, which then stands as {@code endStatus}; {@code innerToo}: blocks still open
     * inside it end with it (the blocking connection's resource form). Nothing is sent for a block no longer open
     * or of a closed connection (it stands as FAILED).
     */
    public TransactionOp rollbackBlock(Block b, Status endStatus, boolean innerToo, Duration timeout) {
        TransactionOp op = new TransactionOp(this, TransactionOp.Kind.ROLLBACK_BLOCK, timeout);
        op.block = b;
        op.endStatus = endStatus;
        op.innerToo = innerToo;
        return op;
    }

    /** tpcBegin(xid) ({@code xid}: its gid): BEGIN with the session's characteristics, outside a transaction, not in autocommit. */
    public TransactionOp tpcBegin(String xid, Duration timeout) {
        TransactionOp op = new TransactionOp(this, TransactionOp.Kind.TPC_BEGIN, timeout);
        op.xid = xid;
        return op;
    }

    /** tpcPrepare(): PREPARE TRANSACTION. */
    public TransactionOp tpcPrepare(Duration timeout) {
        return new TransactionOp(this, TransactionOp.Kind.TPC_PREPARE, timeout);
    }

    /**
     * tpcCommit/tpcRollback: of the current two-phase transaction ({@code xid} null; one-phase when not prepared),
     * or of a prepared one by id, outside a transaction.
     */
    public TransactionOp tpcFinish(boolean commit, String xid, Duration timeout) {
        TransactionOp op = new TransactionOp(this, commit ? TransactionOp.Kind.TPC_COMMIT : TransactionOp.Kind.TPC_ROLLBACK,
                timeout);
        op.xid = xid;
        return op;
    }

    /** tpcRecover(): the prepared transactions of the whole server; no BEGIN. */
    public TransactionOp tpcRecover(Duration timeout) {
        return new TransactionOp(this, TransactionOp.Kind.TPC_RECOVER, timeout);
    }

    // ---------------------------------------------------------------- SQL and errors

    /** The SQL that opens a block. */
    static String openSql(boolean outer, String beginStatement, String savepoint) {
        if (!outer) {
            return "SAVEPOINT " + quoteIdent(savepoint);
        }
        return savepoint == null ? beginStatement : beginStatement + "; SAVEPOINT " + quoteIdent(savepoint);
    }

    /** COMMIT for the outermost block, else RELEASE of its savepoint. */
    static String commitSql(boolean outer, String savepoint) {
        return outer ? "COMMIT" : "RELEASE SAVEPOINT " + quoteIdent(savepoint);
    }

    static String rollbackSql(boolean outer, String savepoint) {
        if (outer) {
            return "ROLLBACK";
        }
        String sp = quoteIdent(savepoint);
        return "ROLLBACK TO SAVEPOINT " + sp + "; RELEASE SAVEPOINT " + sp;
    }

    /** An identifier, quoted. */
    public static String quoteIdent(String name) {
        return "\"" + name.replace("\"", "\"\"") + "\"";
    }

    /** The exception for an outer COMMIT the server turned into a ROLLBACK (the transaction had failed). */
    static TuskException silentRollback() {
        return new OperationalException("the transaction block was rolled back, not committed: a statement in it "
                + "failed and the server refuses to commit a failed transaction; let the error leave the block, "
                + "or wrap the failing statement in a nested transaction() block");
    }

    /** Why the connection broke, without the advice its message may end with. */
    public static String reason(TuskException cause) {
        String why = cause.getMessage();
        return why == null ? cause.getClass().getSimpleName() : ADVICE.matcher(why).replaceAll("");
    }

    /**
     * A COMMIT's error: when the connection was lost before the reply came ({@code connectionBroken}), the server may
     * have committed before it went, so saying "rolled back" would be a lie: TransactionResolutionUnknown. Errors on
     * a connection still alive (the server refused the commit) pass unchanged; null stays null.
     */
    public static TuskException unknownIfLost(TuskException e, boolean connectionBroken) {
        if (e == null || !connectionBroken || e instanceof TransactionResolutionUnknown) {
            return e;
        }
        return new TransactionResolutionUnknown(COMMIT_LOST + " (" + reason(e) + ")", e);
    }

    /**
     * A COMMIT sent before the user closed the connection, whose reply never came (closing does not wait for
     * it): the server runs it anyway, so whether it committed is unknown. {@code cause}: what the core failed
     * the command with.
     */
    public static TransactionResolutionUnknown closedWhileCommitting(TuskException cause) {
        return new TransactionResolutionUnknown("the connection was closed (close() was called) before the reply to"
                + " COMMIT arrived: the transaction may or may not have been committed; check the data on a new"
                + " connection before retrying", cause);
    }
}
