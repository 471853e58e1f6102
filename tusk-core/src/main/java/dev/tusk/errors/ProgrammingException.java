package dev.tusk.errors;

/** A programming error: bad SQL, wrong number of parameters, a call made in the wrong state, a malformed conninfo. */
public class ProgrammingException extends DatabaseException {
    public ProgrammingException(String message) {
        super(message, null, null);
    }

    public ProgrammingException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public ProgrammingException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
