package dev.tusk.testing;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Parses and formats libpq connection strings, for the harness's own use (reading {@code TUSK_TEST_DSN} and
 * writing the strings handed to tests). Both the {@code key=value} form and the {@code postgresql://} URI form
 * are read; only the first host of a multi-host string is kept.
 */
final class Conninfo {

    private Conninfo() {
    }

    /** Parses {@code text} into an ordered map of libpq keywords to values. */
    static Map<String, String> parse(String text) {
        String trimmed = text.strip();
        if (trimmed.startsWith("postgresql://") || trimmed.startsWith("postgres://")) {
            return parseUri(trimmed);
        }
        return parseKeyValue(trimmed);
    }

    /** Formats {@code params} as a libpq {@code key=value} string, quoting values where libpq needs it. */
    static String format(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (out.length() > 0) {
                out.append(' ');
            }
            out.append(e.getKey()).append('=').append(quote(e.getValue()));
        }
        return out.toString();
    }

    static String quote(String value) {
        boolean plain = !value.isEmpty();
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = !Character.isWhitespace(c) && c != '\'' && c != '\\';
        }
        if (plain) {
            return value;
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    private static Map<String, String> parseKeyValue(String text) {
        Map<String, String> params = new LinkedHashMap<>();
        int i = 0;
        int n = text.length();
        while (i < n) {
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int keyStart = i;
            while (i < n && text.charAt(i) != '=' && !Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            String key = text.substring(keyStart, i);
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            if (i >= n || text.charAt(i) != '=') {
                throw new IllegalArgumentException("missing \"=\" after \"" + key + "\" in connection string: " + text);
            }
            i++;
            while (i < n && Character.isWhitespace(text.charAt(i))) {
                i++;
            }
            StringBuilder value = new StringBuilder();
            if (i < n && text.charAt(i) == '\'') {
                i++;
                while (true) {
                    if (i >= n) {
                        throw new IllegalArgumentException("unterminated quoted value in connection string: " + text);
                    }
                    char c = text.charAt(i++);
                    if (c == '\'') {
                        break;
                    }
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            } else {
                while (i < n && !Character.isWhitespace(text.charAt(i))) {
                    char c = text.charAt(i++);
                    if (c == '\\' && i < n) {
                        c = text.charAt(i++);
                    }
                    value.append(c);
                }
            }
            params.put(key, value.toString());
        }
        return params;
    }

    private static Map<String, String> parseUri(String uri) {
        Map<String, String> params = new LinkedHashMap<>();
        String rest = uri.substring(uri.indexOf("://") + 3);
        String query = null;
        int q = rest.indexOf('?');
        if (q >= 0) {
            query = rest.substring(q + 1);
            rest = rest.substring(0, q);
        }
        String path = null;
        int slash = rest.indexOf('/');
        if (slash >= 0) {
            path = rest.substring(slash + 1);
            rest = rest.substring(0, slash);
        }
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            rest = rest.substring(at + 1);
            int colon = userInfo.indexOf(':');
            if (colon >= 0) {
                putIfNotEmpty(params, "user", decode(userInfo.substring(0, colon)));
                params.put("password", decode(userInfo.substring(colon + 1)));
            } else {
                putIfNotEmpty(params, "user", decode(userInfo));
            }
        }
        String firstHost = rest.split(",", -1)[0];
        if (firstHost.startsWith("[")) {
            int close = firstHost.indexOf(']');
            putIfNotEmpty(params, "host", firstHost.substring(1, close));
            if (close + 1 < firstHost.length() && firstHost.charAt(close + 1) == ':') {
                putIfNotEmpty(params, "port", firstHost.substring(close + 2));
            }
        } else {
            int colon = firstHost.lastIndexOf(':');
            if (colon >= 0) {
                putIfNotEmpty(params, "host", decode(firstHost.substring(0, colon)));
                putIfNotEmpty(params, "port", firstHost.substring(colon + 1));
            } else {
                putIfNotEmpty(params, "host", decode(firstHost));
            }
        }
        if (path != null) {
            putIfNotEmpty(params, "dbname", decode(path));
        }
        if (query != null) {
            for (String pair : query.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq < 0) {
                    throw new IllegalArgumentException("missing \"=\" in URI parameter \"" + pair + "\": " + uri);
                }
                params.put(decode(pair.substring(0, eq)), decode(pair.substring(eq + 1)));
            }
        }
        return params;
    }

    private static void putIfNotEmpty(Map<String, String> params, String key, String value) {
        if (!value.isEmpty()) {
            params.put(key, value);
        }
    }

    private static String decode(String s) {
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
