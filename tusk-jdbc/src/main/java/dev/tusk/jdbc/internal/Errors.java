package dev.tusk.jdbc.internal;

import dev.tusk.errors.ConnectionTimeout;
import dev.tusk.errors.DataException;
import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;

import java.sql.SQLDataException;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLInvalidAuthorizationSpecException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLNonTransientException;
import java.sql.SQLSyntaxErrorException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransactionRollbackException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;

/**
 * Tusk's exceptions as JDBC's: the server's SQLSTATE in {@link SQLException#getSQLState()} and the JDBC 4
 * subclass its class calls for (23 integrity, 40 rollback, 42 syntax/access, 08 connection, 22 data, ...); the
 * Tusk exception is the cause, so {@code getCause()} still reaches its {@code diag()}.
 */
public final class Errors {
    private Errors() {
    }

    /** Connection does not exist (used on a closed connection or statement). */
    public static final String CONNECTION_DOES_NOT_EXIST = "08003";
    public static final String CONNECTION_FAILURE = "08006";

    public static SQLException of(TuskException e) {
        String state = e.sqlstate();
        String msg = e.getMessage();
        if (state == null) {
            if (e instanceof ConnectionTimeout) {
                return new SQLTransientConnectionException(msg, "08001", e);
            }
            if (e.getClass().getSimpleName().equals("PoolTimeout") || e.getClass().getSimpleName().equals("TooManyRequests")) {
                return new SQLTransientConnectionException(msg, "08001", e);
            }
            if (e instanceof NotSupportedException) {
                return new SQLFeatureNotSupportedException(msg, "0A000", e);
            }
            if (e instanceof OperationalException) {
                return new SQLNonTransientConnectionException(msg, CONNECTION_FAILURE, e);
            }
            if (e instanceof InterfaceException) {
                boolean closed = msg != null && msg.contains("closed");
                return closed ? new SQLNonTransientConnectionException(msg, CONNECTION_DOES_NOT_EXIST, e)
                        : new SQLNonTransientException(msg, "HY000", e);
            }
            if (e instanceof DataException) {
                return new SQLDataException(msg, "22000", e);
            }
            return new SQLException(msg, "HY000", e);
        }
        return of(msg, state, e);
    }

    /** The JDBC subclass for {@code state}. */
    public static SQLException of(String msg, String state, Throwable cause) {
        String cls = state.length() >= 2 ? state.substring(0, 2) : state;
        return switch (cls) {
            case "08" -> state.equals("08001") || state.equals("08004") ? new SQLTransientConnectionException(msg, state, cause)
                    : new SQLNonTransientConnectionException(msg, state, cause);
            case "0A" -> new SQLFeatureNotSupportedException(msg, state, cause);
            case "22" -> new SQLDataException(msg, state, cause);
            case "23" -> new SQLIntegrityConstraintViolationException(msg, state, cause);
            case "28" -> new SQLInvalidAuthorizationSpecException(msg, state, cause);
            case "40" -> new SQLTransactionRollbackException(msg, state, cause);
            case "42" -> new SQLSyntaxErrorException(msg, state, cause);
            case "57" -> state.equals("57014") ? new SQLTimeoutException(msg, state, cause)
                    : state.startsWith("57P0") ? new SQLNonTransientConnectionException(msg, state, cause)
                    : new SQLException(msg, state, cause);
            case "53", "55" -> state.equals("55P03") || cls.equals("53") ? new SQLTransientException(msg, state, cause)
                    : new SQLException(msg, state, cause);
            default -> new SQLException(msg, state, cause);
        };
    }

    /** An operation JDBC has but Tusk does not support: always said, never a silent no-op. */
    public static SQLFeatureNotSupportedException notSupported(String what) {
        return new SQLFeatureNotSupportedException(what + " is not supported by Tusk's JDBC driver", "0A000");
    }

    /** A closed connection: 08003; a closed statement or result set: 55000 (the connection itself is fine). */
    public static SQLException closed(String what) {
        return what.equals("connection")
                ? new SQLNonTransientConnectionException("this connection is closed", CONNECTION_DOES_NOT_EXIST)
                : new SQLException("this " + what + " is closed", "55000");
    }
}
