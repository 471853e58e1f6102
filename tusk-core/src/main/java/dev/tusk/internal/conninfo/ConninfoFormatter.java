package dev.tusk.internal.conninfo;

import java.util.Map;

/** Writes parameters as a libpq {@code keyword=value} string that {@link ConninfoParser} reads back unchanged. */
public final class ConninfoFormatter {
    private ConninfoFormatter() {
    }

    /** {@code k1=v1 k2=v2 ...}, each value quoted by {@link #quote}. */
    public static String format(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<String, String> e : params.entrySet()) {
            if (sb.length() > 0) {
                sb.append(' ');
            }
            sb.append(e.getKey()).append('=').append(quote(e.getValue()));
        }
        return sb.toString();
    }

    /**
     * A value as libpq reads it back: unchanged when it is a plain run of characters; otherwise backslashes and
     * quotes escaped with a backslash, and the whole single-quoted when it is empty or holds whitespace, a quote
     * or a backslash.
     */
    public static String quote(String value) {
        if (value.isEmpty()) {
            return "''";
        }
        boolean plain = true;
        for (int i = 0; i < value.length() && plain; i++) {
            char c = value.charAt(i);
            plain = c != '\\' && c != '\'' && !ConninfoParser.isSpace(c);
        }
        if (plain) {
            return value;
        }
        StringBuilder sb = new StringBuilder(value.length() + 8).append('\'');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' || c == '\'') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('\'').toString();
    }
}
