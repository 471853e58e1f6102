package dev.tusk.micrometer;

import dev.tusk.observe.ConnectionFacts;
import io.micrometer.observation.Observation;

/**
 * The {@link Observation.Context} of a Tusk statement, COPY or pipeline: what a {@link TuskObservationConvention}
 * (or an {@code ObservationHandler}) can read. Never holds parameter values.
 */
public final class TuskObservationContext extends Observation.Context {
    private final ConnectionFacts facts;
    private final String operation;
    private final String sql;
    private final int batchSize;
    private volatile String sqlstate;
    private volatile long rows = -1;
    private volatile boolean failed;

    TuskObservationContext(ConnectionFacts facts, String operation, String sql, int batchSize) {
        this.facts = facts;
        this.operation = operation;
        this.sql = sql;
        this.batchSize = batchSize;
    }

    /** The connection. */
    public ConnectionFacts facts() {
        return facts;
    }

    /** The operation ({@code SELECT}, {@code INSERT}..., {@code COPY}, {@code PIPELINE}), "" when none. */
    public String operation() {
        return operation;
    }

    /** The query text with its placeholders, or null (a pipeline). */
    public String sql() {
        return sql;
    }

    /** The parameter sets of an executemany (1 for one statement), the statements of a pipeline. */
    public int batchSize() {
        return batchSize;
    }

    /** The SQLSTATE of the error, or null; set when it ends. */
    public String sqlstate() {
        return sqlstate;
    }

    /** The rows returned or affected, -1 when unknown; set when it ends. */
    public long rows() {
        return rows;
    }

    /** Whether it failed; set when it ends. */
    public boolean failed() {
        return failed;
    }

    void ended(String sqlstate, long rows, boolean failed) {
        this.sqlstate = sqlstate;
        this.rows = rows;
        this.failed = failed;
    }
}
