package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;

/**
 * int2 ↔ {@code Short}, int4 ↔ {@code Integer}, int8 ↔ {@code Long}, oid → {@code Long} (it is unsigned);
 * {@code Byte} dumps as int2 and {@code BigInteger} as numeric. Text loaders parse the digits in place
 * and the primitive getters ({@link Loader#loadInt}, {@link Loader#loadLong}) never box.
 */
public final class IntegerAdapters {
    private IntegerAdapters() {
    }

    /** Parses a decimal integer from the buffer's bytes without making a String. */
    static long parseLong(ByteBuffer b, String type) {
        int pos = b.position();
        int end = b.limit();
        if (pos == end) {
            throw Wire.bad(type, "");
        }
        boolean neg = false;
        byte first = b.get(pos);
        if (first == '-' || first == '+') {
            neg = first == '-';
            pos++;
            if (pos == end) {
                throw Wire.bad(type, Wire.text(b));
            }
        }
        long limit = neg ? Long.MIN_VALUE : -Long.MAX_VALUE;
        long multmin = limit / 10;
        long acc = 0; // accumulated negatively, as Long.parseLong, so that Long.MIN_VALUE parses
        for (; pos < end; pos++) {
            int d = b.get(pos) - '0';
            if (d < 0 || d > 9 || acc < multmin) {
                throw Wire.bad(type, Wire.text(b));
            }
            acc *= 10;
            if (acc < limit + d) {
                throw Wire.bad(type, Wire.text(b));
            }
            acc -= d;
        }
        return neg ? acc : -acc;
    }

    static int toInt(long v, String type, ByteBuffer b) {
        if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
            throw Wire.bad(type, Wire.text(b));
        }
        return (int) v;
    }

    /** Base for integer loaders: load() boxes, the primitive methods do not. */
    private abstract static class IntegerLoader<T extends Number> implements Loader<T> {
        private final Format format;

        IntegerLoader(Format format) {
            this.format = format;
        }

        @Override
        public Format format() {
            return format;
        }

        @Override
        public short loadShort(ByteBuffer data) {
            long v = loadLong(data);
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                throw new DataException("value " + v + " is out of range for a short");
            }
            return (short) v;
        }

        @Override
        public int loadInt(ByteBuffer data) {
            long v = loadLong(data);
            if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
                throw new DataException("value " + v + " is out of range for an int: use getLong");
            }
            return (int) v;
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            return loadLong(data);
        }

        @Override
        public float loadFloat(ByteBuffer data) {
            return loadLong(data);
        }
    }

    static final Loader<Short> INT2_TEXT = new IntegerLoader<>(Format.TEXT) {
        @Override
        public Short load(ByteBuffer data) {
            return (short) loadLong(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            long v = parseLong(data, "int2");
            if (v < Short.MIN_VALUE || v > Short.MAX_VALUE) {
                throw Wire.bad("int2", Wire.text(data));
            }
            return v;
        }
    };

    static final Loader<Integer> INT4_TEXT = new IntegerLoader<>(Format.TEXT) {
        @Override
        public Integer load(ByteBuffer data) {
            return loadInt(data);
        }

        @Override
        public int loadInt(ByteBuffer data) {
            return toInt(parseLong(data, "int4"), "int4", data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            return loadInt(data);
        }
    };

    static final Loader<Long> INT8_TEXT = new IntegerLoader<>(Format.TEXT) {
        @Override
        public Long load(ByteBuffer data) {
            return loadLong(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            return parseLong(data, "int8");
        }
    };

    static final Loader<Long> OID_TEXT = new IntegerLoader<>(Format.TEXT) {
        @Override
        public Long load(ByteBuffer data) {
            return loadLong(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            long v = parseLong(data, "oid");
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw Wire.bad("oid", Wire.text(data));
            }
            return v;
        }
    };

    static final Loader<Short> INT2_BINARY = new IntegerLoader<>(Format.BINARY) {
        @Override
        public Short load(ByteBuffer data) {
            return loadShort(data);
        }

        @Override
        public short loadShort(ByteBuffer data) {
            Wire.expectLength(data, 2, "int2");
            return data.getShort(data.position());
        }

        @Override
        public int loadInt(ByteBuffer data) {
            return loadShort(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            return loadShort(data);
        }
    };

    static final Loader<Integer> INT4_BINARY = new IntegerLoader<>(Format.BINARY) {
        @Override
        public Integer load(ByteBuffer data) {
            return loadInt(data);
        }

        @Override
        public int loadInt(ByteBuffer data) {
            Wire.expectLength(data, 4, "int4");
            return data.getInt(data.position());
        }

        @Override
        public long loadLong(ByteBuffer data) {
            return loadInt(data);
        }
    };

    static final Loader<Long> INT8_BINARY = new IntegerLoader<>(Format.BINARY) {
        @Override
        public Long load(ByteBuffer data) {
            return loadLong(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            Wire.expectLength(data, 8, "int8");
            return data.getLong(data.position());
        }
    };

    static final Loader<Long> OID_BINARY = new IntegerLoader<>(Format.BINARY) {
        @Override
        public Long load(ByteBuffer data) {
            return loadLong(data);
        }

        @Override
        public long loadLong(ByteBuffer data) {
            Wire.expectLength(data, 4, "oid");
            return data.getInt(data.position()) & 0xFFFFFFFFL;
        }
    };

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.INT2, INT2_TEXT);
        m.registerLoader(BuiltinTypes.INT4, INT4_TEXT);
        m.registerLoader(BuiltinTypes.INT8, INT8_TEXT);
        m.registerLoader(BuiltinTypes.OID, OID_TEXT);
        m.registerLoader(BuiltinTypes.INT2, INT2_BINARY);
        m.registerLoader(BuiltinTypes.INT4, INT4_BINARY);
        m.registerLoader(BuiltinTypes.INT8, INT8_BINARY);
        m.registerLoader(BuiltinTypes.OID, OID_BINARY);

        m.registerDumper(Byte.class, DirectDumpers.<Byte>decimal(BuiltinTypes.INT2));
        m.registerDumper(Byte.class, DirectDumpers.<Byte>binary(BuiltinTypes.INT2, 2, Byte::longValue));
        m.registerDumper(Short.class, DirectDumpers.<Short>decimal(BuiltinTypes.INT2));
        m.registerDumper(Short.class, DirectDumpers.<Short>binary(BuiltinTypes.INT2, 2, Short::longValue));
        m.registerDumper(Integer.class, DirectDumpers.<Integer>decimal(BuiltinTypes.INT4));
        m.registerDumper(Integer.class, DirectDumpers.<Integer>binary(BuiltinTypes.INT4, 4, Integer::longValue));
        m.registerDumper(Long.class, DirectDumpers.<Long>decimal(BuiltinTypes.INT8));
        m.registerDumper(Long.class, DirectDumpers.<Long>binary(BuiltinTypes.INT8, 8, Long::longValue));
        m.registerDumper(BigInteger.class, Codecs.<BigInteger>textDumper(BuiltinTypes.NUMERIC, BigInteger::toString));
        m.registerDumper(BigInteger.class, Codecs.<BigInteger>dumper(BuiltinTypes.NUMERIC, Format.BINARY,
                v -> NumericBinary.encode(new BigDecimal(v))));
    }
}
