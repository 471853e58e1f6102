package dev.tusk.types;

import dev.tusk.adapt.AdaptersMap;
import dev.tusk.adapt.Format;
import dev.tusk.adapt.Loader;
import dev.tusk.errors.DataException;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * numeric ↔ {@code BigDecimal} (and {@code BigInteger} dumped). numeric's NaN and ±Infinity have no
 * {@code BigDecimal} form, so loading them raises {@link DataException}, unless the opt-in
 * {@link #loadSpecialValuesAsDouble} is registered: then numeric loads as {@code Number}, a
 * {@code BigDecimal} for finite values and {@code Double.NaN} / {@code ±Double.POSITIVE_INFINITY} for the
 * others. {@code getDouble} always works, specials included.
 *
 * <pre>{@code
 * NumericAdapters.loadSpecialValuesAsDouble(conn.adapters());
 * Object v = conn.execute("SELECT 'NaN'::numeric").fetchone().get(0); // Double.NaN
 * }</pre>
 */
public final class NumericAdapters {
    private NumericAdapters() {
    }

    private static final class NumericLoader extends InPlaceLoader<Number> {
        private final Format format;
        private final boolean specialsAsDouble;

        NumericLoader(Format format, boolean specialsAsDouble) {
            this.format = format;
            this.specialsAsDouble = specialsAsDouble;
        }

        @Override
        public Number load(byte[] a, int off, int len) {
            if (format == Format.BINARY) {
                int sign = NumericBinary.sign(a, off, len);
                if (sign == NumericBinary.POS || sign == NumericBinary.NEG) {
                    return NumericBinary.decode(a, off, len);
                }
                return special(NumericBinary.special(sign));
            }
            BigDecimal small = parseSmall(a, off, len);
            if (small != null) {
                return small;
            }
            String s = new String(a, off, len, StandardCharsets.UTF_8);
            char c = s.isEmpty() ? ' ' : s.charAt(s.length() - 1);
            if (c == 'N' || c == 'y') { // NaN, Infinity, -Infinity
                return special(s);
            }
            try {
                return new BigDecimal(s);
            } catch (NumberFormatException e) {
                throw Wire.bad("numeric", s, e);
            }
        }

        /**
         * The common case without a String: {@code [-]digits[.digits]} with at most 18 digits in all, read
         * straight from the bytes into an unscaled long. Null for anything else (the general path decides).
         */
        static BigDecimal parseSmall(byte[] a, int off, int len) {
            int i = off;
            int end = off + len;
            if (i == end) {
                return null;
            }
            boolean negative = a[i] == '-';
            if (negative) {
                i++;
            }
            long unscaled = 0;
            int digits = 0;
            int scale = -1;
            for (; i < end; i++) {
                int b = a[i];
                if (b >= '0' && b <= '9') {
                    if (++digits > 18) {
                        return null;
                    }
                    unscaled = unscaled * 10 + (b - '0');
                    if (scale >= 0) {
                        scale++;
                    }
                } else if (b == '.' && scale < 0) {
                    scale = 0;
                } else {
                    return null;
                }
            }
            if (digits == 0) {
                return null;
            }
            return BigDecimal.valueOf(negative ? -unscaled : unscaled, Math.max(scale, 0));
        }

        private Number special(String s) {
            if (!specialsAsDouble) {
                throw new DataException("numeric value " + s + " cannot be loaded as a BigDecimal: read it with "
                        + "getDouble(), cast it in SQL, or call NumericAdapters.loadSpecialValuesAsDouble(adapters)");
            }
            return switch (s) {
                case "NaN" -> Double.NaN;
                case "Infinity" -> Double.POSITIVE_INFINITY;
                case "-Infinity" -> Double.NEGATIVE_INFINITY;
                default -> throw Wire.bad("numeric", s);
            };
        }

        @Override
        public double loadDouble(ByteBuffer data) {
            if (format == Format.TEXT) {
                return FloatAdapters.parse(data, "numeric");
            }
            int sign = NumericBinary.sign(data);
            return switch (sign) {
                case NumericBinary.NAN -> Double.NaN;
                case NumericBinary.PINF -> Double.POSITIVE_INFINITY;
                case NumericBinary.NINF -> Double.NEGATIVE_INFINITY;
                default -> NumericBinary.decode(data).doubleValue();
            };
        }

        @Override
        public long loadLong(ByteBuffer data) {
            Number n = load(data);
            if (n instanceof BigDecimal d) {
                try {
                    return d.setScale(0, RoundingMode.DOWN).longValueExact();
                } catch (ArithmeticException e) {
                    throw new DataException("numeric value " + d + " is out of range for a long");
                }
            }
            throw new DataException("numeric value " + n + " has no long form");
        }

        @Override
        public Format format() {
            return format;
        }
    }

    static void register(AdaptersMap m) {
        m.registerLoader(BuiltinTypes.NUMERIC, new NumericLoader(Format.TEXT, false));
        m.registerLoader(BuiltinTypes.NUMERIC, new NumericLoader(Format.BINARY, false));
        m.registerDumper(BigDecimal.class, Codecs.<BigDecimal>textDumper(BuiltinTypes.NUMERIC,
                d -> d.scale() < 0 ? d.toPlainString() : d.toString()));
        m.registerDumper(BigDecimal.class, Codecs.<BigDecimal>dumper(BuiltinTypes.NUMERIC, Format.BINARY,
                NumericBinary::encode));
    }

    /**
     * Opt-in: on {@code adapters}, numeric loads as {@code Number}, with NaN and ±Infinity as the
     * corresponding {@code Double} values instead of a {@link DataException}.
     */
    public static void loadSpecialValuesAsDouble(AdaptersMap adapters) {
        adapters.registerLoader(BuiltinTypes.NUMERIC, new NumericLoader(Format.TEXT, true));
        adapters.registerLoader(BuiltinTypes.NUMERIC, new NumericLoader(Format.BINARY, true));
    }
}
