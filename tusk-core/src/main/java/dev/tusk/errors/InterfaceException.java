package dev.tusk.errors;

/** An error in the use of the driver itself rather than the database (psycopg's InterfaceError). */
public class InterfaceException extends TuskException {
    public InterfaceException(String message) {
        super(message, null, null);
    }

    public InterfaceException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public InterfaceException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
