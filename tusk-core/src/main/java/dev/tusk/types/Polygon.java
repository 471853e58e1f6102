package dev.tusk.types;

import java.util.List;

/**
 * A PostgreSQL {@code polygon}, its vertices in order (text {@code ((x1,y1),...)}).
 *
 * @param points the vertices, at least one
 */
public record Polygon(List<Point> points) {
    public Polygon {
        points = List.copyOf(points);
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a polygon has at least one point");
        }
    }

    /** Parses PostgreSQL's polygon text, {@code ((x1,y1),...)}. */
    public static Polygon parse(String text) {
        return new Polygon(Geometry.points(Geometry.numbers(text, "polygon", -1)));
    }

    /** PostgreSQL's polygon text. */
    @Override
    public String toString() {
        return Geometry.join(points, '(', ')');
    }
}
