package dev.tusk.errors;

/**
 * No connection could be made within {@code connect_timeout} (per attempt), as psycopg's
 * {@code errors.ConnectionTimeout}. Raised on the client side: no SQLSTATE.
 *
 * <pre>{@code
 * try {
 *     Connection.connect("host=10.255.255.1 connect_timeout=2");
 * } catch (ConnectionTimeout e) {
 *     System.err.println(e.getMessage());   // "connection timeout expired"
 * }
 * }</pre>
 */
public class ConnectionTimeout extends OperationalException {
    private static final long serialVersionUID = 1L;

    public ConnectionTimeout(String message) {
        super(message, null, null);
    }

    public ConnectionTimeout(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used when a server error is the reason. */
    public ConnectionTimeout(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
