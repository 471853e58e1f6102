package dev.tusk.internal.op;

import dev.tusk.TransactionStatus;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.core.ResultData;

/**
 * A named server-side cursor (psycopg's {@code ServerCursorMixin}), written once for the blocking
 * {@code ServerCursor} and the {@code AsyncServerCursor}: its settings, what the client knows of the portal
 * (declared, adopted from SQL, closed, its shape, the position) and the SQL of each of its steps, without I/O.
 * The steps themselves are {@link ServerCursorStep}s.
 *
 * <p>The cursor's calls change the state on the caller's thread ({@link #declaring()}, {@link #closing()}); the
 * steps change it as they end, on the thread acting for the connection. Every field is volatile: an async
 * cursor's getters read it from any thread.
 */
public final class ServerCursorState {
    /** Rows per FETCH while iterating, unless set. */
    public static final int DEFAULT_ITERSIZE = 100;

    private final String name;
    private final String quotedName;
    private volatile Boolean scrollable;
    private volatile boolean withhold;
    private volatile int itersize = DEFAULT_ITERSIZE;
    /** Rows per {@code fetchmany()} without a size (DB-API's arraysize). */
    private volatile int arraysize = 1;
    /** A portal of this name is this object's: declared (or being declared), or adopted. */
    private volatile boolean declared;
    /** Fetched from without execute(): a cursor declared by SQL under this name (psycopg's "stolen" cursor). */
    private volatile boolean stolen;
    private volatile boolean closed;
    /** The index of the next row to read; -1 before the first execute (psycopg's None). */
    private volatile long rownumber = -1;
    private volatile String statusmessage;
    /** The columns of the cursor's rows (the FETCH FORWARD 0 after the DECLARE, or the first FETCH); null: unknown. */
    private volatile ResultData shape;

    public ServerCursorState(String name) {
        if (name == null || name.isEmpty()) {
            throw new ProgrammingException("a server cursor needs a name");
        }
        this.name = name;
        this.quotedName = "\"" + name.replace("\"", "\"\"") + "\"";
    }

    public String name() {
        return name;
    }

    // ---------------------------------------------------------------- settings

    public Boolean scrollable() {
        return scrollable;
    }

    public void scrollable(Boolean on) {
        this.scrollable = on;
    }

    public boolean withhold() {
        return withhold;
    }

    public void withhold(boolean on) {
        this.withhold = on;
    }

    public int itersize() {
        return itersize;
    }

    /** Fails with ProgrammingException below 1. */
    public void itersize(int n) {
        if (n < 1) {
            throw new ProgrammingException("itersize must be at least 1");
        }
        this.itersize = n;
    }

    public int arraysize() {
        return arraysize;
    }

    /** Fails with ProgrammingException below 1. */
    public void arraysize(int n) {
        if (n < 1) {
            throw new ProgrammingException("arraysize must be at least 1");
        }
        this.arraysize = n;
    }

    // ---------------------------------------------------------------- what the client knows

    public boolean isClosed() {
        return closed;
    }

    public boolean declared() {
        return declared;
    }

    /** The index of the next row to read; -1 before the first execute (or adoption). */
    public long rownumber() {
        return rownumber;
    }

    /** {@code n} more rows were read. */
    public void advance(int n) {
        rownumber += n; // one thread at a time: the caller's (blocking) or the loop's (async)
    }

    public String statusmessage() {
        return statusmessage;
    }

    /** The result whose columns are the cursor's rows' (no rows in it), or null before the DECLARE ended. */
    public ResultData shape() {
        return shape;
    }

    /**
     * execute() was called: the portal is this object's from now on (fetches submitted right behind are allowed).
     * Returns whether a previous portal of this object must be closed first (in the same write as the DECLARE).
     * Fails when the cursor is closed.
     */
    public Previous declaring() {
        checkOpen();
        Previous p = declared ? new Previous(withhold || stolen) : null;
        declared = true;
        stolen = false;
        shape = null;
        rownumber = 0;
        return p;
    }

    /** The portal a new DECLARE replaces; {@code held}: it may outlive its transaction (WITH HOLD, or adopted). */
    public record Previous(boolean held) {
    }

    void declared(String tag, ResultData described) {
        statusmessage = tag;
        if (shape == null) {
            shape = described;
        }
    }

    void declareFailed() {
        declared = false;
        rownumber = -1;
    }

    /** A cursor of this name declared by SQL is fetched from: it is adopted, and closed by close(). */
    void adopted() {
        declared = true;
        stolen = true;
        rownumber = 0;
    }

    void fetched(ResultData rows) {
        if (shape == null) {
            shape = rows;
        }
    }

    void moved(long value, String mode) {
        rownumber = "relative".equals(mode) ? rownumber + value : value;
    }

    /**
     * close() was called: returns the portal to close on the server (null: none: never declared), and the
     * cursor is closed from now on. Null as well when it was closed already.
     */
    public Previous closing() {
        if (closed) {
            return null;
        }
        closed = true;
        Previous p = declared ? new Previous(withhold || stolen) : null;
        declared = false;
        return p;
    }

    // ---------------------------------------------------------------- checks

    /** Fails when the cursor is closed. */
    public void checkOpen() {
        if (closed) {
            throw closedError();
        }
    }

    /** Fails when the cursor is closed or not declared (for a scroll: a fetch may adopt a cursor declared by SQL). */
    public void checkDeclared() {
        checkOpen();
        if (!declared) {
            throw notDeclaredError();
        }
    }

    public ProgrammingException closedError() {
        return new ProgrammingException("the server cursor \"" + name + "\" is closed");
    }

    ProgrammingException notDeclaredError() {
        return new ProgrammingException("server cursor \"" + name + "\" not declared: call execute() first");
    }

    /** As psycopg: a cursor's FETCHes could not follow the pipeline's error handling. */
    static NotSupportedException inPipelineError() {
        return new NotSupportedException("server-side cursors are not supported in pipeline mode:"
                + " declare the cursor after the pipeline block, or use execute() and fetch in the pipeline");
    }

    /** executemany has no meaning for a cursor over one query, as psycopg. */
    public NotSupportedException executemanyError() {
        return new NotSupportedException("executemany() is not supported on the server cursor \"" + name
                + "\": use conn.cursor().executemany(...), or one execute() per query");
    }

    // ---------------------------------------------------------------- SQL

    /**
     * {@code DECLARE name [NO] SCROLL CURSOR WITH[OUT] HOLD FOR query}. When the text goes through placeholder
     * processing ({@code templated}) a {@code %} in the cursor's name is doubled, so it reaches the server as it is.
     */
    String declare(String query, boolean templated) {
        Boolean s = scrollable;
        return "DECLARE " + (templated ? quotedName.replace("%", "%%") : quotedName)
                + (s == null ? "" : s ? " SCROLL" : " NO SCROLL")
                + " CURSOR" + (withhold ? " WITH HOLD" : " WITHOUT HOLD") + " FOR " + query;
    }

    /**
     * What describes the freshly declared cursor without moving it: {@code FETCH FORWARD 0} before the first row
     * returns no row but the columns (psycopg describes the portal instead).
     */
    String describe() {
        return "FETCH FORWARD 0 FROM " + quotedName;
    }

    /** {@code FETCH FORWARD size} ({@code size} below 0: ALL). */
    public String fetch(int size) {
        return "FETCH FORWARD " + (size < 0 ? "ALL" : Integer.toString(size)) + " FROM " + quotedName;
    }

    /**
     * The MOVE of {@code scroll(value, mode)}: "relative" moves by {@code value} rows, "absolute" to row
     * {@code value} (psycopg's absolute 0 is "before the first row", as MOVE ABSOLUTE 0). Fails for another mode.
     */
    public String move(long value, String mode) {
        if ("relative".equals(mode)) {
            return "MOVE " + value + " FROM " + quotedName;
        }
        if ("absolute".equals(mode)) {
            return "MOVE ABSOLUTE " + value + " FROM " + quotedName;
        }
        throw new ProgrammingException("scroll mode must be 'relative' or 'absolute', got '" + mode + "'");
    }

    /** Whether a cursor of this name is open in the session (one row if so): one declared by SQL is adopted. */
    String exists() {
        return "SELECT 1 FROM pg_catalog.pg_cursors WHERE name = " + literal(name);
    }

    /**
     * What closes {@code previous} when the server is in {@code status} (once everything sent has run), or null:
     * nothing in a failed transaction (its rollback drops it), nor outside one for a cursor without hold (it ended
     * with its transaction). Else the cursor is closed if it still exists, in one statement that never fails for a
     * missing cursor (the transaction that declared it may have ended; a plain CLOSE of a cursor that is gone
     * would fail, and abort the transaction it runs in). A PL/pgSQL {@code refcursor} holding the name closes the
     * portal of that name.
     */
    String closeStatement(TransactionStatus status, Previous previous) {
        if (status == TransactionStatus.INERROR || status == TransactionStatus.UNKNOWN
                || (status == TransactionStatus.IDLE && !previous.held())) {
            return null;
        }
        String literal = literal(name);
        String tag = "$tusk$";
        for (int i = 0; name.contains(tag); i++) {
            tag = "$tusk" + i + "$";
        }
        return "DO " + tag + "DECLARE c refcursor := " + literal + "; BEGIN IF EXISTS (SELECT 1 FROM "
                + "pg_catalog.pg_cursors WHERE name = " + literal + ") THEN CLOSE c; END IF; END" + tag;
    }

    /** A string literal for standard_conforming_strings on or off. */
    private static String literal(String s) {
        String q = s.replace("'", "''");
        return s.indexOf('\\') >= 0 ? "E'" + q.replace("\\", "\\\\") + "'" : "'" + q + "'";
    }
}
