package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Every keyword libpq accepts in a connection string, in libpq's order (PostgreSQL 18), with the environment
 * variable and compiled default of each.
 *
 * <p>Two defaults follow what Tusk can do rather than a particular libpq build: {@code gssencmode} defaults to
 * {@code disable} (libpq built without GSSAPI does the same) and {@code channel_binding}/{@code sslmode} to
 * {@code prefer} (libpq built with TLS).
 */
public final class Keywords {
    private static final Map<String, Keyword> ALL = build();

    /** Names other drivers use (JDBC, DSN conventions) for libpq keywords. */
    private static final Map<String, String> ALIASES = Map.ofEntries(
            Map.entry("hostname", "host"), Map.entry("server", "host"), Map.entry("database", "dbname"),
            Map.entry("db", "dbname"), Map.entry("username", "user"), Map.entry("pass", "password"),
            Map.entry("passwd", "password"), Map.entry("pwd", "password"), Map.entry("ssl", "sslmode"),
            Map.entry("timeout", "connect_timeout"), Map.entry("connecttimeout", "connect_timeout"),
            Map.entry("applicationname", "application_name"), Map.entry("appname", "application_name"),
            Map.entry("currentschema", "options"), Map.entry("search_path", "options"));

    private Keywords() {
    }

    private static Map<String, Keyword> build() {
        Map<String, Keyword> m = new LinkedHashMap<>();
        add(m, "service", "PGSERVICE", null);
        add(m, "servicefile", "PGSERVICEFILE", null);
        add(m, "user", "PGUSER", null);
        add(m, "password", "PGPASSWORD", null);
        add(m, "passfile", "PGPASSFILE", null);
        add(m, "channel_binding", "PGCHANNELBINDING", "prefer");
        add(m, "connect_timeout", "PGCONNECT_TIMEOUT", null);
        add(m, "dbname", "PGDATABASE", null);
        add(m, "host", "PGHOST", null);
        add(m, "hostaddr", "PGHOSTADDR", null);
        add(m, "port", "PGPORT", "5432");
        add(m, "client_encoding", "PGCLIENTENCODING", null);
        add(m, "options", "PGOPTIONS", "");
        add(m, "application_name", "PGAPPNAME", null);
        add(m, "fallback_application_name", null, null);
        add(m, "keepalives", null, null);
        add(m, "keepalives_idle", null, null);
        add(m, "keepalives_interval", null, null);
        add(m, "keepalives_count", null, null);
        add(m, "tcp_user_timeout", null, null);
        add(m, "sslmode", "PGSSLMODE", "prefer");
        add(m, "sslnegotiation", "PGSSLNEGOTIATION", "postgres");
        add(m, "sslcompression", "PGSSLCOMPRESSION", "0");
        add(m, "sslcert", "PGSSLCERT", null);
        add(m, "sslkey", "PGSSLKEY", null);
        add(m, "sslcertmode", "PGSSLCERTMODE", "allow");
        add(m, "sslpassword", null, null);
        add(m, "sslkeylogfile", null, null);
        add(m, "sslrootcert", "PGSSLROOTCERT", null);
        add(m, "sslcrl", "PGSSLCRL", null);
        add(m, "sslcrldir", "PGSSLCRLDIR", null);
        add(m, "sslsni", "PGSSLSNI", "1");
        add(m, "requirepeer", "PGREQUIREPEER", null);
        add(m, "require_auth", "PGREQUIREAUTH", null);
        add(m, "ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION", "TLSv1.2");
        add(m, "ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION", null);
        add(m, "min_protocol_version", "PGMINPROTOCOLVERSION", null);
        add(m, "max_protocol_version", "PGMAXPROTOCOLVERSION", null);
        add(m, "gssencmode", "PGGSSENCMODE", "disable");
        add(m, "krbsrvname", "PGKRBSRVNAME", "postgres");
        add(m, "gsslib", "PGGSSLIB", null);
        add(m, "gssdelegation", "PGGSSDELEGATION", "0");
        add(m, "replication", null, null);
        add(m, "target_session_attrs", "PGTARGETSESSIONATTRS", "any");
        add(m, "load_balance_hosts", "PGLOADBALANCEHOSTS", "disable");
        add(m, "scram_client_key", null, null);
        add(m, "scram_server_key", null, null);
        add(m, "oauth_issuer", null, null);
        add(m, "oauth_client_id", null, null);
        add(m, "oauth_client_secret", null, null);
        add(m, "oauth_scope", null, null);
        return Collections.unmodifiableMap(m);
    }

    private static void add(Map<String, Keyword> m, String name, String env, String def) {
        m.put(name, new Keyword(name, env, def));
    }

    /** All keywords, in libpq's order. */
    public static Map<String, Keyword> all() {
        return ALL;
    }

    public static boolean isKnown(String name) {
        return ALL.containsKey(name);
    }

    /** The keyword called {@code name}; a ProgrammingException naming it (and the closest known one) if none. */
    public static Keyword require(String name) {
        Keyword k = ALL.get(name);
        if (k == null) {
            throw unknown(name);
        }
        return k;
    }

    static ProgrammingException unknown(String name) {
        String hint = closest(name);
        return new ProgrammingException("invalid connection option \"" + name + "\""
                + (hint == null ? "; see the libpq documentation, \"Parameter Key Words\", for the valid ones"
                        : "; did you mean \"" + hint + "\"?"));
    }

    /** The known keyword closest to {@code name} by edit distance, or null if none is plausibly meant. */
    static String closest(String name) {
        String lower = name.toLowerCase(Locale.ROOT).replace('-', '_');
        if (ALL.containsKey(lower)) {
            return lower;
        }
        String alias = ALIASES.get(lower.replace("_", ""));
        if (alias == null) {
            alias = ALIASES.get(lower);
        }
        if (alias != null) {
            return alias;
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : ALL.keySet()) {
            int d = distance(lower, k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        int tolerance = Math.max(2, Math.min(name.length(), best == null ? 0 : best.length()) / 3);
        return bestDistance <= tolerance ? best : null;
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }
}
