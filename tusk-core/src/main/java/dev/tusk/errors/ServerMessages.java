package dev.tusk.errors;

/**
 * Builds the message of an exception from a server ErrorResponse, in the layout libpq gives
 * {@code PQresultErrorMessage} at its default verbosity, without the leading severity (as psycopg's
 * {@code str(e)}):
 *
 * <pre>
 * relation "nosuch" does not exist
 * LINE 1: SELECT * FROM nosuch
 *                       ^
 * DETAIL:  ...
 * HINT:  ...
 * QUERY:  ...
 * CONTEXT:  ...
 * </pre>
 *
 * <p>The first line is the primary message. The {@code LINE n:} display with a caret under the
 * position the server pointed at appears when the error has a statement position and the query is
 * known (or an internal position and the internal query); with a position but no query, the first
 * line ends with {@code " at character N"} instead. Long lines are cut to about 60 characters around
 * the caret, marked with {@code ...}; tabs show as spaces and every character counts as one column.
 * Then come the {@code DETAIL:}, {@code HINT:}, {@code QUERY:} and {@code CONTEXT:} lines the server
 * sent, each label followed by two spaces. There is no trailing newline. The severity, the SQLSTATE
 * and the other fields stay available in {@link TuskException#diag()}.
 *
 * <pre>{@code
 * String text = ServerMessages.format(e.diag(), "SELECT * FROM nosuch");
 * }</pre>
 */
public final class ServerMessages {
    private static final int DISPLAY_WIDTH = 60;
    private static final int MIN_RIGHT_CONTEXT = 10;

    private ServerMessages() {
    }

    /** The message for {@code diag}; {@code query} is the statement sent, or {@code null} if unknown. */
    public static String format(Diagnostic diag, String query) {
        StringBuilder out = new StringBuilder(128);
        String primary = diag.messagePrimary();
        if (primary != null) {
            out.append(primary);
        } else {
            out.append("the server reported an error without a message");
            if (diag.sqlstate() != null) {
                out.append(" (SQLSTATE ").append(diag.sqlstate()).append(')');
            }
        }

        String shownQuery = null;
        int position = 0;
        String statementPosition = diag.statementPosition();
        if (statementPosition != null) {
            if (query != null) {
                shownQuery = query;
                position = parsePosition(statementPosition);
            } else {
                out.append(" at character ").append(statementPosition);
            }
        } else if (diag.internalPosition() != null) {
            if (diag.internalQuery() != null) {
                shownQuery = diag.internalQuery();
                position = parsePosition(diag.internalPosition());
            } else {
                out.append(" at character ").append(diag.internalPosition());
            }
        }
        if (shownQuery != null && position > 0) {
            appendPositionDisplay(out, shownQuery, position);
        }
        appendField(out, "DETAIL", diag.messageDetail());
        appendField(out, "HINT", diag.messageHint());
        appendField(out, "QUERY", diag.internalQuery());
        appendField(out, "CONTEXT", diag.context());
        return out.toString();
    }

    private static void appendField(StringBuilder out, String label, String value) {
        if (value != null) {
            out.append('\n').append(label).append(":  ").append(value);
        }
    }

    /** The 1-based character position the server sent, or 0 when it is not a positive number. */
    private static int parsePosition(String text) {
        try {
            int n = Integer.parseInt(text.trim());
            return Math.max(n, 0);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Appends "\nLINE n: text\n      ^" for the 1-based character {@code position} of {@code query}. */
    private static void appendPositionDisplay(StringBuilder out, String query, int position) {
        int[] chars = query.codePoints().toArray();
        // The server may point one past the end ("at end of input"); never further.
        int loc = Math.min(position - 1, chars.length);

        int lineNo = 1;
        int lineStart = 0;
        for (int i = 0; i < loc; i++) {
            int c = chars[i];
            boolean crBeforeLf = c == '\r' && i + 1 < chars.length && chars[i + 1] == '\n';
            if (c == '\n' || (c == '\r' && !crBeforeLf)) {
                lineNo++;
                lineStart = i + 1;
            }
        }
        int lineEnd = lineStart;
        while (lineEnd < chars.length && chars[lineEnd] != '\n' && chars[lineEnd] != '\r') {
            lineEnd++;
        }

        int begin = lineStart;
        int end = lineEnd;
        boolean cutLeft = false;
        boolean cutRight = false;
        if (end - begin > DISPLAY_WIDTH) {
            if (begin + DISPLAY_WIDTH >= loc + MIN_RIGHT_CONTEXT) {
                end = begin + DISPLAY_WIDTH;
                cutRight = true;
            } else {
                if (loc + MIN_RIGHT_CONTEXT < end) {
                    end = loc + MIN_RIGHT_CONTEXT;
                    cutRight = true;
                }
                if (end - begin > DISPLAY_WIDTH) {
                    begin = end - DISPLAY_WIDTH;
                    cutLeft = true;
                }
            }
        }

        out.append('\n');
        int prefixStart = out.length();
        out.append("LINE ").append(lineNo).append(": ");
        if (cutLeft) {
            out.append("...");
        }
        int caretColumn = out.length() - prefixStart + (loc - begin);
        for (int i = begin; i < end; i++) {
            out.appendCodePoint(chars[i] == '\t' ? ' ' : chars[i]);
        }
        if (cutRight) {
            out.append("...");
        }
        out.append('\n');
        out.append(" ".repeat(caretColumn)).append('^');
    }
}
