package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses libpq {@code keyword=value} connection strings as libpq's {@code conninfo_parse} does: whitespace
 * separates pairs and may surround {@code =}; a value is either a run of non-space characters or a single-quoted
 * string; in both a backslash takes the next character literally. A keyword given twice keeps its last value (at the place it first appeared).
 * Keywords are checked against {@link Keywords}; values are not (see {@link ValueRules}).
 */
public final class ConninfoParser {
    private ConninfoParser() {
    }

    /** The pairs of {@code s}, in the order their keywords first appear. */
    public static Map<String, String> parse(String s) {
        Map<String, String> out = new LinkedHashMap<>();
        int n = s.length();
        int i = 0;
        StringBuilder value = new StringBuilder();
        while (i < n) {
            if (isSpace(s.charAt(i))) {
                i++;
                continue;
            }
            int nameStart = i;
            while (i < n && s.charAt(i) != '=' && !isSpace(s.charAt(i))) {
                i++;
            }
            String name = s.substring(nameStart, i);
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            if (i >= n || s.charAt(i) != '=') {
                // a word that is no keyword may be a piece of a value (a password with a space, unquoted): quote it
                // only when it looks like a keyword
                String word = Keywords.isKnown(name) || Keywords.closest(name) != null ? "\"" + name + "\"" : "a word";
                throw new ProgrammingException("missing \"=\" after " + word + " in connection info string"
                        + " (at character " + (nameStart + 1) + " of " + redact(s) + "); write keyword=value"
                        + " and quote values that contain spaces ('...')");
            }
            i++;
            while (i < n && isSpace(s.charAt(i))) {
                i++;
            }
            value.setLength(0);
            if (i < n && s.charAt(i) == '\'') {
                int quoteAt = i++;
                while (true) {
                    if (i >= n) {
                        throw new ProgrammingException("unterminated quoted string in connection info string: the"
                                + " value of \"" + name + "\" opens a quote at character " + (quoteAt + 1)
                                + " that is never closed");
                    }
                    char c = s.charAt(i);
                    if (c == '\\') {
                        i++;
                        if (i < n) {
                            value.append(s.charAt(i++));
                        }
                    } else if (c == '\'') {
                        i++;
                        break;
                    } else {
                        value.append(c);
                        i++;
                    }
                }
            } else {
                while (i < n && !isSpace(s.charAt(i))) {
                    char c = s.charAt(i++);
                    if (c == '\\') {
                        if (i < n) {
                            value.append(s.charAt(i++));
                        }
                    } else {
                        value.append(c);
                    }
                }
            }
            Keywords.require(name);
            out.put(name, value.toString());
        }
        return out;
    }

    /** C's isspace in the "C" locale, which libpq uses. */
    static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /**
     * The string for an error message: quoted, with any secret masked, when it holds a keyword for one;
     * otherwise (it may be a password given without its keyword) only its length.
     */
    static String redact(String s) {
        List<String> regions = ConninfoSecrets.regions(s);
        if (regions.isEmpty()) {
            return s.length() + " characters";
        }
        String masked = s;
        for (String region : regions) {
            masked = masked.replace(region, "***");
        }
        return "\"" + masked + "\"";
    }
}
