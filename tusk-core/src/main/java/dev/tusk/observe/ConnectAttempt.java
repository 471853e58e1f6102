package dev.tusk.observe;

/**
 * One attempt to connect to one host and address (a connection string naming several hosts, or a name resolving
 * to several addresses, makes one attempt each until one succeeds).
 *
 * @param host            the host as the connection string named it
 * @param address         the address tried (an IP address or a socket path), null when the name did not resolve
 * @param port            the port tried
 * @param tls             whether TLS was negotiated (false when the attempt failed before)
 * @param authMethod      how the server authenticated the user: {@code "trust"}, {@code "password"},
 *                        {@code "md5"}, {@code "scram-sha-256"}, {@code "scram-sha-256-plus"}, {@code "gss"}...;
 *                        null when the attempt ended before
 * @param protocolVersion the protocol version spoken, e.g. {@code "3.0"}; null when the attempt ended before
 * @param durationNanos   how long the attempt took
 * @param error           why the attempt failed, or null when it succeeded
 * @param facts           the connection made, when it succeeded; else null
 */
public record ConnectAttempt(String host, String address, int port, boolean tls, String authMethod,
                             String protocolVersion, long durationNanos, Throwable error, ConnectionFacts facts) {
    /** Whether the attempt made the connection. */
    public boolean succeeded() {
        return error == null;
    }
}
