package dev.tusk.internal.conninfo;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the hosts to try from the {@code host}, {@code hostaddr} and {@code port} lists, as libpq's
 * {@code connectOptions2} does: when {@code hostaddr} is set it fixes the number of entries and {@code host} must
 * have as many (or be empty); {@code port} has one entry for all or one per host; empty entries take the defaults.
 *
 * <p>Default host (libpq uses the socket directory it was compiled with): the first of
 * {@link Environment#socketDirs()} that holds the server's socket {@code .s.PGSQL.<port>}, else {@code localhost}.
 */
final class HostList {
    private HostList() {
    }

    static List<HostSpec> build(String hostParam, String hostaddrParam, String portParam, Environment env) {
        List<String> addrs = isEmpty(hostaddrParam) ? null : splitCommas(hostaddrParam);
        List<String> names = isEmpty(hostParam) ? null : splitCommas(hostParam);
        int count = addrs != null ? addrs.size() : names != null ? names.size() : 1;
        if (addrs != null && names != null && names.size() != count) {
            throw new ProgrammingException("could not match " + names.size() + " host names to " + count
                    + " hostaddr values: give hostaddr one address per host (" + hostParam + " / " + hostaddrParam
                    + ")");
        }
        List<String> ports = isEmpty(portParam) ? null : splitCommas(portParam);
        if (ports != null && ports.size() != 1 && ports.size() != count) {
            throw new ProgrammingException("could not match " + ports.size() + " port numbers to " + count
                    + " hosts: give one port for all hosts or one per host (port=" + portParam + ")");
        }
        List<HostSpec> out = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String portText = ports == null ? "" : ports.get(ports.size() == 1 ? 0 : i);
            int port = ValueRules.parsePort(portText);
            String addr = addrs == null || addrs.get(i).isEmpty() ? null : addrs.get(i);
            String name = names == null || names.get(i).isEmpty() ? null : names.get(i);
            if (addr != null) {
                out.add(new HostSpec(name != null ? name : addr, addr, port));
            } else if (name != null) {
                if (name.startsWith("@")) {
                    throw new NotSupportedException("abstract unix sockets (host=" + name + ") are not supported;"
                            + " use a socket directory or a TCP host");
                }
                out.add(new HostSpec(name, null, port));
            } else {
                out.add(new HostSpec(defaultHost(port, env), null, port));
            }
        }
        return out;
    }

    /** The socket directory holding a server on {@code port}, else "localhost". */
    static String defaultHost(int port, Environment env) {
        for (Path dir : env.socketDirs()) {
            if (Files.exists(dir.resolve(".s.PGSQL." + port))) {
                return dir.toString();
            }
        }
        return "localhost";
    }

    /** libpq's comma-separated list: "a,,b" is three entries, "" one empty entry; no escaping. */
    static List<String> splitCommas(String s) {
        List<String> out = new ArrayList<>();
        int start = 0;
        while (true) {
            int comma = s.indexOf(',', start);
            if (comma < 0) {
                out.add(s.substring(start));
                return out;
            }
            out.add(s.substring(start, comma));
            start = comma + 1;
        }
    }

    private static boolean isEmpty(String s) {
        return s == null || s.isEmpty();
    }
}
