package dev.tusk.r2dbc;

import io.r2dbc.spi.Result;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.List;

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
    private final String text;
    /** The one binding's values as Tusk sends them, or null: the simple protocol, or {@link #sets}. */
    private final Object[] params;
    /** The bindings of a batch (two or more) as Tusk sends them, or null. */
    private final List<Object[]> sets;

    private StatementResults(TuskConnection connection, String text, Object[] params, List<Object[]> sets) {
        this.connection = connection;
        this.text = text;
        this.params = params;
        this.sets = sets;
    }

    /** {@code text} with the values of its one binding ({@code $n} parameters), or none (null: simple protocol). */
    static StatementResults of(TuskConnection connection, String text, Object[] params) {
        return new StatementResults(connection, text, params, null);
    }

    /** {@code text} with two or more bindings, sent as one batch ({@link TuskConnection#submitMany}). */
    static StatementResults batch(TuskConnection connection, String text, List<Object[]> sets) {
        return new StatementResults(connection, text, null, sets);
    }

    /**
     * The subscriber hears of its subscription first, then the statement is sent (unless it cancelled meanwhile): its
     * answer may come on the event loop at once.
     */
    @Override
    public void subscribe(CoreSubscriber<? super Result> actual) {
        Emitter e = new Emitter(actual, connection, text);
        actual.onSubscribe(e);
        if (e.cancelled) {
            return; // nothing sent
        }
        try {
            if (sets != null) {
                connection.submitMany(e, sets);
            } else {
                connection.submit(e, params);
            }
        } catch (RuntimeException x) {
            e.failed(Operators.onOperatorError(x, actual.currentContext()));
            return;
        }
        e.sent = true; // a cancel while it was being sent does not ask the server: the statement runs to its end
    }

    /**
     * The statement submitted and the subscription: holds the Results once they came, emits them as requested (one
     * thread at a time).
     */
    static final class Emitter extends Submission implements Subscription {
        /** VarHandles rather than field updaters: an updater checks the object's class at each use. */
        private static final VarHandle REQUESTED = Demand.field(MethodHandles.lookup(), "requested", long.class);
        private static final VarHandle WIP = Demand.field(MethodHandles.lookup(), "wip", int.class);

        private final CoreSubscriber<? super Result> actual;
        /** Set (after {@link #error}) when the statement has completed. */
        private volatile List<Result> results;
        private volatile Throwable error;
        private volatile long requested;
        private volatile int wip;
        private volatile boolean cancelled;
        /** Set once the statement was submitted: a cancel from then on may ask the server to cancel it. */
        private volatile boolean sent;
        /** The next Result to emit, and whether the subscriber was told the end; draining thread only. */
        private int index;
        private boolean done;

        Emitter(CoreSubscriber<? super Result> actual, TuskConnection connection, String text) {
            super(connection, text);
            this.actual = actual;
        }

        /** The statement's Results (on the thread Tusk answered on, its event loop). */
        @Override
        void answer(List<Result> r, Throwable bug) {
            error = bug;
            results = r;
            drain();
        }

        /** The statement could not be submitted. */
        void failed(Throwable t) {
            answer(List.of(), t);
        }

        @Override
        public void request(long n) {
            if (Demand.request(REQUESTED, this, n)) {
                drain();
            }
        }

        @Override
        public void cancel() {
            if (!cancelled) {
                cancelled = true;
                if (sent) {
                    connection.cancelled(this);
                }
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
