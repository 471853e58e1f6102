package dev.tusk.internal.conninfo;

import java.nio.file.Path;

/** STUB until the conninfo branch lands. */
public record HostSpec(String host, String hostaddr, int port) {
    public boolean isUnixSocket() {
        return host != null && host.startsWith("/");
    }

    public Path socketPath() {
        return Path.of(host, ".s.PGSQL." + port);
    }
}
