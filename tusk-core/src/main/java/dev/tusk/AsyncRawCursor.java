package dev.tusk;

import dev.tusk.internal.op.Binder;

/**
 * The non-blocking {@link RawCursor}, as psycopg's {@code AsyncRawCursor}: queries use PostgreSQL's own
 * {@code $1, $2, ...} placeholders, the text goes to the server untouched and the parameters, positional,
 * are bound on the server.
 *
 * <pre>{@code
 * conn.rawCursor().execute("SELECT $1::int + $1::int, 'ratio: 100%'", 21)
 *     .thenAccept(cur -> System.out.println(cur.fetchone().getInt(0)));   // 42
 * }</pre>
 *
 * @param <R> the row type
 */
public final class AsyncRawCursor<R> extends AsyncCursor<R> {
    AsyncRawCursor(AsyncConnection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory, Binder.RAW); // the query as written, with $n placeholders
    }
}
