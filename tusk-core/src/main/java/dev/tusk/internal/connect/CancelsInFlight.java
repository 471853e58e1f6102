package dev.tusk.internal.connect;

import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * The cancel requests of one pooled connection between their write and the server's confirmation, and the
 * give-back of a lease they hold up. The server cancels whatever the backend runs when a request arrives: a cancel
 * made through a lease that ended meanwhile would stop the next borrower's statement. A client cannot make "still
 * the same lease" and "the server acts" one atomic step, so the two ends meet here:
 * <ul>
 *   <li>a request registers itself right before its bytes are written (after the connect, the slow part), then
 *       checks that its lease still lasts: if not, it is dropped unsent ({@link #gate});</li>
 *   <li>a lease's end, after it ended the lease, gives the connection back to its pool only once no registered
 *       request is left ({@link #inFlight}, {@link #hold}): it is held, not waited for (the lease's close() returns at once), and
 *       the last request to end lets it go. Each request has its own deadline, so the hold has one too.</li>
 * </ul>
 * One of the two always sees the other (each writes its side, then reads the other's, all sequentially
 * consistent): either the request sees the lease ended and is not sent, or the give-back sees the request and waits
 * for the server to have handled it, when the old borrower's work has ended and the backend is idle (the server
 * drops a cancel that finds its backend idle). A request written but never confirmed (its deadline passed, the
 * network failed) may still arrive any time later: {@link #unconfirmed()} then stays true, and the connection is not
 * to be lent again.
 */
public final class CancelsInFlight {
    /** The low bit of {@link #word}: a give-back waits for the requests in flight to end. */
    private static final int HELD = 1;
    /** One request in flight, in {@link #word}. */
    private static final int ONE = 2;

    /** The requests registered and not yet ended, times {@link #ONE}, plus {@link #HELD}. */
    private final AtomicInteger word = new AtomicInteger();
    /** The give-back held while {@link #HELD} is set, and where it then runs. */
    private volatile Runnable held;
    private volatile Executor heldOn;
    private volatile boolean unconfirmed;

    /**
     * The gate of one request whose target lasts as long as {@code targetLasts} says (a lease: while it is the
     * connection's current one).
     */
    public CancelRequester.Gate gate(BooleanSupplier targetLasts) {
        return new CancelRequester.Gate() {
            @Override
            public boolean mayWrite() {
                word.addAndGet(ONE); // registered before the check: a give-back after the check waits for it
                if (targetLasts.getAsBoolean()) {
                    return true;
                }
                end(true);
                return false;
            }

            @Override
            public void ended(boolean confirmed) {
                if (!confirmed) {
                    unconfirmed = true; // before the count drops: the give-back it lets go sees it
                }
                end(confirmed);
            }
        };
    }

    private void end(boolean confirmed) {
        if (word.addAndGet(-ONE) == HELD && word.compareAndSet(HELD, 0)) {
            Runnable r = held;
            Executor on = heldOn;
            held = null;
            heldOn = null;
            on.execute(r);
        }
    }

    /**
     * Whether a request is between its registration and its end. A lease's end, after the lease was ended, gives
     * the connection back at once when this is false: a request registered later sees the ended lease and is dropped.
     * One volatile read: the give-back of a lease that cancelled nothing pays no more.
     */
    public boolean inFlight() {
        return word.get() != 0;
    }

    /**
     * A lease's end, after the lease was ended (so no request registered from now on is sent), when
     * {@link #inFlight()}: holds {@code giveBack}, run through {@code later} once the last request in flight ended.
     *
     * @return false when none was left in flight after all: the caller gives the connection back itself
     */
    public boolean hold(Runnable giveBack, Executor later) {
        held = giveBack; // published by the CAS that sets HELD
        heldOn = later;
        while (true) {
            int w = word.get();
            if (w == 0) {
                held = null;
                heldOn = null;
                return false;
            }
            if (word.compareAndSet(w, w | HELD)) {
                return true;
            }
        }
    }

    /**
     * True once a request was written and its handling never confirmed: it may still reach the server and cancel
     * whatever runs then, so the connection must not be lent to another borrower.
     */
    public boolean unconfirmed() {
        return unconfirmed;
    }
}
