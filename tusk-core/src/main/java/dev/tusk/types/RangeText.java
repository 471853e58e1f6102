package dev.tusk.types;

import dev.tusk.errors.DataException;

import java.util.ArrayList;
import java.util.List;

/**
 * The text form of ranges and multiranges as range_in/range_out and multirange_in/multirange_out
 * read and write it: {@code [1,5)}, {@code (,"2024-01-01 00:00:00"]}, {@code empty}, {@code {[1,3),[5,7)}}.
 * Bounds are parsed to strings ({@code null} for infinite) for the subtype's loader to finish.
 */
final class RangeText {
    private RangeText() {
    }

    /** Parses a range literal; its bounds are strings, {@code null} when infinite. */
    static Range<String> parseRange(String s) {
        Parser p = new Parser(s);
        p.skipSpace();
        Range<String> r = p.range();
        p.skipSpace();
        if (p.pos != s.length()) {
            throw p.bad("junk after the range");
        }
        return r;
    }

    /** Parses a multirange literal into its ranges, bounds as strings. */
    static List<Range<String>> parseMultirange(String s) {
        Parser p = new Parser(s);
        p.skipSpace();
        p.expect('{');
        List<Range<String>> out = new ArrayList<>();
        p.skipSpace();
        if (p.peek() == '}') {
            p.pos++;
        } else {
            while (true) {
                p.skipSpace();
                out.add(p.range());
                p.skipSpace();
                char c = p.peek();
                p.pos++;
                if (c == '}') {
                    break;
                }
                if (c != ',') {
                    p.pos--;
                    throw p.bad("expected ',' or '}'");
                }
            }
        }
        p.skipSpace();
        if (p.pos != s.length()) {
            throw p.bad("junk after the multirange");
        }
        return out;
    }

    /** Appends a range with bounds already in their text form ({@code null}: infinite), quoted as range_out does. */
    static void append(StringBuilder sb, Range<?> r, String lowerText, String upperText) {
        if (r.isEmpty()) {
            sb.append("empty");
            return;
        }
        sb.append(r.lowerInclusive() ? '[' : '(');
        appendBound(sb, lowerText);
        sb.append(',');
        appendBound(sb, upperText);
        sb.append(r.upperInclusive() ? ']' : ')');
    }

    private static void appendBound(StringBuilder sb, String v) {
        if (v == null) {
            return;
        }
        boolean quote = v.isEmpty();
        for (int i = 0; i < v.length() && !quote; i++) {
            char c = v.charAt(i);
            quote = c == '"' || c == '\\' || c == '(' || c == ')' || c == '[' || c == ']' || c == ','
                    || ArrayText.isSpace(c);
        }
        if (!quote) {
            sb.append(v);
            return;
        }
        sb.append('"');
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append(c);
            }
            sb.append(c);
        }
        sb.append('"');
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        char peek() {
            return pos < s.length() ? s.charAt(pos) : '\0';
        }

        void skipSpace() {
            while (pos < s.length() && ArrayText.isSpace(s.charAt(pos))) {
                pos++;
            }
        }

        void expect(char c) {
            if (peek() != c) {
                throw bad("expected '" + c + "'");
            }
            pos++;
        }

        DataException bad(String why) {
            String shown = s.length() > 80 ? s.substring(0, 80) + "..." : s;
            return new DataException("malformed range literal \"" + shown + "\" at position " + pos + ": " + why);
        }

        Range<String> range() {
            if (s.regionMatches(true, pos, "empty", 0, 5)) {
                pos += 5;
                return Range.empty();
            }
            char open = peek();
            if (open != '[' && open != '(') {
                throw bad("expected '[', '(' or \"empty\"");
            }
            pos++;
            String lower = bound();
            expect(',');
            String upper = bound();
            char close = peek();
            if (close != ']' && close != ')') {
                throw bad("expected ']' or ')'");
            }
            pos++;
            return Range.of(lower, open == '[', upper, close == ']');
        }

        /** One bound up to ',' ']' or ')' outside quotes; {@code null} when nothing is written (infinite). */
        String bound() {
            StringBuilder sb = new StringBuilder();
            boolean written = false;
            boolean inQuotes = false;
            while (true) {
                if (pos >= s.length()) {
                    throw bad("unterminated range");
                }
                char c = s.charAt(pos);
                if (!inQuotes && (c == ',' || c == ']' || c == ')')) {
                    return written ? sb.toString() : null;
                }
                pos++;
                written = true;
                if (c == '\\') {
                    if (pos >= s.length()) {
                        throw bad("unterminated escape");
                    }
                    sb.append(s.charAt(pos++));
                } else if (c == '"') {
                    if (inQuotes && peek() == '"') {
                        sb.append('"');
                        pos++;
                    } else {
                        inQuotes = !inQuotes;
                    }
                } else {
                    sb.append(c);
                }
            }
        }
    }
}
