package dev.tusk.internal.conninfo;

import java.util.Map;

/** Writes parameters as a {@code key=value} conninfo string, quoting values as libpq reads them back. */
public final class ConninfoWriter {
    private ConninfoWriter() {
    }

    public static String format(Map<String, String> params) {
        StringBuilder sb = new StringBuilder();
        params.forEach((k, v) -> {
            if (v != null) {
                sb.append(sb.length() == 0 ? "" : " ").append(k).append('=').append(quote(v));
            }
        });
        return sb.toString();
    }

    /** A value as is when it is safe, else in single quotes with {@code '} and {@code \} escaped. */
    public static String quote(String v) {
        boolean plain = !v.isEmpty();
        for (int i = 0; i < v.length() && plain; i++) {
            char c = v.charAt(i);
            plain = !Character.isWhitespace(c) && c != '\'' && c != '\\';
        }
        if (plain) {
            return v;
        }
        return "'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }
}
