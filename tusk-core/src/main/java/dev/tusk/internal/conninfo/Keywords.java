package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every libpq connection keyword (PostgreSQL 18), the environment variable that supplies its default,
 * and the values it accepts. Checking here means a typo fails before any network traffic.
 */
public final class Keywords {
    /** keyword → environment variable (null when there is none). Ordered as libpq documents them. */
    static final Map<String, String> ENV = new LinkedHashMap<>();

    static {
        String[][] table = {
            {"host", "PGHOST"}, {"hostaddr", "PGHOSTADDR"}, {"port", "PGPORT"}, {"dbname", "PGDATABASE"},
            {"user", "PGUSER"}, {"password", "PGPASSWORD"}, {"passfile", "PGPASSFILE"},
            {"require_auth", "PGREQUIREAUTH"}, {"channel_binding", "PGCHANNELBINDING"},
            {"connect_timeout", "PGCONNECT_TIMEOUT"}, {"client_encoding", "PGCLIENTENCODING"},
            {"options", "PGOPTIONS"}, {"application_name", "PGAPPNAME"}, {"fallback_application_name", null},
            {"keepalives", null}, {"keepalives_idle", null}, {"keepalives_interval", null}, {"keepalives_count", null},
            {"tcp_user_timeout", null}, {"replication", null}, {"gssencmode", "PGGSSENCMODE"},
            {"sslmode", "PGSSLMODE"}, {"requiressl", "PGREQUIRESSL"}, {"sslnegotiation", "PGSSLNEGOTIATION"},
            {"sslcompression", "PGSSLCOMPRESSION"}, {"sslcert", "PGSSLCERT"}, {"sslkey", "PGSSLKEY"},
            {"sslkeylogfile", null}, {"sslpassword", null}, {"sslcertmode", "PGSSLCERTMODE"},
            {"sslrootcert", "PGSSLROOTCERT"}, {"sslcrl", "PGSSLCRL"}, {"sslcrldir", "PGSSLCRLDIR"},
            {"sslsni", "PGSSLSNI"}, {"requirepeer", "PGREQUIREPEER"},
            {"ssl_min_protocol_version", "PGSSLMINPROTOCOLVERSION"}, {"ssl_max_protocol_version", "PGSSLMAXPROTOCOLVERSION"},
            {"min_protocol_version", "PGMINPROTOCOLVERSION"}, {"max_protocol_version", "PGMAXPROTOCOLVERSION"},
            {"krbsrvname", "PGKRBSRVNAME"}, {"gsslib", "PGGSSLIB"}, {"gssdelegation", "PGGSSDELEGATION"},
            {"service", "PGSERVICE"}, {"servicefile", "PGSERVICEFILE"}, {"target_session_attrs", "PGTARGETSESSIONATTRS"},
            {"load_balance_hosts", "PGLOADBALANCEHOSTS"}, {"scram_client_key", null}, {"scram_server_key", null},
            {"oauth_issuer", null}, {"oauth_client_id", null}, {"oauth_client_secret", null}, {"oauth_scope", null},
        };
        for (String[] row : table) {
            ENV.put(row[0], row[1]);
        }
    }

    private static final Map<String, Set<String>> CHOICES = Map.ofEntries(
            Map.entry("sslmode", Set.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full")),
            Map.entry("channel_binding", Set.of("disable", "prefer", "require")),
            Map.entry("gssencmode", Set.of("disable", "prefer", "require")),
            Map.entry("sslnegotiation", Set.of("postgres", "direct")),
            Map.entry("sslcertmode", Set.of("disable", "allow", "require")),
            Map.entry("target_session_attrs", Set.of("any", "read-write", "read-only", "primary", "standby", "prefer-standby")),
            Map.entry("load_balance_hosts", Set.of("disable", "random")),
            Map.entry("replication", Set.of("true", "on", "yes", "1", "false", "off", "no", "0", "database")),
            Map.entry("ssl_min_protocol_version", Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")),
            Map.entry("ssl_max_protocol_version", Set.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3")),
            Map.entry("min_protocol_version", Set.of("3.0", "3.2", "latest")),
            Map.entry("max_protocol_version", Set.of("3.0", "3.2", "latest")));

    private static final Set<String> INTEGERS = Set.of("connect_timeout", "keepalives", "keepalives_idle",
            "keepalives_interval", "keepalives_count", "tcp_user_timeout", "sslcompression", "sslsni", "gssdelegation", "requiressl");

    private static final List<String> AUTH_METHODS = List.of("password", "md5", "gss", "sspi", "scram-sha-256", "oauth", "none");

    private Keywords() {
    }

    public static boolean isKnown(String keyword) {
        return ENV.containsKey(keyword);
    }

    /** Refuses an unknown keyword, suggesting the closest known one. */
    public static void requireKnown(String keyword) {
        if (!isKnown(keyword)) {
            String close = closest(keyword);
            throw new ProgrammingException("invalid connection option \"" + keyword + "\""
                    + (close != null ? ": did you mean \"" + close + "\"?" : ": see libpq's list of parameter key words"));
        }
    }

    /** Refuses a value the keyword cannot take; empty values mean "the default" in libpq and pass. */
    static void checkValue(String keyword, String value) {
        if (value == null || value.isEmpty()) {
            return;
        }
        Set<String> choices = CHOICES.get(keyword);
        if (choices != null && !choices.contains(value)) {
            throw new ProgrammingException("invalid " + keyword + " value: \"" + value + "\"; allowed: "
                    + String.join(", ", choices.stream().sorted().toList()));
        }
        if (INTEGERS.contains(keyword)) {
            requireInteger(keyword, value.trim());
        } else if (keyword.equals("port")) {
            for (String p : value.split(",", -1)) {
                if (!p.isBlank()) {
                    int n = requireInteger("port", p.trim());
                    if (n < 1 || n > 65535) {
                        throw new ProgrammingException("invalid port number: \"" + p.trim() + "\" (1 to 65535)");
                    }
                }
            }
        } else if (keyword.equals("require_auth")) {
            checkRequireAuth(value);
        }
    }

    private static int requireInteger(String keyword, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw new ProgrammingException("invalid integer value \"" + value + "\" for connection option \"" + keyword + "\"");
        }
    }

    private static void checkRequireAuth(String value) {
        Boolean negated = null;
        for (String raw : value.split(",")) {
            String m = raw.trim();
            boolean neg = m.startsWith("!");
            String method = neg ? m.substring(1) : m;
            if (!AUTH_METHODS.contains(method)) {
                throw new ProgrammingException("invalid require_auth method: \"" + m + "\"; allowed: "
                        + String.join(", ", AUTH_METHODS) + " (prefix with ! to forbid one)");
            }
            if (negated != null && negated != neg) {
                throw new ProgrammingException("require_auth \"" + value + "\" mixes negated and non-negated methods");
            }
            negated = neg;
        }
    }

    /** The known keyword nearest to a typo (edit distance at most 3), or null. */
    static String closest(String keyword) {
        String best = null;
        int bestDistance = 4;
        for (String k : ENV.keySet()) {
            int d = distance(keyword.toLowerCase(java.util.Locale.ROOT), k);
            if (d < bestDistance) {
                bestDistance = d;
                best = k;
            }
        }
        return best;
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
