package dev.tusk.model;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A subscriber of the async model's streams and COPY TO publishers: asks for a random number of items whenever
 * what it asked for has arrived, and may cancel or throw after a given number of items. {@link #done} completes with
 * the items at onComplete (or when it cancelled or threw: then no more signals may come), fails at onError; every
 * later signal is recorded in {@link #late} (a Reactive Streams violation the model reports). Signals come one at a
 * time (Reactive Streams rule 1.3), so its own state needs no lock.
 */
final class ModelSubscriber<T> implements Flow.Subscriber<T> {
    /** Thrown by a subscriber's onNext on purpose. */
    static final class SubscriberBoom extends RuntimeException {
        SubscriberBoom() {
            super("the model's subscriber threw in onNext");
        }
    }

    final CompletableFuture<List<T>> done = new CompletableFuture<>();
    /** Signals after the end (after cancel, a throw, onComplete or onError): described, for the failure message. */
    final List<String> late = java.util.Collections.synchronizedList(new ArrayList<>());
    private final List<T> items = java.util.Collections.synchronizedList(new ArrayList<>());
    private final Random random;
    private final int maxRequest;
    private final int cancelAt;
    private final int throwAt;
    /** Runs at onNext of item {@link #actAt} (1-based) before the subscriber asks for more; null: nothing. */
    private final Consumer<Flow.Subscription> action;
    private final int actAt;
    private Flow.Subscription subscription;
    private long outstanding;
    private volatile boolean ended;

    /**
     * {@code seed}: the random request sizes (1..maxRequest); {@code cancelAt}/{@code throwAt}: cancel or throw at
     * that item (1-based; 0: never, -1 for cancelAt: cancel in onSubscribe).
     */
    ModelSubscriber(long seed, int maxRequest, int cancelAt, int throwAt, int actAt, Consumer<Flow.Subscription> action) {
        this.random = new Random(seed);
        this.maxRequest = maxRequest;
        this.cancelAt = cancelAt;
        this.throwAt = throwAt;
        this.actAt = actAt;
        this.action = action;
    }

    static <T> ModelSubscriber<T> all(long seed, int maxRequest) {
        return new ModelSubscriber<>(seed, maxRequest, 0, 0, 0, null);
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        if (subscription != null) {
            late.add("a second onSubscribe");
            s.cancel();
            return;
        }
        subscription = s;
        if (cancelAt < 0) {
            s.cancel(); // first: what the step submits after done must come after the cancel
            end();
            return;
        }
        requestMore();
    }

    @Override
    public void onNext(T item) {
        if (ended) {
            late.add("onNext(" + item + ") after the end");
            return;
        }
        items.add(item);
        outstanding--;
        if (outstanding < 0) {
            late.add("onNext(" + item + ") beyond the demand");
        }
        int n = items.size();
        if (n == throwAt) {
            // done completes a while after the throw, which the publisher handles at once (as a cancel): what the
            // step runs next stands for a statement the caller submits later, after the stream's end was submitted
            ended = true;
            List<T> got = items();
            CompletableFuture.delayedExecutor(100, TimeUnit.MILLISECONDS).execute(() -> done.complete(got));
            throw new SubscriberBoom();
        }
        if (n == cancelAt) {
            subscription.cancel(); // first: what the step submits after done must come after the cancel
            end();
            return;
        }
        if (n == actAt && action != null) {
            action.accept(subscription);
        }
        if (outstanding == 0) {
            requestMore();
        }
    }

    @Override
    public void onError(Throwable t) {
        if (ended) {
            late.add("onError(" + t + ") after the end");
            return;
        }
        ended = true;
        done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
        if (ended) {
            late.add("onComplete after the end");
            return;
        }
        ended = true;
        done.complete(items());
    }

    /** The items received so far. */
    List<T> items() {
        synchronized (items) {
            return List.copyOf(items);
        }
    }

    String lateSignals() {
        synchronized (late) {
            return late.isEmpty() ? null : String.join("; ", late);
        }
    }

    private void end() {
        ended = true;
        done.complete(items());
    }

    private void requestMore() {
        int n = 1 + random.nextInt(maxRequest);
        outstanding += n;
        subscription.request(n);
    }
}
