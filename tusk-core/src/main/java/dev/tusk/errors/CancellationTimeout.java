package dev.tusk.errors;

/**
 * A cancel request ({@code conn.cancelSafe(timeout)}) was not completed in time, as psycopg's
 * {@code errors.CancellationTimeout}. Raised on the client side: no SQLSTATE. A cancel that did
 * complete still does not guarantee the server cancelled anything.
 *
 * <pre>{@code
 * try {
 *     conn.cancelSafe(Duration.ofSeconds(5));
 * } catch (CancellationTimeout e) {
 *     conn.close();
 * }
 * }</pre>
 */
public class CancellationTimeout extends OperationalException {
    private static final long serialVersionUID = 1L;

    public CancellationTimeout(String message) {
        super(message, null, null);
    }

    public CancellationTimeout(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used when a server error is the reason. */
    public CancellationTimeout(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
