package dev.tusk.observe;

/**
 * A COPY ended.
 *
 * @param start         its start event
 * @param rows          the rows the server reported copied, -1 when unknown
 * @param bytes         the bytes of data moved (either way)
 * @param durationNanos from its beginning to its end
 * @param sqlstate      the SQLSTATE of the error, or null
 * @param error         the error, or null
 */
public record CopyEnd(CopyStart start, long rows, long bytes, long durationNanos, String sqlstate, Throwable error) {
}
