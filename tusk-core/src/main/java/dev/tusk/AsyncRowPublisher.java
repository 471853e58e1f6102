package dev.tusk;

import dev.tusk.internal.io.LoopFuture;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows of one query as a {@link Flow.Publisher} with back-pressure: the query runs as a server-side
 * cursor, and rows are fetched only as the subscriber requests them (at most {@value #CHUNK} at a time),
 * so the server holds what the subscriber has not asked for and the client's memory stays bounded.
 * Outside a transaction the publisher opens one for the cursor and ends it when the rows run out or the
 * subscription is cancelled. One subscriber per publisher, as each subscription runs the query.
 */
final class AsyncRowPublisher<R> implements Flow.Publisher<R> {
    static final int CHUNK = 500;
    private static final AtomicInteger CURSORS = new AtomicInteger();

    private final AsyncConnection<R> conn;
    private final String query;
    private final Object[] params;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    AsyncRowPublisher(AsyncConnection<R> conn, String query, Object[] params) {
        this.conn = conn;
        this.query = query;
        this.params = params;
    }

    @Override
    public void subscribe(Flow.Subscriber<? super R> subscriber) {
        if (!subscribed.compareAndSet(false, true)) {
            Refusal.refuse(subscriber, new IllegalStateException("this publisher runs its query once: call stream() again"));
            return;
        }
        if (conn.pipelineStatus() != PipelineStatus.OFF) { // as psycopg, and as Cursor.stream()
            Refusal.refuse(subscriber, new dev.tusk.errors.ProgrammingException("stream() cannot be used in pipeline"
                    + " mode: fetch the rows with execute(), or stream after the pipeline block"));
            return;
        }
        new Subscription(subscriber).start();
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super R> subscriber;
        private final String cursor = "_tusk_stream_" + CURSORS.incrementAndGet();
        private final AtomicLong demand = new AtomicLong();
        private final AtomicBoolean fetching = new AtomicBoolean(true); // until DECLARE completes
        private volatile boolean done;
        private volatile boolean cancelled;
        private boolean ownTransaction;

        Subscription(Flow.Subscriber<? super R> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            // BEGIN only when no transaction is open: decided on the loop, in order with earlier statements
            conn.runOwn(idle -> {
                ownTransaction = idle;
                return new AsyncConnection.OwnStatement(idle ? "BEGIN" : null, idle ? 'T' : null);
            }).thenCompose(v -> {
                String declare = "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query;
                return params.length == 0 ? conn.execute(declare) : conn.execute(declare, params);
            })
                    .whenComplete((c, e) -> {
                        fetching.set(false);
                        if (e != null) {
                            finish(LoopFuture.unwrap(e));
                        } else {
                            fetchIfWanted();
                        }
                    });
        }

        @Override
        public void request(long n) {
            if (n <= 0) {
                cancel();
                subscriber.onError(new IllegalArgumentException("request(" + n + "): the demand must be positive (§3.9)"));
                return;
            }
            demand.accumulateAndGet(n, (a, b) -> a + b < 0 ? Long.MAX_VALUE : a + b);
            fetchIfWanted();
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                if (!fetching.get()) {
                    close(null, false);
                }
            }
        }

        private void fetchIfWanted() {
            if (done || demand.get() == 0 || !fetching.compareAndSet(false, true)) {
                return;
            }
            if (cancelled) {
                close(null, false);
                return;
            }
            int n = (int) Math.min(demand.get(), CHUNK);
            conn.execute("FETCH FORWARD " + n + " FROM " + cursor).whenComplete((c, e) -> {
                if (e != null) {
                    fetching.set(false);
                    finish(LoopFuture.unwrap(e));
                    return;
                }
                List<R> rows = c.fetchall();
                for (R r : rows) {
                    if (cancelled) {
                        break;
                    }
                    demand.decrementAndGet();
                    subscriber.onNext(r);
                }
                fetching.set(false);
                if (rows.size() < n || cancelled) {
                    close(null, !cancelled);
                } else {
                    fetchIfWanted();
                }
            });
        }

        /** Closes the cursor (and the transaction it opened), then completes or fails the subscriber. */
        private void close(Throwable error, boolean signalComplete) {
            if (done) {
                return;
            }
            done = true;
            CompletableFuture<?> end = ownTransaction ? (signalComplete ? conn.commit() : conn.rollback())
                    : conn.execute("CLOSE " + cursor).handle((c, e) -> null);
            end.whenComplete((v, e) -> {
                if (error != null) {
                    subscriber.onError(error);
                } else if (signalComplete) {
                    subscriber.onComplete();
                }
            });
        }

        private void finish(Throwable error) {
            if (ownTransaction) {
                done = true;
                conn.rollback().whenComplete((v, e) -> subscriber.onError(error));
            } else {
                done = true;
                subscriber.onError(error);
            }
        }
    }
}
