package dev.tusk.types;

import java.util.Objects;

/**
 * A PostgreSQL {@code circle} (text {@code <(x,y),r>}).
 *
 * @param center the center
 * @param radius the radius, not negative (the server refuses a negative one)
 */
public record Circle(Point center, double radius) {
    public Circle {
        Objects.requireNonNull(center, "center");
    }

    /** Parses PostgreSQL's circle text, {@code <(x,y),r>}. */
    public static Circle parse(String text) {
        double[] n = Geometry.numbers(text, "circle", 3);
        return new Circle(new Point(n[0], n[1]), n[2]);
    }

    /** PostgreSQL's circle text. */
    @Override
    public String toString() {
        return "<" + center + "," + Geometry.num(radius) + ">";
    }
}
