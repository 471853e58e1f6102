package dev.tusk.observe;

/**
 * A transaction block begins.
 *
 * @param facts      the connection
 * @param savepoint  the savepoint of a nested block, or null for the outermost
 * @param startNanos {@link System#nanoTime()} at its beginning
 */
public record TransactionStart(ConnectionFacts facts, String savepoint, long startNanos) {
}
