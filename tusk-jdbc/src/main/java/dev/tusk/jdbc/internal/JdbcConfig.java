package dev.tusk.jdbc.internal;

import dev.tusk.ConnectOptions;
import dev.tusk.Conninfo;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TimeZone;

/**
 * A {@code jdbc:tusk:postgresql:} URL and its properties, turned into Tusk's conninfo keywords (libpq's) and the
 * settings only the JDBC layer reads. pgjdbc's property names that have a libpq equivalent are accepted under
 * either name; anything else is an error naming the property.
 */
public final class JdbcConfig {
    public static final String PREFIX = "jdbc:tusk:postgresql:";

    /** libpq keywords Tusk knows (it checks their values itself). */
    private static final Set<String> LIBPQ = Set.of("host", "hostaddr", "port", "dbname", "user", "password", "passfile",
            "service", "servicefile", "channel_binding", "connect_timeout", "client_encoding", "options", "application_name",
            "fallback_application_name", "keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count",
            "tcp_user_timeout", "sslmode", "sslnegotiation", "sslcompression", "sslcert", "sslkey", "sslcertmode",
            "sslpassword", "sslkeylogfile", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer", "require_auth",
            "ssl_min_protocol_version", "ssl_max_protocol_version", "min_protocol_version", "max_protocol_version",
            "gssencmode", "krbsrvname", "gsslib", "gssdelegation", "target_session_attrs", "load_balance_hosts");

    /** Properties only this driver reads (pgjdbc's names). */
    private static final Set<String> JDBC_ONLY = Set.of("prepareThreshold", "preparedStatementCacheQueries",
            "defaultRowFetchSize", "socketTimeout", "loginTimeout", "binaryTransfer", "readOnly", "reWriteBatchedInserts",
            "escapeSyntaxCallMode", "stringtype", "assumeMinServerVersion", "currentSchema", "timezone");

    /** pgjdbc's names with a libpq equivalent. */
    private static final Map<String, String> PGJDBC_TO_LIBPQ = Map.ofEntries(
            Map.entry("ApplicationName", "application_name"), Map.entry("connectTimeout", "connect_timeout"),
            Map.entry("targetServerType", "target_session_attrs"), Map.entry("sslcert", "sslcert"),
            Map.entry("sslrootcert", "sslrootcert"), Map.entry("sslkey", "sslkey"), Map.entry("sslpassword", "sslpassword"),
            Map.entry("gssEncMode", "gssencmode"), Map.entry("channelBinding", "channel_binding"),
            Map.entry("loadBalanceHosts", "load_balance_hosts"), Map.entry("tcpKeepAlive", "keepalives"),
            Map.entry("kerberosServerName", "krbsrvname"), Map.entry("sslNegotiation", "sslnegotiation"),
            Map.entry("ssl", "sslmode"), Map.entry("PGHOST", "host"), Map.entry("PGPORT", "port"),
            Map.entry("PGDBNAME", "dbname"), Map.entry("requireAuth", "require_auth"));

    final Map<String, String> libpq = new LinkedHashMap<>();
    final Map<String, String> jdbc = new LinkedHashMap<>();
    private final String url;

    private JdbcConfig(String url) {
        this.url = url;
    }

    /** True for the URLs this driver takes. */
    public static boolean accepts(String url) {
        return url != null && url.startsWith(PREFIX);
    }

    /** Parses {@code url} and merges {@code info} (URL parameters win, as in pgjdbc). */
    public static JdbcConfig parse(String url, Properties info) throws SQLException {
        if (!accepts(url)) {
            throw new SQLException("not a Tusk JDBC URL (it must start with " + PREFIX + "//): " + url, "08001");
        }
        JdbcConfig c = new JdbcConfig(url);
        Map<String, String> props = new LinkedHashMap<>();
        if (info != null) {
            for (String name : info.stringPropertyNames()) {
                props.put(name, info.getProperty(name));
            }
        }
        String rest = url.substring(PREFIX.length());
        int q = rest.indexOf('?');
        String query = q < 0 ? null : rest.substring(q + 1);
        String path = q < 0 ? rest : rest.substring(0, q);
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                String v = eq < 0 ? "" : decode(pair.substring(eq + 1));
                props.put(k, v);
            }
        }
        if (path.startsWith("//")) {
            String hostsAndDb = path.substring(2);
            int slash = hostsAndDb.indexOf('/');
            String hosts = slash < 0 ? hostsAndDb : hostsAndDb.substring(0, slash);
            String db = slash < 0 ? "" : decode(hostsAndDb.substring(slash + 1));
            if (!hosts.isEmpty()) {
                StringBuilder h = new StringBuilder();
                StringBuilder p = new StringBuilder();
                boolean anyPort = false;
                for (String hp : hosts.split(",")) {
                    String host = hp;
                    String port = "";
                    if (hp.startsWith("[")) {
                        int close = hp.indexOf(']');
                        if (close < 0) {
                            throw new SQLException("malformed IPv6 host in URL " + url + ": missing ']'", "08001");
                        }
                        host = hp.substring(1, close);
                        if (close + 1 < hp.length() && hp.charAt(close + 1) == ':') {
                            port = hp.substring(close + 2);
                        }
                    } else {
                        int colon = hp.lastIndexOf(':');
                        if (colon >= 0) {
                            host = hp.substring(0, colon);
                            port = hp.substring(colon + 1);
                        }
                    }
                    if (h.length() > 0) {
                        h.append(',');
                        p.append(',');
                    }
                    h.append(decode(host));
                    p.append(port);
                    anyPort |= !port.isEmpty();
                }
                c.libpq.put("host", h.toString());
                if (anyPort) {
                    c.libpq.put("port", p.toString());
                }
            }
            if (!db.isEmpty()) {
                c.libpq.put("dbname", db);
            }
        } else if (!path.isEmpty()) {
            c.libpq.put("dbname", decode(path)); // jdbc:tusk:postgresql:mydb
        }
        for (Map.Entry<String, String> e : props.entrySet()) {
            c.put(e.getKey(), e.getValue());
        }
        return c;
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private void put(String name, String value) throws SQLException {
        if (value == null) {
            return;
        }
        if (JDBC_ONLY.contains(name)) {
            jdbc.put(name, value);
            return;
        }
        String key = LIBPQ.contains(name) ? name : PGJDBC_TO_LIBPQ.get(name);
        if (key == null) {
            throw new SQLException("unknown connection property \"" + name + "\" (in " + PREFIX
                    + " URL or Properties): use a libpq keyword (sslmode, application_name, connect_timeout, options, "
                    + "target_session_attrs, ...) or a pgjdbc property Tusk supports (ApplicationName, connectTimeout, "
                    + "currentSchema, targetServerType, prepareThreshold, socketTimeout, defaultRowFetchSize, ...)", "08001");
        }
        switch (name) {
            case "ssl" -> value = Boolean.parseBoolean(value) || value.isEmpty() ? "verify-full" : "disable";
            case "tcpKeepAlive" -> value = Boolean.parseBoolean(value) ? "1" : "0";
            case "loadBalanceHosts" -> value = Boolean.parseBoolean(value) ? "random" : "disable";
            case "targetServerType" -> value = targetSessionAttrs(value);
            default -> {
            }
        }
        if (key.equals("sslmode") && name.equals("ssl") && libpq.containsKey("sslmode")) {
            return; // an explicit sslmode wins over ssl=true
        }
        libpq.put(key, value);
    }

    private static String targetSessionAttrs(String v) throws SQLException {
        return switch (v) {
            case "any" -> "any";
            case "primary", "master" -> "primary";
            case "secondary", "standby" -> "standby";
            case "preferSecondary", "preferStandby" -> "prefer-standby";
            case "readWrite", "read-write" -> "read-write";
            case "readOnly", "read-only" -> "read-only";
            default -> throw new SQLException("targetServerType=" + v + " has no libpq equivalent: use any, primary, standby, "
                    + "preferStandby, readWrite or readOnly (target_session_attrs)", "08001");
        };
    }

    /** The URL this configuration came from. */
    public String url() {
        return url;
    }

    public String user() {
        return libpq.get("user");
    }

    /** A JDBC-only property, or null. */
    public String jdbc(String name) {
        return jdbc.get(name);
    }

    public int intProperty(String name, int dflt) throws SQLException {
        String v = jdbc.get(name);
        if (v == null || v.isEmpty()) {
            return dflt;
        }
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new SQLException("connection property " + name + " must be an integer, got \"" + v + "\"", "08001");
        }
    }

    public boolean boolProperty(String name, boolean dflt) {
        String v = jdbc.get(name);
        return v == null || v.isEmpty() ? dflt : Boolean.parseBoolean(v.trim());
    }

    /** The libpq keywords (user and password included) as Tusk's conninfo string; checked by Tusk. */
    public String conninfo() throws SQLException {
        Map<String, String> m = new LinkedHashMap<>(libpq);
        StringBuilder options = new StringBuilder(m.getOrDefault("options", ""));
        String schema = jdbc.get("currentSchema");
        if (schema != null && !schema.isEmpty()) {
            options.append(options.length() > 0 ? " " : "").append("-c search_path=").append(escapeOption(schema));
        }
        if (!options.toString().contains("TimeZone=") && !options.toString().contains("timezone=")) {
            // as pgjdbc: the session's time zone is the JVM's, so java.sql.Timestamp and LocalDateTime agree with it
            String tz = jdbc.getOrDefault("timezone", TimeZone.getDefault().getID());
            options.append(options.length() > 0 ? " " : "").append("-c TimeZone=").append(escapeOption(tz));
        }
        m.put("options", options.toString());
        try {
            String s = Conninfo.make(m);
            Conninfo.parse(s); // names and values checked before any connection attempt
            return s;
        } catch (TuskException e) {
            throw new SQLException(e.getMessage(), "08001", e);
        }
    }

    private static String escapeOption(String v) {
        return v.replace("\\", "\\\\").replace(" ", "\\ ");
    }

    /** Tusk's connect options: autocommit on (JDBC's rule), plus the JDBC-only settings Tusk has. */
    public ConnectOptions<Row> connectOptions() throws SQLException {
        ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo(conninfo()).autocommit(true);
        int threshold = intProperty("prepareThreshold", 5);
        b.prepareThreshold(threshold <= 0 ? null : threshold);
        String cacheSize = jdbc.get("preparedStatementCacheQueries");
        if (cacheSize != null) {
            b.preparedMax(intProperty("preparedStatementCacheQueries", 256));
        }
        int socketTimeout = intProperty("socketTimeout", 0);
        if (socketTimeout > 0) {
            b.socketTimeout(Duration.ofSeconds(socketTimeout));
        }
        int loginTimeout = intProperty("loginTimeout", 0);
        if (loginTimeout > 0 && !libpq.containsKey("connect_timeout")) {
            b.connectTimeout(loginTimeout);
        }
        String binaryTransfer = jdbc.get("binaryTransfer");
        if (binaryTransfer != null && !binaryTransfer.isEmpty()) { // unset: Tusk's automatic result format
            b.binary(boolProperty("binaryTransfer", false));
        }
        String stringtype = jdbc.get("stringtype");
        if (stringtype != null && !stringtype.equalsIgnoreCase("unspecified")) {
            throw new SQLException("stringtype=" + stringtype + " is not supported: Tusk always sends strings untyped "
                    + "(pgjdbc's stringtype=unspecified), so the server infers their type", "0A000");
        }
        String call = jdbc.get("escapeSyntaxCallMode");
        if (call != null && !Set.of("select", "call", "callIfNoReturn").contains(call)) {
            throw new SQLException("escapeSyntaxCallMode must be select, call or callIfNoReturn, got " + call, "08001");
        }
        return b.build();
    }

    @Override
    public String toString() {
        return url.toLowerCase(Locale.ROOT).contains("password") ? PREFIX + "..." : url;
    }
}
