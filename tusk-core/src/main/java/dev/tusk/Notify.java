package dev.tusk;

/**
 * A notification received after {@code LISTEN channel}, sent by {@code NOTIFY channel, 'payload'}.
 *
 * @param channel the channel name
 * @param payload the payload, "" when none was given
 * @param pid     the process id of the notifying backend
 */
public record Notify(String channel, String payload, int pid) {
}
