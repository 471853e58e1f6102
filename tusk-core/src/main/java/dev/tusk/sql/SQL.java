package dev.tusk.sql;

import dev.tusk.adapt.AdaptersMap;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Trusted SQL text, emitted exactly as written: psycopg's {@code sql.SQL}. Never build one from user
 * input; pass values with {@link #format} (they become {@link Literal}s) or as query parameters.
 *
 * <pre>{@code
 * SQL q = new SQL("INSERT INTO {table} ({cols}) VALUES ({vals})");
 * Composed insert = q.format(Map.of(
 *         "table", new Identifier("app", "users"),
 *         "cols", new SQL(", ").join(new Identifier("id"), new Identifier("name")),
 *         "vals", new SQL(", ").join(new Placeholder(), new Placeholder())));
 * insert.asString();   // INSERT INTO "app"."users" ("id", "name") VALUES (%s, %s)
 * conn.execute(insert, 1, "Alice");
 * }</pre>
 */
public final class SQL extends Composable {
    /**
     * {@code NULL}, psycopg's {@code sql.NULL}: the SQL null literal, for building queries.
     *
     * <pre>{@code
     * new SQL("UPDATE t SET note = {} WHERE id = %s").format(SQL.NULL)   // UPDATE t SET note = NULL WHERE id = %s
     * }</pre>
     */
    public static final SQL NULL = new SQL("NULL");

    /**
     * {@code DEFAULT}, psycopg's {@code sql.DEFAULT}: a column's default value, in an INSERT's VALUES or an
     * UPDATE's SET.
     *
     * <pre>{@code
     * new SQL("INSERT INTO t (id, created) VALUES (%s, {})").format(SQL.DEFAULT)
     * }</pre>
     */
    public static final SQL DEFAULT = new SQL("DEFAULT");

    private final String text;

    /** Wraps {@code text} (not null) as trusted SQL. */
    public SQL(String text) {
        if (text == null) {
            throw new NullPointerException("SQL text must not be null");
        }
        this.text = text;
    }

    /** The text as given. */
    public String text() {
        return text;
    }

    /**
     * Fills the {@code {}} / {@code {0}} fields of this text with {@code args}. Arguments that are not
     * {@link Composable} are wrapped in {@link Literal}, so {@code format("it's")} yields {@code 'it''s'}.
     * {@code {{} and {@code }}} stand for literal braces. Automatic ({@code {}}) and manual
     * ({@code {0}}) numbering cannot be mixed; conversions ({@code {!r}}) and format specs
     * ({@code {:>10}}) are not supported. Unused arguments are ignored, as in psycopg.
     *
     * <pre>{@code
     * new SQL("SELECT {0} FROM {1} ORDER BY {0}").format(new Identifier("name"), new Identifier("users"))
     *     // SELECT "name" FROM "users" ORDER BY "name"
     * }</pre>
     *
     * @throws dev.tusk.errors.ProgrammingException for a malformed template, a missing argument or a named field
     */
    public Composed format(Object... args) {
        Object[] a = args == null ? new Object[] {null} : args;
        return new Composed(FormatTemplate.fill(text, a, null));
    }

    /**
     * Fills the {@code {name}} fields of this text from {@code args}; values that are not
     * {@link Composable} become {@link Literal}s.
     *
     * <pre>{@code
     * new SQL("SELECT * FROM {t} WHERE {c} = {v}")
     *     .format(Map.of("t", new Identifier("users"), "c", new Identifier("name"), "v", "Alice"))
     *     // SELECT * FROM "users" WHERE "name" = 'Alice'
     * }</pre>
     *
     * @throws dev.tusk.errors.ProgrammingException for a malformed template, an unknown name or a positional field
     */
    public Composed format(Map<String, ?> args) {
        if (args == null) {
            throw new NullPointerException("format(Map) needs a map of named arguments");
        }
        return new Composed(FormatTemplate.fill(text, null, args));
    }

    /**
     * The {@code parts} with this text between each two: {@code new SQL(", ").join(ids)}.
     *
     * <pre>{@code
     * new SQL(", ").join(List.of(new Identifier("a"), new Identifier("b")))   // "a", "b"
     * }</pre>
     */
    public Composed join(Iterable<? extends Composable> parts) {
        Iterator<? extends Composable> it = parts.iterator();
        List<Composable> out = new ArrayList<>();
        if (it.hasNext()) {
            out.add(it.next());
            while (it.hasNext()) {
                out.add(this);
                out.add(it.next());
            }
        }
        return new Composed(out);
    }

    /** {@link #join(Iterable)} over an array. */
    public Composed join(Composable... parts) {
        return join(Arrays.asList(parts));
    }

    @Override
    public boolean hasPlaceholders() {
        return false;
    }

    @Override
    void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent) {
        out.append(text);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SQL s && s.text.equals(text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }

    @Override
    public String toString() {
        return "SQL(" + Quoting.javaString(text) + ")";
    }
}
