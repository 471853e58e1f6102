package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.DumperFactory;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.adapt.TypeInfo;
import dev.tusk.errors.DataException;
import dev.tusk.errors.ProgrammingException;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * Ranges ↔ {@link Range} and multiranges ↔ {@link Multirange}, text and binary, for the built-in range
 * types and any range registered with {@link TypeInfo#register}. Bounds load with the subtype's loader.
 *
 * <p>With {@code %s} and {@code %t} a range is dumped as text with oid 0 (the server infers the type, so
 * a range of Integer fits int4range and int8range alike, as psycopg); with {@code %b} the range type is the
 * one over its bounds' type. An empty or unbounded range has no bound to tell its type and is always sent
 * as text.
 */
public final class RangeAdapters {
    private RangeAdapters() {
    }

    // range_send/range_recv flags (rangetypes.h)
    static final int EMPTY = 0x01, LB_INC = 0x02, UB_INC = 0x04, LB_INF = 0x08, UB_INF = 0x10;

    /** Loads one range with the subtype's loader ({@code null}: bounds stay strings / bytes). */
    static final class RangeLoader implements Loader<Range<Object>> {
        private final Loader<?> element;
        private final Format format;

        RangeLoader(Loader<?> element, Format format) {
            this.element = element;
            this.format = format;
        }

        @Override
        public Range<Object> load(ByteBuffer data) {
            if (format == Format.TEXT) {
                return fromText(RangeText.parseRange(Wire.text(data)));
            }
            ByteBuffer b = data.slice();
            Range<Object> r = binary(b);
            if (b.hasRemaining()) {
                throw new DataException("a binary range has " + b.remaining() + " bytes too many");
            }
            return r;
        }

        Range<Object> fromText(Range<String> r) {
            if (r.isEmpty()) {
                return Range.empty();
            }
            return Range.of(bound(r.lower()), r.lowerInclusive(), bound(r.upper()), r.upperInclusive());
        }

        private Object bound(String s) {
            if (s == null || element == null) {
                return s;
            }
            return element.load(Wire.utf8(s));
        }

        /** Reads one binary range from {@code b}'s position, leaving it after the range. */
        Range<Object> binary(ByteBuffer b) {
            int flags = b.get() & 0xFF;
            if ((flags & EMPTY) != 0) {
                return Range.empty();
            }
            Object lower = (flags & LB_INF) != 0 ? null : binaryBound(b);
            Object upper = (flags & UB_INF) != 0 ? null : binaryBound(b);
            return Range.of(lower, (flags & LB_INC) != 0, upper, (flags & UB_INC) != 0);
        }

        private Object binaryBound(ByteBuffer b) {
            int len = b.getInt();
            if (len < 0 || len > b.remaining()) {
                throw new DataException("a binary range bound has an invalid length " + len);
            }
            ByteBuffer item = b.slice();
            item.limit(len);
            b.position(b.position() + len);
            return element == null ? Wire.bytes(item) : element.load(item);
        }

        @Override
        public Format format() {
            return format;
        }
    }

    /** Loads a multirange: its ranges with one {@link RangeLoader}. */
    static final class MultirangeLoader implements Loader<Multirange<Object>> {
        private final RangeLoader range;

        MultirangeLoader(RangeLoader range) {
            this.range = range;
        }

        @Override
        public Multirange<Object> load(ByteBuffer data) {
            List<Range<Object>> out = new ArrayList<>();
            if (range.format == Format.TEXT) {
                for (Range<String> r : RangeText.parseMultirange(Wire.text(data))) {
                    out.add(range.fromText(r));
                }
                return Multirange.of(out);
            }
            ByteBuffer b = data.slice();
            int n = b.getInt();
            for (int i = 0; i < n; i++) {
                int len = b.getInt();
                ByteBuffer one = b.slice();
                one.limit(len);
                b.position(b.position() + len);
                out.add(range.binary(one));
            }
            return Multirange.of(out);
        }

        @Override
        public Format format() {
            return range.format;
        }
    }

    /** Dumps ranges (or multiranges) with one bound dumper. */
    static final class RangeDumper extends TypedDumper<Object> {
        private final Dumper<Object> element;
        private final boolean multi;

        RangeDumper(Dumper<Object> element, int oid, Format format, boolean multi) {
            super(oid, format);
            this.element = element;
            this.multi = multi;
        }

        @Override
        public ByteBuffer dump(Object value) {
            if (format() == Format.TEXT) {
                StringBuilder sb = new StringBuilder();
                if (multi) {
                    sb.append('{');
                    boolean first = true;
                    for (Range<?> r : (Multirange<?>) value) {
                        if (!first) {
                            sb.append(',');
                        }
                        first = false;
                        appendText(sb, r);
                    }
                    sb.append('}');
                } else {
                    appendText(sb, (Range<?>) value);
                }
                return Wire.utf8(sb.toString());
            }
            if (!multi) {
                return binary((Range<?>) value);
            }
            Multirange<?> m = (Multirange<?>) value;
            List<ByteBuffer> parts = new ArrayList<>(m.size());
            int size = 4;
            for (Range<?> r : m) {
                ByteBuffer b = binary(r);
                parts.add(b);
                size += 4 + b.remaining();
            }
            ByteBuffer out = ByteBuffer.allocate(size).putInt(parts.size());
            for (ByteBuffer b : parts) {
                out.putInt(b.remaining()).put(b);
            }
            return out.flip();
        }

        private void appendText(StringBuilder sb, Range<?> r) {
            RangeText.append(sb, r, boundText(r.lower()), boundText(r.upper()));
        }

        private String boundText(Object bound) {
            if (bound == null) {
                return null;
            }
            if (element == null) {
                throw new DataException("cannot dump range bound " + bound + ": the range's bounds have no dumper");
            }
            return Wire.text(dumpBound(bound));
        }

        private ByteBuffer dumpBound(Object bound) {
            try {
                return element.dump(bound);
            } catch (ClassCastException e) {
                throw new DataException("a range's bounds must have the same type, found a " + bound.getClass().getName()
                        + " dumped with " + element, e);
            }
        }

        private ByteBuffer binary(Range<?> r) {
            if (r.isEmpty()) {
                return ByteBuffer.allocate(1).put(0, (byte) EMPTY);
            }
            ByteBuffer lo = r.lower() == null ? null : dumpBound(r.lower()).duplicate();
            ByteBuffer hi = r.upper() == null ? null : dumpBound(r.upper()).duplicate();
            int flags = (r.lowerInclusive() ? LB_INC : 0) | (r.upperInclusive() ? UB_INC : 0)
                    | (lo == null ? LB_INF : 0) | (hi == null ? UB_INF : 0);
            ByteBuffer out = ByteBuffer.allocate(1 + (lo == null ? 0 : 4 + lo.remaining()) + (hi == null ? 0 : 4 + hi.remaining()));
            out.put((byte) flags);
            if (lo != null) {
                out.putInt(lo.remaining()).put(lo);
            }
            if (hi != null) {
                out.putInt(hi.remaining()).put(hi);
            }
            return out.flip();
        }

        @Override
        public String toString() {
            return (multi ? "MultirangeDumper" : "RangeDumper") + "(oid=" + oid() + ", " + format() + ", bounds " + element + ")";
        }
    }

    private record Key(Dumper<?> element, Format format, boolean multi, int oid) {
    }

    /** Picks the bound dumper from the first bound, as arrays pick theirs from the first element. */
    static final class Factory implements DumperFactory {
        private final Format format;
        private final boolean multi;

        Factory(Format format, boolean multi) {
            this.format = format;
            this.multi = multi;
        }

        @Override
        public Dumper<Object> upgrade(Object value, Format requested, AdaptersMap adapters) {
            Object bound = null;
            if (multi) {
                for (Range<?> r : (Multirange<?>) value) {
                    if ((bound = r.anyBound()) != null) {
                        break;
                    }
                }
            } else {
                bound = ((Range<?>) value).anyBound();
            }
            if (bound == null) {
                return adapters.derived(new Key(null, Format.TEXT, multi, 0), k -> new RangeDumper(null, 0, Format.TEXT, multi));
            }
            if (requested != Format.BINARY) {
                Dumper<Object> el = adapters.dumperFor(bound, Format.TEXT);
                return adapters.derived(new Key(el, Format.TEXT, multi, 0), k -> new RangeDumper(el, 0, Format.TEXT, multi));
            }
            Dumper<Object> el = adapters.dumperFor(bound, Format.BINARY);
            TypeInfo range = el.format() == Format.BINARY ? adapters.types().rangeOver(el.oid()) : null;
            TypeInfo type = range == null || !multi ? range : adapters.types().multirangeOver(range.oid());
            if (type == null) {
                throw new ProgrammingException("cannot dump a " + (multi ? "multirange" : "range") + " of "
                        + bound.getClass().getName() + " in binary: no " + (multi ? "multirange" : "range")
                        + " type over oid " + el.oid() + " is known; use %s or %t, or fetch and register the type with TypeInfo");
            }
            int oid = type.oid();
            return adapters.derived(new Key(el, Format.BINARY, multi, oid), k -> new RangeDumper(el, oid, Format.BINARY, multi));
        }

        @Override
        public int oid() {
            return 0;
        }

        @Override
        public Format format() {
            return format;
        }
    }

    /** Registers the loaders of the range or multirange {@code info} (and nothing for other kinds). */
    public static void registerLoaders(AdaptersMap m, TypeInfo info) {
        for (Format f : Format.values()) {
            if (info.kind() == TypeInfo.Kind.RANGE) {
                m.registerLoaderFactory(info.oid(), f, map -> new RangeLoader(map.loaderFor(info.baseOid(), f), f));
            } else if (info.kind() == TypeInfo.Kind.MULTIRANGE) {
                m.registerLoaderFactory(info.oid(), f, map -> {
                    TypeInfo range = map.types().get(info.baseOid());
                    Loader<?> el = range == null ? null : map.loaderFor(range.baseOid(), f);
                    return new MultirangeLoader(new RangeLoader(el, f));
                });
            }
        }
    }

    static void register(AdaptersMap m) {
        // binary first: the text dumper, registered last, is the automatic choice
        m.registerDumper(Range.class, new Factory(Format.BINARY, false));
        m.registerDumper(Range.class, new Factory(Format.TEXT, false));
        m.registerDumper(Multirange.class, new Factory(Format.BINARY, true));
        m.registerDumper(Multirange.class, new Factory(Format.TEXT, true));
        for (int oid : BuiltinTypes.ALL_OIDS) {
            TypeInfo t = m.types().get(oid);
            if (t != null) {
                registerLoaders(m, t);
            }
        }
    }
}
