package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Period;

/**
 * interval ↔ {@link Interval} (binary: int64 microseconds, int32 days, int32 months, as interval_send);
 * {@code Duration} and {@code Period} dump as interval too.
 */
public final class IntervalAdapters {
    private IntervalAdapters() {
    }

    static ByteBuffer binary(Interval i) {
        return ByteBuffer.allocate(16).putLong(0, i.microseconds()).putInt(8, i.days()).putInt(12, i.months());
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.INTERVAL, Codecs.textLoader(Interval::parse));
        m.registerLoader(BuiltinTypes.INTERVAL, Codecs.binaryLoader(b -> {
            Wire.expectLength(b, 16, "interval");
            int p = b.position();
            return new Interval(b.getInt(p + 12), b.getInt(p + 8), b.getLong(p));
        }));
        m.registerDumper(Interval.class, Codecs.<Interval>textDumper(BuiltinTypes.INTERVAL, Interval::toString));
        m.registerDumper(Interval.class, Codecs.<Interval>dumper(BuiltinTypes.INTERVAL, Format.BINARY, IntervalAdapters::binary));
        m.registerDumper(Duration.class, Codecs.<Duration>textDumper(BuiltinTypes.INTERVAL, d -> Interval.of(d).toString()));
        m.registerDumper(Duration.class, Codecs.<Duration>dumper(BuiltinTypes.INTERVAL, Format.BINARY, d -> binary(Interval.of(d))));
        m.registerDumper(Period.class, Codecs.<Period>textDumper(BuiltinTypes.INTERVAL, p -> Interval.of(p, Duration.ZERO).toString()));
        m.registerDumper(Period.class, Codecs.<Period>dumper(BuiltinTypes.INTERVAL, Format.BINARY,
                p -> binary(Interval.of(p, Duration.ZERO))));
    }
}
