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
     * How long ending a statement whose results nobody will read may take when another statement needs the
     * connection (a stream or COPY TO left open, settled before it): the drain, the cancel request and the rest of the
     * results, dropped as they arrive. A server that has not ended the statement by then does not answer, and the
     * connection is broken.
     */
    public static final Duration FOR_NEXT_STATEMENT = Duration.ofSeconds(10);
    /**
     * The same when the user closes it (a stream, a cursor's stream, a COPY, a pool's lease): a close never waits for
     * the server longer than this. Ending a statement takes a live server milliseconds (the cancel's round trip and
     * what the socket holds); past it the connection is broken rather than left with the statement running.
     */
    public static final Duration ON_CLOSE = Duration.ofSeconds(3);

    /**
     * How long a close's own write (a COPY FROM's CopyFail and the rows still buffered, a connection's Terminate) may
     * block on a server that stopped reading: the statement timeout when there is one below {@link #ON_CLOSE}, else
     * that bound; then, as for a statement's writes, a cancel request, the timer's grace, and the socket is closed
     * under the write.
     */
    public static Duration closeWriteBound(Duration statementTimeout) {
        Duration t = statementTimeout;
        return t != null && !t.isZero() && !t.isNegative() && t.compareTo(ON_CLOSE) < 0 ? t : ON_CLOSE;
    }

    /**
     * Inside a transaction, how much of an abandoned result is read and dropped before the statement is
     * cancelled (a cancel leaves the transaction in error): a short remainder costs less than the transaction.
     */
    private static final long ABANDON_DRAIN_BYTES = 16L << 20;
    /** And for how long at most (and for at most half the abandon's limit). */
    private static final Duration ABANDON_DRAIN_TIME = Duration.ofSeconds(2);

    /**
     * Ends a statement whose remaining results are being dropped ({@code cmd} discards them): what already
     * arrived may end it; inside a transaction, up to {@link #ABANDON_DRAIN_BYTES} more are read first (a
     * cancel leaves the transaction in error, as with libpq, and a short remainder is cheaper). Otherwise the
     * server is asked to cancel it if {@code cancel} (its work may be unbounded; not needed after a CopyFail)
     * and the rest is read and dropped; all within {@code limit} ({@link #ON_CLOSE} or {@link #FOR_NEXT_STATEMENT}),
     * the drain within half of it. A server that does not answer by then breaks the connection. Lock held.
     *
     * @return true when a cancel request was sent (the statement's QueryCanceled error is then expected)
     */
    public static boolean abandon(BlockingDriver driver, CancelRequest cancelRequest, Command cmd, String what,
                                  boolean cancel, Duration limit) {
        if (cmd.isDone() || driver.core().isBroken()) {
            return false;
        }
        driver.processBuffered();
        if (cmd.isDone()) {
            return false;
        }
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        long drainTime = Math.min(ABANDON_DRAIN_TIME.toNanos(), limit.toNanos() / 2);
        if (cancel && driver.core().session().transactionStatus() == BackendMessage.STATUS_IN_TRANSACTION
                && driver.drainUntil(cmd, ABANDON_DRAIN_BYTES, start + drainTime)) {
            return false; // it ended without a cancel: the transaction goes on
        }
        if (cancel) {
            try {
                cancelRequest.send(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())), "abandoned");
            } catch (TuskException e) {
                // the server could not take the request: the bounded wait below decides
            }
        }
        driver.awaitUntil(cmd, deadline, () -> new OperationalException(what + " did not end within "
                + limit.toMillis() + " ms" + (cancel ? " (a cancel request sent)" : "") + ": the server does"
                + " not answer; the connection is broken, open a new one"));
        return cancel;
    }
}
