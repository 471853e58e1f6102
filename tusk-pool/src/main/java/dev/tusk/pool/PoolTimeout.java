package dev.tusk.pool;

import dev.tusk.errors.OperationalException;

/** No connection could be lent within the pool's {@code timeout} (psycopg_pool's {@code PoolTimeout}). */
public class PoolTimeout extends OperationalException {
    private static final long serialVersionUID = 1L;

    public PoolTimeout(String message) {
        super(message);
    }

    /** With the reason no connection was free, e.g. the last failed attempt to connect. */
    public PoolTimeout(String message, Throwable cause) {
        super(message, cause);
    }
}
