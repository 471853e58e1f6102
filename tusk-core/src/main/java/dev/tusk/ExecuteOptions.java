package dev.tusk;

/**
 * Per-call options of {@code execute}: psycopg's {@code prepare=} and {@code binary=} keywords.
 *
 * <pre>{@code
 * conn.execute("SELECT * FROM t WHERE id = %s", List.of(42),
 *         ExecuteOptions.builder().prepare(true).binary(true).build());
 * }</pre>
 *
 * @param prepare null: the connection's prepareThreshold decides; true: prepare now; false: never
 * @param binary  null: the cursor's default; true: results in binary format; false: text
 */
public record ExecuteOptions(Boolean prepare, Boolean binary) {
    public static final ExecuteOptions DEFAULT = new ExecuteOptions(null, null);

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private Boolean prepare;
        private Boolean binary;

        public Builder prepare(Boolean prepare) {
            this.prepare = prepare;
            return this;
        }

        public Builder binary(Boolean binary) {
            this.binary = binary;
            return this;
        }

        public ExecuteOptions build() {
            return new ExecuteOptions(prepare, binary);
        }
    }
}
