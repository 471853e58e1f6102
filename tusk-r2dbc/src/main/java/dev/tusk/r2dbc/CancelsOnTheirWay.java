package dev.tusk.r2dbc;

import java.util.ArrayDeque;

/**
 * The cancel requests of one {@link TuskConnection}, from the moment it decides to send one until the server
 * confirmed it, and the work submitted meanwhile, held back until then. The server cancels whatever the backend
 * runs when a request arrives: a request written while its statement ran may arrive after that statement ended,
 * and would then stop the next one (the same borrower's, or with r2dbc-pool the next borrower's). So from its
 * registration (before the check that its statement is the only one in flight) until it ended, new work waits; it
 * is sent, in the order it came, once no request is left on its way. Each request has its own deadline, so the wait
 * has one too; one never confirmed leaves {@link #unconfirmed()} true for good.
 *
 * <p>The statements' path pays one volatile read ({@link #active()}) while no request is on its way. A registration
 * sets {@link #active()} and then reads the connection's statements in flight; a statement counts itself in flight
 * and then reads {@link #active()}: one of the two always sees the other.
 */
final class CancelsOnTheirWay {
    private final Object lock = new Object();
    /** Requests registered and not ended; under {@link #lock}. */
    private int inFlight;
    /** The work waiting, in order; under {@link #lock}. */
    private final ArrayDeque<Runnable> waiting = new ArrayDeque<>();
    /** Whether a thread is running the work that waited; under {@link #lock}. */
    private boolean draining;
    /** True from a registration until the work that waited for it has all been handed on. */
    private volatile boolean active;
    private volatile boolean unconfirmed;

    /** Whether work submitted now must go through {@link #defer}. */
    boolean active() {
        return active;
    }

    /** True once a request was written and never confirmed: it may still arrive and stop any later statement. */
    boolean unconfirmed() {
        return unconfirmed;
    }

    /** A request about to be sent: work submitted from now on waits until it {@link #ended}. */
    void register() {
        synchronized (lock) {
            inFlight++;
            active = true;
        }
    }

    /**
     * A registered request ended: dropped unsent, or written and {@code confirmed} by the server (false: it may
     * still arrive). The last one to end runs the work that waited, on this thread, in order.
     */
    void ended(boolean confirmed) {
        if (!confirmed) {
            unconfirmed = true; // before the work that waited runs: it sees it
        }
        synchronized (lock) {
            inFlight--;
            if (inFlight > 0 || draining) {
                return;
            }
            draining = true;
        }
        while (true) {
            Runnable r;
            synchronized (lock) {
                if (inFlight > 0) { // a new request registered meanwhile: the rest waits for it too
                    draining = false;
                    return;
                }
                r = waiting.poll();
                if (r == null) {
                    active = false;
                    draining = false;
                    return;
                }
            }
            try {
                r.run();
            } catch (RuntimeException e) {
                // the work fails its own future; the rest still runs
            }
        }
    }

    /**
     * Queues {@code work} behind the requests on their way and the work already waiting; false when none is left
     * (the caller runs it now).
     */
    boolean defer(Runnable work) {
        synchronized (lock) {
            if (!active) {
                return false;
            }
            waiting.add(work);
            return true;
        }
    }
}
