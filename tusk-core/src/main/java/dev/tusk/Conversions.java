package dev.tusk;

import dev.tusk.errors.DataException;

import java.math.BigDecimal;
import java.math.BigInteger;

/** The conversions {@link Row#get(int, Class)} allows between a loaded value and the class asked for. */
final class Conversions {
    private Conversions() {
    }

    static Object convert(Object v, Class<?> type, Column col) {
        if (type.isInstance(v)) {
            return v;
        }
        try {
            if (type == String.class) {
                return v.toString();
            }
            if (type.isArray() && v instanceof java.util.List<?> list) {
                return dev.tusk.types.JavaArrays.toArray(list, type);
            }
            if (v instanceof Number n) {
                // trust #11: the exact value or an error, never a wrapped or clamped one
                Object exact = dev.tusk.internal.core.Numbers.exact(n, type);
                if (exact != null) {
                    return exact;
                }
            }
            if (v instanceof String s) {
                if (type == Long.class) return Long.parseLong(s.trim());
                if (type == Integer.class) return Integer.parseInt(s.trim());
                if (type == Short.class) return Short.parseShort(s.trim());
                if (type == Double.class) return Double.parseDouble(s.trim());
                if (type == Float.class) return dev.tusk.internal.core.Numbers.toFloat(Double.parseDouble(s.trim()));
                if (type == BigDecimal.class) return new BigDecimal(s.trim());
                if (type == BigInteger.class) return new BigInteger(s.trim());
                if (type == Boolean.class) {
                    if (s.equals("t") || s.equals("true")) return Boolean.TRUE;
                    if (s.equals("f") || s.equals("false")) return Boolean.FALSE;
                }
            }
        } catch (ArithmeticException | NumberFormatException e) {
            throw new DataException("cannot convert value " + v + " of column \"" + col.name() + "\" to "
                    + type.getSimpleName() + ": " + e.getMessage(), e);
        }
        throw new DataException("cannot convert " + v.getClass().getName() + " of column \"" + col.name() + "\" to "
                + type.getName());
    }
}
