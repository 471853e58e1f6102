package dev.tusk.observe;

/**
 * A notification arrived. The payload itself is not given (it may hold anything); only its length.
 *
 * @param facts         the connection
 * @param channel       the channel
 * @param senderPid     the server process that sent it
 * @param payloadLength the length of the payload in characters
 */
public record NotificationReceived(ConnectionFacts facts, String channel, int senderPid, int payloadLength) {
}
