package dev.tusk.values;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import dev.tusk.types.Box;
import dev.tusk.types.Circle;
import dev.tusk.types.Inet;
import dev.tusk.types.Line;
import dev.tusk.types.Lseg;
import dev.tusk.types.MacAddress;
import dev.tusk.types.Path;
import dev.tusk.types.Lsn;
import dev.tusk.types.Point;
import dev.tusk.types.Polygon;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 30, property: a geometric value, a pg_lsn, an inet (IPv4, IPv6, IPv4-mapped and IPv4-compatible IPv6,
 * any prefix) or a MAC address sent as {@code %t} or {@code %b} comes back from the server equal, in text and in
 * binary results, on both drivers; and the server's own text of it is what Tusk sends in text.
 */
@Timeout(300)
@TuskTest
class GeometricAndNetworkPropertiesTest {
    /** A value and the PostgreSQL type to cast it to. */
    record Case(Object value, String type) {
        @Override
        public String toString() {
            return type + " " + value;
        }
    }

    /** Any double but NaN and -0.0: the server orders box corners itself, and NaN and -0 order differently there. */
    private static Arbitrary<Double> ordered() {
        return NumberCases.edgeDoubles().filter(d -> !Double.isNaN(d) && Double.doubleToRawLongBits(d) != Long.MIN_VALUE
                && !Double.isInfinite(d));
    }

    private static Arbitrary<Point> points() {
        return Combinators.combine(NumberCases.edgeDoubles(), NumberCases.edgeDoubles()).as(Point::new);
    }

    private static Arbitrary<Point> orderedPoints() {
        return Combinators.combine(ordered(), ordered()).as(Point::new);
    }

    private static Arbitrary<InetAddress> addresses() {
        Arbitrary<byte[]> v4 = Arbitraries.bytes().array(byte[].class).ofSize(4);
        Arbitrary<byte[]> v6 = Arbitraries.bytes().array(byte[].class).ofSize(16);
        Arbitrary<byte[]> mapped = v4.map(b -> {
            byte[] a = new byte[16];
            a[10] = (byte) 0xFF;
            a[11] = (byte) 0xFF;
            System.arraycopy(b, 0, a, 12, 4);
            return a;
        });
        Arbitrary<byte[]> compatible = v4.map(b -> {
            byte[] a = new byte[16];
            System.arraycopy(b, 0, a, 12, 4);
            return a;
        });
        return Arbitraries.oneOf(v4, v6, mapped, compatible).map(b -> {
            try {
                return b.length == 4 ? InetAddress.getByAddress(b) : java.net.Inet6Address.getByAddress(null, b, -1);
            } catch (UnknownHostException e) {
                throw new AssertionError(e);
            }
        });
    }

    /** A line's A is kept clear of zero as the server sees it: line_in treats |A| and |B| up to 1e-6 as zero. */
    private static Arbitrary<Case> cases() {
        return Arbitraries.oneOf(
                points().map(p -> new Case(p, "point")),
                Combinators.combine(ordered().filter(d -> Math.abs(d) > 1e-6), ordered(), ordered()).as((a, b, c) -> new Case(new Line(a, b, c), "line")),
                Combinators.combine(points(), points()).as((a, b) -> new Case(new Lseg(a, b), "lseg")),
                Combinators.combine(orderedPoints(), orderedPoints()).as((a, b) -> new Case(new Box(a, b), "box")),
                Combinators.combine(points().list().ofMinSize(1).ofMaxSize(6), Arbitraries.of(true, false))
                        .as((ps, closed) -> new Case(new Path(ps, closed), "path")),
                points().list().ofMinSize(1).ofMaxSize(6).map(ps -> new Case(new Polygon(ps), "polygon")),
                Combinators.combine(orderedPoints(), ordered().map(Math::abs)).as((c, r) -> new Case(new Circle(c, r), "circle")),
                NumberCases.edgeLongs().map(v -> new Case(new Lsn(v), "pg_lsn")),
                addresses().flatMap(a -> Arbitraries.integers().between(0, a.getAddress().length * 8)
                        .map(p -> new Case(new Inet(a, p), "inet"))),
                Arbitraries.bytes().array(byte[].class).ofSize(6).map(b -> new Case(MacAddress.of(b), "macaddr")),
                Arbitraries.bytes().array(byte[].class).ofSize(8).map(b -> new Case(MacAddress.of(b), "macaddr8")));
    }

    @Test
    void valuesComeBackEqualInEveryFormatOnBothDrivers(TestDatabase db) {
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
        try (Connection<Row> conn = Connection.connect(options)) {
            AsyncConnection<Row> async = AsyncConnection.connect(options).join();
            try {
                Props.forAll("geometric, pg_lsn, inet and macaddr values round-trip", 150, cases(), c -> {
                    for (String ph : List.of("%t", "%b")) {
                        String sql = "SELECT " + ph + "::" + c.type() + ", (" + ph + "::" + c.type() + ")::text";
                        for (boolean binary : List.of(false, true)) {
                            ExecuteOptions o = ExecuteOptions.builder().binary(binary).build();
                            for (Row r : List.of(conn.execute(sql, List.of(c.value(), c.value()), o).fetchone(),
                                    async.execute(sql, List.of(c.value(), c.value()), o).join().fetchone())) {
                                Object got = c.value() instanceof MacAddress ? r.get(0, MacAddress.class) : r.get(0);
                                assertThat(got).as("%s %s", ph, binary ? "binary" : "text").isEqualTo(c.value());
                                if (!(c.value() instanceof Inet)) { // inet's ::text always shows the prefix
                                    String serverText = r.getString(1);
                                    assertThat(parse(c.type(), serverText)).as("server text %s", serverText).isEqualTo(c.value());
                                }
                            }
                        }
                    }
                });
            } finally {
                async.closeAsync().join();
            }
        }
    }

    private static Object parse(String type, String text) {
        return switch (type) {
            case "point" -> Point.parse(text);
            case "line" -> Line.parse(text);
            case "lseg" -> Lseg.parse(text);
            case "box" -> Box.parse(text);
            case "path" -> Path.parse(text);
            case "polygon" -> Polygon.parse(text);
            case "circle" -> Circle.parse(text);
            case "pg_lsn" -> Lsn.parse(text);
            default -> MacAddress.parse(text);
        };
    }
}
