package dev.tusk.sql;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.ProgrammingException;

import java.util.Objects;

/**
 * A query parameter marker: psycopg's {@code sql.Placeholder}. Positional ones render as {@code %s},
 * named ones as {@code %(name)s}; with a {@link Format} as {@code %t} (text) or {@code %b} (binary).
 * The values are passed to {@code execute} and travel separately from the SQL.
 *
 * <pre>{@code
 * List<String> cols = List.of("id", "name");
 * Composed q = new SQL("INSERT INTO t ({}) VALUES ({})").format(
 *         new SQL(", ").join(cols.stream().map(Identifier::new).toList()),
 *         new SQL(", ").join(cols.stream().map(Placeholder::new).toList()));
 * // INSERT INTO t ("id", "name") VALUES (%(id)s, %(name)s)
 * conn.execute(q, Map.of("id", 1, "name", "Alice"));
 * }</pre>
 */
public final class Placeholder extends Composable {
    private final String name;
    private final Format format;

    /** A positional placeholder, {@code %s}: the adapters choose the format. */
    public Placeholder() {
        this("", null);
    }

    /** A named placeholder, {@code %(name)s}; an empty name makes a positional one. */
    public Placeholder(String name) {
        this(name, null);
    }

    /** A positional placeholder with a forced format: {@code %t} or {@code %b}; null: {@code %s}. */
    public Placeholder(Format format) {
        this("", format);
    }

    /**
     * A placeholder with a name (empty: positional) and a format ({@code null}: the adapters choose,
     * {@code s}; {@link Format#TEXT}: {@code t}; {@link Format#BINARY}: {@code b}).
     *
     * @throws ProgrammingException when the name contains ')' or '%', which would break the placeholder
     */
    public Placeholder(String name, Format format) {
        if (name == null) {
            throw new NullPointerException("the placeholder name must not be null: use \"\" (or new Placeholder()) for %s");
        }
        if (name.indexOf(')') >= 0 || name.indexOf('%') >= 0) {
            throw new ProgrammingException("invalid placeholder name " + Quoting.javaString(name)
                    + ": it cannot contain ')' or '%'");
        }
        this.name = name;
        this.format = format;
    }

    /** The name, empty for a positional placeholder. */
    public String name() {
        return name;
    }

    /** The forced format, or null when the adapters choose. */
    public Format format() {
        return format;
    }

    @Override
    public boolean hasPlaceholders() {
        return true;
    }

    @Override
    void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent) {
        out.append('%');
        if (!name.isEmpty()) {
            out.append('(').append(name).append(')');
        }
        out.append(format == null ? 's' : format == Format.TEXT ? 't' : 'b');
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Placeholder p && p.name.equals(name) && p.format == format;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, format);
    }

    @Override
    public String toString() {
        return "Placeholder(" + Quoting.javaString(name) + (format == null ? "" : ", " + format) + ")";
    }
}
