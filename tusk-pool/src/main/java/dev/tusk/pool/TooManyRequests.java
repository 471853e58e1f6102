package dev.tusk.pool;

import dev.tusk.errors.OperationalException;

/** More callers are already waiting than {@code maxWaiting} allows (psycopg_pool's {@code TooManyRequests}). */
public class TooManyRequests extends OperationalException {
    private static final long serialVersionUID = 1L;

    public TooManyRequests(String message) {
        super(message);
    }
}
