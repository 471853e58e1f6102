package dev.tusk.observe;

/**
 * A cancel request was sent on a separate connection to the server.
 *
 * @param facts  the connection whose statement is cancelled
 * @param reason why: {@code "user"} (a call to cancel), {@code "statement timeout"}, {@code "abandoned"}...
 * @param error  why the request could not be sent, or null
 */
public record CancelSent(ConnectionFacts facts, String reason, Throwable error) {
}
