package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.internal.op.TransactionOp;
import dev.tusk.internal.op.TransactionSteps;

import java.time.Duration;

/**
 * Options of one {@link Connection#transaction(TransactionOptions, TransactionBody)} block. The isolation
 * level, read-only and deferrable modes apply to the outermost block only (they are part of its
 * {@code BEGIN}); a null value means the connection's own setting.
 *
 * <pre>{@code
 * TransactionOptions opts = TransactionOptions.builder()
 *         .isolationLevel(IsolationLevel.SERIALIZABLE).readOnly(true).deferrable(true).build();
 * long n = conn.transaction(opts, tx -> conn.execute("SELECT count(*) FROM orders").fetchone().getLong(0));
 * }</pre>
 */
public final class TransactionOptions {
    /** No options: a generated savepoint name (nested blocks) and the connection's characteristics. */
    public static final TransactionOptions DEFAULT = builder().build();

    private final String savepointName;
    private final IsolationLevel isolationLevel;
    private final Boolean readOnly;
    private final Boolean deferrable;
    private final boolean forceRollback;

    private TransactionOptions(Builder b) {
        this.savepointName = b.savepointName;
        this.isolationLevel = b.isolationLevel;
        this.readOnly = b.readOnly;
        this.deferrable = b.deferrable;
        this.forceRollback = b.forceRollback;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The savepoint's name, or null for a generated one ({@code _tusk_1}, {@code _tusk_2}...). */
    public String savepointName() {
        return savepointName;
    }

    public IsolationLevel isolationLevel() {
        return isolationLevel;
    }

    public Boolean readOnly() {
        return readOnly;
    }

    public Boolean deferrable() {
        return deferrable;
    }

    /** True when the block always rolls back, even when its body ends normally (psycopg's {@code force_rollback}). */
    public boolean forceRollback() {
        return forceRollback;
    }

    /** True when any option that only an outermost block can honour is set. */
    boolean hasCharacteristics() {
        return isolationLevel != null || readOnly != null || deferrable != null;
    }

    /**
     * The step opening a block with these options ({@code BEGIN} with its characteristics, or a {@code SAVEPOINT}),
     * as both drivers make it.
     */
    TransactionOp openStep(TransactionSteps steps, Duration timeout) {
        return steps.open(savepointName, isolationLevel, readOnly, deferrable, timeout).forceRollback(forceRollback);
    }

    /** Builds {@link TransactionOptions}. */
    public static final class Builder {
        private String savepointName;
        private IsolationLevel isolationLevel;
        private Boolean readOnly;
        private Boolean deferrable;
        private boolean forceRollback;

        private Builder() {
        }

        /** Names the block's savepoint (an outermost block then sets one too, as psycopg). */
        public Builder savepointName(String name) {
            if (name != null && name.isEmpty()) {
                throw new ProgrammingException("savepointName must not be empty: pass null for a generated name");
            }
            this.savepointName = name;
            return this;
        }

        public Builder isolationLevel(IsolationLevel level) {
            this.isolationLevel = level;
            return this;
        }

        public Builder readOnly(Boolean on) {
            this.readOnly = on;
            return this;
        }

        public Builder deferrable(Boolean on) {
            this.deferrable = on;
            return this;
        }

        /**
         * The block always rolls back (psycopg's {@code force_rollback}): where it would commit (its body ended
         * normally, or {@link Transaction#commit()}), it sends ROLLBACK (ROLLBACK TO SAVEPOINT for a nested block)
         * instead, and ends {@link Transaction.Status#ROLLED_BACK_EXPLICITLY}; the body's result is returned as
         * usual. For trying statements out, or tests that must leave no trace.
         *
         * <pre>{@code
         * conn.transaction(TransactionOptions.builder().forceRollback(true).build(), tx -> {
         *     conn.execute("DELETE FROM orders");   // seen inside the block only
         *     return conn.execute("SELECT count(*) FROM orders").fetchone().getLong(0);
         * });
         * }</pre>
         */
        public Builder forceRollback(boolean on) {
            this.forceRollback = on;
            return this;
        }

        public TransactionOptions build() {
            return new TransactionOptions(this);
        }
    }
}
