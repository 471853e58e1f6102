package dev.tusk.observe;

/**
 * A pool made or closed one of its connections.
 *
 * @param pool   the pool
 * @param facts  the connection, null when it could not be made
 * @param nanos  for a connection created, how long connecting (and configuring) took; else 0
 * @param broken for a connection closed, whether it was found broken (lost, or failed its check)
 * @param error  for a connection that could not be made, why; else null
 */
public record PoolConnectionEvent(PoolView pool, ConnectionFacts facts, long nanos, boolean broken, Throwable error) {
}
