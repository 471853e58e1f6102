package dev.tusk;

import dev.tusk.internal.op.Binder;

/**
 * A cursor whose queries use PostgreSQL's own {@code $1, $2, ...} placeholders, as psycopg's
 * {@code RawCursor}: the query text goes to the server untouched (a {@code %} is just a percent sign) and
 * the parameters, in order, are bound on the server. Parameters must be positional.
 *
 * <pre>{@code
 * RawCursor<Row> cur = conn.rawCursor();
 * cur.execute("SELECT $1::int + $1::int, 'ratio: 100%'", 21);
 * }</pre>
 *
 * @param <R> the row type
 */
public final class RawCursor<R> extends Cursor<R> {
    RawCursor(Connection<?> conn, RowFactory<R> rowFactory) {
        super(conn, rowFactory, Binder.RAW); // the query as written, with $n placeholders
    }
}
