package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses libpq connection strings: {@code key=value} pairs (values in single quotes may hold spaces;
 * a backslash escapes the next character) and {@code postgresql://} / {@code postgres://} URIs
 * ({@code user:password@host1:port1,host2/dbname?key=value}, percent-encoding, {@code [IPv6]}).
 * Every keyword is checked; values are checked when the parameters are resolved.
 */
public final class ConninfoParser {
    private ConninfoParser() {
    }

    public static Map<String, String> parse(String conninfo) {
        if (conninfo == null) {
            return new LinkedHashMap<>();
        }
        String s = conninfo.strip();
        if (s.startsWith("postgresql://") || s.startsWith("postgres://")) {
            return parseUri(s);
        }
        return parseKeyValue(conninfo);
    }

    static Map<String, String> parseKeyValue(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int i = 0;
        int n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n) {
                return out;
            }
            int keyStart = i;
            while (i < n && s.charAt(i) != '=' && !Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            String key = s.substring(keyStart, i);
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                throw new ProgrammingException("missing \"=\" after \"" + key + "\" in connection info string"
                        + " (write key=value pairs, or a postgresql:// URI)");
            }
            i++;
            while (i < n && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && s.charAt(i) == '\'') {
                i++;
                boolean closed = false;
                while (i < n) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else if (c == '\'') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    throw new ProgrammingException("unterminated quoted string in connection info string (value of \"" + key + "\")");
                }
            } else {
                while (i < n && !Character.isWhitespace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < n) {
                        value.append(s.charAt(i++));
                    } else {
                        value.append(c);
                    }
                }
            }
            Keywords.requireKnown(key);
            out.put(key, value.toString());
        }
    }

    static Map<String, String> parseUri(String uri) {
        Map<String, String> out = new LinkedHashMap<>();
        String rest = uri.substring(uri.indexOf("://") + 3);
        int query = rest.indexOf('?');
        String queryPart = query >= 0 ? rest.substring(query + 1) : null;
        rest = query >= 0 ? rest.substring(0, query) : rest;
        int slash = rest.indexOf('/');
        String authority = slash >= 0 ? rest.substring(0, slash) : rest;
        if (slash >= 0 && slash + 1 < rest.length()) {
            out.put("dbname", decode(rest.substring(slash + 1), uri));
        }
        int at = authority.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = authority.substring(0, at);
            authority = authority.substring(at + 1);
            int colon = userInfo.indexOf(':');
            String user = colon >= 0 ? userInfo.substring(0, colon) : userInfo;
            if (!user.isEmpty()) {
                out.put("user", decode(user, uri));
            }
            if (colon >= 0) {
                out.put("password", decode(userInfo.substring(colon + 1), uri));
            }
        }
        parseHosts(authority, uri, out);
        if (queryPart != null && !queryPart.isEmpty()) {
            for (String pair : queryPart.split("&")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new ProgrammingException("extra key/value separator \"=\" or missing value in URI query parameter \""
                            + pair + "\": write key=value");
                }
                String key = decode(pair.substring(0, eq), uri);
                String value = decode(pair.substring(eq + 1), uri);
                if (key.equals("ssl") && value.equals("true")) { // the JDBC spelling libpq accepts
                    key = "sslmode";
                    value = "require";
                }
                Keywords.requireKnown(key);
                out.put(key, value);
            }
        }
        return out;
    }

    private static void parseHosts(String authority, String uri, Map<String, String> out) {
        if (authority.isEmpty()) {
            return;
        }
        StringBuilder hosts = new StringBuilder();
        StringBuilder ports = new StringBuilder();
        boolean anyPort = false;
        for (String spec : authority.split(",", -1)) {
            String host;
            String port = "";
            if (spec.startsWith("[")) {
                int close = spec.indexOf(']');
                if (close < 0) {
                    throw new ProgrammingException("end of string reached when looking for matching \"]\" in IPv6 host address in URI: \"" + uri + "\"");
                }
                host = spec.substring(1, close);
                String after = spec.substring(close + 1);
                if (!after.isEmpty()) {
                    if (!after.startsWith(":")) {
                        throw new ProgrammingException("unexpected character \"" + after.charAt(0) + "\" after IPv6 host address in URI: \"" + uri + "\"");
                    }
                    port = after.substring(1);
                }
            } else {
                int colon = spec.lastIndexOf(':');
                host = colon >= 0 ? spec.substring(0, colon) : spec;
                port = colon >= 0 ? spec.substring(colon + 1) : "";
            }
            if (hosts.length() > 0 || ports.length() > 0 || anyPort) {
                hosts.append(',');
                ports.append(',');
            }
            hosts.append(decode(host, uri));
            ports.append(decode(port, uri));
            anyPort |= !port.isEmpty();
        }
        if (!hosts.toString().replace(",", "").isEmpty()) {
            out.put("host", hosts.toString());
        }
        if (anyPort) {
            out.put("port", ports.toString());
        }
    }

    /** Percent-decoding as libpq: %XX with two hex digits, producing UTF-8 text; %00 is refused. */
    static String decode(String s, String uri) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '%') {
                byte[] b = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                continue;
            }
            if (i + 2 >= s.length()) {
                throw new ProgrammingException("invalid percent-encoded token \"" + s.substring(i) + "\" in URI \"" + uri + "\"");
            }
            int hi = Character.digit(s.charAt(i + 1), 16);
            int lo = Character.digit(s.charAt(i + 2), 16);
            if (hi < 0 || lo < 0) {
                throw new ProgrammingException("invalid percent-encoded token \"" + s.substring(i, i + 3) + "\" in URI \"" + uri + "\"");
            }
            int v = hi * 16 + lo;
            if (v == 0) {
                throw new ProgrammingException("forbidden value %00 in percent-encoded value \"" + s + "\"");
            }
            bytes.write(v);
            i += 2;
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
