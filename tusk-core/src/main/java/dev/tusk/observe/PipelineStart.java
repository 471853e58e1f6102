package dev.tusk.observe;

/**
 * A pipeline begins.
 *
 * @param facts      the connection
 * @param startNanos {@link System#nanoTime()} at its beginning
 */
public record PipelineStart(ConnectionFacts facts, long startNanos) {
}
