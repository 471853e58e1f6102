package dev.tusk.types;

import dev.tusk.errors.DataException;
import dev.tusk.internal.core.Numbers;

import java.lang.reflect.Array;
import java.util.List;

/**
 * Loaded arrays (nested {@code List}s) → Java arrays of any rank: {@code int[]}, {@code long[][]},
 * {@code String[]}, {@code LocalDate[]}... {@code Row.get(i, int[].class)} uses it.
 *
 * <pre>{@code
 * int[] a = conn.execute("SELECT '{1,2,3}'::int4[]").fetchone().get(0, int[].class);
 * }</pre>
 */
public final class JavaArrays {
    private JavaArrays() {
    }

    /**
     * {@code list} as an array of {@code arrayType}, converting numbers between widths.
     *
     * @throws DataException for NULL elements in a primitive array, ragged dimensions, or elements that do not fit
     */
    public static Object toArray(List<?> list, Class<?> arrayType) {
        Class<?> comp = arrayType.getComponentType();
        Object out = Array.newInstance(comp, list.size());
        for (int i = 0; i < list.size(); i++) {
            Object e = list.get(i);
            if (comp.isArray()) {
                if (e != null && !(e instanceof List<?>)) {
                    throw new DataException("cannot load a one-dimension-lower array into " + arrayType.getSimpleName()
                            + ": found a scalar where a sub-array was expected");
                }
                Array.set(out, i, e == null ? null : toArray((List<?>) e, comp));
            } else if (e == null) {
                if (comp.isPrimitive()) {
                    throw new DataException("the array has a NULL element at index " + i + ", which a "
                            + arrayType.getSimpleName() + " cannot hold: use the boxed type's array");
                }
            } else {
                Array.set(out, i, element(e, comp));
            }
        }
        return out;
    }

    private static Object element(Object e, Class<?> comp) {
        if (e instanceof List<?>) {
            throw new DataException("the array has more dimensions than " + comp.getSimpleName() + "[]");
        }
        if (e instanceof Number n && !comp.isInstance(e)) {
            try { // trust #11: the exact value or an error, never a wrapped ((int) 3000000000L) or clamped one
                Object exact = Numbers.exact(n, comp);
                if (exact != null) {
                    return exact;
                }
            } catch (ArithmeticException | NumberFormatException x) {
                throw new DataException("the array element " + n + " does not fit a " + comp.getSimpleName() + ": "
                        + x.getMessage(), x);
            }
        }
        if (comp == String.class && !(e instanceof String)) {
            return e.toString();
        }
        if (!comp.isPrimitive() && !comp.isInstance(e)) {
            throw new DataException("cannot put a " + e.getClass().getName() + " element into a " + comp.getName() + "[]");
        }
        return e;
    }
}
