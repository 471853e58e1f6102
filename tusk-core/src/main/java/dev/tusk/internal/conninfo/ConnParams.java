package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The connection parameters in effect, resolved as libpq does: the explicit ones (conninfo string and
 * options), then the service file's, then the {@code PG*} environment variables; the getters apply
 * libpq's defaults for what is still missing. Every keyword and value is checked here, before any
 * network traffic.
 *
 * <p>Default host: a Unix-domain socket in {@code /var/run/postgresql} or {@code /tmp} when a server's
 * socket exists there for the port (libpq compiles one of the two in), else {@code localhost}.
 */
public final class ConnParams {
    static final int DEFAULT_PORT = 5432;
    private static final List<String> SOCKET_DIRS = List.of("/var/run/postgresql", "/tmp");

    private final Map<String, String> map;
    private final Environment env;

    private ConnParams(Map<String, String> map, Environment env) {
        this.map = map;
        this.env = env;
    }

    public static ConnParams resolve(Map<String, String> explicit) {
        return resolve(explicit, Environment.SYSTEM);
    }

    public static ConnParams resolve(Map<String, String> explicit, Environment env) {
        Map<String, String> m = new LinkedHashMap<>();
        explicit.forEach((k, v) -> {
            Keywords.requireKnown(k);
            if (v != null) {
                m.put(k, v);
            }
        });
        String service = m.containsKey("service") ? m.get("service") : env.getenv("PGSERVICE");
        if (service != null && !service.isEmpty()) {
            ServiceFile.lookup(service, serviceFiles(m, env)).forEach(m::putIfAbsent);
        }
        Keywords.ENV.forEach((keyword, variable) -> {
            if (variable != null && !m.containsKey(keyword)) {
                String v = env.getenv(variable);
                if (v != null) {
                    m.put(keyword, v);
                }
            }
        });
        if ("1".equals(m.get("requiressl")) && !m.containsKey("sslmode")) {
            m.put("sslmode", "require"); // the deprecated spelling
        }
        m.forEach(Keywords::checkValue);
        ConnParams p = new ConnParams(m, env);
        p.hosts(); // host/hostaddr/port lists must agree
        return p;
    }

    private static List<Path> serviceFiles(Map<String, String> m, Environment env) {
        List<Path> files = new ArrayList<>();
        String own = m.containsKey("servicefile") ? m.get("servicefile") : env.getenv("PGSERVICEFILE");
        files.add(own != null ? Path.of(own) : env.home().resolve(".pg_service.conf"));
        String sysconf = env.getenv("PGSYSCONFDIR");
        files.add(Path.of(sysconf != null ? sysconf : "/etc/postgresql-common", "pg_service.conf"));
        return files;
    }

    /** The hosts to try, in order, with their ports (libpq's comma-separated lists). */
    public List<HostSpec> hosts() {
        List<String> hosts = list("host");
        List<String> addrs = list("hostaddr");
        List<String> ports = list("port");
        int n = Math.max(hosts.size(), addrs.size());
        if (n == 0) {
            n = 1;
        }
        if (!hosts.isEmpty() && !addrs.isEmpty() && hosts.size() != addrs.size()) {
            throw new ProgrammingException("could not match " + hosts.size() + " host names to " + addrs.size() + " hostaddr values");
        }
        if (ports.size() > 1 && ports.size() != n) {
            throw new ProgrammingException("could not match " + ports.size() + " port numbers to " + n + " hosts");
        }
        List<HostSpec> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String port = ports.isEmpty() ? "" : ports.get(ports.size() == 1 ? 0 : i);
            int p = port.isBlank() ? DEFAULT_PORT : Integer.parseInt(port.trim());
            String host = hosts.isEmpty() ? "" : hosts.get(i);
            String addr = addrs.isEmpty() ? null : emptyToNull(addrs.get(i));
            if (host.isEmpty() && addr == null) {
                host = defaultHost(p);
            }
            out.add(new HostSpec(host.isEmpty() ? addr : host, addr, p));
        }
        return out;
    }

    private List<String> list(String key) {
        String v = map.get(key);
        if (v == null || v.isEmpty()) {
            return List.of();
        }
        List<String> parts = new ArrayList<>();
        for (String s : v.split(",", -1)) {
            parts.add(s.strip());
        }
        return parts;
    }

    private static String defaultHost(int port) {
        for (String dir : SOCKET_DIRS) {
            if (Files.exists(Path.of(dir, ".s.PGSQL." + port))) {
                return dir;
            }
        }
        return "localhost";
    }

    /** The explicit password, else the password file's entry for this host, else null. */
    public String passwordFor(HostSpec h) {
        String explicit = map.get("password");
        if (explicit != null && !explicit.isEmpty()) {
            return explicit;
        }
        String file = map.get("passfile");
        Path path = file != null && !file.isEmpty() ? Path.of(file) : env.home().resolve(".pgpass");
        String host = h.host() != null && !h.host().isEmpty() ? h.host() : h.hostaddr();
        return PassFile.lookup(path, host, Integer.toString(h.port()), dbname(), user());
    }

    public String dbname() {
        String d = map.get("dbname");
        return d == null || d.isEmpty() ? user() : d;
    }

    public String user() {
        String u = map.get("user");
        return u == null || u.isEmpty() ? System.getProperty("user.name") : u;
    }

    public String sslmode() {
        String s = map.get("sslmode");
        return s == null || s.isEmpty() ? "prefer" : s;
    }

    /** libpq's connect_timeout: null (absent, 0 or negative) waits forever; 1 second counts as 2. */
    public Duration connectTimeout() {
        String s = map.get("connect_timeout");
        if (s == null || s.isBlank()) {
            return null;
        }
        int seconds = Integer.parseInt(s.trim());
        return seconds <= 0 ? null : Duration.ofSeconds(Math.max(2, seconds));
    }

    /** application_name, else fallback_application_name. */
    public String applicationName() {
        String a = map.get("application_name");
        return a != null && !a.isEmpty() ? a : emptyToNull(map.get("fallback_application_name"));
    }

    public String options() {
        return emptyToNull(map.get("options"));
    }

    /** Any keyword's resolved value (explicit, service or environment); null when unset. */
    public String get(String key) {
        return map.get(key);
    }

    public Map<String, String> asMap() {
        return Collections.unmodifiableMap(map);
    }

    /** The parameters in effect as a conninfo string, without the password. */
    public String dsn() {
        Map<String, String> shown = new LinkedHashMap<>(map);
        shown.remove("password");
        return ConninfoWriter.format(shown);
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }
}
