package dev.tusk.errors;

/** A feature the database or Tusk does not support (yet): the message says which. */
public class NotSupportedException extends DatabaseException {
    public NotSupportedException(String message) {
        super(message, null, null);
    }

    public NotSupportedException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public NotSupportedException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
