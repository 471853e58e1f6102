package dev.tusk.internal.observe;

import dev.tusk.observe.StatementEnd;
import dev.tusk.observe.StatementStart;
import dev.tusk.observe.TuskListener;

import java.time.Duration;

/**
 * The statement log, a listener like any other (logger {@code dev.tusk.statement}, through {@link System.Logger}):
 * every statement at DEBUG with its elapsed time, and those slower than the options' threshold at WARNING. The
 * text is the query with its placeholders; parameter values only when the options' {@code observeParameters} is
 * on.
 */
final class StatementLog implements TuskListener {
    static final System.Logger LOG = System.getLogger("dev.tusk.statement");

    private final boolean debug;
    /** Nanoseconds; Long.MAX_VALUE: no slow-statement log. */
    private final long slowNanos;

    private StatementLog(boolean debug, long slowNanos) {
        this.debug = debug;
        this.slowNanos = slowNanos;
    }

    /** The log for a connection with the slow-statement threshold {@code slow} (null: none), or null when it would log nothing. */
    static StatementLog forThreshold(Duration slow) {
        boolean debug = LOG.isLoggable(System.Logger.Level.DEBUG);
        if (!debug && slow == null) {
            return null;
        }
        return new StatementLog(debug, slow == null ? Long.MAX_VALUE : slow.toNanos());
    }

    @Override
    public void statementEnded(StatementEnd end, Object context) {
        long nanos = end.durationNanos();
        boolean slow = nanos > slowNanos;
        if (!slow && !debug) {
            return;
        }
        System.Logger.Level level = slow ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG;
        if (!LOG.isLoggable(level)) {
            return;
        }
        LOG.log(level, describe(end, slow));
    }

    static String describe(StatementEnd end, boolean slow) {
        StatementStart s = end.start();
        StringBuilder sb = new StringBuilder(slow ? "slow statement: " : "statement: ");
        sb.append(String.format("%.3f ms", end.durationNanos() / 1e6));
        if (s.facts() != null) {
            sb.append(" [").append(s.facts().database()).append(" pid ").append(s.facts().backendPid()).append(']');
        }
        if (s.batchSize() > 1) {
            sb.append(" batch of ").append(s.batchSize());
        }
        if (s.pipelined()) {
            sb.append(" pipelined");
        }
        if (end.prepared()) {
            sb.append(" prepared");
        }
        if (end.rows() >= 0) {
            sb.append(", ").append(end.rows()).append(" rows");
        }
        if (end.failed()) {
            sb.append(", failed");
            if (end.sqlstate() != null) {
                sb.append(" SQLSTATE ").append(end.sqlstate());
            }
        }
        sb.append(": ").append(s.sql());
        if (s.parameters() != null) {
            sb.append(" parameters ").append(s.parameters());
        }
        return sb.toString();
    }
}
