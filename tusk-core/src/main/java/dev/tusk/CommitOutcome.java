package dev.tusk;

import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.op.TransactionSteps;

/**
 * What a failed COMMIT means, for both drivers: when the connection was lost before the reply came, the server may
 * have committed before it went, so saying "rolled back" would be a lie; the error is then
 * {@link TransactionResolutionUnknown} (SQLSTATE 08007). Errors on a connection still alive (the server refused
 * the commit) pass unchanged.
 */
final class CommitOutcome {
    private CommitOutcome() {
    }

    /**
     * A COMMIT sent before the user closed the connection, whose reply never came (closing does not wait for
     * it): the server runs it anyway, so whether it committed is unknown. {@code cause}: what the core failed
     * the command with.
     */
    static TransactionResolutionUnknown closedWhileCommitting(TuskException cause) {
        return new TransactionResolutionUnknown("the connection was closed (close() was called) before the reply to"
                + " COMMIT arrived: the transaction may or may not have been committed; check the data on a new"
                + " connection before retrying", cause);
    }

    /** {@code e}, or the unknown-outcome error when {@code connectionBroken}; null stays null. */
    static TuskException unknownIfLost(TuskException e, boolean connectionBroken) {
        return TransactionSteps.unknownIfLost(e, connectionBroken);
    }
}
