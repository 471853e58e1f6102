package dev.tusk.internal.async;

import dev.tusk.internal.io.EventLoopDriver;

import java.util.concurrent.Flow;

/**
 * The one subscriber of a publisher that runs on the event loop (an {@code AsyncCopy}'s data, a replication stream):
 * its demand, its subscription's {@code request} (rule 3.9) and {@code cancel}, the pump that delivers as far as it
 * asked (queued once however often it is asked for) and the end signal. What the publisher reads and when it ends is
 * its own: it pumps, and is told when its subscriber has gone ({@link Dropped}). Loop thread only, but
 * {@link #subscription}'s calls, which any thread may make.
 *
 * @param <T> what the subscriber receives
 */
public final class LoopDemand<T> {
    /** What the publisher does when its subscriber has gone. */
    public interface Dropped {
        /**
         * Loop thread: the subscriber has gone, by its {@code cancel()} ({@code cancelled}) or by a request the rules
         * forbid (it was told {@code onError} just before); it is detached already.
         */
        void dropped(boolean cancelled);
    }

    private static final System.Logger LOG = System.getLogger("dev.tusk.eventloop");

    private final EventLoopDriver driver;
    /** Loop thread: delivers what is queued as far as {@link #wants()}, ends at the end, reads on. */
    private final Runnable pump;
    private final Dropped dropped;
    private Flow.Subscriber<? super T> subscriber;
    private long demand;
    private boolean pumpQueued;

    public LoopDemand(EventLoopDriver driver, Runnable pump, Dropped dropped) {
        this.driver = driver;
        this.pump = pump;
        this.dropped = dropped;
    }

    /** Loop thread: {@code s} is the subscriber; it receives its subscription, then the end if it is known already. */
    public void subscribe(Flow.Subscriber<? super T> s) {
        subscriber = s;
        s.onSubscribe(subscription(s));
        pump.run(); // the end may be known already: it needs no demand
    }

    /** Whether a subscriber is attached. */
    public boolean attached() {
        return subscriber != null;
    }

    /** Whether the subscriber asked for more than it received. */
    public boolean wants() {
        return subscriber != null && demand > 0;
    }

    /**
     * Hands {@code item} to the subscriber, which {@link #wants()} it. A subscriber whose onNext throws has broken
     * Reactive Streams rule 2.13: its subscription counts as cancelled (detached, the publisher told as by
     * {@code cancel()}, in a task of its own so that the pump running now is not entered again) and the exception
     * is logged; the pump goes on, so the connection is never left waiting behind data nobody takes.
     */
    public void next(T item) {
        demand--;
        Flow.Subscriber<? super T> s = subscriber;
        try {
            s.onNext(item);
        } catch (RuntimeException e) {
            if (subscriber == s) {
                subscriber = null;
                driver.execute(() -> dropped.dropped(true));
            }
            LOG.log(System.Logger.Level.WARNING, "a subscriber's onNext threw (Reactive Streams rule 2.13):"
                    + " its subscription is cancelled", e);
        }
    }

    /** Detaches the subscriber and returns it (null: none), which is then told nothing more by this class. */
    public Flow.Subscriber<? super T> detach() {
        Flow.Subscriber<? super T> s = subscriber;
        subscriber = null;
        return s;
    }

    /** Detaches the subscriber, if any, and tells it the end: {@code onError(error)}, or {@code onComplete} for null. */
    public void end(Throwable error) {
        Flow.Subscriber<? super T> s = detach();
        if (s != null) {
            if (error != null) {
                s.onError(error);
            } else {
                s.onComplete();
            }
        }
    }

    /** Loop thread: runs the pump soon, once however often it is asked before it runs. */
    public void schedulePump() {
        if (!pumpQueued) {
            pumpQueued = true;
            driver.execute(() -> {
                pumpQueued = false;
                pump.run();
            });
        }
    }

    private Flow.Subscription subscription(Flow.Subscriber<? super T> s) {
        return new Flow.Subscription() {
            @Override
            public void request(long n) {
                driver.execute(() -> {
                    if (subscriber != s) {
                        return; // cancelled or ended: a no-op (rule 3.6)
                    }
                    if (n <= 0) {
                        subscriber = null;
                        s.onError(new IllegalArgumentException("request(" + n
                                + "): the demand must be positive (Reactive Streams rule 3.9)"));
                        dropped.dropped(false);
                        return;
                    }
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                    pump.run();
                });
            }

            @Override
            public void cancel() {
                driver.execute(() -> {
                    if (subscriber == s) {
                        subscriber = null;
                        dropped.dropped(true);
                    }
                });
            }
        };
    }
}
