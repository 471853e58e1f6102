package dev.tusk.types;

import java.util.List;

/**
 * A PostgreSQL {@code path}: points joined in order, open ({@code [(x1,y1),...]}) or closed
 * ({@code ((x1,y1),...)}, the last point joined back to the first). Not {@code java.nio.file.Path}: import one of
 * them by its full name where both are used.
 *
 * @param points the points, at least one
 * @param closed whether the last point joins the first
 */
public record Path(List<Point> points, boolean closed) {
    public Path {
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a path has at least one point");
        }
    }

    /** Parses PostgreSQL's path text: {@code [...]} is open, {@code (...)} or no brackets closed. */
    public static Path parse(String text) {
        return new Path(Geometry.points(Geometry.numbers(text, "path", -1)), !text.trim().startsWith("["));
    }

    /** PostgreSQL's path text. */
    @Override
    public String toString() {
        return Geometry.join(points, closed ? '(' : '[', closed ? ')' : ']');
    }
}
