package dev.tusk.micrometer;

import dev.tusk.observe.ConnectionFacts;
import io.micrometer.common.KeyValues;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationConvention;

/**
 * How Tusk's observations are named and tagged; extend it to change a key (and pass it to
 * {@link TuskMicrometer#create(io.micrometer.core.instrument.MeterRegistry, io.micrometer.observation.ObservationRegistry, TuskObservationConvention)}).
 */
public class TuskObservationConvention implements ObservationConvention<TuskObservationContext> {
    /** The observation's name (and so the timer's). */
    public static final String NAME = "tusk.client.operation";

    @Override
    public String getName() {
        return NAME;
    }

    /** {@code "{operation} {database}"}, e.g. {@code "SELECT app"}. */
    @Override
    public String getContextualName(TuskObservationContext context) {
        ConnectionFacts f = context.facts();
        String target = f == null ? null : f.database();
        String op = context.operation();
        if (op == null || op.isEmpty()) {
            return target == null ? "postgresql" : target;
        }
        return target == null ? op : op + " " + target;
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(TuskObservationContext context) {
        ConnectionFacts f = context.facts();
        String sqlstate = context.sqlstate();
        return KeyValues.of(
                "db.system", "postgresql",
                "db.namespace", f == null || f.database() == null ? "unknown" : f.database(),
                "db.operation", context.operation() == null || context.operation().isEmpty() ? "unknown" : context.operation(),
                "status", context.failed() ? "error" : "success",
                "db.response.status_code", sqlstate == null ? "none" : sqlstate);
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(TuskObservationContext context) {
        return context.sql() == null ? KeyValues.empty() : KeyValues.of("db.query.text", context.sql());
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
        return context instanceof TuskObservationContext;
    }
}
