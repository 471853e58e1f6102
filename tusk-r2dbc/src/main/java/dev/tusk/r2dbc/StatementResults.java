package dev.tusk.r2dbc;

import dev.tusk.AsyncCursor;
import dev.tusk.Row;
import io.r2dbc.spi.Result;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.Supplier;

/**
 * The Results of one statement (one submission: a statement, a statement's batch of bindings), sent when the
 * publisher is subscribed to (again at each subscription) and emitted as the subscriber requests them once the
 * statement has completed. It does what {@code Flux.defer(() -> Mono.fromFuture(f).doOnCancel(..).flatMapIterable(..))}
 * did, in one object per subscription instead of a chain of five operators, each with its subscriber and a queue:
 * on a point select that chain was most of what the driver itself added per statement. The Results are emitted
 * on the thread that completes the statement (Tusk's event loop) or on the thread that requests them, never
 * on another.
 *
 * <p>A subscriber that cancels before the statement's answer has come asks {@link TuskConnection#cancelled} to
 * cancel it on the server (when it is the only one in flight).
 */
final class StatementResults extends Flux<Result> {
    private final TuskConnection connection;
    private final Supplier<TuskConnection.Submission> send;

    /** {@code send} submits the statement. */
    StatementResults(TuskConnection connection, Supplier<TuskConnection.Submission> send) {
        this.connection = connection;
        this.send = send;
    }

    @Override
    public void subscribe(CoreSubscriber<? super Result> actual) {
        TuskConnection.Submission answer;
        try {
            answer = send.get();
        } catch (RuntimeException e) {
            Operators.error(actual, Operators.onOperatorError(e, actual.currentContext()));
            return;
        }
        Emitter e = new Emitter(actual, answer, connection);
        actual.onSubscribe(e);
        answer.future.whenComplete(e);
    }

    /** The subscription: holds the Results once they came, emits them as requested (one thread at a time). */
    static final class Emitter implements Subscription, BiConsumer<AsyncCursor<Row>, Throwable> {
        /** VarHandles rather than field updaters: an updater checks the object's class at each use. */
        private static final VarHandle REQUESTED = Demand.field(MethodHandles.lookup(), "requested", long.class);
        private static final VarHandle WIP = Demand.field(MethodHandles.lookup(), "wip", int.class);

        private final CoreSubscriber<? super Result> actual;
        private final TuskConnection.Submission answer;
        private final TuskConnection connection;
        /** Set (after {@link #error}) when the statement has completed. */
        private volatile List<Result> results;
        private volatile Throwable error;
        private volatile long requested;
        private volatile int wip;
        private volatile boolean cancelled;
        /** The next Result to emit, and whether the subscriber was told the end; draining thread only. */
        private int index;
        private boolean done;

        Emitter(CoreSubscriber<? super Result> actual, TuskConnection.Submission answer, TuskConnection connection) {
            this.actual = actual;
            this.answer = answer;
            this.connection = connection;
        }

        /** The statement completed: its outcome becomes the Results (on the thread completing it, Tusk's event loop). */
        @Override
        public void accept(AsyncCursor<Row> cursor, Throwable t) {
            List<Result> r;
            try {
                r = answer.apply(cursor, t);
            } catch (Throwable x) { // a bug turning the outcome into Results: the subscriber is told, not left waiting
                error = Errors.unwrap(x);
                r = List.of();
            }
            results = r;
            drain();
        }

        @Override
        public void request(long n) {
            if (Operators.validate(n)) {
                Demand.add(REQUESTED, this, n);
                drain();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                connection.cancelled(answer.future);
            }
        }

        /** Emits what is requested and available; the thread that finds others draining leaves it to them. */
        private void drain() {
            if ((int) WIP.getAndAdd(this, 1) != 0) {
                return;
            }
            int missed = 1;
            for (;;) {
                List<Result> rs = results;
                if (rs != null && !done && !cancelled) {
                    long r = requested;
                    long emitted = 0;
                    int size = rs.size();
                    while (index < size && emitted != r && !cancelled) {
                        actual.onNext(rs.get(index++));
                        emitted++;
                    }
                    if (emitted != 0 && r != Long.MAX_VALUE) {
                        long unused = (long) REQUESTED.getAndAdd(this, -emitted);
                    }
                    if (index == size && !cancelled) {
                        done = true;
                        Throwable t = error;
                        if (t != null) {
                            actual.onError(t);
                        } else {
                            actual.onComplete();
                        }
                    }
                }
                missed = (int) WIP.getAndAdd(this, -missed) - missed;
                if (missed == 0) {
                    return;
                }
            }
        }
    }
}
