package dev.tusk.sql;

import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.wire.Utf8;

/**
 * The quoting rules for names and string values. Tusk connections always use client_encoding UTF8, in
 * which no byte of a multibyte character can look like a quote or a backslash, so quoting works on
 * Java characters.
 */
final class Quoting {
    private Quoting() {
    }

    /** {@code name} as a quoted identifier: {@code "..."} with {@code "} doubled (as PQescapeIdentifier). */
    static void appendIdentifier(StringBuilder out, String name, boolean doublePercent) {
        out.append('"');
        for (int i = 0, n = name.length(); i < n; i++) {
            char c = name.charAt(i);
            if (c == '"') {
                out.append('"');
            } else if (c == '%' && doublePercent) {
                out.append('%');
            }
            out.append(c);
        }
        out.append('"');
    }

    static void checkIdentifier(String part) {
        if (part == null) {
            throw new ProgrammingException("an Identifier part is null: every part must be a non-empty name");
        }
        if (part.isEmpty()) {
            throw new ProgrammingException("an Identifier part is empty: PostgreSQL rejects zero-length names");
        }
        int nul = part.indexOf('\0');
        if (nul >= 0) {
            throw new ProgrammingException("the Identifier " + javaString(part) + " contains a NUL character (at index " + nul
                    + "): PostgreSQL names cannot contain NUL");
        }
        int bad = Utf8.loneSurrogate(part);
        if (bad >= 0) { // trust #9
            ProgrammingException e = new ProgrammingException("the Identifier " + javaString(part) + " is not valid"
                    + " Unicode: it has a lone surrogate at index " + bad + ", which UTF-8 cannot encode");
            throw e;
        }
    }

    /**
     * {@code s} as a string constant, the way libpq's PQescapeLiteral writes it: {@code 'it''s'}; when the
     * value contains a backslash, the escape-string form {@code  E'a\\b'} with backslashes doubled, which
     * means the same whatever the session's standard_conforming_strings. The leading space keeps the
     * {@code E} from joining a preceding word.
     *
     * @throws DataException when {@code s} contains NUL, which PostgreSQL text cannot hold
     */
    static void appendString(StringBuilder out, CharSequence s, boolean doublePercent) {
        int n = s.length();
        boolean backslash = false;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\\') {
                backslash = true;
            } else if (c == '\0') {
                throw new DataException("PostgreSQL text cannot contain NUL (0x00) characters; found one at index " + i
                        + " of a Literal: remove it, or send the value as bytea (byte[])");
            } else if (Character.isSurrogate(c)) { // trust #9: UTF-8 would turn a lone one into '?'
                if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    throw Utf8.notUnicode(s, i, "the string of a Literal");
                }
            }
        }
        if (backslash) {
            out.append(" E");
        }
        out.append('\'');
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c == '\'' || c == '\\' || (c == '%' && doublePercent)) {
                out.append(c);
            }
            out.append(c);
        }
        out.append('\'');
    }

    /** {@code s} as a Java string literal, for toString(). */
    static String javaString(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }
}
