package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The geometric types ↔ {@link Point}, {@link Line}, {@link Lseg}, {@link Box}, {@link Path}, {@link Polygon},
 * {@link Circle}, in text and in binary (as {@code point_send} and the others: float8 coordinates; a path starts
 * with a closed byte and an int32 point count, a polygon with the count).
 */
final class Geometry {
    private Geometry() {
    }

    /**
     * The numbers of a geometric text in order, brackets of any kind ignored; {@code count} of them, or any even
     * number ({@code -1}: a list of points).
     */
    static double[] numbers(String text, String type, int count) {
        StringBuilder sb = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if ("()[]{}<>".indexOf(c) < 0) {
                sb.append(c);
            }
        }
        String[] parts = sb.toString().split(",", -1);
        if (count >= 0 ? parts.length != count : parts.length % 2 != 0 || sb.toString().isBlank()) {
            throw Wire.bad(type, text);
        }
        double[] out = new double[parts.length];
        try {
            for (int i = 0; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.isEmpty() || p.endsWith("d") || p.endsWith("D") || p.endsWith("f") || p.endsWith("F")) {
                    throw Wire.bad(type, text);
                }
                out[i] = Double.parseDouble(p);
            }
        } catch (NumberFormatException e) {
            throw Wire.bad(type, text, e);
        }
        return out;
    }

    static List<Point> points(double[] xy) {
        List<Point> out = new ArrayList<>(xy.length / 2);
        for (int i = 0; i < xy.length; i += 2) {
            out.add(new Point(xy[i], xy[i + 1]));
        }
        return out;
    }

    /** A coordinate as float8 text the server reads back exactly (Java's shortest repr, e.g. 1.0E10). */
    static String num(double d) {
        if (d == Math.rint(d) && Math.abs(d) < 1e15 && !(d == 0 && 1 / d < 0)) {
            return Long.toString((long) d);
        }
        return Double.toString(d);
    }

    static String join(List<Point> points, char open, char close) {
        StringBuilder sb = new StringBuilder().append(open);
        for (int i = 0; i < points.size(); i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append(points.get(i));
        }
        return sb.append(close).toString();
    }

    private static Point point(ByteBuffer b, int at) {
        return new Point(b.getDouble(at), b.getDouble(at + 8));
    }

    private static List<Point> points(ByteBuffer b, int at, int n, String type) {
        Wire.expectLength(b, at - b.position() + 16 * n, type);
        List<Point> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            out.add(point(b, at + 16 * i));
        }
        return out;
    }

    private static int count(ByteBuffer b, int at, String type) {
        if (b.limit() < at + 4) {
            throw new DataException("a binary " + type + " is too short: " + b.remaining() + " bytes");
        }
        int n = b.getInt(at);
        if (n <= 0 || n > (b.limit() - at - 4) / 16) {
            throw new DataException("a binary " + type + " claims " + n + " points in " + b.remaining() + " bytes");
        }
        return n;
    }

    private static ByteBuffer doubles(double... v) {
        ByteBuffer out = ByteBuffer.allocate(8 * v.length);
        for (double d : v) {
            out.putDouble(d);
        }
        return out.flip();
    }

    private static ByteBuffer pointList(ByteBuffer head, List<Point> points) {
        ByteBuffer out = ByteBuffer.allocate(head.remaining() + 16 * points.size()).put(head);
        for (Point p : points) {
            out.putDouble(p.x()).putDouble(p.y());
        }
        return out.flip();
    }

    private static <T> void register(AdaptersMap m, int oid, Class<T> cls, Function<String, T> parse,
            Function<ByteBuffer, T> read, Function<T, ByteBuffer> write) {
        m.registerLoader(oid, Codecs.textLoader(parse));
        m.registerLoader(oid, Codecs.binaryLoader(read));
        m.registerDumper(cls, Codecs.<T>textDumper(oid, Object::toString));
        m.registerDumper(cls, Codecs.<T>dumper(oid, Format.BINARY, write));
    }

    static void register(AdaptersMap m) {
        register(m, BuiltinTypes.POINT, Point.class, Point::parse, b -> {
            Wire.expectLength(b, 16, "point");
            return point(b, b.position());
        }, p -> doubles(p.x(), p.y()));
        register(m, BuiltinTypes.LINE, Line.class, Line::parse, b -> {
            Wire.expectLength(b, 24, "line");
            int p = b.position();
            return new Line(b.getDouble(p), b.getDouble(p + 8), b.getDouble(p + 16));
        }, l -> doubles(l.a(), l.b(), l.c()));
        register(m, BuiltinTypes.LSEG, Lseg.class, Lseg::parse, b -> {
            Wire.expectLength(b, 32, "lseg");
            return new Lseg(point(b, b.position()), point(b, b.position() + 16));
        }, l -> doubles(l.start().x(), l.start().y(), l.end().x(), l.end().y()));
        register(m, BuiltinTypes.BOX, Box.class, Box::parse, b -> {
            Wire.expectLength(b, 32, "box");
            return new Box(point(b, b.position()), point(b, b.position() + 16));
        }, x -> doubles(x.high().x(), x.high().y(), x.low().x(), x.low().y()));
        register(m, BuiltinTypes.PATH, Path.class, Path::parse, b -> {
            if (b.remaining() < 1) {
                throw new DataException("a binary path is empty");
            }
            boolean closed = b.get(b.position()) != 0;
            int n = count(b, b.position() + 1, "path");
            return new Path(points(b, b.position() + 5, n, "path"), closed);
        }, p -> pointList(ByteBuffer.allocate(5).put((byte) (p.closed() ? 1 : 0)).putInt(p.points().size()).flip(),
                p.points()));
        register(m, BuiltinTypes.POLYGON, Polygon.class, Polygon::parse, b -> {
            int n = count(b, b.position(), "polygon");
            return new Polygon(points(b, b.position() + 4, n, "polygon"));
        }, p -> pointList(ByteBuffer.allocate(4).putInt(p.points().size()).flip(), p.points()));
        register(m, BuiltinTypes.CIRCLE, Circle.class, Circle::parse, b -> {
            Wire.expectLength(b, 24, "circle");
            return new Circle(point(b, b.position()), b.getDouble(b.position() + 16));
        }, c -> doubles(c.center().x(), c.center().y(), c.radius()));
    }
}
