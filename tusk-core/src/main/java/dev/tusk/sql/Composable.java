package dev.tusk.sql;

import dev.tusk.adapt.AdaptContext;
import dev.tusk.adapt.AdaptersMap;
import dev.tusk.internal.wire.Utf8;

import java.util.Arrays;
import java.util.List;

/**
 * A piece of a query built from parts: psycopg's {@code sql.Composable}. The parts are trusted SQL text
 * ({@link SQL}), names ({@link Identifier}), values ({@link Literal}), parameter markers
 * ({@link Placeholder}) and sequences of these ({@link Composed}). Names and values are quoted when the
 * query is rendered, so nothing they contain can change the query's structure.
 *
 * <pre>{@code
 * Composable q = new SQL("SELECT {} FROM {} WHERE id = {}")
 *         .format(new Identifier("name"), new Identifier("app", "users"), new Placeholder());
 * q.asString();                      // SELECT "name" FROM "app"."users" WHERE id = %s
 * conn.execute(q, 42);               // Connection.execute accepts any Composable
 * }</pre>
 *
 * <p>Every implementation is immutable and thread-safe. {@code toString()} shows the structure for
 * debugging ({@code Identifier("a", "b")}); {@link #asString()} gives the SQL.
 */
public sealed abstract class Composable permits SQL, Identifier, Literal, Placeholder, Composed {
    Composable() {
    }

    /**
     * The SQL text of this piece for {@code context} (a connection, a cursor or an {@link AdaptersMap}):
     * literals of types the built-in rules do not cover go through its adapters. {@code context} may be
     * null: the global adapters are used. Until 0.1 this took a {@code Connection} or an
     * {@code AsyncConnection}; calls written for those compile unchanged.
     */
    public final String asString(AdaptContext context) {
        return render(context, false);
    }

    /** The SQL text without a connection: literals use the global adapters ({@code Tusk.adapters()}). */
    public final String asString() {
        return render(null, false);
    }

    /**
     * The SQL text as UTF-8 bytes (the encoding every Tusk connection uses as client_encoding).
     *
     * @param context a connection, a cursor, an {@link AdaptersMap}, or null for the global adapters
     */
    public final byte[] asBytes(AdaptContext context) {
        return Utf8.encode(asString(context), "the SQL text");
    }

    /**
     * The SQL text as UTF-8 bytes without a connection: literals use the global adapters
     * ({@code Tusk.adapters()}), as psycopg's {@code as_bytes()} with no context.
     */
    public final byte[] asBytes() {
        return asBytes(null);
    }

    /**
     * The text {@code execute(query, params)} hands to placeholder processing: {@link #asString(AdaptContext)}
     * with every {@code %} inside identifiers and literals written {@code %%}, so that a value such as
     * {@code '100%'} or {@code '%s'} reaches the server unchanged instead of being taken for a placeholder.
     * {@link SQL} text and {@link Placeholder}s are emitted as they are.
     *
     * @param context a connection, a cursor, an {@link AdaptersMap}, or null for the global adapters
     */
    public final String asTemplate(AdaptContext context) {
        return render(context, true);
    }

    /** {@link #asTemplate(AdaptContext)} with the global adapters. */
    public final String asTemplate() {
        return render(null, true);
    }

    private String render(AdaptContext context, boolean doublePercent) {
        StringBuilder out = new StringBuilder(64);
        appendTo(out, context == null ? null : context.adapters(), doublePercent);
        return out.toString();
    }

    /** True when this piece contains a {@link Placeholder} (anywhere, nested sequences included). */
    public abstract boolean hasPlaceholders();

    /** This piece followed by {@code other}: psycopg's {@code a + b}. */
    public Composed plus(Composable other) {
        if (other == null) {
            throw new NullPointerException("cannot concatenate null: use new Literal(null) for SQL NULL");
        }
        return new Composed(List.of(this, other));
    }

    /** This piece repeated {@code n} times (n ≥ 0): psycopg's {@code a * n}. */
    public Composed times(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("cannot repeat a Composable a negative number of times: " + n);
        }
        Composable[] parts = new Composable[n];
        Arrays.fill(parts, this);
        return new Composed(parts);
    }

    /**
     * Appends the SQL text; {@code adapters} (null: the global ones) write literals of other types.
     * {@code doublePercent}: write {@code %} as {@code %%} inside quoted names and
     * values, because the result goes through placeholder processing.
     */
    abstract void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent);
}
