package dev.tusk.errors;

/** A problem with the database's operation, not necessarily under the programmer's control: a lost connection, a failed login, a timeout. */
public class OperationalException extends DatabaseException {
    public OperationalException(String message) {
        super(message, null, null);
    }

    public OperationalException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public OperationalException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
