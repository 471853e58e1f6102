package dev.tusk.types;

/**
 * A PostgreSQL {@code line}, the infinite line {@code a·x + b·y + c = 0} (text {@code {A,B,C}}); {@code a} and
 * {@code b} are not both zero (the server refuses it).
 *
 * @param a the coefficient of x
 * @param b the coefficient of y
 * @param c the constant
 */
public record Line(double a, double b, double c) {
    /** Parses PostgreSQL's line text {@code {A,B,C}}. */
    public static Line parse(String text) {
        double[] n = Geometry.numbers(text, "line", 3);
        return new Line(n[0], n[1], n[2]);
    }

    /** PostgreSQL's line text, {@code {A,B,C}}. */
    @Override
    public String toString() {
        return "{" + Geometry.num(a) + "," + Geometry.num(b) + "," + Geometry.num(c) + "}";
    }
}
