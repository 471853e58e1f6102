package dev.tusk.internal.op;

import dev.tusk.errors.ProgrammingException;

/**
 * The checks of a transaction block's end that both drivers make, and how their refusals read, written once beside
 * {@link TransactionSteps}: a block ended while one opened inside it is still open (psycopg's out-of-order exit), a
 * {@code Rollback} naming a block that does not enclose the one it left, and what an async block's future completes
 * with once its end has run. Pure: the connections act on the answer (raise it, fail a future, roll back).
 */
public final class BlockChecks {
    private BlockChecks() {
    }

    /** How a blocking block reads in messages and in {@code Transaction.toString()}; "none" for no block. */
    public static String describe(TransactionSteps.Block b) {
        if (b == null) {
            return "none";
        }
        String savepoint = b.savepoint();
        return "Transaction[" + (b.outer() ? "outermost" : "savepoint")
                + (savepoint == null ? "" : " \"" + savepoint + "\"") + ", " + b.status() + "]";
    }

    /** Refuses {@code call} ({@code "commit()"}, {@code "rollback()"}) on a blocking block that has already ended. */
    public static void checkActive(TransactionSteps.Block b, String call) {
        TransactionSteps.Status status = b.status();
        if (status != TransactionSteps.Status.ACTIVE) {
            throw new ProgrammingException("can't call " + call + " on a transaction block that has already ended ("
                    + status + "): open a new one with conn.transaction()");
        }
    }

    /** Why the blocking block {@code b} cannot commit: a block opened inside it is still open; null: it can. */
    public static ProgrammingException commitRefusal(TransactionSteps steps, TransactionSteps.Block b) {
        return steps.innermost() == b ? null : new ProgrammingException("can't commit " + describe(b)
                + ": an inner transaction block is still open (" + describe(steps.innermost())
                + "); commit or close the inner block first");
    }

    /**
     * Why the blocking block {@code b} cannot be closed or, when {@code explicitCall}, rolled back: a block opened
     * inside it is still open (psycopg's out-of-order exit); null: it can.
     */
    public static ProgrammingException closeRefusal(TransactionSteps steps, TransactionSteps.Block b,
                                                    boolean explicitCall) {
        if (!b.isActive() || !steps.isOpen(b) || steps.innermost() == b) {
            return null;
        }
        return new ProgrammingException("Out-of-order transaction block exit: can't " + (explicitCall ? "roll back "
                : "close ") + describe(b) + " while an inner block is still open (" + describe(steps.innermost())
                + "); close the inner block first");
    }

    /**
     * Where a {@code Rollback} thrown in block {@code here} goes: the one rule of both drivers. {@code named}: the block
     * it names as its user sees it (a {@code Transaction} or an {@code AsyncTransaction}, of either driver; null: none,
     * the innermost); {@code namedBlock}: that block as these rules see it when it is one this driver opened, else
     * null (a block of the other driver, or one whose opening never ran). Its own block, or none, rolls back
     * {@code HERE} while open and is {@code AFTER_END} once ended; another block must be open around it
     * ({@code OUTWARD}): one ended, of another connection or of the other driver is {@code NOT_ENCLOSING}.
     */
    public static TransactionSteps.Unwind unwind(TransactionSteps steps, TransactionSteps.Block here, Object named,
                                                 TransactionSteps.Block namedBlock) {
        return named != null && namedBlock == null ? TransactionSteps.Unwind.NOT_ENCLOSING
                : steps.unwind(here, namedBlock);
    }

    /**
     * What a {@code Rollback} ({@code rollback}) thrown in block {@code here} (its public object, for the message)
     * naming {@code named} raises once {@link #unwind} said {@code where} it goes; null when it rolls back.
     */
    public static ProgrammingException refusal(TransactionSteps.Unwind where, Object here, Object named,
                                               Throwable rollback) {
        return switch (where) {
            case AFTER_END -> afterEnd(String.valueOf(here), rollback);
            case NOT_ENCLOSING -> notEnclosing(String.valueOf(named), rollback);
            case HERE, OUTWARD -> null;
        };
    }

    /**
     * A {@code Rollback} ({@code rollback}) naming {@code target}, a block that does not enclose the one it was
     * thrown from (ended, of another connection, or of the other driver).
     */
    static ProgrammingException notEnclosing(String target, Throwable rollback) {
        return new ProgrammingException("Rollback names " + target + ", which does not enclose the block it was thrown "
                + "from: name this block or one around it", rollback);
    }

    /** A {@code Rollback} ({@code rollback}) thrown after its own block {@code name} had already ended. */
    static ProgrammingException afterEnd(String name, Throwable rollback) {
        return new ProgrammingException("Rollback thrown after its transaction block had already ended (" + name + ")",
                rollback);
    }

    /**
     * What the future of an async block fails with once its end ran, or null when it completes (with the body's
     * value after a commit, null after a quiet rollback). {@code cause}: why it rolled back (null: it committed);
     * {@code requested}: the cause is a Rollback (of this block or one around it); {@code quiet}: a Rollback naming
     * this block; {@code endError}: the failure of the COMMIT, RELEASE or ROLLBACK (null: none); {@code closedByUser}:
     * the user closed the connection inside the block (nothing to commit nor roll back, as psycopg). A failed end is
     * added to the cause it rolled back for; as the blocking block, a requested rollback that failed raises the
     * failure itself, the Rollback added to it (never a bare Rollback, which no block would swallow).
     */
    public static Throwable asyncBlockFailure(Throwable cause, boolean requested, boolean quiet, Throwable endError,
                                              boolean closedByUser) {
        if (cause == null) {
            return endError != null && !closedByUser ? endError : null;
        }
        if (requested && endError != null) {
            if (closedByUser) {
                return quiet ? null : cause; // nothing to roll back; an outer block's Rollback goes on outwards
            }
            if (endError != cause) {
                endError.addSuppressed(cause);
            }
            return endError;
        }
        if (quiet && endError == null) {
            return null;
        }
        if (endError != null && cause != endError) {
            cause.addSuppressed(endError);
        }
        return cause;
    }
}
