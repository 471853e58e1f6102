package dev.tusk.internal.blocking;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.wire.BackendMessage;

import java.time.Duration;

/**
 * Ends, on a blocking connection, a statement whose results nobody will read (a stream or COPY TO closed early, a
 * COPY FROM failed by the client): drained or cancelled, in bounded time.
 */
public final class Abandon {
    /** Asks the server to cancel the connection's running statement, waiting at most {@code timeout}. */
    public interface CancelRequest {
        void send(Duration timeout, String reason);
    }

    private Abandon() {
    }

    /**
     * How long ending a statement whose results nobody will read (a stream or COPY TO closed early) may take:
     * the cancel request and the rest of the results, dropped as they arrive. A server that has not ended the
     * statement by then does not answer, and the connection is broken.
     */
    private static final Duration ABANDON_TIMEOUT = Duration.ofSeconds(10);

    /**
     * Inside a transaction, how much of an abandoned result is read and dropped before the statement is
     * cancelled (a cancel leaves the transaction in error): a short remainder costs less than the transaction.
     */
    private static final long ABANDON_DRAIN_BYTES = 16L << 20;
    /** And for how long at most. */
    private static final Duration ABANDON_DRAIN_TIME = Duration.ofSeconds(2);

    /**
     * Ends a statement whose remaining results are being dropped ({@code cmd} discards them): what already
     * arrived may end it; inside a transaction, up to {@link #ABANDON_DRAIN_BYTES} more are read first (a
     * cancel leaves the transaction in error, as with libpq, and a short remainder is cheaper). Otherwise the
     * server is asked to cancel it if {@code cancel} (its work may be unbounded; not needed after a CopyFail)
     * and the rest is read and dropped, within {@link #ABANDON_TIMEOUT}; a server that does not answer by then
     * breaks the connection. Lock held.
     *
     * @return true when a cancel request was sent (the statement's QueryCanceled error is then expected)
     */
    public static boolean abandon(BlockingDriver driver, CancelRequest cancelRequest, Command cmd, String what,
                                  boolean cancel) {
        if (cmd.isDone() || driver.core().isBroken()) {
            return false;
        }
        driver.processBuffered();
        if (cmd.isDone()) {
            return false;
        }
        if (cancel && driver.core().session().transactionStatus() == BackendMessage.STATUS_IN_TRANSACTION
                && driver.drainUntil(cmd, ABANDON_DRAIN_BYTES, System.nanoTime() + ABANDON_DRAIN_TIME.toNanos())) {
            return false; // it ended without a cancel: the transaction goes on
        }
        long deadline = System.nanoTime() + ABANDON_TIMEOUT.toNanos();
        if (cancel) {
            try {
                cancelRequest.send(ABANDON_TIMEOUT, "abandoned");
            } catch (TuskException e) {
                // the server could not take the request: the bounded wait below decides
            }
        }
        driver.awaitUntil(cmd, deadline, () -> new OperationalException(what + " did not end within "
                + ABANDON_TIMEOUT.toSeconds() + " s" + (cancel ? " of a cancel request" : "") + ": the server does"
                + " not answer; the connection is broken, open a new one"));
        return cancel;
    }
}
