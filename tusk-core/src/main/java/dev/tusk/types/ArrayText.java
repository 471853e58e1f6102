package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.util.ArrayList;
import java.util.List;

/**
 * The text form of PostgreSQL arrays, as array_in reads and array_out writes it:
 * {@code {1,2,NULL}}, {@code {{"a b","c\"d"},{e,""}}}, {@code [0:1]={x,y}}.
 *
 * <pre>{@code
 * List<Object> v = ArrayText.parse("{{1,2},{3,NULL}}", ',');  // [[1, 2], [3, null]] as strings
 * }</pre>
 */
public final class ArrayText {
    private ArrayText() {
    }

    /**
     * Parses an array literal into nested lists of {@code String} elements ({@code null} for NULL). A
     * dimension decoration ({@code [2:3]=}) is accepted and its bounds dropped.
     */
    public static List<Object> parse(String s, char delim) {
        Parser p = new Parser(s, delim);
        p.skipSpace();
        if (p.peek() == '[') {
            int eq = s.indexOf('=', p.pos);
            if (eq < 0) {
                throw p.bad("a dimension decoration must end with '='");
            }
            p.pos = eq + 1;
            p.skipSpace();
        }
        List<Object> out = p.level();
        p.skipSpace();
        if (p.pos != s.length()) {
            throw p.bad("junk after the closing brace");
        }
        return out;
    }

    /** The lower bounds of an array literal's dimensions: all 1 unless it starts with {@code [lb:ub]...=}. */
    public static int[] lowerBounds(String s) {
        List<Integer> out = new ArrayList<>();
        int i = 0;
        while (i < s.length() && s.charAt(i) == '[') {
            int colon = s.indexOf(':', i);
            out.add(Integer.parseInt(s.substring(i + 1, colon).trim()));
            i = s.indexOf(']', colon) + 1;
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    /** Parses a one-dimensional array literal. */
    public static List<Object> parseFlat(String s, char delim) {
        return parse(s, delim);
    }

    private static final class Parser {
        final String s;
        final char delim;
        int pos;

        Parser(String s, char delim) {
            this.s = s;
            this.delim = delim;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < s.length() && isSpace(s.charAt(pos))) {
                pos++;
            }
        }

        DataException bad(String why) {
            String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
            return new DataException("malformed array literal \"" + shown + "\" at position " + pos + ": " + why);
        }

        List<Object> level() {
            if (peek() != '{') {
                throw bad("expected '{'");
            }
            pos++;
            List<Object> out = new ArrayList<>();
            skipSpace();
            if (peek() == '}') {
                pos++;
                return out;
            }
            while (true) {
                skipSpace();
                char c = peek();
                if (c == '{') {
                    out.add(level());
                } else if (c == '"') {
                    out.add(quoted());
                } else {
                    out.add(unquoted());
                }
                skipSpace();
                c = peek();
                pos++;
                if (c == '}') {
                    return out;
                }
                if (c != delim) {
                    pos--;
                    throw bad("expected '" + delim + "' or '}'");
                }
            }
        }

        String quoted() {
            pos++;
            StringBuilder sb = new StringBuilder();
            while (true) {
                if (pos >= s.length()) {
                    throw bad("unterminated quoted element");
                }
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw bad("unterminated escape");
                    }
                    c = s.charAt(pos++);
                }
                sb.append(c);
            }
        }

        String unquoted() {
            StringBuilder sb = new StringBuilder();
            int keep = 0; // length not subject to trailing-space trimming (escaped chars)
            boolean escaped = false;
            while (true) {
                if (pos >= s.length()) {
                    throw bad("unterminated array");
                }
                char c = s.charAt(pos);
                if (c == delim || c == '}') {
                    break;
                }
                if (c == '{' || c == '"') {
                    throw bad("unexpected '" + c + "'");
                }
                pos++;
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw bad("unterminated escape");
                    }
                    sb.append(s.charAt(pos++));
                    keep = sb.length();
                    escaped = true;
                } else {
                    sb.append(c);
                    if (!isSpace(c)) {
                        keep = sb.length();
                    }
                }
            }
            sb.setLength(keep);
            if (sb.length() == 0 && !escaped) {
                throw bad("empty unquoted element");
            }
            String v = sb.toString();
            return !escaped && v.equalsIgnoreCase("NULL") ? null : v;
        }
    }

    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0x0B || c == '\f';
    }

    /** Appends one element as array_out writes it: quoted when needed, with {@code "} and {@code \} escaped. */
    public static void appendElement(StringBuilder sb, String v, char delim) {
        if (v == null) {
            sb.append("NULL");
            return;
        }
        boolean quote = v.isEmpty() || v.equalsIgnoreCase("NULL");
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c == '"' || c == '\\' || c == '{' || c == '}' || c == delim || isSpace(c);
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** Writes nested lists of strings (null for NULL) as an array literal. */
    public static String format(List<?> nested, char delim) {
        StringBuilder sb = new StringBuilder();
        append(sb, nested, delim);
        return sb.toString();
    }

    private static void append(StringBuilder sb, List<?> list, char delim) {
        sb.append('{');
        for (int i = 0; i < list.size(); i++) {
            if (i > 0) {
                sb.append(delim);
            }
            Object o = list.get(i);
            if (o instanceof List<?> sub) {
                append(sb, sub, delim);
            } else {
                appendElement(sb, (String) o, delim);
            }
        }
        sb.append('}');
    }
}
