package dev.tusk;

import dev.tusk.internal.op.Binder;

/**
 * The non-blocking {@link RawServerCursor}, as psycopg's {@code AsyncRawServerCursor}: the query uses PostgreSQL's
 * own {@code $1, $2, ...} placeholders, is declared untouched, and the parameters, positional, are bound on the
 * server.
 *
 * @param <R> the row type
 */
public final class AsyncRawServerCursor<R> extends AsyncServerCursor<R> {
    AsyncRawServerCursor(AsyncConnection<?> conn, String name, RowFactory<R> factory) {
        super(conn, name, factory, Binder.RAW); // the query as written, with $n placeholders
    }
}
