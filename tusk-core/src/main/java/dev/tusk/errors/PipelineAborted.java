package dev.tusk.errors;

/**
 * A command queued in a pipeline was not executed because an earlier command of the same batch
 * failed: the server skips everything up to the next Sync. Raised on the client side, as psycopg's
 * {@code errors.PipelineAborted}; it carries no SQLSTATE, the error that aborted the pipeline is
 * raised (or was raised) on its own.
 *
 * <pre>{@code
 * try (Pipeline p = conn.pipeline()) {
 *     conn.execute("INSERT INTO t VALUES (1)");  // fails: UniqueViolation
 *     conn.execute("INSERT INTO t VALUES (2)");  // skipped: PipelineAborted when its result is fetched
 * }
 * }</pre>
 */
public class PipelineAborted extends OperationalException {
    private static final long serialVersionUID = 1L;

    public PipelineAborted(String message) {
        super(message, null, null);
    }

    public PipelineAborted(String message, Throwable cause) {
        super(message, cause, null);
    }

    /** Used when a server error is the reason. */
    public PipelineAborted(String message, Throwable cause, Diagnostic diag) {
        super(message, cause, diag);
    }
}
