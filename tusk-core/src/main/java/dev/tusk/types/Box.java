package dev.tusk.types;

import java.util.Objects;

/**
 * A PostgreSQL {@code box}, a rectangle given by two opposite corners (text {@code (x1,y1),(x2,y2)}). Like the
 * server, the constructor orders the corners: {@code high} is the upper right one, {@code low} the lower left,
 * so a box equals the one the server gives back. Arrays of boxes use {@code ;} between elements (box's
 * {@code typdelim}).
 *
 * @param high the corner with the larger coordinates
 * @param low  the corner with the smaller coordinates
 */
public record Box(Point high, Point low) {
    public Box {
        Objects.requireNonNull(high, "high");
        Objects.requireNonNull(low, "low");
        if (high.x() < low.x() || high.y() < low.y()) {
            Point h = new Point(Math.max(high.x(), low.x()), Math.max(high.y(), low.y()));
            low = new Point(Math.min(high.x(), low.x()), Math.min(high.y(), low.y()));
            high = h;
        }
    }

    /** Parses PostgreSQL's box text, {@code (x1,y1),(x2,y2)}. */
    public static Box parse(String text) {
        double[] n = Geometry.numbers(text, "box", 4);
        return new Box(new Point(n[0], n[1]), new Point(n[2], n[3]));
    }

    /** PostgreSQL's box text, upper right corner first. */
    @Override
    public String toString() {
        return high + "," + low;
    }
}
