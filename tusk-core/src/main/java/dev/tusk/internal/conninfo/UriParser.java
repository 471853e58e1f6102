package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Parses {@code postgresql://} and {@code postgres://} URIs as libpq's {@code conninfo_uri_parse} does:
 * <pre>
 * postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?keyword=value[&amp;...]]
 * </pre>
 * Hosts may be bracketed IPv6 literals; every component is percent-decoded (a host {@code %2Fvar%2Frun%2Fpostgresql}
 * is a unix socket directory); several hosts become comma-separated {@code host} and {@code port} values exactly
 * as libpq builds them; the query parameter {@code ssl=true} means {@code sslmode=require}.
 */
public final class UriParser {
    private static final String LONG_PREFIX = "postgresql://";
    private static final String SHORT_PREFIX = "postgres://";

    private UriParser() {
    }

    /** The length of the URI scheme designator {@code s} starts with, or 0 if it is not a URI. */
    public static int prefixLength(String s) {
        if (s.startsWith(LONG_PREFIX)) {
            return LONG_PREFIX.length();
        }
        if (s.startsWith(SHORT_PREFIX)) {
            return SHORT_PREFIX.length();
        }
        return 0;
    }

    public static Map<String, String> parse(String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        int n = uri.length();
        int start = prefixLength(uri);
        int p = start;
        while (p < n && uri.charAt(p) != '@' && uri.charAt(p) != '/') {
            p++;
        }
        if (p < n && uri.charAt(p) == '@') {
            int at = p;
            int colon = uri.indexOf(':', start);
            int userEnd = colon >= 0 && colon < at ? colon : at;
            String user = uri.substring(start, userEnd);
            if (!user.isEmpty()) {
                out.put("user", decode(user, uri));
            }
            if (userEnd < at) {
                String password = uri.substring(userEnd + 1, at);
                if (!password.isEmpty()) {
                    out.put("password", decodeSecret(password, uri, "the password"));
                }
            }
            p = at + 1;
        } else {
            p = start;
        }

        StringBuilder hosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        char terminator;
        while (true) {
            String host;
            if (p < n && uri.charAt(p) == '[') {
                int open = ++p;
                while (p < n && uri.charAt(p) != ']') {
                    p++;
                }
                if (p >= n) {
                    throw error("end of string reached when looking for matching \"]\" in IPv6 host address", uri);
                }
                if (p == open) {
                    throw error("IPv6 host address may not be empty", uri);
                }
                host = uri.substring(open, p);
                p++;
                if (p < n && ":/?,".indexOf(uri.charAt(p)) < 0) {
                    throw error("unexpected character \"" + uri.charAt(p) + "\" at position " + (p + 1)
                            + " (expected \":\" or \"/\")", uri);
                }
            } else {
                int hostStart = p;
                while (p < n && ":/?,".indexOf(uri.charAt(p)) < 0) {
                    p++;
                }
                host = uri.substring(hostStart, p);
            }
            terminator = p < n ? uri.charAt(p) : 0;
            hosts.append(host);
            if (terminator == ':') {
                int portStart = ++p;
                while (p < n && "/?,".indexOf(uri.charAt(p)) < 0) {
                    p++;
                }
                ports.append(uri, portStart, p);
                terminator = p < n ? uri.charAt(p) : 0;
            }
            if (terminator != ',') {
                break;
            }
            p++;
            hosts.append(',');
            ports.append(',');
        }
        if (hosts.length() > 0) {
            out.put("host", decode(hosts.toString(), uri));
        }
        if (ports.length() > 0) {
            out.put("port", decode(ports.toString(), uri));
        }
        if (terminator != 0 && terminator != '?') {
            int dbStart = ++p;
            while (p < n && uri.charAt(p) != '?') {
                p++;
            }
            String dbname = uri.substring(dbStart, p);
            terminator = p < n ? '?' : 0;
            // An empty dbname is left unset so that PGDATABASE still applies, as in libpq.
            if (!dbname.isEmpty()) {
                out.put("dbname", decode(dbname, uri));
            }
        }
        if (terminator == '?') {
            parseQuery(uri.substring(p + 1), uri, out);
        }
        return out;
    }

    private static void parseQuery(String query, String uri, Map<String, String> out) {
        int n = query.length();
        int p = 0;
        while (p < n) {
            int keyStart = p;
            int eq = -1;
            while (p < n && query.charAt(p) != '&') {
                if (query.charAt(p) == '=') {
                    if (eq >= 0) {
                        throw error("extra key/value separator \"=\" in URI query parameter \""
                                + query.substring(keyStart, eq) + "\"", uri);
                    }
                    eq = p;
                }
                p++;
            }
            if (eq < 0) {
                throw error("missing key/value separator \"=\" in URI query parameter \""
                        + query.substring(keyStart, p) + "\"", uri);
            }
            String key = decode(query.substring(keyStart, eq), uri);
            String value = ConninfoSecrets.SECRET_KEYWORDS.contains(key)
                    ? decodeSecret(query.substring(eq + 1, p), uri, "the value of \"" + key + "\"")
                    : decode(query.substring(eq + 1, p), uri);
            if (p < n) {
                p++;
            }
            if (key.equals("ssl") && value.equals("true")) {
                key = "sslmode";
                value = "require";
            }
            if (!Keywords.isKnown(key)) {
                String hint = Keywords.closest(key);
                throw error("invalid URI query parameter \"" + key + "\""
                        + (hint == null ? "" : "; did you mean \"" + hint + "\"?"), uri);
            }
            out.put(key, value);
        }
    }

    /** As {@link #decode}, for a secret: an error names {@code what}, never quotes any of it. */
    private static String decodeSecret(String s, String uri, String what) {
        return decode(s, uri, what);
    }

    static String decode(String s, String uri) {
        return decode(s, uri, null);
    }

    /** Percent-decodes {@code s} (as UTF-8); %00 and malformed escapes are errors, as in libpq. */
    private static String decode(String s, String uri, String secret) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        int n = s.length();
        for (int i = 0; i < n; ) {
            char c = s.charAt(i);
            if (c != '%') {
                int end = i + 1;
                while (end < n && s.charAt(end) != '%') {
                    end++;
                }
                bytes.writeBytes(s.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
                continue;
            }
            int hi = i + 1 < n ? Character.digit(s.charAt(i + 1), 16) : -1;
            int lo = i + 2 < n ? Character.digit(s.charAt(i + 2), 16) : -1;
            if (hi < 0 || lo < 0) {
                if (secret != null) {
                    throw error("invalid percent-encoded token in " + secret + ": \"%\" must be followed by two hex"
                            + " digits (write %25 for a literal %)", uri);
                }
                throw error("invalid percent-encoded token \"" + s.substring(i, Math.min(n, i + 3))
                        + "\" at \"" + s + "\": \"%\" must be followed by two hex digits (write %25 for a literal %)",
                        uri);
            }
            int b = hi * 16 + lo;
            if (b == 0) {
                if (secret != null) {
                    throw error("forbidden value %00 in " + secret, uri);
                }
                throw error("forbidden value %00 in percent-encoded value \"" + s + "\"", uri);
            }
            bytes.write(b);
            i += 3;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static ProgrammingException error(String what, String uri) {
        return new ProgrammingException(what + " in URI \"" + redact(uri) + "\"");
    }

    /**
     * The URI with the password masked: from the ":" after the user to the last "@" (a password with an
     * unencoded "/" or "@" is still masked whole), and the values of secret query parameters.
     */
    static String redact(String uri) {
        int start = prefixLength(uri);
        int at = uri.lastIndexOf('@');
        int colon = uri.indexOf(':', start);
        String masked = at < start || colon < 0 || colon > at ? uri : uri.substring(0, colon + 1) + "***" + uri.substring(at);
        return SECRET_PARAMETER.matcher(masked).replaceAll("$1***");
    }

    private static final Pattern SECRET_PARAMETER = Pattern.compile(
            "([?&](?:" + String.join("|", ConninfoSecrets.SECRET_KEYWORDS) + ")=)[^&]*");
}
