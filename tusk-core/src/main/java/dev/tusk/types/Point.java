package dev.tusk.types;

/**
 * A PostgreSQL {@code point}: loaded from, and dumped as, {@code point} in text ({@code (x,y)}) and binary.
 *
 * <pre>{@code
 * Point p = conn.execute("SELECT point(1.5, -2)").fetchone().get(0, Point.class); // Point[x=1.5, y=-2.0]
 * }</pre>
 *
 * @param x the abscissa
 * @param y the ordinate
 */
public record Point(double x, double y) {
    /** Parses PostgreSQL's point text, {@code (x,y)} or {@code x,y}. */
    public static Point parse(String text) {
        double[] n = Geometry.numbers(text, "point", 2);
        return new Point(n[0], n[1]);
    }

    /** PostgreSQL's point text, {@code (x,y)}. */
    @Override
    public String toString() {
        return "(" + Geometry.num(x) + "," + Geometry.num(y) + ")";
    }
}
