package dev.tusk.internal.conninfo;

import dev.tusk.errors.ProgrammingException;

import java.util.LinkedHashMap;
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
                throw new ProgrammingException("missing \"=\" after \"" + name + "\" in connection info string"
                        + " (at character " + (nameStart + 1) + " of \"" + redact(s) + "\"); write keyword=value");
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

    /** The string for an error message, with any password value masked. */
    static String redact(String s) {
        return s.replaceAll("(password\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'?|\\S*)", "$1***");
    }
}
