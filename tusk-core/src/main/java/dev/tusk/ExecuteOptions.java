package dev.tusk;

import java.time.Duration;

/**
 * Per-call options of {@code execute}: psycopg's {@code prepare=} and {@code binary=} keywords, and a
 * client-side timeout.
 *
 * <pre>{@code
 * conn.execute("SELECT * FROM t WHERE id = %s", List.of(42),
 *         ExecuteOptions.builder().prepare(true).binary(true).timeout(Duration.ofSeconds(5)).build());
 * }</pre>
 *
 * @param prepare null: the connection's prepareThreshold decides; true: prepare now; false: never
 * @param binary  null: the cursor's default; true: results in binary format; false: text
 * @param timeout null: the connection's {@link Connection#statementTimeout()}; otherwise the statement is
 *                cancelled once it runs longer, and fails with {@code QueryCanceled} naming the timeout
 */
public record ExecuteOptions(Boolean prepare, Boolean binary, Duration timeout) {
    public static final ExecuteOptions DEFAULT = new ExecuteOptions(null, null, null);

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Boolean prepare;
        private Boolean binary;
        private Duration timeout;

        public Builder prepare(Boolean prepare) {
            this.prepare = prepare;
            return this;
        }

        public Builder binary(Boolean binary) {
            this.binary = binary;
            return this;
        }

        /**
         * Cancels the statement on the client side once it runs longer than this; see
         * {@link ConnectOptions.Builder#statementTimeout} for a server that does not answer the cancel.
         */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public ExecuteOptions build() {
            return new ExecuteOptions(prepare, binary, timeout);
        }
    }
}
