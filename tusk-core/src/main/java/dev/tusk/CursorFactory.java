package dev.tusk;

/**
 * The class of cursor a connection's {@code cursor()} (and {@code execute}) makes: psycopg's
 * {@code cursor_factory}. Set it with {@link ConnectOptions.Builder#cursorFactory} or, after connecting,
 * {@link Connection#setCursorFactory} / {@link AsyncConnection#setCursorFactory}.
 *
 * <p>An enum rather than psycopg's class object: Tusk's cursor classes are final (their constructors are the
 * driver's), so the choice is among the kinds the driver has, for the blocking and the async connection alike.
 *
 * <pre>{@code
 * conn.setCursorFactory(CursorFactory.CLIENT_CURSOR);
 * ClientCursor<Row> cur = (ClientCursor<Row>) conn.cursor();   // conn.execute(...) now binds on the client too
 * }</pre>
 */
public enum CursorFactory {
    /** {@link Cursor} / {@link AsyncCursor}: parameters travel apart from the query (psycopg's {@code Cursor}). */
    CURSOR,
    /** {@link ClientCursor} / {@link AsyncClientCursor}: parameters merged into the query on the client. */
    CLIENT_CURSOR,
    /** {@link RawCursor} / {@link AsyncRawCursor}: {@code $1}-style placeholders. */
    RAW_CURSOR;

    /** A new cursor of this class on the blocking {@code conn}. */
    <T> Cursor<T> blocking(Connection<?> conn, RowFactory<T> rowFactory) {
        return switch (this) {
            case CLIENT_CURSOR -> new ClientCursor<>(conn, rowFactory);
            case RAW_CURSOR -> new RawCursor<>(conn, rowFactory);
            case CURSOR -> new Cursor<>(conn, rowFactory);
        };
    }

    /** A new cursor of this class on the non-blocking {@code conn}. */
    <T> AsyncCursor<T> async(AsyncConnection<?> conn, RowFactory<T> rowFactory) {
        return switch (this) {
            case CLIENT_CURSOR -> new AsyncClientCursor<>(conn, rowFactory);
            case RAW_CURSOR -> new AsyncRawCursor<>(conn, rowFactory);
            case CURSOR -> new AsyncCursor<>(conn, rowFactory);
        };
    }
}
