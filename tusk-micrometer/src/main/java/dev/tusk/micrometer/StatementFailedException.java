package dev.tusk.micrometer;

/**
 * The error given to a failed statement's observation: the class of the exception the caller saw and its
 * SQLSTATE, without the server's message (which can quote parameter values) and without a stack trace.
 */
public final class StatementFailedException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String errorClass;
    private final String sqlstate;

    StatementFailedException(String errorClass, String sqlstate) {
        super(errorClass + (sqlstate == null ? "" : " (SQLSTATE " + sqlstate + ")"), null, false, false);
        this.errorClass = errorClass;
        this.sqlstate = sqlstate;
    }

    /** The class name of the exception the caller saw. */
    public String errorClass() {
        return errorClass;
    }

    /** The SQLSTATE, or null. */
    public String sqlstate() {
        return sqlstate;
    }
}
