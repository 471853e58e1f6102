package dev.tusk.types;

import dev.tusk.adapt.Dumper;
import dev.tusk.adapt.Format;
import dev.tusk.internal.wire.MessageWriter;
import dev.tusk.internal.wire.Utf8;
import dev.tusk.internal.wire.ValueWriter;

import java.nio.ByteBuffer;
import java.util.UUID;
import java.util.function.ToLongFunction;

/**
 * The built-in dumpers of the common parameter types (integers, floats, dates and times in binary, booleans, UUIDs,
 * strings), which write a value straight into the Bind message ({@link ValueWriter}) besides returning its bytes from
 * {@link Dumper#dump}: a statement's parameters then need no buffer nor array per value. Both ways give the same
 * bytes (the tests compare them for edge values).
 */
final class DirectDumpers {
    private DirectDumpers() {
    }

    /** The longest string written directly; a longer one is dumped into a buffer of its exact size first. */
    static final int MAX_DIRECT_CHARS = 1 << 16;

    /** Both ways to a value's bytes: {@code dump} and {@code writeValue}. */
    private abstract static class Direct<T> extends TypedDumper<T> implements ValueWriter<T> {
        Direct(int oid, Format format) {
            super(oid, format);
        }
    }

    /** An integer (Byte, Short, Integer, Long) as its decimal digits. */
    static <T extends Number> Dumper<T> decimal(int oid) {
        return new Direct<>(oid, Format.TEXT) {
            @Override
            public ByteBuffer dump(T value) {
                return Wire.decimal(value.longValue());
            }

            @Override
            public int checkedLength(T value) {
                return 20; // '-' and 19 digits
            }

            @Override
            public void writeValue(T value, MessageWriter out) {
                out.decimal(value.longValue());
            }
        };
    }

    /**
     * A value sent in binary as a big-endian integer of {@code size} bytes (2, 4 or 8): the low bytes of what
     * {@code bits} makes of it (integers, a float's or a double's raw bits, days, microseconds). {@code bits} runs
     * while binding too, so that a value it refuses fails there.
     */
    static <T> Dumper<T> binary(int oid, int size, ToLongFunction<T> bits) {
        return new Direct<>(oid, Format.BINARY) {
            @Override
            public ByteBuffer dump(T value) {
                long b = bits.applyAsLong(value);
                ByteBuffer out = ByteBuffer.allocate(size);
                return size == 2 ? out.putShort(0, (short) b) : size == 4 ? out.putInt(0, (int) b) : out.putLong(0, b);
            }

            @Override
            public int checkedLength(T value) {
                bits.applyAsLong(value);
                return size;
            }

            @Override
            public void writeValue(T value, MessageWriter out) {
                long b = bits.applyAsLong(value);
                if (size == 2) {
                    out.int16((int) b);
                } else if (size == 4) {
                    out.int32((int) b);
                } else {
                    out.int64(b);
                }
            }
        };
    }

    /** A boolean as one byte: {@code t}/{@code f} in text, 1/0 in binary. */
    static Dumper<Boolean> bool(Format format) {
        byte yes = format == Format.TEXT ? (byte) 't' : 1;
        byte no = format == Format.TEXT ? (byte) 'f' : 0;
        return new Direct<>(BuiltinTypes.BOOL, format) {
            @Override
            public ByteBuffer dump(Boolean value) {
                return ByteBuffer.wrap(new byte[] {value ? yes : no});
            }

            @Override
            public int checkedLength(Boolean value) {
                return 1;
            }

            @Override
            public void writeValue(Boolean value, MessageWriter out) {
                out.int8(value ? yes : no);
            }
        };
    }

    static final Dumper<UUID> UUID_BINARY = new Direct<>(BuiltinTypes.UUID, Format.BINARY) {
        @Override
        public ByteBuffer dump(UUID u) {
            return ByteBuffer.allocate(16).putLong(0, u.getMostSignificantBits()).putLong(8, u.getLeastSignificantBits());
        }

        @Override
        public int checkedLength(UUID value) {
            return 16;
        }

        @Override
        public void writeValue(UUID u, MessageWriter out) {
            out.int64(u.getMostSignificantBits()).int64(u.getLeastSignificantBits());
        }
    };

    /** {@code 8-4-4-4-12} lower-case hex digits, as {@link UUID#toString()} writes them. */
    static final Dumper<UUID> UUID_TEXT = new Direct<>(BuiltinTypes.UUID, Format.TEXT) {
        @Override
        public ByteBuffer dump(UUID u) {
            return Wire.utf8(u.toString());
        }

        @Override
        public int checkedLength(UUID value) {
            return 36;
        }

        @Override
        public void writeValue(UUID u, MessageWriter out) {
            long hi = u.getMostSignificantBits();
            long lo = u.getLeastSignificantBits();
            hex(out, hi >>> 32, 8).int8('-');
            hex(out, hi >>> 16, 4).int8('-');
            hex(out, hi, 4).int8('-');
            hex(out, lo >>> 48, 4).int8('-');
            hex(out, lo, 12);
        }

        /** The low {@code digits} hex digits of {@code v}. */
        private MessageWriter hex(MessageWriter out, long v, int digits) {
            for (int shift = 4 * (digits - 1); shift >= 0; shift -= 4) {
                out.int8(Character.forDigit((int) (v >>> shift) & 0xF, 16));
            }
            return out;
        }
    };

    /** A String as its UTF-8 bytes, refused (at binding) when it holds a NUL or a lone surrogate. */
    static Dumper<String> text(int oid, Format format) {
        return new Direct<>(oid, format) {
            @Override
            public ByteBuffer dump(String s) {
                return Wire.utf8(TextAdapters.checkNoNul(s));
            }

            @Override
            public int checkedLength(String s) {
                int n = s.length();
                if (n > MAX_DIRECT_CHARS) {
                    return -1;
                }
                TextAdapters.checkNoNul(s);
                Utf8.check(s, Wire.TEXT_VALUE);
                return 3 * n;
            }

            @Override
            public void writeValue(String s, MessageWriter out) {
                out.utf8(s);
            }
        };
    }
}
