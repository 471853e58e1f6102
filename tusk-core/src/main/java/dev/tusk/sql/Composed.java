package dev.tusk.sql;

import dev.tusk.adapt.AdaptersMap;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * A sequence of {@link Composable}s rendered one after the other: psycopg's {@code sql.Composed}.
 * {@link SQL#format} and {@link SQL#join} produce these.
 *
 * <pre>{@code
 * Composed names = new Composed(new Identifier("a"), new Identifier("b")).join(", ");
 * names.asString();   // "a", "b"
 * }</pre>
 */
public final class Composed extends Composable implements Iterable<Composable> {
    private final List<Composable> parts;

    /** A sequence of parts; elements that are not {@link Composable} are wrapped in {@link Literal}. */
    public Composed(Iterable<?> parts) {
        List<Composable> list = new ArrayList<>();
        for (Object p : parts) {
            list.add(p instanceof Composable c ? c : new Literal(p));
        }
        this.parts = List.copyOf(list);
    }

    /** A sequence of parts. */
    public Composed(Composable... parts) {
        this(List.of(parts));
    }

    /** The parts, in order. */
    public List<Composable> parts() {
        return parts;
    }

    @Override
    public Iterator<Composable> iterator() {
        return parts.iterator();
    }

    /** The parts with {@code separator} between each two. */
    public Composed join(SQL separator) {
        return separator.join(parts);
    }

    /** The parts with the SQL text {@code separator} between each two: {@code composed.join(", ")}. */
    public Composed join(String separator) {
        return join(new SQL(separator));
    }

    /** This sequence followed by {@code other}; a Composed {@code other} is flattened in, as in psycopg. */
    @Override
    public Composed plus(Composable other) {
        if (other == null) {
            throw new NullPointerException("cannot concatenate null: use new Literal(null) for SQL NULL");
        }
        List<Composable> all = new ArrayList<>(parts);
        if (other instanceof Composed c) {
            all.addAll(c.parts);
        } else {
            all.add(other);
        }
        return new Composed(all);
    }

    @Override
    public boolean hasPlaceholders() {
        for (Composable p : parts) {
            if (p.hasPlaceholders()) {
                return true;
            }
        }
        return false;
    }

    @Override
    void appendTo(StringBuilder out, AdaptersMap adapters, boolean doublePercent) {
        for (Composable p : parts) {
            p.appendTo(out, adapters, doublePercent);
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Composed c && c.parts.equals(parts);
    }

    @Override
    public int hashCode() {
        return parts.hashCode();
    }

    @Override
    public String toString() {
        return "Composed(" + parts + ")";
    }
}
