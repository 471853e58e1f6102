package dev.tusk.observe;

/**
 * A COPY begins.
 *
 * @param facts      the connection
 * @param sql        the COPY statement
 * @param direction  which way the data goes
 * @param startNanos {@link System#nanoTime()} at its beginning
 */
public record CopyStart(ConnectionFacts facts, String sql, Direction direction, long startNanos) {
    /** Which way a COPY moves data. */
    public enum Direction {
        /** {@code COPY ... FROM STDIN}: from the client to the server. */
        TO_SERVER,
        /** {@code COPY ... TO STDOUT}: from the server to the client. */
        FROM_SERVER
    }
}
