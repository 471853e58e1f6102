package dev.tusk.errors;

/** A violated integrity constraint: unique, foreign key, check, not null (SQLSTATE class 23). */
public class IntegrityException extends DatabaseException {
    public IntegrityException(String message) {
        super(message, null, null);
    }

    public IntegrityException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public IntegrityException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
