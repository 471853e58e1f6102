package dev.tusk.errors;

/** An error related to the database (psycopg's DatabaseError). */
public class DatabaseException extends TuskException {
    public DatabaseException(String message) {
        super(message, null, null);
    }

    public DatabaseException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public DatabaseException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
