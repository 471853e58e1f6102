package dev.tusk.errors;

/**
 * A problem with the processed data: division by zero, a value out of range (SQLSTATE class 22).
 * Also the class of condition 22000 data_exception (psycopg's {@code errors.DataException}): every
 * class-22 condition, such as {@link DivisionByZero}, extends it.
 */
public class DataException extends DatabaseException {
    public DataException(String message) {
        super(message, null, null);
    }

    public DataException(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used for errors the server reported. */
    public DataException(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
