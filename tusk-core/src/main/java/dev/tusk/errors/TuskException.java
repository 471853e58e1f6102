package dev.tusk.errors;

/**
 * Root of every exception Tusk throws. Unchecked, as in psycopg's {@code psycopg.Error}.
 *
 * <pre>{@code
 * try {
 *     conn.execute("SELECT 1/0");
 * } catch (TuskException e) {
 *     System.out.println(e.sqlstate() + ": " + e.getMessage());
 * }
 * }</pre>
 */
public class TuskException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final Diagnostic diag;

    public TuskException(String message) {
        this(message, null, null);
    }

    public TuskException(String message, Throwable cause) {
        this(message, cause, null);
    }

    protected TuskException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause);
        this.diag = diag == null ? Diagnostic.EMPTY : diag;
    }

    /**
     * The SQLSTATE the server sent. For an exception made on the client side: the class's own code for a
     * SQLSTATE condition class (e.g. "23505" for {@code new UniqueViolation(...)}), else {@code null}.
     */
    public String sqlstate() {
        return diag.sqlstate();
    }

    /** Every field of the server's ErrorResponse; empty for client-side errors. */
    public Diagnostic diag() {
        return diag;
    }
}
