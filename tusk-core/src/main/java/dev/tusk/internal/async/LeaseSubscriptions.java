package dev.tusk.internal.async;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * A pool lease handle's notifications subscriptions, each as what completes it: they end with the lease, before
 * the pool may lend the connection again, so none ever hears the next borrower's notifications.
 */
public final class LeaseSubscriptions {
    private final List<Runnable> ends = new CopyOnWriteArrayList<>();

    /**
     * Adds the subscription {@code end} completes; one made after the lease ended ({@code leaseOver}) completes at
     * once. Returns what cancels that and {@code deadline}'s end, if any (null: no deadline).
     */
    public Runnable add(Runnable end, BooleanSupplier leaseOver, Function<Runnable, Runnable> deadline) {
        ends.add(end);
        if (leaseOver.getAsBoolean()) { // after the add: an endLease that ran meanwhile may not have seen it
            end.run();
        }
        Runnable cancelDeadline = deadline == null ? null : deadline.apply(end);
        return () -> {
            ends.remove(end);
            if (cancelDeadline != null) {
                cancelDeadline.run();
            }
        };
    }

    /** The lease ends: every subscription made on it completes. */
    public void endAll() {
        ends.forEach(Runnable::run);
    }
}
