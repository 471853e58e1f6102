package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.errors.DataException;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.time.Period;
import java.util.BitSet;
import java.util.List;
import java.util.Map;

import static dev.tusk.types.CodecTesting.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ExtraCodecsTest {
    @Test
    void intervalParsesEveryIntervalStyle() {
        // the examples of the PostgreSQL manual's "Interval Output Style Examples" table
        Interval ym = new Interval(14, 0, 0);
        Interval dt = new Interval(0, 3, (4 * 3600 + 5 * 60 + 6) * 1_000_000L);
        Interval mixed = new Interval(-14, 3, -(4 * 3600 + 5 * 60 + 6) * 1_000_000L);
        assertThat(Interval.parse("1-2")).isEqualTo(ym);
        assertThat(Interval.parse("3 4:05:06")).isEqualTo(dt);
        assertThat(Interval.parse("-1-2 +3 -4:05:06")).isEqualTo(mixed);
        assertThat(Interval.parse("1 year 2 mons")).isEqualTo(ym);
        assertThat(Interval.parse("3 days 04:05:06")).isEqualTo(dt);
        assertThat(Interval.parse("-1 year -2 mons +3 days -04:05:06")).isEqualTo(mixed);
        assertThat(Interval.parse("@ 1 year 2 mons")).isEqualTo(ym);
        assertThat(Interval.parse("@ 3 days 4 hours 5 mins 6 secs")).isEqualTo(dt);
        assertThat(Interval.parse("@ 1 year 2 mons -3 days 4 hours 5 mins 6 secs ago")).isEqualTo(mixed);
        assertThat(Interval.parse("P1Y2M")).isEqualTo(ym);
        assertThat(Interval.parse("P3DT4H5M6S")).isEqualTo(dt);
        assertThat(Interval.parse("P-1Y-2M3DT-4H-5M-6S")).isEqualTo(mixed);
        assertThat(Interval.parse("-3 4:05:06")).isEqualTo(new Interval(0, -3, -(4 * 3600 + 5 * 60 + 6) * 1_000_000L));
        assertThat(Interval.parse("00:00:00.000001")).isEqualTo(new Interval(0, 0, 1));
        assertThat(Interval.parse("-00:00:00.5")).isEqualTo(new Interval(0, 0, -500_000));
        assertThat(Interval.parse("PT-0.5S")).isEqualTo(new Interval(0, 0, -500_000));
        assertThat(Interval.parse("1 day")).isEqualTo(new Interval(0, 1, 0));
        assertThat(Interval.parse("-178000000 years")).isEqualTo(new Interval(-2136000000, 0, 0));
        assertThatThrownBy(() -> Interval.parse("1 fortnight")).isInstanceOf(DataException.class);
    }

    @Test
    void intervalConversionsAndBinary() {
        Interval i = new Interval(14, 3, 1_500_000);
        assertThat(i.toPeriod()).isEqualTo(Period.of(1, 2, 3));
        assertThat(i.timePart()).isEqualTo(Duration.ofMillis(1500));
        assertThat(i.toDuration()).isEqualTo(Duration.ofDays(3 + 14 * 30).plusMillis(1500));
        assertThat(hex(dump(i, Format.BINARY))).isEqualTo("000000000016e360" + "00000003" + "0000000e");
        assertThat(roundTrip(i, Format.BINARY, 0)).isEqualTo(i);
        assertThat(Interval.parse(i.toString())).isEqualTo(i);
        assertThat(roundTrip(Duration.ofHours(-25), Format.BINARY, 0)).isEqualTo(new Interval(0, 0, -25 * 3_600_000_000L));
        assertThat(M.dumperFor(Period.ofDays(1), null).oid()).isEqualTo(1186);
    }

    @Test
    void jsonAndJsonb() {
        assertThat(M.dumperFor(new Json("{}"), null).oid()).isEqualTo(114);
        assertThat(M.dumperFor(new Jsonb("{}"), null).oid()).isEqualTo(3802);
        assertThat(hex(dump(new Jsonb("[1]"), Format.BINARY))).isEqualTo("015b315d");
        assertThat(load(3802, Format.BINARY, unhex("015b315d"))).isEqualTo("[1]");
        assertThat(loadText(114, "{\"a\": \"☃\"}")).isEqualTo("{\"a\": \"☃\"}");
        assertThatThrownBy(() -> load(3802, Format.BINARY, unhex("025b315d"))).isInstanceOf(DataException.class);
        AdaptersMap m = M.child();
        JsonAdapters.useMapper(m, new JsonMapper() {
            public Object parse(String json) {
                return Map.of("parsed", json);
            }

            public String write(Object value) {
                return "\"" + value + "\"";
            }
        }, StringBuilder.class);
        assertThat(load(m, 3802, Format.TEXT, "1".getBytes())).isEqualTo(Map.of("parsed", "1"));
        assertThat(new String(dump(m, new StringBuilder("x"), Format.TEXT))).isEqualTo("\"x\"");
        assertThat(m.dumperFor(new StringBuilder(), null).oid()).isEqualTo(3802);
    }

    @Test
    void inetAndCidr() throws Exception {
        assertThat(loadText(869, "192.168.0.1")).isEqualTo(new Inet(InetAddress.getByName("192.168.0.1"), 32));
        assertThat(loadText(650, "10.0.0.0/8").toString()).isEqualTo("10.0.0.0/8");
        assertThat(loadText(869, "::1/64").toString()).isEqualTo("0:0:0:0:0:0:0:1/64");
        Inet v = Inet.parse("10.1.2.3/16");
        assertThat(hex(dump(v, Format.BINARY))).isEqualTo("02" + "10" + "00" + "04" + "0a010203");
        assertThat(load(650, Format.BINARY, unhex("02080104" + "0a000000"))).isEqualTo(Inet.parse("10.0.0.0/8"));
        assertThat(roundTrip(Inet.parse("2001:db8::1"), Format.BINARY, 0)).isEqualTo(Inet.parse("2001:db8::1"));
        assertThat(dumpText(InetAddress.getByName("127.0.0.1"))).isEqualTo("127.0.0.1");
        assertThatThrownBy(() -> Inet.parse("example.com")).isInstanceOf(DataException.class);
    }

    @Test
    void macaddr() {
        assertThat(load(829, Format.BINARY, unhex("08002b010203"))).isEqualTo("08:00:2b:01:02:03");
        assertThat(loadText(829, "08:00:2b:01:02:03")).isEqualTo("08:00:2b:01:02:03");
    }

    @Test
    void bitStrings() {
        BitString b = BitString.parse("10110");
        assertThat(b.length()).isEqualTo(5);
        assertThat(b.get(0)).isTrue();
        assertThat(b.get(1)).isFalse();
        assertThat(hex(dump(b, Format.BINARY))).isEqualTo("00000005" + "b0");
        assertThat(load(1562, Format.BINARY, unhex("00000005b0"))).isEqualTo(b);
        assertThat(loadText(1560, "10110")).isEqualTo(b);
        assertThat(dumpText(b)).isEqualTo("10110");
        BitSet set = new BitSet();
        set.set(0);
        set.set(2);
        assertThat(BitString.of(set, 3).toString()).isEqualTo("101");
        assertThat(BitString.parse("").length()).isZero();
        assertThat(loadText(1563, "{101,0}")).isEqualTo(List.of(BitString.parse("101"), BitString.parse("0")));
    }

    @Test
    void geometricBinaryLayoutsFollowTheSendFunctions() {
        // point_send: two float8; path_send: closed byte, int32 count, points; poly_send: int32 count, points
        assertThat(hex(dump(new Point(1, -2), Format.BINARY))).isEqualTo("3ff0000000000000" + "c000000000000000");
        Path open = new Path(List.of(new Point(0, 0), new Point(1, 1)), false);
        assertThat(hex(dump(open, Format.BINARY))).isEqualTo("00" + "00000002" + "0".repeat(32) + "3ff0000000000000".repeat(2));
        assertThat(load(602, Format.BINARY, dump(open, Format.BINARY))).isEqualTo(open);
        assertThat(hex(dump(new Polygon(List.of(new Point(1, 1))), Format.BINARY))).isEqualTo("00000001" + "3ff0000000000000".repeat(2));
        assertThatThrownBy(() -> load(604, Format.BINARY, unhex("00000002" + "3ff0000000000000".repeat(2))))
                .isInstanceOf(DataException.class); // claims two points, holds one
        assertThatThrownBy(() -> load(600, Format.BINARY, unhex("3ff0000000000000"))).isInstanceOf(DataException.class);
        assertThat(dumpText(new Box(new Point(0, 5), new Point(2, 1)))).isEqualTo("(2,5),(0,1)");
        assertThat(dumpText(new Circle(new Point(0.5, 0), 2))).isEqualTo("<(0.5,0),2>");
        assertThat(dumpText(new Line(1, 0, -3))).isEqualTo("{1,0,-3}");
        assertThat(Path.parse("(1,2),(3,4)").closed()).isTrue(); // no brackets: closed, as path_in
        assertThat(Path.parse("[(1,2),(3,4)]").closed()).isFalse();
    }

    @Test
    void pgLsnAndInetBinaryLayouts() {
        assertThat(hex(dump(Lsn.parse("16/B374D848"), Format.BINARY))).isEqualTo("00000016b374d848");
        assertThat(load(3220, Format.BINARY, unhex("ffffffff00000001"))).isEqualTo(Lsn.parse("FFFFFFFF/1"));
        // inet_send of ::ffff:1.2.3.0: family 3 (IPv6), 128 bits, not cidr, 16 bytes; it stays IPv6 both ways
        String mapped = "03" + "80" + "00" + "10" + "00000000000000000000ffff01020300";
        assertThat(load(869, Format.BINARY, unhex(mapped))).isEqualTo(Inet.parse("::ffff:1.2.3.0"));
        assertThat(hex(dump(Inet.parse("::ffff:1.2.3.0"), Format.BINARY))).isEqualTo(mapped);
    }
}
