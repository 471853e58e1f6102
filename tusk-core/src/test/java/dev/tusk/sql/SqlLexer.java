package dev.tusk.sql;

import java.util.ArrayList;
import java.util.List;

/**
 * A test-only tokenizer written from the PostgreSQL lexical rules (section 4.1 of the manual), with
 * standard_conforming_strings on: enough to check that a rendered literal or identifier is exactly one
 * token and to decode it back. Words, numbers and punctuation are returned raw.
 */
final class SqlLexer {
    enum Kind { STRING, IDENT, WORD, OTHER }

    record Token(Kind kind, String value) {
    }

    private SqlLexer() {
    }

    static List<Token> tokenize(String sql) {
        List<Token> out = new ArrayList<>();
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c)) {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                throw new IllegalStateException("comment at " + i + " in: " + sql);
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                throw new IllegalStateException("comment at " + i + " in: " + sql);
            } else if ((c == 'E' || c == 'e') && i + 1 < n && sql.charAt(i + 1) == '\'') {
                StringBuilder v = new StringBuilder();
                i += 2;
                while (true) {
                    char d = sql.charAt(i);
                    if (d == '\\') {
                        char e = sql.charAt(i + 1);
                        // only the escapes our quoting may produce are accepted
                        if (e != '\\' && e != '\'') {
                            throw new IllegalStateException("unexpected escape \\" + e + " in: " + sql);
                        }
                        v.append(e);
                        i += 2;
                    } else if (d == '\'') {
                        if (i + 1 < n && sql.charAt(i + 1) == '\'') {
                            v.append('\'');
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        v.append(d);
                        i++;
                    }
                }
                out.add(new Token(Kind.STRING, v.toString()));
            } else if (c == '\'' || c == '"') {
                StringBuilder v = new StringBuilder();
                i++;
                while (true) {
                    char d = sql.charAt(i);
                    if (d == c) {
                        if (i + 1 < n && sql.charAt(i + 1) == c) {
                            v.append(c);
                            i += 2;
                        } else {
                            i++;
                            break;
                        }
                    } else {
                        v.append(d);
                        i++;
                    }
                }
                out.add(new Token(c == '\'' ? Kind.STRING : Kind.IDENT, v.toString()));
            } else if (Character.isLetterOrDigit(c) || c == '_') {
                int s = i;
                while (i < n && (Character.isLetterOrDigit(sql.charAt(i)) || sql.charAt(i) == '_' || sql.charAt(i) == '.')) {
                    i++;
                }
                out.add(new Token(Kind.WORD, sql.substring(s, i)));
            } else {
                out.add(new Token(Kind.OTHER, String.valueOf(c)));
                i++;
            }
        }
        return out;
    }
}
