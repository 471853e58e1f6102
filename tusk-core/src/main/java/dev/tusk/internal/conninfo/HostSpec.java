package dev.tusk.internal.conninfo;

import java.nio.file.Path;

/**
 * One server to try: an entry of libpq's {@code host}/{@code hostaddr}/{@code port} lists.
 *
 * @param host     the host name, or the unix socket directory; when only {@code hostaddr} was given, the address
 *                 (what libpq's {@code PQhost} reports)
 * @param hostaddr the numeric address to connect to without a name lookup, or null
 * @param port     the TCP port, or the number in the socket file name {@code .s.PGSQL.<port>}
 */
public record HostSpec(String host, String hostaddr, int port) {

    /** True when the connection goes through a unix-domain socket: no hostaddr and host is an absolute path. */
    public boolean isUnixSocket() {
        return hostaddr == null && host != null && host.startsWith("/");
    }

    /** The socket file, {@code <host>/.s.PGSQL.<port>}; meaningful only when {@link #isUnixSocket()}. */
    public Path socketPath() {
        return Path.of(host, ".s.PGSQL." + port);
    }
}
