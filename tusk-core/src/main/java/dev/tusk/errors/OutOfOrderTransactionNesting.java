package dev.tusk.errors;

/**
 * Transaction blocks were exited in a different order than they were entered (for example a
 * savepoint block left after its enclosing transaction), as psycopg's
 * {@code errors.OutOfOrderTransactionNesting}. Raised on the client side: no SQLSTATE.
 *
 * <pre>{@code
 * Transaction outer = conn.transaction();
 * Transaction inner = conn.transaction();
 * outer.close();   // OutOfOrderTransactionNesting: close inner first
 * }</pre>
 */
public class OutOfOrderTransactionNesting extends ProgrammingException {
    private static final long serialVersionUID = 1L;

    public OutOfOrderTransactionNesting(String message) {
        super(message, null, null);
    }

    public OutOfOrderTransactionNesting(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used when a server error is the reason. */
    public OutOfOrderTransactionNesting(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
