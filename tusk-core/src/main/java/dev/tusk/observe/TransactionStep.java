package dev.tusk.observe;

/**
 * A commit, a rollback or a two-phase commit step ended.
 *
 * @param facts         the connection
 * @param kind          which step
 * @param xid           the transaction id of a two-phase step (its text form), else null
 * @param outcome       how it ended
 * @param durationNanos how long it took
 * @param error         the error, or null
 */
public record TransactionStep(ConnectionFacts facts, Kind kind, String xid, TransactionOutcome outcome,
                              long durationNanos, Throwable error) {
    /** The steps. */
    public enum Kind {
        COMMIT, ROLLBACK, PREPARE, COMMIT_PREPARED, ROLLBACK_PREPARED
    }
}
