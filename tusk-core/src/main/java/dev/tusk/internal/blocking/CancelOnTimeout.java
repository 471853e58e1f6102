package dev.tusk.internal.blocking;

import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.op.StatementTimer;

import java.time.Duration;

/**
 * What a blocking connection's statement timer acts on: a cancel request first, then, after the grace period, the
 * socket closed under the waiting thread. Made once per connection rather than per statement.
 */
public final class CancelOnTimeout implements StatementTimer.Target {
    private final BlockingDriver driver;
    private final Abandon.CancelRequest cancelRequest;

    public CancelOnTimeout(BlockingDriver driver, Abandon.CancelRequest cancelRequest) {
        this.driver = driver;
        this.cancelRequest = cancelRequest;
    }

    @Override
    public void cancel(Duration bound) {
        cancelRequest.send(bound, "statement timeout");
    }

    @Override
    public void abandon() {
        driver.transport().close(); // the blocked read fails, on the statement's thread, which breaks the connection
    }
}
