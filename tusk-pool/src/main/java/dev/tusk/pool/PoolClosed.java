package dev.tusk.pool;

import dev.tusk.errors.OperationalException;

/** The pool is closed, or was closed while the caller waited (psycopg_pool's {@code PoolClosed}). */
public class PoolClosed extends OperationalException {
    private static final long serialVersionUID = 1L;

    public PoolClosed(String message) {
        super(message);
    }
}
