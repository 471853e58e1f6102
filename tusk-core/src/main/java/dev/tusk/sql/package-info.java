/**
 * Building queries from parts, psycopg's {@code psycopg.sql}: {@link dev.tusk.sql.SQL} (trusted text),
 * {@link dev.tusk.sql.Identifier} (names, always quoted), {@link dev.tusk.sql.Literal} (values written
 * as constants), {@link dev.tusk.sql.Placeholder} (parameter markers) and {@link dev.tusk.sql.Composed}
 * (sequences). Every {@code execute} accepts the result.
 *
 * <pre>{@code
 * Composed q = new SQL("SELECT {} FROM {} WHERE {} = %s").format(
 *         new Identifier("name"), new Identifier("app", "users"), new Identifier("id"));
 * conn.execute(q, 42);   // SELECT "name" FROM "app"."users" WHERE "id" = $1, with 42 as the parameter
 * }</pre>
 *
 * <p>Safety: names and values are quoted when rendered, so nothing a user passes as an
 * {@link dev.tusk.sql.Identifier} part or a {@link dev.tusk.sql.Literal} value can change the
 * statement's structure. Quoting follows libpq's PQescapeIdentifier / PQescapeLiteral: quotes are
 * doubled, and a string with a backslash uses the {@code E'...'} form with backslashes doubled, which
 * is correct whatever standard_conforming_strings says. It relies on client_encoding UTF8, which
 * every Tusk connection sets at startup.
 *
 * <p>Executing: {@code execute(composable)} with no parameters sends the rendered text as written
 * (simple protocol, several statements allowed, {@code %} is not special), as psycopg does, unless the
 * query contains {@link dev.tusk.sql.Placeholder}s: then it goes through placeholder processing, which
 * reports the missing parameters. With parameters, the text from
 * {@link dev.tusk.sql.Composable#asTemplate} is used, in which a {@code %} inside a name or a value is
 * doubled, so a value like {@code '100%'} arrives unchanged.
 */
package dev.tusk.sql;
