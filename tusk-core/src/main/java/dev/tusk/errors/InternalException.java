package dev.tusk.errors;

/**
 * The database met an internal error, or the protocol got out of step. Also the class of condition
 * XX000 internal_error (psycopg's {@code errors.InternalError_}): {@link DataCorrupted} and
 * {@link IndexCorrupted} extend it.
 */
public class InternalException extends DatabaseException {
    public InternalException(String message) {
        super(message, null, null);
    }

    public InternalException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public InternalException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
