package dev.tusk;

/**
 * The class of cursor a connection's {@code cursor(name)} makes: psycopg's {@code server_cursor_factory}.
 * Tusk has one server-side cursor class per driver ({@link ServerCursor}, {@link AsyncServerCursor}), so
 * {@link #SERVER_CURSOR} is the only value for now; the setting exists so that code written against psycopg's
 * attribute has its counterpart, and so that further kinds (psycopg's {@code RawServerCursor}) have a place.
 */
public enum ServerCursorFactory {
    /** {@link ServerCursor} / {@link AsyncServerCursor}: a DECLAREd portal fetched in chunks. */
    SERVER_CURSOR
}
