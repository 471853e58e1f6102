package dev.tusk.r2dbc;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What the driver needs to know of a statement's text: its {@code $n} bind markers (outside string literals,
 * quoted identifiers, dollar quotes and comments), its first keyword, and the same text with {@code %s}
 * placeholders for Tusk's server cursors.
 */
final class Sql {
    final String text;
    /** The highest {@code $n} in the text: the number of parameters a binding must supply. */
    final int paramCount;
    /** The 0-based parameter index of each marker, in the order they appear. */
    private final int[] markers;
    /** Where each marker starts and ends in the text. */
    private final int[] starts;
    private final int[] ends;
    /** The first keyword, upper case ("SELECT", "INSERT", "WITH"...); empty when there is none. */
    final String keyword;

    private Sql(String text, int paramCount, int[] markers, int[] starts, int[] ends, String keyword) {
        this.text = text;
        this.paramCount = paramCount;
        this.markers = markers;
        this.starts = starts;
        this.ends = ends;
        this.keyword = keyword;
    }

    /** Parsed statements by text, shared by every connection: an application runs the same few texts again and again. */
    private static final java.util.concurrent.ConcurrentHashMap<String, Sql> CACHE = new java.util.concurrent.ConcurrentHashMap<>();
    private static final int CACHE_MAX = 1024;
    private static final int CACHEABLE_LENGTH = 4096;

    /** {@link #parse}, remembered for texts up to 4 KB (at most 1,024 of them, forgotten all at once beyond). */
    static Sql cached(String text) {
        if (text.length() > CACHEABLE_LENGTH) {
            return parse(text);
        }
        Sql sql = CACHE.get(text);
        if (sql == null) {
            sql = parse(text);
            if (CACHE.size() >= CACHE_MAX) {
                CACHE.clear();
            }
            CACHE.put(text, sql);
        }
        return sql;
    }

    static Sql parse(String text) {
        List<int[]> found = new ArrayList<>();
        int max = 0;
        int n = text.length();
        int i = 0;
        while (i < n) {
            char c = text.charAt(i);
            if (c == '\'' || c == '"') {
                i = skipQuoted(text, i, c);
            } else if (c == '-' && i + 1 < n && text.charAt(i + 1) == '-') {
                int nl = text.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && text.charAt(i + 1) == '*') {
                i = skipBlockComment(text, i);
            } else if (c == '$') {
                int j = i + 1;
                while (j < n && Character.isDigit(text.charAt(j))) {
                    j++;
                }
                if (j > i + 1 && (i == 0 || !isIdentChar(text.charAt(i - 1)))) {
                    int idx = Integer.parseInt(text.substring(i + 1, j));
                    found.add(new int[] {idx - 1, i, j});
                    max = Math.max(max, idx);
                    i = j;
                } else if (j == i + 1 && (i == 0 || !isIdentChar(text.charAt(i - 1)))) {
                    i = skipDollarQuote(text, i);
                } else {
                    i = j;
                }
            } else {
                i++;
            }
        }
        int[] markers = new int[found.size()];
        int[] starts = new int[found.size()];
        int[] ends = new int[found.size()];
        for (int k = 0; k < found.size(); k++) {
            markers[k] = found.get(k)[0];
            starts[k] = found.get(k)[1];
            ends[k] = found.get(k)[2];
        }
        return new Sql(text, max, markers, starts, ends, firstKeyword(text));
    }

    /** Whether the statement returns rows that a portal can fetch in chunks (SELECT, VALUES, TABLE, WITH ... SELECT). */
    boolean isQuery() {
        return keyword.equals("SELECT") || keyword.equals("VALUES") || keyword.equals("TABLE") || keyword.equals("WITH");
    }

    /** Whether RETURNING may be appended (INSERT, UPDATE, DELETE, MERGE). */
    boolean acceptsReturning() {
        return keyword.equals("INSERT") || keyword.equals("UPDATE") || keyword.equals("DELETE") || keyword.equals("MERGE");
    }

    /** The text with every {@code $n} turned into {@code %s} and every {@code %} doubled (Tusk's template syntax). */
    String percentTemplate() {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        int pos = 0;
        for (int k = 0; k <= markers.length; k++) {
            int upTo = k < markers.length ? starts[k] : text.length();
            for (int i = pos; i < upTo; i++) {
                char c = text.charAt(i);
                sb.append(c);
                if (c == '%') {
                    sb.append('%');
                }
            }
            if (k < markers.length) {
                sb.append("%s");
                pos = ends[k];
            }
        }
        return sb.toString();
    }

    /** The values for {@link #percentTemplate()}: one per marker occurrence, in text order. */
    Object[] percentParams(Object[] values) {
        Object[] out = new Object[markers.length];
        for (int k = 0; k < markers.length; k++) {
            out[k] = values[markers[k]];
        }
        return out;
    }

    private static boolean isIdentChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static int skipQuoted(String s, int i, char q) {
        int n = s.length();
        int j = i + 1;
        while (j < n) {
            if (s.charAt(j) == q) {
                if (j + 1 < n && s.charAt(j + 1) == q) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            if (q == '\'' && s.charAt(j) == '\\' && i > 0 && (s.charAt(i - 1) == 'E' || s.charAt(i - 1) == 'e')) {
                j += 2;
                continue;
            }
            j++;
        }
        return n;
    }

    private static int skipBlockComment(String s, int i) {
        int depth = 0;
        int n = s.length();
        int j = i;
        while (j < n) {
            if (s.startsWith("/*", j)) {
                depth++;
                j += 2;
            } else if (s.startsWith("*/", j)) {
                depth--;
                j += 2;
                if (depth == 0) {
                    return j;
                }
            } else {
                j++;
            }
        }
        return n;
    }

    /** At {@code $}: skips a dollar-quoted string ($$...$$ or $tag$...$tag$); else one character. */
    private static int skipDollarQuote(String s, int i) {
        int n = s.length();
        int j = i + 1;
        while (j < n && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
        }
        if (j >= n || s.charAt(j) != '$') {
            return i + 1;
        }
        String tag = s.substring(i, j + 1);
        int end = s.indexOf(tag, j + 1);
        return end < 0 ? n : end + tag.length();
    }

    private static String firstKeyword(String s) {
        int n = s.length();
        int i = 0;
        while (i < n) {
            char c = s.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && s.charAt(i + 1) == '-') {
                int nl = s.indexOf('\n', i);
                i = nl < 0 ? n : nl + 1;
            } else if (c == '/' && i + 1 < n && s.charAt(i + 1) == '*') {
                i = skipBlockComment(s, i);
            } else {
                break;
            }
        }
        int j = i;
        while (j < n && Character.isLetter(s.charAt(j))) {
            j++;
        }
        return s.substring(i, j).toUpperCase(Locale.ROOT);
    }
}
