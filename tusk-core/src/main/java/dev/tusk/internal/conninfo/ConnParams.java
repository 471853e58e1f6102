package dev.tusk.internal.conninfo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The effective connection parameters, computed as libpq does before it opens a socket: the explicit values
 * first, then the service named by {@code service} or PGSERVICE (from the service file), then the PG*
 * environment variables, then the defaults ({@code port=5432}, {@code user} = the OS user, {@code dbname} =
 * user, {@code sslmode=prefer}, or {@code verify-full} with {@code sslrootcert=system}, ...). Every value is
 * checked here, so a bad one fails before any network traffic; so is a {@code client_encoding} other than UTF8
 * (Tusk speaks UTF-8 only, see {@link ValueRules#checkClientEncoding}).
 *
 * <pre>{@code
 * ConnParams p = ConnParams.resolve(Conninfo.parse("host=db1,db2 port=5432,5433 dbname=app"));
 * for (HostSpec h : p.hosts()) { ... p.passwordFor(h) ... }
 * }</pre>
 */
public final class ConnParams {
    private final Map<String, String> effective;
    private final Map<String, String> given;
    private final List<HostSpec> hosts;
    private final Environment env;

    private ConnParams(Map<String, String> effective, Map<String, String> given, List<HostSpec> hosts,
                       Environment env) {
        this.effective = Collections.unmodifiableMap(effective);
        this.given = Collections.unmodifiableMap(given);
        this.hosts = List.copyOf(hosts);
        this.env = env;
    }

    /** Resolves {@code explicit} against this process's environment. */
    public static ConnParams resolve(Map<String, String> explicit) {
        return resolve(explicit, Environment.system());
    }

    /**
     * Resolves {@code explicit} (keyword to value; null values are ignored) against {@code env}.
     *
     * @throws dev.tusk.errors.ProgrammingException for an unknown keyword, an invalid value (wherever it came
     *         from), an unknown service or mismatched host/port lists
     * @throws dev.tusk.errors.NotSupportedException for what Tusk cannot do: {@code gssencmode=require} (no GSSAPI)
     */
    public static ConnParams resolve(Map<String, String> explicit, Environment env) {
        Map<String, String> supplied = new LinkedHashMap<>();
        explicit.forEach((k, v) -> {
            Keywords.require(k);
            if (v != null) {
                supplied.put(k, v);
            }
        });
        addService(supplied, env);
        for (Keyword k : Keywords.all().values()) {
            if (k.envVar() != null && !supplied.containsKey(k.name())) {
                String v = env.get(k.envVar());
                if (v != null) {
                    supplied.put(k.name(), v);
                }
            }
        }
        Map<String, String> given = inKeywordOrder(supplied);
        Map<String, String> effective = new LinkedHashMap<>(given);
        addDefaults(effective, env);
        effective.forEach(ValueRules::check);
        ValueRules.checkCombination(effective);
        ValueRules.checkClientEncoding(effective, explicit.get("client_encoding") != null);

        List<HostSpec> hosts = HostList.build(effective.get("host"), effective.get("hostaddr"),
                effective.get("port"), env);
        String host = effective.get("host");
        if ((host == null || host.isEmpty()) && isNullOrEmpty(effective.get("hostaddr"))) {
            effective.put("host", String.join(",", hosts.stream().map(HostSpec::host).toList()));
        }
        return new ConnParams(inKeywordOrder(effective), given, hosts, env);
    }

    private static void addService(Map<String, String> supplied, Environment env) {
        String service = supplied.containsKey("service") ? supplied.get("service") : env.get("PGSERVICE");
        if (service == null || service.isEmpty()) {
            return;
        }
        String fileSetting = supplied.containsKey("servicefile") ? supplied.get("servicefile")
                : env.get("PGSERVICEFILE");
        Path userFile = fileSetting != null && !fileSetting.isEmpty() ? Path.of(fileSetting) : env.defaultServiceFile();
        ServiceFile.lookup(service, userFile, env.systemServiceFile()).forEach(supplied::putIfAbsent);
    }

    private static void addDefaults(Map<String, String> m, Environment env) {
        for (Keyword k : Keywords.all().values()) {
            if (m.containsKey(k.name())) {
                continue;
            }
            if (k.name().equals("sslmode") && "system".equals(m.get("sslrootcert"))) {
                m.put("sslmode", "verify-full");
            } else if (k.compiledDefault() != null) {
                m.put(k.name(), k.compiledDefault());
            }
        }
        if (isNullOrEmpty(m.get("user")) && env.osUser() != null) {
            m.put("user", env.osUser());
        }
        if (isNullOrEmpty(m.get("dbname")) && m.get("user") != null) {
            m.put("dbname", m.get("user"));
        }
    }

    private static Map<String, String> inKeywordOrder(Map<String, String> m) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String k : Keywords.all().keySet()) {
            String v = m.get(k);
            if (v != null) {
                out.put(k, v);
            }
        }
        return out;
    }

    private static boolean isNullOrEmpty(String s) {
        return s == null || s.isEmpty();
    }

    /** The servers to try, in the order given. */
    public List<HostSpec> hosts() {
        return hosts;
    }

    /**
     * The servers in the order a connection attempt should try them: {@link #hosts()} as given, or shuffled
     * when {@code load_balance_hosts=random} (libpq shuffles the host list the same way).
     */
    public List<HostSpec> connectionOrder() {
        if (!"random".equals(effective.get("load_balance_hosts")) || hosts.size() < 2) {
            return hosts;
        }
        List<HostSpec> shuffled = new ArrayList<>(hosts);
        Collections.shuffle(shuffled, ThreadLocalRandom.current());
        return shuffled;
    }

    /**
     * The password for {@code host}: the {@code password} parameter (or PGPASSWORD, or the service's) if not
     * empty, else the first matching line of the password file ({@code passfile} / PGPASSFILE, else
     * ~/.pgpass), else null. A connection through one of the default socket directories matches the
     * hostname {@code localhost} in the file, as libpq does for its compiled-in socket directory.
     */
    public String passwordFor(HostSpec host) {
        String password = effective.get("password");
        if (!isNullOrEmpty(password)) {
            return password;
        }
        String passfile = effective.get("passfile");
        Path file = isNullOrEmpty(passfile) ? env.defaultPassFile() : Path.of(passfile);
        if (file == null) {
            return null;
        }
        return new PassFile(file).lookup(passFileHost(host), String.valueOf(host.port()), dbname(), user());
    }

    private String passFileHost(HostSpec host) {
        String name = isNullOrEmpty(host.host()) ? host.hostaddr() : host.host();
        if (isNullOrEmpty(name)) {
            return "localhost";
        }
        if (host.isUnixSocket() && env.socketDirs().contains(Path.of(name))) {
            return "localhost";
        }
        return name;
    }

    public String dbname() {
        return effective.get("dbname");
    }

    public String user() {
        return effective.get("user");
    }

    /** disable, allow, prefer, require, verify-ca or verify-full. */
    public String sslmode() {
        return effective.get("sslmode");
    }

    /** connect_timeout: null when absent or not positive (wait forever); 1 second counts as 2, as in libpq. */
    public Duration connectTimeout() {
        String s = effective.get("connect_timeout");
        if (s == null) {
            return null;
        }
        int seconds = ValueRules.parseInt("connect_timeout", s);
        if (seconds <= 0) {
            return null;
        }
        return Duration.ofSeconds(Math.max(2, seconds));
    }

    /** application_name, else fallback_application_name; null when both are absent or empty. */
    public String applicationName() {
        String app = effective.get("application_name");
        if (isNullOrEmpty(app)) {
            app = effective.get("fallback_application_name");
        }
        return isNullOrEmpty(app) ? null : app;
    }

    /** The command-line options sent to the server, or null when there are none. */
    public String options() {
        String o = effective.get("options");
        return isNullOrEmpty(o) ? null : o;
    }

    /**
     * The effective value of any libpq keyword (explicit, service, environment or default), or null when it
     * has none. {@code host} is the comma-separated hosts tried, defaults included.
     *
     * @throws dev.tusk.errors.ProgrammingException if {@code key} is not a libpq keyword
     */
    public String get(String key) {
        Keywords.require(key);
        return effective.get(key);
    }

    /** Every keyword with an effective value, in libpq's order. Includes the password. */
    public Map<String, String> asMap() {
        return effective;
    }

    /**
     * The parameters set to something other than their default (explicitly, by the service file or by the
     * environment), without the password: psycopg's {@code ConnectionInfo.get_parameters()}.
     */
    public Map<String, String> nonDefaults() {
        Map<String, String> m = new LinkedHashMap<>(given);
        m.remove("password");
        return Collections.unmodifiableMap(m);
    }

    /** {@link #nonDefaults()} as a connection string: psycopg's {@code ConnectionInfo.dsn}. */
    public String dsn() {
        return ConninfoFormatter.format(nonDefaults());
    }

    @Override
    public String toString() {
        return "ConnParams[" + dsn() + "]";
    }
}
