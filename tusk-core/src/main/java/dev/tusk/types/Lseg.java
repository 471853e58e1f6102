package dev.tusk.types;

import java.util.Objects;

/**
 * A PostgreSQL {@code lseg}, a line segment between two points (text {@code [(x1,y1),(x2,y2)]}).
 *
 * @param start the first end point
 * @param end   the second end point
 */
public record Lseg(Point start, Point end) {
    public Lseg {
        Objects.requireNonNull(start, "start");
        Objects.requireNonNull(end, "end");
    }

    /** Parses PostgreSQL's lseg text, {@code [(x1,y1),(x2,y2)]}. */
    public static Lseg parse(String text) {
        double[] n = Geometry.numbers(text, "lseg", 4);
        return new Lseg(new Point(n[0], n[1]), new Point(n[2], n[3]));
    }

    /** PostgreSQL's lseg text. */
    @Override
    public String toString() {
        return "[" + start + "," + end + "]";
    }
}
