package dev.tusk.internal.async;

import java.util.concurrent.Flow;

/** A publisher's refusal of a subscriber (Reactive Streams rule 1.9: onSubscribe first, then onError). */
public final class Refusal {
    private static final Flow.Subscription NOTHING = new Flow.Subscription() {
        @Override
        public void request(long n) {
        }

        @Override
        public void cancel() {
        }
    };

    private Refusal() {
    }

    public static void refuse(Flow.Subscriber<?> subscriber, Throwable why) {
        subscriber.onSubscribe(NOTHING);
        subscriber.onError(why);
    }
}
