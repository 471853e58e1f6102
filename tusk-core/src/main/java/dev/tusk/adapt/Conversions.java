package dev.tusk.adapt;

import dev.tusk.errors.DataException;

/** Small helpers shared by the default methods of {@link Loader}. */
final class Conversions {
    private Conversions() {
    }

    static Number toNumber(Object v, String target) {
        if (v instanceof Number n) {
            return n;
        }
        throw new DataException("cannot read a " + describe(v) + " as " + target
                + ": use get(i) or a loader that produces numbers");
    }

    static String describe(Object v) {
        return v == null ? "null" : v.getClass().getSimpleName() + " value";
    }
}
