package dev.tusk.internal.conninfo;

import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.ClientEncoding;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The checks libpq makes on keyword values before it opens a socket: enumerated keywords, integers, port lists,
 * {@code require_auth} lists and the combinations libpq refuses. Each failure is a ProgrammingException that names
 * the keyword and the value and lists what is allowed.
 */
public final class ValueRules {
    private static final Map<String, List<String>> ENUMS = Map.of(
            "sslmode", List.of("disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
            "channel_binding", List.of("disable", "prefer", "require"),
            "gssencmode", List.of("disable", "prefer", "require"),
            "sslnegotiation", List.of("postgres", "direct"),
            "sslcertmode", List.of("disable", "allow", "require"),
            "target_session_attrs", List.of("any", "read-write", "read-only", "primary", "standby", "prefer-standby"),
            "load_balance_hosts", List.of("disable", "random"),
            "min_protocol_version", List.of("3.0", "3.2", "latest"),
            "max_protocol_version", List.of("3.0", "3.2", "latest"));

    private static final List<String> TLS_VERSIONS = List.of("TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3");

    private static final Set<String> INTEGERS = Set.of("connect_timeout", "keepalives", "keepalives_idle",
            "keepalives_interval", "keepalives_count", "tcp_user_timeout");

    private static final List<String> AUTH_METHODS = List.of("password", "md5", "gss", "sspi", "scram-sha-256",
            "oauth", "none");

    private static final Pattern IPV4 = Pattern.compile("(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+(%[^%]+)?");

    private ValueRules() {
    }

    /** Checks one value of a known keyword on its own. */
    public static void check(String key, String value) {
        if (value == null) {
            return;
        }
        List<String> allowed = ENUMS.get(key);
        if (allowed != null) {
            if (!allowed.contains(value)) {
                throw invalid(key, value, allowed);
            }
        } else if (INTEGERS.contains(key)) {
            parseInt(key, value);
        } else {
            switch (key) {
                case "port" -> checkPorts(value);
                case "require_auth" -> checkRequireAuth(value);
                case "ssl_min_protocol_version", "ssl_max_protocol_version" -> tlsVersionRank(key, value);
                case "hostaddr" -> checkHostaddrs(value);
                default -> {
                }
            }
        }
    }

    /** Checks the rules that involve several keywords; {@code m} holds the effective values. */
    public static void checkCombination(Map<String, String> m) {
        if ("require".equals(m.get("gssencmode"))) {
            // as libpq built without GSSAPI: refuse before any traffic rather than connect without the encryption asked for
            throw new NotSupportedException("gssencmode value \"require\" invalid when GSSAPI support is not compiled in:"
                    + " Tusk has no GSSAPI, so it cannot encrypt with GSS; use gssencmode=disable (or prefer) and"
                    + " sslmode=require or stronger for an encrypted connection");
        }
        String sslmode = m.get("sslmode");
        if ("direct".equals(m.get("sslnegotiation")) && sslmode != null
                && !sslmode.startsWith("r") && !sslmode.startsWith("v")) {
            throw new ProgrammingException("weak sslmode \"" + sslmode + "\" may not be used with sslnegotiation=direct"
                    + " (use \"require\", \"verify-ca\", or \"verify-full\")");
        }
        if ("system".equals(m.get("sslrootcert")) && !"verify-full".equals(sslmode)) {
            throw new ProgrammingException("weak sslmode \"" + sslmode + "\" may not be used with sslrootcert=system"
                    + " (use \"verify-full\")");
        }
        int min = tlsVersionRank("ssl_min_protocol_version", m.get("ssl_min_protocol_version"));
        int max = tlsVersionRank("ssl_max_protocol_version", m.get("ssl_max_protocol_version"));
        if (min >= 0 && max >= 0 && min > max) {
            throw new ProgrammingException("invalid SSL protocol version range: ssl_min_protocol_version \""
                    + m.get("ssl_min_protocol_version") + "\" is above ssl_max_protocol_version \""
                    + m.get("ssl_max_protocol_version") + "\"");
        }
        String pmin = m.get("min_protocol_version");
        String pmax = m.get("max_protocol_version");
        if (pmin != null && pmax != null && protocolRank(pmin) > protocolRank(pmax)) {
            throw new ProgrammingException("min_protocol_version " + pmin + " cannot be greater than"
                    + " max_protocol_version " + pmax);
        }
    }

    /**
     * Tusk speaks UTF-8 only (see {@link dev.tusk.internal.core.ClientEncoding}): a {@code client_encoding}
     * other than UTF8 (or {@code auto}, which means the client's encoding, UTF-8 for Tusk), given as the keyword,
     * by PGCLIENTENCODING or a service file, or as {@code -c client_encoding=...} in {@code options}, is refused
     * here rather than silently replaced by UTF8. {@code explicit}: the keyword was given by the caller.
     */
    public static void checkClientEncoding(Map<String, String> m, boolean explicit) {
        String enc = m.get("client_encoding");
        if (enc != null && !enc.isEmpty() && !enc.equalsIgnoreCase("auto")
                && !ClientEncoding.isUtf8(enc)) {
            throw notUtf8(enc, explicit ? "client_encoding" : "client_encoding (from PGCLIENTENCODING or the service file)");
        }
        String options = m.get("options");
        if (options != null) {
            String inOptions = clientEncodingInOptions(options);
            if (inOptions != null && !ClientEncoding.isUtf8(inOptions)) {
                throw notUtf8(inOptions, "client_encoding in options \"" + options + "\"");
            }
        }
    }

    private static NotSupportedException notUtf8(String value, String where) {
        return new NotSupportedException(where + " is \"" + value + "\": Tusk speaks UTF-8 only (it sends and reads"
                + " every string as UTF-8, and quotes SQL literals for UTF-8), so the only client_encoding it accepts"
                + " is UTF8; remove the setting or set it to UTF8 (the database itself may use any encoding: the server"
                + " converts)");
    }

    /**
     * The value the server would give client_encoding from an {@code options} string: {@code -c name=value},
     * {@code -cname=value} or {@code --name=value}, words split at unescaped whitespace, a backslash taking the
     * next character literally, dashes in the name read as underscores (as the server reads them). The last
     * one wins; null when none is set.
     */
    static String clientEncodingInOptions(String options) {
        List<String> words = new ArrayList<>();
        StringBuilder w = null;
        for (int i = 0; i < options.length(); i++) {
            char c = options.charAt(i);
            if (Character.isWhitespace(c)) {
                if (w != null) {
                    words.add(w.toString());
                    w = null;
                }
                continue;
            }
            if (w == null) {
                w = new StringBuilder();
            }
            if (c == '\\' && i + 1 < options.length()) {
                c = options.charAt(++i);
            }
            w.append(c);
        }
        if (w != null) {
            words.add(w.toString());
        }
        String found = null;
        for (int i = 0; i < words.size(); i++) {
            String word = words.get(i);
            String setting = null;
            if (word.equals("-c") && i + 1 < words.size()) {
                setting = words.get(++i);
            } else if (word.startsWith("--")) {
                setting = word.substring(2);
            } else if (word.startsWith("-c")) {
                setting = word.substring(2);
            }
            int eq = setting == null ? -1 : setting.indexOf('=');
            if (eq > 0 && setting.substring(0, eq).replace('-', '_').equalsIgnoreCase("client_encoding")) {
                found = setting.substring(eq + 1);
            }
        }
        return found;
    }

    /** libpq's integer parsing: optional surrounding whitespace and sign, decimal digits, within int range. */
    public static int parseInt(String key, String value) {
        String t = value.strip();
        try {
            if (t.isEmpty() || !(Character.isDigit(t.charAt(0)) || t.charAt(0) == '-' || t.charAt(0) == '+')) {
                throw new NumberFormatException();
            }
            return Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new ProgrammingException("invalid integer value \"" + value + "\" for connection option \"" + key
                    + "\": expected a whole number");
        }
    }

    /** A port: empty means the default 5432, else 1..65535. */
    public static int parsePort(String value) {
        if (value == null || value.isEmpty()) {
            return 5432;
        }
        int port = parseInt("port", value);
        if (port < 1 || port > 65535) {
            throw new ProgrammingException("invalid port number: \"" + value + "\": a port is between 1 and 65535");
        }
        return port;
    }

    private static void checkPorts(String value) {
        for (String p : HostList.splitCommas(value)) {
            parsePort(p);
        }
    }

    private static void checkHostaddrs(String value) {
        for (String a : HostList.splitCommas(value)) {
            if (!a.isEmpty() && !isNumericAddress(a)) {
                throw new ProgrammingException("could not parse network address \"" + a + "\" in hostaddr: hostaddr"
                        + " takes numeric IPv4 or IPv6 addresses; put host names in host");
            }
        }
    }

    static boolean isNumericAddress(String a) {
        var m = IPV4.matcher(a);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return false;
                }
            }
            return true;
        }
        return a.indexOf(':') >= 0 && IPV6.matcher(a).matches();
    }

    private static void checkRequireAuth(String value) {
        if (value.isEmpty()) {
            return;
        }
        boolean negated = false;
        Set<String> seen = new HashSet<>();
        boolean first = true;
        for (String part : HostList.splitCommas(value)) {
            String method = part;
            if (method.startsWith("!")) {
                if (!first && !negated) {
                    throw new ProgrammingException("negative require_auth method \"" + method + "\" cannot be mixed"
                            + " with non-negative methods in \"" + value + "\"");
                }
                negated = true;
                method = method.substring(1);
            } else if (negated) {
                throw new ProgrammingException("require_auth method \"" + method + "\" cannot be mixed with negative"
                        + " methods in \"" + value + "\"");
            }
            first = false;
            if (!AUTH_METHODS.contains(method)) {
                throw new ProgrammingException("invalid require_auth value: \"" + method + "\"; allowed methods: "
                        + String.join(", ", AUTH_METHODS) + ", each optionally negated with \"!\"");
            }
            if (!seen.add(method)) {
                throw new ProgrammingException("require_auth method \"" + part + "\" is specified more than once");
            }
        }
    }

    /** The position of a TLS version in {@link #TLS_VERSIONS} (case-insensitive), -1 for null or empty. */
    private static int tlsVersionRank(String key, String value) {
        if (value == null || value.isEmpty()) {
            return -1;
        }
        for (int i = 0; i < TLS_VERSIONS.size(); i++) {
            if (TLS_VERSIONS.get(i).equalsIgnoreCase(value)) {
                return i;
            }
        }
        throw invalid(key, value, TLS_VERSIONS);
    }

    private static int protocolRank(String v) {
        return switch (v) {
            case "3.0" -> 0;
            case "3.2" -> 2;
            default -> 3;
        };
    }

    private static ProgrammingException invalid(String key, String value, List<String> allowed) {
        return new ProgrammingException("invalid " + key + " value: \"" + value + "\"; allowed values: "
                + String.join(", ", allowed));
    }
}
