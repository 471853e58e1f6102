package dev.tusk.observe;

/**
 * A statement ended.
 *
 * @param start          the start event of the statement
 * @param prepared       whether it ran as a prepared (named) statement on the server
 * @param rows           the rows returned or affected (the total of a batch), -1 when unknown
 * @param bytes          the bytes of the rows received: their values as sent, each with its 4-byte length (the
 *                       total of a batch; a stream's rows handed out before its end not counted), -1 when unknown
 * @param durationNanos  from submission to the end of its results ({@link System#nanoTime()} based)
 * @param sqlstate       the SQLSTATE of the error, or null
 * @param error          the error the caller sees, or null when it succeeded
 */
public record StatementEnd(StatementStart start, boolean prepared, long rows, long bytes, long durationNanos,
                           String sqlstate, Throwable error) {
    /** Whether the statement failed. */
    public boolean failed() {
        return error != null;
    }
}
