package dev.tusk.observe;

/**
 * A transaction block ended.
 *
 * @param start         its start event
 * @param outcome       committed (released, for a savepoint), rolled back, failed, or unknown
 * @param durationNanos from its beginning to its end
 * @param error         the error that ended it (the body's or the commit's), or null
 */
public record TransactionEnd(TransactionStart start, TransactionOutcome outcome, long durationNanos, Throwable error) {
}
