package dev.tusk.observe;

/**
 * What an exporter says about a connection (OpenTelemetry's {@code db.namespace}, {@code server.address},
 * {@code server.port}...), made once per connection when it is established.
 *
 * @param database        the database name ({@code dbname})
 * @param user            the user name
 * @param host            the host as the connection string named it (a name, an address, or a Unix-socket directory)
 * @param address         the address connected to (an IP address, or the socket path), null when unknown
 * @param port            the server port
 * @param tls             whether the connection is encrypted with TLS
 * @param serverVersion   the server's {@code server_version_num} (for example 180001), 0 when unknown
 * @param backendPid      the server process serving the connection
 * @param applicationName the {@code application_name} sent, or null
 */
public record ConnectionFacts(String database, String user, String host, String address, int port, boolean tls,
                              int serverVersion, int backendPid, String applicationName) {
}
