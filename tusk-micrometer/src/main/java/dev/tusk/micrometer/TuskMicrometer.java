package dev.tusk.micrometer;

import dev.tusk.observe.TuskListener;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;

import java.util.Objects;

/**
 * Micrometer metrics and observations for Tusk connections and pools. Depends on {@code micrometer-core} only.
 *
 * <pre>{@code
 * TuskListener micrometer = TuskMicrometer.create(meterRegistry, observationRegistry).listener();
 * ConnectOptions<Row> options = ConnectOptions.builder().conninfo("dbname=app").listener(micrometer).build();
 * ConnectionPool<Row> pool = ConnectionPool.builder().options(options).name("app").build();
 * }</pre>
 *
 * <p>What it records:
 * <ul>
 * <li>for each pool, the meters HikariCP's Micrometer binding registers, under the same names and with the same
 * {@code pool} tag, so dashboards made for HikariCP work: the gauges {@code hikaricp.connections},
 * {@code hikaricp.connections.active}, {@code hikaricp.connections.idle}, {@code hikaricp.connections.pending},
 * {@code hikaricp.connections.max}, {@code hikaricp.connections.min}; the counter
 * {@code hikaricp.connections.timeout}; the timers {@code hikaricp.connections.acquire} (wait for a lease),
 * {@code hikaricp.connections.usage} (lease held) and {@code hikaricp.connections.creation} (connect). They are
 * removed when the pool closes.</li>
 * <li>for each statement, COPY and pipeline, an {@link io.micrometer.observation.Observation} named
 * {@value TuskObservationConvention#NAME} (Spring Boot 3+ wires an {@code ObservationRegistry} whose handlers turn
 * it into a timer and, with Micrometer Tracing, a span). Low-cardinality keys: {@code db.system} (postgresql),
 * {@code db.namespace}, {@code db.operation} ({@code SELECT}...), {@code status} (success or error),
 * {@code db.response.status_code} (the SQLSTATE, or none); high-cardinality: {@code db.query.text}, the query
 * text with its placeholders (never the parameter values). A statement's parent observation is the one current
 * on the thread that submitted it (or its pipeline's), whichever thread completes it. A failed statement's
 * observation gets, as its error, a {@link StatementFailedException} naming the exception class and SQLSTATE but
 * not the server's message, which can quote values.</li>
 * </ul>
 * Either registry may be null to leave that part out.
 */
public final class TuskMicrometer {
    private final MicrometerListener listener;

    private TuskMicrometer(MeterRegistry meters, ObservationRegistry observations, TuskObservationConvention convention) {
        this.listener = new MicrometerListener(meters, observations, convention);
    }

    /** Pool meters in {@code meters}, statement observations in {@code observations}; either may be null. */
    public static TuskMicrometer create(MeterRegistry meters, ObservationRegistry observations) {
        return new TuskMicrometer(meters, observations, new TuskObservationConvention());
    }

    /** As {@link #create(MeterRegistry, ObservationRegistry)}, naming observations with {@code convention}. */
    public static TuskMicrometer create(MeterRegistry meters, ObservationRegistry observations,
                                        TuskObservationConvention convention) {
        return new TuskMicrometer(meters, observations, Objects.requireNonNull(convention, "convention"));
    }

    /**
     * The listener to set on {@link dev.tusk.ConnectOptions.Builder#listener} (pools made from the options use it)
     * or to register for every connection with {@link dev.tusk.observe.TuskListeners#register}.
     */
    public TuskListener listener() {
        return listener;
    }
}
