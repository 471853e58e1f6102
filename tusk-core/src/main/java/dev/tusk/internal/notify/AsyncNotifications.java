package dev.tusk.internal.notify;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.io.EventLoopDriver;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiFunction;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The notifications of an {@code AsyncConnection}: handlers, and a {@link Flow.Publisher} whose subscribers
 * each receive every notification from their subscription on, in order, never more than they requested
 * (the rest waits in a buffer: the server cannot be paused without stalling the connection's statements).
 * Subscribers complete when the connection closes, or fail when it is lost.
 *
 * @param <N> a notification (dev.tusk's {@code Notify})
 */
public final class AsyncNotifications<N> implements Flow.Publisher<N> {
    private final Handlers<N> handlers;
    private final List<Subscription> subscriptions = new CopyOnWriteArrayList<>();
    private volatile boolean ended;
    private volatile Throwable endedBy;

    public AsyncNotifications(Handlers<N> handlers) {
        this.handlers = handlers;
    }

    /** True while handlers or subscribers wait for notifications (the loop then keeps reading the socket). */
    public boolean listening() {
        return !handlers.isEmpty() || !subscriptions.isEmpty();
    }

    /** On the loop thread, for every NotificationResponse. */
    public void received(N n) {
        handlers.accept(n);
        for (Subscription s : subscriptions) {
            s.offer(n);
        }
    }

    /** The connection is gone: {@code cause} null when it was closed by the user. */
    public void end(Throwable cause) {
        endedBy = cause;
        ended = true;
        for (Subscription s : subscriptions) {
            s.drain();
        }
    }

    @Override
    public void subscribe(Flow.Subscriber<? super N> subscriber) {
        Subscription s = new Subscription(subscriber);
        subscriptions.add(s);
        subscriber.onSubscribe(s);
        if (ended) {
            s.drain();
        }
    }

    /**
     * As {@link #subscribe(Flow.Subscriber)}, the subscription completing after {@code stopAfter} notifications
     * (null: no limit) or when {@code deadline} ends it: given the action that ends it, {@code deadline} arranges
     * for it to run and returns what cancels that (null: no deadline). Notifications accepted before the end are
     * still delivered, as requested.
     */
    void subscribe(Flow.Subscriber<? super N> subscriber, Integer stopAfter,
                   Function<Runnable, Runnable> deadline) {
        Subscription s = new Subscription(subscriber, stopAfter == null ? -1 : stopAfter);
        subscriptions.add(s);
        subscriber.onSubscribe(s);
        if (ended || s.finished) {
            s.drain();
        }
        if (deadline != null && !s.finished) {
            s.cancelDeadline = deadline.apply(s::finish);
        }
    }

    /**
     * psycopg's {@code notifies(timeout=, stop_after=)} as a publisher (see {@code AsyncConnection#notifies}): its
     * subscriptions complete after {@code stopAfter} notifications or once {@code timeout} has passed (either null:
     * no limit). Made through a pool's lease handle ({@code leaseOver} and {@code endsWithLease} its, both null for
     * the connection itself): its subscriptions end with the lease too, and one made after the lease ended completes
     * at once, whatever became of the connection since.
     */
    public Flow.Publisher<N> limited(EventLoopDriver driver, Duration timeout, Integer stopAfter,
                                     BooleanSupplier leaseOver,
                                     BiFunction<Runnable, Function<Runnable, Runnable>, Runnable> endsWithLease) {
        if (timeout != null && timeout.isNegative()) {
            throw new ProgrammingException("notifies: the timeout must not be negative (null: none), got " + timeout);
        }
        if (stopAfter != null && stopAfter < 0) {
            throw new ProgrammingException("notifies: stopAfter must not be negative (null: no limit), got " + stopAfter);
        }
        Function<Runnable, Runnable> deadline = NotifyDeadline.of(driver, timeout);
        if (leaseOver == null) {
            return subscriber -> subscribe(subscriber, stopAfter, deadline);
        }
        return subscriber -> {
            if (leaseOver.getAsBoolean()) {
                subscribe(subscriber, 0, null);
                return;
            }
            subscribe(subscriber, stopAfter, end -> endsWithLease.apply(end, deadline));
        };
    }

    /** One subscriber's demand and buffer; signals are serialised by a work-in-progress counter. */
    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super N> subscriber;
        /** How many notifications it takes before completing (-1: no limit), and how many it took. Loop thread. */
        private final int limit;
        private int accepted;
        /** It takes no more notifications: it completes once those it took are delivered. */
        private volatile boolean finished;
        private volatile Runnable cancelDeadline;
        private final ConcurrentLinkedQueue<N> buffer = new ConcurrentLinkedQueue<>();
        private final AtomicLong demand = new AtomicLong();
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean cancelled;
        private volatile IllegalArgumentException badRequest;
        private boolean terminated;

        Subscription(Flow.Subscriber<? super N> subscriber) {
            this(subscriber, -1);
        }

        Subscription(Flow.Subscriber<? super N> subscriber, int limit) {
            this.subscriber = subscriber;
            this.limit = limit;
            this.finished = limit == 0;
        }

        void offer(N n) {
            if (!cancelled && !finished) {
                buffer.add(n);
                if (limit >= 0 && ++accepted >= limit) {
                    finished = true;
                }
                drain();
            }
        }

        /** The deadline passed: no more notifications; complete once those taken are delivered. */
        void finish() {
            finished = true;
            drain();
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                badRequest = new IllegalArgumentException("request(" + n + "): the demand must be positive (Reactive Streams §3.9)");
            } else {
                demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            }
            drain();
        }

        @Override
        public void cancel() {
            cancelled = true;
            subscriptions.remove(this);
            buffer.clear();
        }

        void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            do {
                if (!terminated && !cancelled) {
                    if (badRequest != null) {
                        terminate(badRequest);
                    } else {
                        N next;
                        while (demand.get() > 0 && !cancelled && (next = buffer.poll()) != null) {
                            demand.decrementAndGet();
                            subscriber.onNext(next);
                        }
                        if ((ended || finished) && buffer.isEmpty()) {
                            terminate(finished ? null : endedBy);
                        }
                    }
                }
            } while (wip.decrementAndGet() != 0);
        }

        private void terminate(Throwable error) {
            terminated = true;
            subscriptions.remove(this);
            Runnable c = cancelDeadline;
            if (c != null) {
                c.run();
            }
            if (error == null) {
                subscriber.onComplete();
            } else {
                subscriber.onError(error);
            }
        }
    }
}
