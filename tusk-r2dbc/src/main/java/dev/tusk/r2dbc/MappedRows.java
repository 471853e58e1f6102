package dev.tusk.r2dbc;

import io.r2dbc.spi.Result;
import io.r2dbc.spi.Row;
import io.r2dbc.spi.RowMetadata;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.function.BiFunction;

/**
 * {@link Result#map} over segments already in memory: each row mapped as the subscriber requests it, the
 * statement's error raised where its segment stands, other segments skipped. The same as
 * {@code Flux.fromArray(segments).handle(...)}, in one object: the publisher is its first subscriber's subscription
 * (a Result's rows are mapped once, as a rule); each later subscriber gets a copy of it as its own.
 */
final class MappedRows<T> extends Flux<T> implements Subscription {
    /** VarHandles rather than field updaters: an updater checks the object's class at each use. */
    private static final VarHandle REQUESTED = Demand.field(MethodHandles.lookup(), "requested", long.class);
    private static final VarHandle WIP = Demand.field(MethodHandles.lookup(), "wip", int.class);
    private static final VarHandle TAKEN = Demand.field(MethodHandles.lookup(), "taken", int.class);

    private final Result.Segment[] segments;
    private final BiFunction<Row, RowMetadata, ? extends T> mapping;
    /** 1 once this object is a subscription (its first subscriber's, or a later one's copy). */
    private volatile int taken;
    /** The subscriber this object emits to, set before it is given this subscription. */
    private CoreSubscriber<? super T> actual;
    private volatile long requested;
    private volatile int wip;
    private volatile boolean cancelled;
    /** The next segment, and whether the subscriber was told the end; draining thread only. */
    private int index;
    private boolean done;

    MappedRows(Result.Segment[] segments, BiFunction<Row, RowMetadata, ? extends T> mapping) {
        this.segments = segments;
        this.mapping = mapping;
    }

    static IllegalStateException nullMapped() {
        return new IllegalStateException("the mapping function returned null for a row; R2DBC publishers"
                + " cannot emit null: return an Optional or a sentinel instead");
    }

    @Override
    public void subscribe(CoreSubscriber<? super T> actual) {
        MappedRows<T> s = TAKEN.compareAndSet(this, 0, 1) ? this : new MappedRows<>(segments, mapping);
        s.taken = 1;
        s.actual = actual;
        actual.onSubscribe(s);
    }

    @Override
    public void request(long n) {
        if (Demand.request(REQUESTED, this, n)) {
            drain();
        }
    }

    @Override
    public void cancel() {
        cancelled = true;
    }

    @SuppressWarnings("unchecked")
    private void drain() {
        if ((int) WIP.getAndAdd(this, 1) != 0) {
            return;
        }
        CoreSubscriber<? super T> actual = this.actual;
        Result.Segment[] segments = this.segments;
        int missed = 1;
        for (;;) {
            long r = requested;
            long emitted = 0;
            int size = segments.length;
            while (!done && !cancelled && index < size && emitted != r) {
                Result.Segment s = segments[index++];
                if (s instanceof Result.RowSegment rs) {
                    T v;
                    try {
                        v = mapping.apply(rs.row(), rs.row().getMetadata());
                    } catch (Throwable t) {
                        done = true;
                        actual.onError(Operators.onOperatorError(this, t, rs.row(), actual.currentContext()));
                        break;
                    }
                    if (v == null) {
                        done = true;
                        actual.onError(nullMapped());
                        break;
                    }
                    actual.onNext(v);
                    emitted++;
                } else if (s instanceof TuskResult.MessageImpl m && m.error()) {
                    done = true;
                    actual.onError(m.exception());
                }
            }
            // the segments after the last row may hold the error: look for it before completing
            while (!done && !cancelled && index < size && !(segments[index] instanceof Result.RowSegment)) {
                Result.Segment s = segments[index++];
                if (s instanceof TuskResult.MessageImpl m && m.error()) {
                    done = true;
                    actual.onError(m.exception());
                }
            }
            if (!done && !cancelled && index == size) {
                done = true;
                actual.onComplete();
            }
            if (emitted != 0 && r != Long.MAX_VALUE) {
                long unused = (long) REQUESTED.getAndAdd(this, -emitted);
            }
            missed = (int) WIP.getAndAdd(this, -missed) - missed;
            if (missed == 0) {
                return;
            }
        }
    }
}
