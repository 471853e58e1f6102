package dev.tusk;

import dev.tusk.internal.op.Binder;

/**
 * A server-side cursor whose query uses PostgreSQL's own {@code $1, $2, ...} placeholders, as psycopg's
 * {@code RawServerCursor}: the query text is declared untouched (a {@code %} is just a percent sign) and the
 * parameters, positional, are bound on the server, as {@link RawCursor}.
 *
 * <pre>{@code
 * try (RawServerCursor<Row> cur = conn.rawCursor("big")) {
 *     cur.execute("SELECT * FROM big_table WHERE kind = $1 AND note LIKE '100%'", "x");
 *     for (Row r : cur) { ... }
 * }
 * }</pre>
 *
 * @param <R> the row type
 */
public final class RawServerCursor<R> extends ServerCursor<R> {
    RawServerCursor(Connection<?> conn, String name, RowFactory<R> factory) {
        super(conn, name, factory, Binder.RAW); // the query as written, with $n placeholders
    }
}
