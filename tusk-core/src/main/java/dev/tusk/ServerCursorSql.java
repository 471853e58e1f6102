package dev.tusk;

import dev.tusk.errors.ProgrammingException;

/**
 * The SQL of a named server-side cursor and its rules, shared by the blocking {@link ServerCursor} and
 * {@link AsyncServerCursor}: DECLARE, FETCH, MOVE, CLOSE, the existence check before closing, and the
 * bookkeeping of the row number. No I/O here.
 */
final class ServerCursorSql {
    /** Rows per FETCH while iterating, unless set. */
    static final int DEFAULT_ITERSIZE = 100;
    /** A DECLARE is never prepared: each names its cursor and runs once. */
    static final ExecuteOptions NOT_PREPARED = ExecuteOptions.builder().prepare(false).build();

    private final String name;
    private final String quotedName;

    ServerCursorSql(String name) {
        if (name == null || name.isEmpty()) {
            throw new ProgrammingException("a server cursor needs a name");
        }
        this.name = name;
        this.quotedName = Transaction.quoteIdent(name);
    }

    String name() {
        return name;
    }

    /**
     * {@code DECLARE name [NO] SCROLL CURSOR WITH[OUT] HOLD FOR query}. When the text goes through placeholder
     * processing ({@code asWritten} false) a {@code %} in the cursor's name is doubled, so it reaches the
     * server as it is.
     */
    String declare(Boolean scrollable, boolean withhold, String query, boolean asWritten) {
        return "DECLARE " + (asWritten ? quotedName : quotedName.replace("%", "%%"))
                + (scrollable == null ? "" : scrollable ? " SCROLL" : " NO SCROLL")
                + " CURSOR" + (withhold ? " WITH HOLD" : " WITHOUT HOLD") + " FOR " + query;
    }

    /**
     * True when the DECLARE goes out as written (simple protocol): no parameters and no {@code %} to
     * process, as {@code execute(query)} does.
     */
    static boolean asWritten(String query, Object[] params) {
        return params.length == 0 && !query.contains("%");
    }

    /**
     * What describes the freshly declared cursor without moving it: {@code FETCH FORWARD 0} before the first row
     * returns no row but the columns (psycopg describes the portal instead).
     */
    String describe() {
        return "FETCH FORWARD 0 FROM " + quotedName;
    }

    String fetchOne() {
        return "FETCH FORWARD 1 FROM " + quotedName;
    }

    String fetchMany(int size) {
        return "FETCH FORWARD " + Math.max(0, size) + " FROM " + quotedName;
    }

    String fetchAll() {
        return "FETCH FORWARD ALL FROM " + quotedName;
    }

    /**
     * The MOVE of {@code scroll(value, mode)}: "relative" moves by {@code value} rows, "absolute" to row
     * {@code value} (psycopg's absolute 0 is "before the first row", as MOVE ABSOLUTE 0).
     */
    String move(long value, String mode) {
        return switch (checkMode(mode)) {
            case "relative" -> "MOVE " + value + " FROM " + quotedName;
            default -> "MOVE ABSOLUTE " + value + " FROM " + quotedName;
        };
    }

    /** The row number after {@code scroll(value, mode)} from {@code current}. */
    static long rownumberAfterMove(long current, long value, String mode) {
        return "relative".equals(checkMode(mode)) ? current + value : value;
    }

    private static String checkMode(String mode) {
        if (!"relative".equals(mode) && !"absolute".equals(mode)) {
            throw new ProgrammingException("scroll mode must be 'relative' or 'absolute', got '" + mode + "'");
        }
        return mode;
    }

    /**
     * Closes the cursor if it still exists, in one statement that never fails for a missing cursor: the
     * transaction that declared it may have ended, and a plain CLOSE of a cursor that is gone would fail
     * (and abort the transaction it runs in). A PL/pgSQL {@code refcursor} holding the name closes the
     * portal of that name. Not for a transaction in error: nothing runs there, and its rollback drops it.
     */
    /** Whether a cursor of this name is open in the session (one row if so): one declared by SQL is adopted. */
    String exists() {
        return "SELECT 1 FROM pg_catalog.pg_cursors WHERE name = " + TwoPhaseState.quoteLiteral(name);
    }

    String closeIfExists() {
        String literal = TwoPhaseState.quoteLiteral(name);
        String tag = "$tusk$";
        for (int i = 0; name.contains(tag); i++) {
            tag = "$tusk" + i + "$";
        }
        return "DO " + tag + "DECLARE c refcursor := " + literal + "; BEGIN IF EXISTS (SELECT 1 FROM "
                + "pg_catalog.pg_cursors WHERE name = " + literal + ") THEN CLOSE c; END IF; END" + tag;
    }

    static int checkItersize(int itersize) {
        if (itersize < 1) {
            throw new ProgrammingException("itersize must be at least 1");
        }
        return itersize;
    }

    ProgrammingException closedError() {
        return new ProgrammingException("the server cursor \"" + name + "\" is closed");
    }

    ProgrammingException notDeclaredError() {
        return new ProgrammingException("server cursor \"" + name + "\" not declared: call execute() first");
    }
}
