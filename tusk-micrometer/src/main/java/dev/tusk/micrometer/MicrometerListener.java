package dev.tusk.micrometer;

import dev.tusk.errors.TuskException;
import dev.tusk.observe.CopyEnd;
import dev.tusk.observe.CopyStart;
import dev.tusk.observe.LeaseEvent;
import dev.tusk.observe.PipelineEnd;
import dev.tusk.observe.PipelineStart;
import dev.tusk.observe.PoolConnectionEvent;
import dev.tusk.observe.PoolView;
import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TuskListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/** The listener behind {@link TuskMicrometer}. */
final class MicrometerListener implements TuskListener {
    static final String PREFIX = "hikaricp.connections";

    private final MeterRegistry meters;
    private final ObservationRegistry observations;
    private final TuskObservationConvention convention;
    private final Map<PoolView, PoolMeters> pools = new ConcurrentHashMap<>();
    /** The pools closed (weakly held), whose late events are ignored. */
    private final Map<PoolView, Boolean> closed = new WeakHashMap<>();

    MicrometerListener(MeterRegistry meters, ObservationRegistry observations, TuskObservationConvention convention) {
        this.meters = meters;
        this.observations = observations == null || observations.isNoop() ? null : observations;
        this.convention = convention;
    }

    // ---------------------------------------------------------------- observations

    @Override
    public Object statementStarted(StatementStart start, Object parent) {
        return observe(new TuskObservationContext(start.facts(), start.operation(), start.sql(), start.batchSize()), parent);
    }

    @Override
    public void statementEnded(StatementEnd end, Object context) {
        stop(context, end.sqlstate(), end.rows(), end.error());
    }

    @Override
    public Object pipelineStarted(PipelineStart start) {
        return observe(new TuskObservationContext(start.facts(), "PIPELINE", null, 0), null);
    }

    @Override
    public void pipelineEnded(PipelineEnd end, Object context) {
        stop(context, sqlstateOf(end.error()), -1, end.error());
    }

    @Override
    public Object copyStarted(CopyStart start, Object parent) {
        return observe(new TuskObservationContext(start.facts(), "COPY", start.sql(), 1), parent);
    }

    @Override
    public void copyEnded(CopyEnd end, Object context) {
        stop(context, end.sqlstate(), end.rows(), end.error());
    }

    private Object observe(TuskObservationContext context, Object parent) {
        if (observations == null) {
            return null;
        }
        // created on the submitting thread: the registry's current observation becomes the parent
        Observation o = Observation.createNotStarted(convention, convention, () -> context, observations);
        if (parent instanceof Observation) {
            o.parentObservation((Observation) parent);
        }
        return o.start();
    }

    private static void stop(Object context, String sqlstate, long rows, Throwable error) {
        if (!(context instanceof Observation)) {
            return;
        }
        Observation o = (Observation) context;
        if (sqlstate == null) {
            sqlstate = sqlstateOf(error);
        }
        boolean failed = error != null;
        if (o.getContext() instanceof TuskObservationContext) {
            ((TuskObservationContext) o.getContext()).ended(sqlstate, rows, failed);
        }
        if (failed) {
            o.error(new StatementFailedException(error.getClass().getName(), sqlstate));
        }
        o.stop();
    }

    private static String sqlstateOf(Throwable error) {
        for (Throwable t = error; t != null && t.getCause() != t; t = t.getCause()) {
            if (t instanceof TuskException && ((TuskException) t).sqlstate() != null) {
                return ((TuskException) t).sqlstate();
            }
        }
        return null;
    }

    // ---------------------------------------------------------------- pools

    /** One pool's meters, named as HikariCP's Micrometer binding names them. */
    private final class PoolMeters {
        final List<Meter> all = new ArrayList<>();
        final Timer acquire;
        final Timer usage;
        final Timer creation;
        final Counter timeout;

        PoolMeters(PoolView pool) {
            String name = pool.name() == null ? "tusk" : pool.name();
            gauge(pool, name, PREFIX, "Total connections", PoolView::size);
            gauge(pool, name, PREFIX + ".active", "Active connections", PoolView::inUse);
            gauge(pool, name, PREFIX + ".idle", "Idle connections", PoolView::idle);
            gauge(pool, name, PREFIX + ".pending", "Pending threads", PoolView::waiting);
            gauge(pool, name, PREFIX + ".max", "Max connections", PoolView::maxSize);
            gauge(pool, name, PREFIX + ".min", "Min connections", PoolView::minSize);
            acquire = add(Timer.builder(PREFIX + ".acquire").description("Connection acquire time")
                    .tag("pool", name).register(meters));
            usage = add(Timer.builder(PREFIX + ".usage").description("Connection usage time")
                    .tag("pool", name).register(meters));
            creation = add(Timer.builder(PREFIX + ".creation").description("Connection creation time")
                    .tag("pool", name).register(meters));
            timeout = add(Counter.builder(PREFIX + ".timeout").description("Connection timeout total count")
                    .tag("pool", name).register(meters));
        }

        private void gauge(PoolView pool, String name, String meter, String description, ToDoubleFunction<PoolView> f) {
            add(Gauge.builder(meter, pool, f).description(description).tag("pool", name).strongReference(true)
                    .register(meters));
        }

        private <M extends Meter> M add(M meter) {
            all.add(meter);
            return meter;
        }
    }

    /**
     * The meters of a pool, registered on its first event (a pool may make its first connections before it
     * reports itself open); none once it closed, so that a late event does not register them again.
     */
    private PoolMeters poolMeters(PoolView pool) {
        if (meters == null) {
            return null;
        }
        PoolMeters m = pools.get(pool);
        if (m != null) {
            return m;
        }
        synchronized (closed) {
            return closed.containsKey(pool) ? null : pools.computeIfAbsent(pool, PoolMeters::new);
        }
    }

    @Override
    public void poolOpened(PoolView pool) {
        poolMeters(pool);
    }

    @Override
    public void poolClosed(PoolView pool) {
        PoolMeters m;
        synchronized (closed) {
            closed.put(pool, Boolean.TRUE);
            m = pools.remove(pool);
        }
        if (m != null) {
            m.all.forEach(meters::remove);
        }
    }

    @Override
    public void leaseAcquired(LeaseEvent event) {
        PoolMeters m = poolMeters(event.pool());
        if (m != null) {
            m.acquire.record(event.nanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void leaseReturned(LeaseEvent event) {
        PoolMeters m = poolMeters(event.pool());
        if (m != null) {
            m.usage.record(event.nanos(), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void leaseTimedOut(LeaseEvent event) {
        PoolMeters m = poolMeters(event.pool());
        if (m != null) {
            m.timeout.increment();
        }
    }

    @Override
    public void poolConnectionCreated(PoolConnectionEvent event) {
        PoolMeters m = poolMeters(event.pool());
        if (m != null && event.error() == null) {
            m.creation.record(event.nanos(), TimeUnit.NANOSECONDS);
        }
    }
}
