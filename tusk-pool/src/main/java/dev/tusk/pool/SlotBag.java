package dev.tusk.pool;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The pool's connections, claimed without a lock (as HikariCP's ConcurrentBag): a borrower first tries
 * the slot it used last, then scans the others from there, and owns the first one it moves from IDLE to
 * IN_USE. The array is copied on write (connections are opened and closed rarely), so a scan never
 * waits.
 */
final class SlotBag<C> {
    private static final PoolSlot<?>[] NONE = new PoolSlot<?>[0];

    private final ReentrantLock writes = new ReentrantLock();
    @SuppressWarnings("unchecked")
    private volatile PoolSlot<C>[] slots = (PoolSlot<C>[]) NONE;
    /** Per thread: the index of the slot it took last, where its next scan starts. */
    private final ThreadLocal<int[]> last = ThreadLocal.withInitial(() -> new int[] {ThreadLocalRandom.current().nextInt(1 << 16)});

    /** An idle slot, now IN_USE and owned by the caller; null when none is idle. */
    PoolSlot<C> take() {
        PoolSlot<C>[] all = slots;
        int n = all.length;
        if (n == 0) {
            return null;
        }
        int[] hint = last.get();
        int start = hint[0];
        if (start >= n) {
            start %= n;
        }
        for (int i = start, left = n; left > 0; left--) {
            PoolSlot<C> s = all[i];
            if (s.claim(PoolSlot.IDLE, PoolSlot.IN_USE)) {
                hint[0] = i;
                return s;
            }
            if (++i == n) {
                i = 0;
            }
        }
        return null;
    }

    /** Adds a slot the caller owns (its state is not IDLE yet). */
    void add(PoolSlot<C> slot) {
        writes.lock();
        try {
            PoolSlot<C>[] all = Arrays.copyOf(slots, slots.length + 1);
            all[all.length - 1] = slot;
            slots = all;
        } finally {
            writes.unlock();
        }
    }

    /** Takes a slot out for good (state REMOVED); false if it was not in the bag. */
    boolean remove(PoolSlot<C> slot) {
        writes.lock();
        try {
            slot.set(PoolSlot.REMOVED);
            PoolSlot<C>[] all = slots;
            for (int i = 0; i < all.length; i++) {
                if (all[i] == slot) {
                    PoolSlot<C>[] fewer = Arrays.copyOf(all, all.length - 1);
                    System.arraycopy(all, i + 1, fewer, i, all.length - i - 1);
                    slots = fewer;
                    return true;
                }
            }
            return false;
        } finally {
            writes.unlock();
        }
    }

    /** Every slot, whatever its state (a snapshot). */
    PoolSlot<C>[] all() {
        return slots;
    }

    int size() {
        return slots.length;
    }

    int idleCount() {
        int n = 0;
        for (PoolSlot<C> s : slots) {
            if (s.state() == PoolSlot.IDLE) {
                n++;
            }
        }
        return n;
    }

    /** The slot of {@code conn}, or null if it is not one of the bag's. */
    PoolSlot<C> find(Object conn) {
        for (PoolSlot<C> s : slots) {
            if (s.conn == conn) {
                return s;
            }
        }
        return null;
    }
}
