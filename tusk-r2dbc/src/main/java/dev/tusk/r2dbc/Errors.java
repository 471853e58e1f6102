package dev.tusk.r2dbc;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import io.r2dbc.spi.R2dbcBadGrammarException;
import io.r2dbc.spi.R2dbcDataIntegrityViolationException;
import io.r2dbc.spi.R2dbcException;
import io.r2dbc.spi.R2dbcNonTransientException;
import io.r2dbc.spi.R2dbcNonTransientResourceException;
import io.r2dbc.spi.R2dbcPermissionDeniedException;
import io.r2dbc.spi.R2dbcRollbackException;
import io.r2dbc.spi.R2dbcTimeoutException;
import io.r2dbc.spi.R2dbcTransientResourceException;

import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/**
 * Tusk's exceptions translated into R2DBC's tree by SQLSTATE class, keeping the server's SQLSTATE, the
 * statement's text and Tusk's exception (with its {@link dev.tusk.errors.Diagnostic}) as the cause.
 */
final class Errors {
    private Errors() {
    }

    /** An error of the server, or of Tusk, with no more specific R2DBC class. */
    static final class TuskR2dbcException extends R2dbcNonTransientException {
        private static final long serialVersionUID = 1L;

        TuskR2dbcException(String reason, String sqlState, String sql, Throwable cause) {
            super(reason, sqlState, 0, sql, cause);
        }
    }

    /** {@code t} unwrapped from the future's wrappers. */
    static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The R2DBC exception for {@code t}, which a statement of text {@code sql} (may be null) failed with. */
    static Throwable translate(Throwable t, String sql) {
        t = unwrap(t);
        if (t instanceof R2dbcException || t instanceof Error
                || t instanceof IllegalArgumentException || t instanceof IllegalStateException) {
            return t;
        }
        if (!(t instanceof TuskException e)) {
            return new TuskR2dbcException(String.valueOf(t.getMessage()), null, sql, t);
        }
        String state = e.sqlstate();
        String msg = e.getMessage();
        if (state == null || state.length() < 2) {
            if (e instanceof OperationalException) { // the connection: broken, closed, unreachable
                return new R2dbcNonTransientResourceException(msg, state, 0, sql, e);
            }
            return new TuskR2dbcException(msg, state, sql, e);
        }
        String cls = state.substring(0, 2);
        if (state.equals("42501") || cls.equals("28")) {
            return new R2dbcPermissionDeniedException(msg, state, 0, sql, e);
        }
        if (state.equals("57014")) {
            return new R2dbcTimeoutException(msg, state, 0, sql, e);
        }
        return switch (cls) {
            case "42" -> new R2dbcBadGrammarException(msg, state, 0, sql, e);
            case "23" -> new R2dbcDataIntegrityViolationException(msg, state, 0, sql, e);
            case "40" -> new R2dbcRollbackException(msg, state, 0, sql, e);
            case "08", "57", "58", "XX" -> new R2dbcNonTransientResourceException(msg, state, 0, sql, e);
            case "53" -> new R2dbcTransientResourceException(msg, state, 0, sql, e);
            case "55" -> state.equals("55P03") // lock_not_available: a retry may succeed
                    ? new R2dbcTransientResourceException(msg, state, 0, sql, e)
                    : new TuskR2dbcException(msg, state, sql, e);
            default -> new TuskR2dbcException(msg, state, sql, e);
        };
    }
}
