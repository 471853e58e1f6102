package dev.tusk.r2dbc;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Up to a fixed number of cursors kept for the next statements, in slots taken and filled by compare-and-set from
 * the first: statements one after the other reuse the first slot's cursor; statements in flight together spread over
 * the next ones. Unlike a concurrent queue, keeping a cursor allocates nothing.
 */
final class SpareCursors<C> {
    private final AtomicReferenceArray<C> slots;

    SpareCursors(int capacity) {
        slots = new AtomicReferenceArray<>(capacity);
    }

    /** A kept cursor, now no longer kept, or null when there is none. */
    C take() {
        for (int i = 0, n = slots.length(); i < n; i++) {
            C c = slots.get(i);
            if (c != null && slots.compareAndSet(i, c, null)) {
                return c;
            }
        }
        return null;
    }

    /** Keeps {@code c}; false (it is dropped) when every slot is full. */
    boolean give(C c) {
        for (int i = 0, n = slots.length(); i < n; i++) {
            if (slots.get(i) == null && slots.compareAndSet(i, null, c)) {
                return true;
            }
        }
        return false;
    }

    /** Drops every kept cursor. */
    void clear() {
        for (int i = 0, n = slots.length(); i < n; i++) {
            slots.set(i, null);
        }
    }
}
