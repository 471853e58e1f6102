package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.async.Refusal;
import dev.tusk.internal.io.LoopFuture;
import dev.tusk.internal.op.ConnectionErrors;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The rows of one query as a {@link Flow.Publisher} with back-pressure: the query runs as a server-side
 * cursor, and rows are fetched only as the subscriber requests them (at most {@value #CHUNK} at a time),
 * so the server holds what the subscriber has not asked for and the client's memory stays bounded (a chunk being
 * delivered and the next one, fetched while the subscriber consumes the first when its demand covers it).
 * Outside a transaction the publisher opens one for the cursor and ends it when the rows run out or the
 * subscription is cancelled. One subscriber per publisher, as each subscription runs the query.
 */
final class AsyncRowPublisher<R> implements Flow.Publisher<R> {
    static final int CHUNK = 500;
    private static final System.Logger LOG = System.getLogger("dev.tusk.eventloop");
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
            Refusal.refuse(subscriber, new ProgrammingException("stream() cannot be used in pipeline"
                    + " mode: fetch the rows with execute(), or stream after the pipeline block"));
            return;
        }
        new Subscription(subscriber).start();
    }

    private final class Subscription implements Flow.Subscription {
        private final Flow.Subscriber<? super R> subscriber;
        private final String cursor = "_tusk_stream_" + CURSORS.incrementAndGet();
        /** Rows requested and not yet delivered. */
        private final AtomicLong demand = new AtomicLong();
        /** Rows fetched or being fetched and not yet delivered (never more than {@link #demand}). */
        private final AtomicLong ahead = new AtomicLong();
        private final AtomicBoolean fetching = new AtomicBoolean(true); // until DECLARE completes
        /** Fetched chunks waiting for delivery: at most one being delivered and one more. */
        private final ConcurrentLinkedQueue<List<R>> chunks = new ConcurrentLinkedQueue<>();
        /** Serializes delivery and the terminal signals (§1.3): whoever raises it from 0 drains. */
        private final AtomicInteger wip = new AtomicInteger();
        private volatile boolean done;
        /** Set by whichever ends the subscription first (close or finish; cancel() may race the loop's drain). */
        private final AtomicBoolean ending = new AtomicBoolean();
        private volatile boolean cancelled;
        /** The cursor ran out: a FETCH returned fewer rows than asked. */
        private volatile boolean ended;
        private volatile Throwable error;
        /** The stream opened its own transaction (decided on the loop when its BEGIN's turn came). Loop thread. */
        private volatile boolean ownTransaction;
        /** BEGIN and DECLARE were submitted: a cancel from now on ends them (see {@link #drain}). */
        private volatile boolean submitted;
        /** Stops watching for the connection's close and the lease's end (see {@link #start}); null when not watching. */
        private volatile Runnable stopWatching;

        Subscription(Flow.Subscriber<? super R> subscriber) {
            this.subscriber = subscriber;
        }

        void start() {
            subscriber.onSubscribe(this);
            if (cancelled) { // in onSubscribe: nothing was sent, nothing needs ending
                done = true;
                return;
            }
            // a subscriber with no demand left has no FETCH in flight to fail: it hears of a closed connection here
            Runnable closeWatch = conn.errors.watchClose(() -> endedUnder(conn.errors.closedError()));
            // through a pool's lease: it ends with the lease too (on the loop, where signals arrive), never left waiting
            Runnable leaseWatch = conn.home == conn ? null
                    : conn.endsWithLease(() -> conn.driver().execute(() -> endedUnder(ConnectionErrors.endedLease())), null);
            stopWatching = leaseWatch == null ? closeWatch : () -> {
                leaseWatch.run();
                if (closeWatch != null) {
                    closeWatch.run();
                }
            };
            // BEGIN only when no transaction is open: decided on the loop, in order with earlier statements
            CompletableFuture<Void> begun = conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runOwn(
                    conn.lease(), session -> {
                        ownTransaction = session.expected() == TransactionStatus.IDLE;
                        return ownTransaction ? "BEGIN" : null;
                    }, session -> session.expect(TransactionStatus.INTRANS), c -> null);
            // the DECLARE right behind the BEGIN (not once it completed): a cancel's ROLLBACK or CLOSE, submitted when
            // cancel() is called, then comes after both, and before any statement submitted after the cancel
            String declare = "DECLARE " + cursor + " NO SCROLL CURSOR FOR " + query;
            CompletableFuture<?> declared = begun.isCompletedExceptionally() ? begun
                    : params.length == 0 ? conn.execute(declare) : conn.execute(declare, params);
            submitted = true;
            declared.whenComplete((c, e) -> {
                Throwable beginError = begun.handle((v, x) -> x).getNow(null);
                if (e != null || beginError != null) {
                    error = LoopFuture.unwrap(beginError != null ? beginError : e); // the BEGIN's error first
                    fetching.set(false);
                    drain();
                } else {
                    fetching.set(false);
                    fetchIfWanted();
                }
            });
            if (cancelled) {
                drain(); // a cancel() that came while the statements were being submitted
            }
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
                if (submitted) {
                    close(null, false); // before cancel() returns, also when called from onNext (inside drain)
                }
                drain();
            }
        }

        /**
         * Sends the next FETCH when demand is not yet covered by rows fetched or on their way, one FETCH at a time.
         * Called again as soon as a chunk arrives, before that chunk is delivered: the server produces the next
         * chunk while the subscriber consumes this one, and no more rows than requested are ever fetched.
         */
        private void fetchIfWanted() {
            while (!done && !ended && error == null && fetching.compareAndSet(false, true)) {
                if (cancelled) {
                    fetching.set(false);
                    drain();
                    return;
                }
                long want = demand.get() - ahead.get();
                if (want <= 0) {
                    fetching.set(false);
                    if (demand.get() - ahead.get() > 0) {
                        continue; // a request() raced with this check: look again
                    }
                    return;
                }
                int n = (int) Math.min(want, CHUNK);
                ahead.addAndGet(n);
                conn.execute("FETCH FORWARD " + n + " FROM " + cursor).whenComplete((c, e) -> {
                    if (e != null) {
                        error = LoopFuture.unwrap(e);
                        fetching.set(false);
                        drain();
                        return;
                    }
                    List<R> rows = c.fetchall();
                    if (rows.size() < n) {
                        ahead.addAndGet(rows.size() - n);
                        ended = true;
                    }
                    chunks.add(rows);
                    fetching.set(false);
                    fetchIfWanted(); // the next chunk's round trip overlaps this one's delivery
                    if (fetching.get()) {
                        // deliver in a task queued after the one that writes that FETCH, and flush it first, so
                        // that it leaves now, not when the subscriber has consumed this chunk
                        conn.driver().execute(() -> {
                            conn.driver().flush();
                            drain();
                        });
                    } else {
                        drain();
                    }
                });
                return;
            }
        }

        /**
         * The connection closed or was lost, or the lease the stream was made through ended: the subscriber hears
         * {@code why} once the rows fetched before are delivered.
         */
        private void endedUnder(TuskException why) {
            if (!done && error == null) {
                error = why;
            }
            drain();
        }

        /** The subscription ended: the connection's close need not be watched any more. */
        private void stopWatching() {
            Runnable stop = stopWatching;
            if (stop != null) {
                stopWatching = null;
                stop.run();
            }
        }

        /** Delivers the fetched rows in order, then, once nothing is in flight, the end: complete, error or cancel. */
        private void drain() {
            if (wip.getAndIncrement() != 0) {
                return;
            }
            int missed = 1;
            while (true) {
                List<R> rows;
                while ((rows = chunks.poll()) != null) {
                    for (R r : rows) {
                        if (cancelled) {
                            break;
                        }
                        ahead.decrementAndGet();
                        demand.decrementAndGet();
                        try {
                            subscriber.onNext(r);
                        } catch (RuntimeException e) { // rule 2.13: the subscription counts as cancelled
                            cancelled = true;
                            LOG.log(System.Logger.Level.WARNING, "a subscriber's onNext threw (Reactive Streams rule"
                                    + " 2.13): its subscription is cancelled", e);
                        }
                    }
                    if (cancelled) {
                        chunks.clear();
                    }
                }
                if (!done && cancelled && submitted) {
                    close(null, false); // at once, even with a FETCH in flight: see close()
                } else if (!done && !cancelled && !fetching.get()) {
                    if (error != null) {
                        finish(error);
                    } else if (ended) {
                        close(null, true);
                    }
                }
                missed = wip.addAndGet(-missed);
                if (missed == 0) {
                    return;
                }
            }
        }

        /**
         * Closes the cursor (and the transaction it opened), then completes or fails the subscriber. After a cancel it
         * is submitted at once, in order behind the BEGIN, DECLARE and any FETCH in flight, so before any statement
         * the caller submits after cancel(): ROLLBACK or CLOSE chosen on the loop when its turn comes, once the
         * BEGIN's turn decided whether the stream has a transaction of its own.
         */
        private void close(Throwable error, boolean signalComplete) {
            if (!ending.compareAndSet(false, true)) {
                return;
            }
            done = true;
            stopWatching();
            CompletableFuture<?> end;
            if (!signalComplete) {
                end = conn.leaseEnded() ? ConnectionShell.refusedLease() : conn.operations.runOwn(conn.lease(),
                        session -> ownTransaction ? "ROLLBACK" : "CLOSE " + cursor,
                        session -> {
                            if (ownTransaction) {
                                session.expect(TransactionStatus.IDLE);
                            }
                        }, c -> null);
                end = end.handle((c, e) -> null);
            } else {
                end = ownTransaction ? conn.commit() : conn.execute("CLOSE " + cursor).handle((c, e) -> null);
            }
            end.whenComplete((v, e) -> {
                if (error != null) {
                    subscriber.onError(error);
                } else if (signalComplete) {
                    subscriber.onComplete();
                }
            });
        }

        private void finish(Throwable error) {
            if (!ending.compareAndSet(false, true)) {
                return; // a cancel ended it first: the subscriber hears nothing more
            }
            stopWatching();
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
