package dev.tusk.pool;

import java.util.ArrayDeque;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;

/**
 * The callers of a blocking pool waiting for a connection, oldest first, each parked until it is handed a
 * connection, woken to look for an idle one, or failed. Every method but {@link #count()} is called with the
 * pool's lock held.
 */
final class WaiterQueue<R> {
    /** One parked caller. */
    static final class Waiter<R> {
        final Thread thread = Thread.currentThread();
        final long since = System.nanoTime();
        /** Set by whoever took the waiter out of the queue to give it a connection. */
        volatile PoolSlot<R> handed;
        volatile RuntimeException failure;
        /** Unparked to look for an idle connection and not looking yet: no need to unpark it again. */
        volatile boolean woken;
    }

    private final ArrayDeque<Waiter<R>> queue = new ArrayDeque<>();
    /** {@code queue.size()}, for a give-back to see without the lock whether anyone is waiting. */
    private volatile int count;

    /** How many wait; lock not needed. */
    int count() {
        return count;
    }

    int size() {
        return queue.size();
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    /** Queues the calling thread. */
    Waiter<R> join() {
        Waiter<R> me = new Waiter<>();
        queue.addLast(me);
        count = queue.size();
        return me;
    }

    /** Takes a waiter out; false if it was out already (handed a connection, or failed). */
    boolean leave(Waiter<R> w) {
        boolean was = queue.remove(w);
        count = queue.size();
        return was;
    }

    /** The oldest waiter, or null. */
    Waiter<R> first() {
        return queue.peekFirst();
    }

    /** Hands {@code slot} (IN_USE) to the oldest waiter, taking it out of the queue. */
    void handFirst(PoolSlot<R> slot) {
        Waiter<R> w = queue.pollFirst();
        count = queue.size();
        w.handed = slot;
        LockSupport.unpark(w.thread);
    }

    /** Wakes the oldest waiter to look for an idle connection, unless it is awake already. */
    void wakeFirst() {
        Waiter<R> w = queue.peekFirst();
        if (w != null && !w.woken) {
            w.woken = true;
            LockSupport.unpark(w.thread);
        }
    }

    /** Fails and wakes every waiter. */
    void failAll(Supplier<RuntimeException> failure) {
        for (Waiter<R> w : queue) {
            w.failure = failure.get();
            LockSupport.unpark(w.thread);
        }
        queue.clear();
        count = 0;
    }
}
