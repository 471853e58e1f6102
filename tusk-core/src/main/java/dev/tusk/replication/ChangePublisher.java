package dev.tusk.replication;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.async.Refusal;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link PgOutputStream} as a {@link Flow.Publisher} with back-pressure: the stream is read only while the
 * subscriber has demand, so a slow subscriber slows the reading (the connection stops reading once 256 messages
 * wait, then TCP holds the server back) and the heap does not grow. While there is no demand the publisher keeps
 * sending status updates, so the server does not take a slow subscriber for a dead one.
 *
 * <p>One subscriber; the stream is read on a thread of {@code executor} (by default a daemon thread of its own).
 * Acknowledge processed commits with {@link PgOutputStream#acknowledge} from any thread. {@code cancel()} closes
 * the stream (its connection stays usable); an error of the stream is passed to {@code onError} (the stream is
 * then closed); the end of the stream to {@code onComplete}.
 */
public final class ChangePublisher implements Flow.Publisher<PgOutputMessage> {
    private final PgOutputStream stream;
    private final Executor executor;
    private final Duration statusInterval;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    /**
     * Publishes {@code stream}, read on {@code executor} (null: a daemon thread of its own), sending a status
     * update every {@code statusInterval} while the subscriber has no demand.
     */
    public ChangePublisher(PgOutputStream stream, Executor executor, Duration statusInterval) {
        this.stream = stream;
        this.executor = executor != null ? executor : r -> {
            Thread t = new Thread(r, "tusk-replication-publisher");
            t.setDaemon(true);
            t.start();
        };
        this.statusInterval = statusInterval;
    }

    /** Publishes {@code stream} on a thread of its own, with a status update every 10 s while there is no demand. */
    public ChangePublisher(PgOutputStream stream) {
        this(stream, null, Duration.ofSeconds(10));
    }

    @Override
    public void subscribe(Flow.Subscriber<? super PgOutputMessage> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            Refusal.refuse(subscriber, new ProgrammingException("a ChangePublisher takes one subscriber: its stream is "
                    + "already published"));
            return;
        }
        Sub sub = new Sub(subscriber);
        subscriber.onSubscribe(sub);
        executor.execute(sub::run);
    }

    private final class Sub implements Flow.Subscription {
        private final Flow.Subscriber<? super PgOutputMessage> subscriber;
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private long demand;
        private boolean cancelled;
        private Throwable badRequest;

        Sub(Flow.Subscriber<? super PgOutputMessage> subscriber) {
            this.subscriber = subscriber;
        }

        @Override
        public void request(long n) {
            lock.lock();
            try {
                if (n <= 0) {
                    badRequest = new IllegalArgumentException("request(" + n + "): demand must be positive (Reactive Streams rule 3.9)");
                } else {
                    demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
                }
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void cancel() {
            lock.lock();
            try {
                cancelled = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits for demand, sending status updates meanwhile; false once cancelled. */
        private boolean awaitDemand() throws InterruptedException {
            while (true) {
                lock.lock();
                try {
                    if (cancelled || badRequest != null) {
                        return false;
                    }
                    if (demand > 0) {
                        return true;
                    }
                    changed.await(statusInterval.toNanos(), TimeUnit.NANOSECONDS);
                    if (demand > 0 || cancelled || badRequest != null) {
                        continue;
                    }
                } finally {
                    lock.unlock();
                }
                stream.raw().sendStatusNow(); // no demand for a whole interval: tell the server we are alive
            }
        }

        void run() {
            Throwable failure = null;
            boolean completed = false;
            try {
                while (awaitDemand()) {
                    PgOutputMessage m = stream.read(statusInterval);
                    if (m == null) {
                        if (stream.raw().isEnded()) {
                            completed = true;
                            break;
                        }
                        continue;
                    }
                    lock.lock();
                    try {
                        demand--;
                    } finally {
                        lock.unlock();
                    }
                    subscriber.onNext(m);
                }
                failure = badRequest;
            } catch (Throwable t) {
                failure = t;
            }
            try {
                stream.close();
            } catch (RuntimeException e) {
                if (failure == null && !cancelled) {
                    failure = e;
                }
            }
            if (failure != null) {
                subscriber.onError(failure);
            } else if (completed) {
                subscriber.onComplete();
            }
        }
    }
}
