package dev.tusk.jdbc.internal;

import java.sql.SQLException;
import java.sql.SQLSyntaxErrorException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * JDBC's SQL turned into PostgreSQL's: {@code ?} placeholders become {@code $1, $2, ...} (and {@code ??} a
 * literal {@code ?}), JDBC escapes ({@code {fn ...}}, {@code {d ...}}, {@code {t ...}}, {@code {ts ...}},
 * {@code {oj ...}}, {@code {escape ...}}, {@code {limit ...}}, {@code {call ...}}) are translated, and nothing
 * inside string literals, quoted identifiers, comments or dollar quotes is touched.
 *
 * <pre>{@code
 * SqlRewriter.Result r = SqlRewriter.rewrite("SELECT {fn ucase(name)} FROM t WHERE id = ? AND note <> '?'", true, true);
 * // r.sql() = "SELECT upper(name) FROM t WHERE id = $1 AND note <> '?'", r.parameterCount() = 1
 * }</pre>
 */
public final class SqlRewriter {
    /**
     * The rewritten statement.
     *
     * @param sql            PostgreSQL's text
     * @param parameterCount the number of {@code ?} placeholders replaced
     * @param keyword        the first keyword, upper case ("SELECT", "INSERT", "WITH", ...), or "" for none
     * @param hasReturning   a RETURNING clause outside quotes
     * @param statements     the number of statements (separated by {@code ;} outside quotes)
     * @param callResult     a {@code {? = call ...}} escape: the first placeholder is the function's result
     * @param returnsRows    a query that returns rows: SELECT, VALUES, TABLE, or WITH without a data-modifying word
     * @param readsRows      one of those that is not a {@code SELECT ... INTO} (which makes a table, no rows)
     */
    public record Result(String sql, int parameterCount, String keyword, boolean hasReturning, int statements,
                         boolean callResult, boolean call, boolean returnsRows, boolean readsRows) {
        /** With the two row facts found from {@code sql} and {@code keyword}. */
        public Result(String sql, int parameterCount, String keyword, boolean hasReturning, int statements,
                      boolean callResult, boolean call) {
            this(sql, parameterCount, keyword, hasReturning, statements, callResult, call, SqlRewriter.returnsRows(keyword, sql));
        }

        private Result(String sql, int parameterCount, String keyword, boolean hasReturning, int statements,
                       boolean callResult, boolean call, boolean returnsRows) {
            this(sql, parameterCount, keyword, hasReturning, statements, callResult, call, returnsRows,
                    returnsRows && !INTO.matcher(sql).matches());
        }
    }

    private static final Pattern DML_IN_WITH = Pattern.compile("(?is).*\\b(insert|update|delete|merge)\\b.*");
    private static final Pattern INTO = Pattern.compile("(?is).*\\binto\\b.*");

    private static boolean returnsRows(String keyword, String sql) {
        return keyword.equals("SELECT") || keyword.equals("VALUES") || keyword.equals("TABLE")
                || keyword.equals("WITH") && !DML_IN_WITH.matcher(sql).matches();
    }

    private final String in;
    private final boolean placeholders;
    private final boolean escapes;
    private final String callMode;
    private int pos;
    private int params;
    private boolean returning;
    private boolean callResult;
    private boolean call;
    private int statements = 1;

    private SqlRewriter(String in, boolean placeholders, boolean escapes, String callMode) {
        this.in = in;
        this.placeholders = placeholders;
        this.escapes = escapes;
        this.callMode = callMode;
    }

    public static Result rewrite(String sql, boolean placeholders, boolean escapes) throws SQLException {
        return rewrite(sql, placeholders, escapes, "select");
    }

    /**
     * @param placeholders replace {@code ?} (prepared statements) or leave it (plain statements)
     * @param escapes      translate JDBC escapes
     * @param callMode     pgjdbc's escapeSyntaxCallMode: select, call or callIfNoReturn
     */
    public static Result rewrite(String sql, boolean placeholders, boolean escapes, String callMode) throws SQLException {
        SqlRewriter r = new SqlRewriter(sql, placeholders, escapes, callMode == null ? "select" : callMode);
        String out = r.scan(false);
        if (r.pos < sql.length()) {
            throw new SQLSyntaxErrorException("unbalanced '}' at offset " + r.pos + " in: " + sql, "42601");
        }
        return new Result(out, r.params, firstKeyword(out), r.returning, r.statements, r.callResult, r.call);
    }

    /** The number of top-level statements in {@code sql}, ignoring an empty last one. */
    private String scan(boolean inEscape) throws SQLException {
        StringBuilder out = new StringBuilder(in.length() + 16);
        int n = in.length();
        boolean trailingEmpty = true;
        while (pos < n) {
            char c = in.charAt(pos);
            switch (c) {
                case '\'' -> {
                    boolean backslashes = pos > 0 && (in.charAt(pos - 1) == 'E' || in.charAt(pos - 1) == 'e')
                            && (pos < 2 || !Character.isLetterOrDigit(in.charAt(pos - 2)) && in.charAt(pos - 2) != '_');
                    int end = quoted(pos, '\'', backslashes);
                    out.append(in, pos, end);
                    pos = end;
                    trailingEmpty = false;
                }
                case '"' -> {
                    int end = quoted(pos, '"', false);
                    out.append(in, pos, end);
                    pos = end;
                    trailingEmpty = false;
                }
                case '-' -> {
                    if (pos + 1 < n && in.charAt(pos + 1) == '-') {
                        int end = in.indexOf('\n', pos);
                        end = end < 0 ? n : end;
                        out.append(in, pos, end);
                        pos = end;
                    } else {
                        out.append(c);
                        pos++;
                        trailingEmpty = false;
                    }
                }
                case '/' -> {
                    if (pos + 1 < n && in.charAt(pos + 1) == '*') {
                        int end = blockComment(pos);
                        out.append(in, pos, end);
                        pos = end;
                    } else {
                        out.append(c);
                        pos++;
                        trailingEmpty = false;
                    }
                }
                case '$' -> {
                    int end = dollarQuote(pos);
                    if (end > 0) {
                        out.append(in, pos, end);
                        pos = end;
                    } else {
                        // $1 (a native placeholder) or a $ inside an identifier
                        out.append(c);
                        pos++;
                    }
                    trailingEmpty = false;
                }
                case '?' -> {
                    trailingEmpty = false;
                    if (!placeholders) {
                        out.append(c);
                        pos++;
                    } else if (pos + 1 < n && in.charAt(pos + 1) == '?') {
                        out.append('?'); // ?? is pgjdbc's way of writing the ? operator
                        pos += 2;
                    } else {
                        params++;
                        out.append('$').append(params);
                        pos++;
                    }
                }
                case ';' -> {
                    out.append(c);
                    pos++;
                    if (!inEscape) {
                        statements++;
                        trailingEmpty = true;
                    }
                }
                case '{' -> {
                    trailingEmpty = false;
                    if (escapes) {
                        pos++;
                        out.append(escape());
                    } else {
                        out.append(c);
                        pos++;
                    }
                }
                case '}' -> {
                    if (inEscape) {
                        return out.toString();
                    }
                    out.append(c);
                    pos++;
                    trailingEmpty = false;
                }
                default -> {
                    if ((c == 'r' || c == 'R') && wordAt(pos, "returning")) {
                        returning = true;
                    }
                    if (!Character.isWhitespace(c)) {
                        trailingEmpty = false;
                    }
                    if (Character.isLetterOrDigit(c) || c == '_') { // copy the whole word: "xreturning" is no keyword
                        int end = pos;
                        while (end < n && (Character.isLetterOrDigit(in.charAt(end)) || in.charAt(end) == '_' || in.charAt(end) == '$')) {
                            end++;
                        }
                        out.append(in, pos, end);
                        pos = end;
                    } else {
                        out.append(c);
                        pos++;
                    }
                }
            }
        }
        if (inEscape) {
            throw new SQLSyntaxErrorException("JDBC escape not closed by '}' in: " + in, "42601");
        }
        if (trailingEmpty && statements > 1) {
            statements--;
        }
        return out.toString();
    }

    private boolean wordAt(int p, String word) {
        int end = p + word.length();
        if (end > in.length() || !in.regionMatches(true, p, word, 0, word.length())) {
            return false;
        }
        boolean before = p == 0 || !isIdent(in.charAt(p - 1));
        boolean after = end == in.length() || !isIdent(in.charAt(end));
        return before && after;
    }

    private static boolean isIdent(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == '$';
    }

    /** The end (exclusive) of the quoted text starting at {@code start}. */
    private int quoted(int start, char quote, boolean backslashes) throws SQLException {
        int n = in.length();
        int i = start + 1;
        while (i < n) {
            char c = in.charAt(i);
            if (backslashes && c == '\\') {
                i += 2;
                continue;
            }
            if (c == quote) {
                if (i + 1 < n && in.charAt(i + 1) == quote) {
                    i += 2;
                    continue;
                }
                return i + 1;
            }
            i++;
        }
        throw new SQLSyntaxErrorException("unterminated " + (quote == '\'' ? "string literal" : "quoted identifier")
                + " starting at offset " + start + " in: " + in, "42601");
    }

    private int blockComment(int start) throws SQLException {
        int n = in.length();
        int depth = 0;
        int i = start;
        while (i < n - 1) {
            if (in.charAt(i) == '/' && in.charAt(i + 1) == '*') {
                depth++;
                i += 2;
            } else if (in.charAt(i) == '*' && in.charAt(i + 1) == '/') {
                depth--;
                i += 2;
                if (depth == 0) {
                    return i;
                }
            } else {
                i++;
            }
        }
        throw new SQLSyntaxErrorException("unterminated /* comment starting at offset " + start + " in: " + in, "42601");
    }

    /** The end of a dollar-quoted string starting at {@code start}, or -1 when this $ starts none. */
    private int dollarQuote(int start) throws SQLException {
        if (start > 0 && isIdent(in.charAt(start - 1))) {
            return -1; // part of an identifier such as a$b
        }
        int n = in.length();
        int i = start + 1;
        if (i < n && Character.isDigit(in.charAt(i))) {
            return -1; // $1
        }
        while (i < n && in.charAt(i) != '$') {
            char c = in.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '_')) {
                return -1;
            }
            i++;
        }
        if (i >= n) {
            return -1;
        }
        String tag = in.substring(start, i + 1);
        int close = in.indexOf(tag, i + 1);
        if (close < 0) {
            throw new SQLSyntaxErrorException("unterminated dollar-quoted string " + tag + " starting at offset " + start, "42601");
        }
        return close + tag.length();
    }

    /** After a '{': one JDBC escape, translated; pos ends after its '}'. */
    private String escape() throws SQLException {
        int n = in.length();
        while (pos < n && Character.isWhitespace(in.charAt(pos))) {
            pos++;
        }
        boolean result = false;
        if (pos < n && in.charAt(pos) == '?') { // {? = call f(?)}
            int save = pos;
            pos++;
            while (pos < n && Character.isWhitespace(in.charAt(pos))) {
                pos++;
            }
            if (pos < n && in.charAt(pos) == '=') {
                pos++;
                result = true;
                if (placeholders) {
                    params++; // $1 is the result: it is not sent
                }
                while (pos < n && Character.isWhitespace(in.charAt(pos))) {
                    pos++;
                }
            } else {
                pos = save;
            }
        }
        int kwStart = pos;
        while (pos < n && Character.isLetter(in.charAt(pos))) {
            pos++;
        }
        String kw = in.substring(kwStart, pos).toLowerCase(Locale.ROOT);
        String body = scan(true);
        pos++; // the '}'
        String b = body.trim();
        switch (kw) {
            case "fn" -> {
                return EscapedFunctions.translate(b);
            }
            case "d" -> {
                return "DATE " + b;
            }
            case "t" -> {
                return "TIME " + b;
            }
            case "ts" -> {
                return "TIMESTAMP " + b;
            }
            case "oj" -> {
                return b;
            }
            case "escape" -> {
                return "ESCAPE " + b;
            }
            case "limit" -> {
                return "LIMIT " + b;
            }
            case "call" -> {
                call = true;
                callResult = result;
                boolean hasParens = b.endsWith(")");
                String target = hasParens ? b : b + "()";
                if (result) {
                    // the result is a column of the function's row: drop the placeholder from the numbering
                    target = renumberAfterResult(target);
                    params--;
                }
                if (callMode.equals("call") || callMode.equals("callIfNoReturn") && !result) {
                    return "CALL " + target;
                }
                return "SELECT * FROM " + target + " AS result";
            }
            default -> throw new SQLSyntaxErrorException("unknown JDBC escape {" + kw + " ...}: Tusk translates {fn}, {d}, "
                    + "{t}, {ts}, {oj}, {escape}, {limit} and {call}", "42601");
        }
    }

    /** In a {? = call ...} body, $2.. become $1.. since the result placeholder is not a parameter. */
    private static String renumberAfterResult(String body) {
        StringBuilder sb = new StringBuilder(body.length());
        int n = body.length();
        int i = 0;
        while (i < n) {
            char c = body.charAt(i);
            if (c == '\'' || c == '"') { // skip quoted parts untouched
                int j = i + 1;
                while (j < n && body.charAt(j) != c) {
                    j++;
                }
                sb.append(body, i, Math.min(n, j + 1));
                i = j + 1;
                continue;
            }
            if (c == '$' && i + 1 < n && Character.isDigit(body.charAt(i + 1))) {
                int j = i + 1;
                while (j < n && Character.isDigit(body.charAt(j))) {
                    j++;
                }
                sb.append('$').append(Integer.parseInt(body.substring(i + 1, j)) - 1);
                i = j;
                continue;
            }
            sb.append(c);
            i++;
        }
        return sb.toString();
    }

    /** The first keyword of a statement, upper case, skipping whitespace, comments and opening parentheses. */
    public static String firstKeyword(String sql) {
        int n = sql.length();
        int i = 0;
        while (i < n) {
            char c = sql.charAt(i);
            if (Character.isWhitespace(c) || c == '(') {
                i++;
            } else if (c == '-' && i + 1 < n && sql.charAt(i + 1) == '-') {
                int e = sql.indexOf('\n', i);
                i = e < 0 ? n : e + 1;
            } else if (c == '/' && i + 1 < n && sql.charAt(i + 1) == '*') {
                int e = sql.indexOf("*/", i + 2);
                i = e < 0 ? n : e + 2;
            } else {
                break;
            }
        }
        int s = i;
        while (i < n && Character.isLetter(sql.charAt(i))) {
            i++;
        }
        return sql.substring(s, i).toUpperCase(Locale.ROOT);
    }

    /** Splits top-level arguments of a function call body "a, f(b, c), 'x,y'" at commas. */
    static List<String> splitArgs(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        int start = 0;
        boolean quote = false;
        char q = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quote) {
                if (c == q) {
                    quote = false;
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = true;
                q = c;
            } else if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            } else if (c == ',' && depth == 0) {
                out.add(s.substring(start, i).trim());
                start = i + 1;
            }
        }
        String last = s.substring(start).trim();
        if (!last.isEmpty() || !out.isEmpty()) {
            out.add(last);
        }
        return out;
    }
}
