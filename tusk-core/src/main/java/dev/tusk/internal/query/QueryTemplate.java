package dev.tusk.internal.query;

import dev.tusk.adapt.Format;
import dev.tusk.errors.ProgrammingException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A query with psycopg placeholders ({@code %s}, {@code %t}, {@code %b}, {@code %(name)s}, {@code %%})
 * converted to PostgreSQL's {@code $n} form, with the format each placeholder asks for.
 *
 * <p>Like psycopg, every {@code %} in the text is a placeholder or an escape, string literals included.
 * A name used twice refers to the same parameter.
 */
public final class QueryTemplate {
    private static final int CACHE_MAX = 512;
    private static final Map<String, QueryTemplate> CACHE = new ConcurrentHashMap<>();

    private final String sql;
    /** Per $n: null (the adapters choose), TEXT or BINARY. */
    private final Format[] formats;
    /** Per $n the parameter name, or null for positional templates. */
    private final String[] names;
    /** Where each placeholder sits in {@link #sql}: triples of (offset, length of "$n", parameter index). */
    private final int[] marks;

    private QueryTemplate(String sql, Format[] formats, String[] names, int[] marks) {
        this.sql = sql;
        this.formats = formats;
        this.names = names;
        this.marks = marks;
    }

    /** The template for {@code query}, from a bounded cache. */
    public static QueryTemplate of(String query) {
        Parsed last = lastParsed;
        if (last != null && last.query() == query) { // the same string as the last call: a statement in a loop
            return last.template();
        }
        QueryTemplate t = CACHE.get(query);
        if (t == null) {
            t = parse(query);
            if (CACHE.size() >= CACHE_MAX) {
                CACHE.clear();
            }
            CACHE.put(query, t);
        }
        lastParsed = new Parsed(query, t);
        return t;
    }

    private record Parsed(String query, QueryTemplate template) {
    }

    private static volatile Parsed lastParsed;

    static QueryTemplate parse(String q) {
        StringBuilder out = new StringBuilder(q.length() + 8);
        List<Format> formats = new ArrayList<>();
        Map<String, Integer> named = new LinkedHashMap<>();
        List<Integer> marks = new ArrayList<>();
        boolean positional = false;
        int n = q.length();
        for (int i = 0; i < n; i++) {
            char c = q.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            if (i + 1 >= n) {
                throw new ProgrammingException("incomplete placeholder: '%' at the end of the query (write '%%' for a literal '%')");
            }
            char k = q.charAt(i + 1);
            if (k == '%') {
                out.append('%');
                i++;
            } else if (k == '(') {
                int close = q.indexOf(')', i + 2);
                if (close < 0 || close + 1 >= n) {
                    throw new ProgrammingException("incomplete placeholder at position " + i + ": '%(' without ')s'");
                }
                String name = q.substring(i + 2, close);
                Format f = format(q.charAt(close + 1), i);
                if (positional) {
                    throw mixed();
                }
                Integer idx = named.get(name);
                if (idx == null) {
                    named.put(name, formats.size());
                    formats.add(f);
                    idx = formats.size() - 1;
                } else if (formats.get(idx) != f) {
                    throw new ProgrammingException("placeholder '%(" + name + ")' is used with different formats");
                }
                mark(marks, out, idx);
                i = close + 1;
            } else {
                Format f = format(k, i);
                if (!named.isEmpty()) {
                    throw mixed();
                }
                positional = true;
                formats.add(f);
                mark(marks, out, formats.size() - 1);
                i++;
            }
        }
        String[] names = null;
        if (!named.isEmpty()) {
            names = named.keySet().toArray(new String[0]);
        }
        return new QueryTemplate(out.toString(), formats.toArray(new Format[0]), names,
                marks.stream().mapToInt(Integer::intValue).toArray());
    }

    private static void mark(List<Integer> marks, StringBuilder out, int index) {
        int at = out.length();
        out.append('$').append(index + 1);
        marks.add(at);
        marks.add(out.length() - at);
        marks.add(index);
    }

    /** The query with every placeholder replaced by {@code literals[its parameter index]} (client-side binding). */
    public String merge(String[] literals) {
        StringBuilder out = new StringBuilder(sql.length() + 16 * literals.length);
        int from = 0;
        for (int m = 0; m < marks.length; m += 3) {
            out.append(sql, from, marks[m]).append(literals[marks[m + 2]]);
            from = marks[m] + marks[m + 1];
        }
        return out.append(sql, from, sql.length()).toString();
    }

    private static Format format(char k, int pos) {
        return switch (k) {
            case 's' -> null;
            case 't' -> Format.TEXT;
            case 'b' -> Format.BINARY;
            default -> throw new ProgrammingException("only '%s', '%b', '%t' are allowed as placeholders, got '%" + k
                    + "' at position " + pos + " (write '%%' for a literal '%')");
        };
    }

    private static ProgrammingException mixed() {
        return new ProgrammingException("positional and named placeholders cannot be mixed in one query");
    }

    public String sql() {
        return sql;
    }

    public int parameterCount() {
        return formats.length;
    }

    public Format format(int i) {
        return formats[i];
    }

    public boolean isNamed() {
        return names != null;
    }

    public String name(int i) {
        return names[i];
    }
}
