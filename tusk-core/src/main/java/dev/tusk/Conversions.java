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
                BigDecimal bd = n instanceof BigDecimal b ? b : new BigDecimal(n.toString());
                if (type == Long.class || type == long.class) return bd.longValueExact();
                if (type == Integer.class || type == int.class) return bd.intValueExact();
                if (type == Short.class || type == short.class) return bd.shortValueExact();
                if (type == Double.class || type == double.class) return n.doubleValue();
                if (type == Float.class || type == float.class) return n.floatValue();
                if (type == BigDecimal.class) return bd;
                if (type == BigInteger.class) return bd.toBigIntegerExact();
            }
            if (v instanceof String s) {
                if (type == Long.class) return Long.parseLong(s.trim());
                if (type == Integer.class) return Integer.parseInt(s.trim());
                if (type == Short.class) return Short.parseShort(s.trim());
                if (type == Double.class) return Double.parseDouble(s.trim());
                if (type == Float.class) return Float.parseFloat(s.trim());
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
