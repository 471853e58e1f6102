package dev.tusk.observe;

/** How a transaction, or one step of it, ended. */
public enum TransactionOutcome {
    /** The transaction was committed. */
    COMMITTED,
    /** The transaction was rolled back (or a savepoint rolled back to). */
    ROLLED_BACK,
    /** The transaction was prepared for a two-phase commit. */
    PREPARED,
    /** The step failed and the server's state is known (for example a COMMIT that rolled back). */
    FAILED,
    /** The connection was lost before the answer: the outcome is in doubt ({@code TransactionResolutionUnknown}). */
    UNKNOWN
}
