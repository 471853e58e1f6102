package dev.tusk.pool;

import dev.tusk.observe.ConnectionFacts;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One pooled connection, its times (System.nanoTime()) and its state, which borrowers claim with a
 * compare-and-set: whoever moves it from {@link #IDLE} owns it.
 */
final class PoolSlot<C> {
    /** Free, in the bag: the first to claim it owns it. */
    static final int IDLE = 0;
    /** Lent to a borrower (or handed to a waiter, or being checked before it is lent). */
    static final int IN_USE = 1;
    /** Held by the pool itself: being given back, checked by maintenance, opened, or about to be closed. */
    static final int RESERVED = 2;
    /** Out of the bag for good. */
    static final int REMOVED = -1;

    private static final VarHandle STATE;

    static {
        try {
            STATE = MethodHandles.lookup().findVarHandle(PoolSlot.class, "state", int.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** A {@code Connection} or an {@code AsyncConnection}. */
    final C conn;
    final long created;
    final long expires;
    /**
     * When it was lent (while in use) or given back (while idle). Written by its owner before the state
     * is set, read by the next owner after claiming it: the state's volatile accesses order them.
     */
    long since;
    /** What listeners are told about the connection, read once when it opened; null when nobody listens. */
    ConnectionFacts facts;
    /** When a give-back last probed it (its owner's field, as {@link #since}). */
    long probedAt;
    @SuppressWarnings("unused") // through STATE
    private volatile int state = RESERVED;

    PoolSlot(C conn, long created, long expires) {
        this.conn = conn;
        this.created = created;
        this.expires = expires;
        this.since = created;
        this.probedAt = created - Long.MAX_VALUE / 2;
    }

    int state() {
        return state;
    }

    /** Moves it from {@code from} to {@code to}; false when its state was not {@code from}. */
    boolean claim(int from, int to) {
        return state == from && STATE.compareAndSet(this, from, to);
    }

    /**
     * The owner of a lent (IN_USE) slot starts giving it back: RESERVED, with a plain release store rather than a
     * compare-and-set, as nobody but the owner moves a slot out of IN_USE; false when it is not IN_USE (given
     * back already, e.g. by a {@code reset} that closed the connection it was given).
     */
    boolean takeBack() {
        if ((int) STATE.getOpaque(this) != IN_USE) {
            return false;
        }
        STATE.setRelease(this, RESERVED);
        return true;
    }

    /** Sets the state; a volatile write, which the give-back's check for waiters must not come before. */
    void set(int to) {
        state = to;
    }

    @Override
    public String toString() {
        return "PoolSlot[" + state + ", " + conn + "]";
    }
}
