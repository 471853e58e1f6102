package dev.tusk.adapt;

/**
 * Where values are adapted: psycopg's {@code AdaptContext}. Connections, cursors and an
 * {@link AdaptersMap} itself are adaptation contexts; query composition
 * ({@code Composable.asString(context)}, {@code Literal.quote(value, context)}) and other code that dumps or
 * loads values outside a query take one instead of a particular connection class, so that they work the
 * same for {@code Connection}, {@code AsyncConnection} and their cursors.
 *
 * <p>What a Tusk session contributes to adaptation reaches the adapters through the map, so the map is all
 * a context has to give: every Tusk connection uses client_encoding UTF8 (text is always UTF-8); literals are
 * written in a form that does not depend on standard_conforming_strings (see {@code dev.tusk.sql.Literal});
 * and the session time zone reaches the timestamptz loaders of the connection's map (and of its cursors'
 * maps) through {@code DateTimeAdapters.useSessionZone}.
 *
 * <pre>{@code
 * String text = new Literal(LocalDate.of(2024, 1, 31)).asString(conn);   // conn, a cursor, or an AdaptersMap
 * }</pre>
 */
public interface AdaptContext {
    /** The adapters in effect here: a cursor's own map, a connection's, or the map itself. */
    AdaptersMap adapters();
}
