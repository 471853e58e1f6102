package dev.tusk.observe;

/**
 * A connection ended.
 *
 * @param facts  the connection
 * @param broken true when it was lost or closed after a fatal error, false when closed by its user
 * @param cause  what broke it, or null
 */
public record ConnectionClosed(ConnectionFacts facts, boolean broken, Throwable cause) {
}
