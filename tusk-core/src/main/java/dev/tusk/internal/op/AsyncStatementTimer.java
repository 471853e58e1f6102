package dev.tusk.internal.op;

import dev.tusk.internal.io.LoopFuture;
import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.Command;
import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * The client-side statement timeout of an {@link dev.tusk.AsyncConnection}, as {@link StatementTimer} is the
 * blocking one's: the clock of a statement starts when it reaches the head of the pipeline (the server is
 * working on it, not when it was queued behind others); when it runs out a CancelRequest is sent and the
 * statement fails with QueryCanceled naming the timeout ({@link StatementTimer#timedOut}). If the server
 * stays silent for a grace period after the cancel (the network is gone), or the cancel can't be sent,
 * the connection is broken with an OperationalException saying so. Used by the thread acting for the
 * connection (see {@link EventLoopDriver}); its timers run on the loop.
 */
public final class AsyncStatementTimer {
    /** How long the server may take to answer after the cancel: as long as the timeout, within these bounds. */
    static final Duration MIN_GRACE = Duration.ofSeconds(1);
    static final Duration MAX_GRACE = Duration.ofSeconds(10);

    private final EventLoopDriver driver;
    private final Supplier<CompletableFuture<Void>> cancel;

    public AsyncStatementTimer(EventLoopDriver driver, Supplier<CompletableFuture<Void>> cancel) {
        this.driver = driver;
        this.cancel = cancel;
    }

    /** One statement's clock; {@link #stop} ends it once the statement completed. */
    final class Watch {
        private final Duration timeout;
        private final Command cmd;
        private EventLoop.Timer timer;
        private EventLoop.Timer graceTimer;
        private boolean fired;
        /** The cancel request sent when the clock ran out; null: none sent. */
        private CompletableFuture<Void> cancelling;

        private Watch(Duration timeout, Command cmd) {
            this.timeout = timeout;
            this.cmd = cmd;
        }

        private void start() {
            if (!cmd.isDone()) {
                timer = driver.schedule(timeout.toNanos(), this::fire);
            }
        }

        private void fire() {
            if (cmd.isDone() || driver.failure() != null) {
                return;
            }
            fired = true;
            Duration grace = timeout.compareTo(MIN_GRACE) < 0 ? MIN_GRACE : timeout.compareTo(MAX_GRACE) > 0 ? MAX_GRACE : timeout;
            cancelling = cancel.get();
            cancelling.whenComplete((v, e) -> {
                if (e != null) {
                    driver.execute(() -> giveUp("the cancel request could not be sent (" + LoopFuture.unwrap(e).getMessage() + ")"));
                }
            });
            graceTimer = driver.schedule(grace.toNanos(), () -> giveUp("the server did not answer within " + grace.toMillis()
                    + " ms of the cancel request (is the network gone?)"));
        }

        private void giveUp(String why) {
            if (!cmd.isDone() && driver.failure() == null) {
                driver.fail(new OperationalException(why + "; the connection is broken, open a new one"));
            }
        }

        /** Stops the clocks; returns the timeout when it fired (the statement was cancelled because of it), else null. */
        Duration stop() {
            if (timer != null) {
                timer.cancel();
            }
            if (graceTimer != null) {
                graceTimer.cancel();
            }
            return fired ? timeout : null;
        }

        /**
         * The cancel request this clock sent while the server has not yet handled it (not closed its connection),
         * else null. A statement that ended before its cancel was handled must not complete before it is: a
         * statement sent after it could be the one the late cancel stops (the server drops a cancel that finds its
         * backend idle, but not one that finds the next statement running).
         */
        CompletableFuture<Void> cancelInFlight() {
            CompletableFuture<Void> c = cancelling;
            return c == null || c.isDone() ? null : c;
        }
    }

    /**
     * Starts {@code cmd}'s clock when {@code first} (the statement's first command: its BEGIN, say) reaches
     * the head of the pipeline. Null when there is no timeout.
     */
    Watch watch(Duration timeout, Command first, Command cmd) {
        if (timeout == null || timeout.isZero() || timeout.isNegative()) {
            return null;
        }
        Watch w = new Watch(timeout, cmd);
        first.onHead(w::start);
        return w;
    }
}
