package dev.tusk.observe;

/**
 * A pipeline ended (its statements ended before).
 *
 * @param start         its start event
 * @param statements    the statements queued in it
 * @param durationNanos from its beginning to its end
 * @param error         the first error of its statements or of its end, or null
 */
public record PipelineEnd(PipelineStart start, int statements, long durationNanos, Throwable error) {
}
