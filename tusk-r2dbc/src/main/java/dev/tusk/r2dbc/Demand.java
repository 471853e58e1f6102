package dev.tusk.r2dbc;

import reactor.core.publisher.Operators;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/** Reactive Streams demand kept in a {@code long} field reached through a {@link VarHandle}. */
final class Demand {
    private Demand() {
    }

    /**
     * Adds {@code n} to the demand in {@code holder}'s field, capped at {@code Long.MAX_VALUE} (unbounded, which
     * stays so).
     */
    static void add(VarHandle requested, Object holder, long n) {
        for (;;) {
            long r = (long) requested.getVolatile(holder);
            if (r == Long.MAX_VALUE) {
                return;
            }
            long u = r + n;
            if (u < 0) {
                u = Long.MAX_VALUE;
            }
            if (requested.compareAndSet(holder, r, u)) {
                return;
            }
        }
    }

    /**
     * A subscriber's {@code request(n)}: adds a valid {@code n} to the demand and returns true (the caller then
     * emits what it can); an invalid one (not positive) is reported as Reactor reports it and returns false.
     */
    static boolean request(VarHandle requested, Object holder, long n) {
        if (!Operators.validate(n)) {
            return false;
        }
        add(requested, holder, n);
        return true;
    }

    /** The field {@code name} of {@code lookup}'s class as a VarHandle (a publisher's demand or work counter). */
    static VarHandle field(MethodHandles.Lookup lookup, String name, Class<?> type) {
        try {
            return lookup.findVarHandle(lookup.lookupClass(), name, type);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }
}
