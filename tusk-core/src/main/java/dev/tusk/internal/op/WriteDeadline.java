package dev.tusk.internal.op;

import java.time.Duration;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Bounds one blocking write that has no statement to cancel (a replication stream's status update): past the bound
 * {@code giveUp} runs on a timer thread and closes the socket under the write, which then fails. Kept on the
 * statement timer's thread, like every timer of the blocking driver.
 */
public final class WriteDeadline {
    private static final int ARMED = 0;
    private static final int FIRED = 1;
    private static final int DISARMED = 2;

    private final AtomicInteger state = new AtomicInteger(ARMED);
    private ScheduledFuture<?> task;

    private WriteDeadline() {
    }

    /** Starts counting {@code bound}; {@code giveUp} (which must not wait for the server) runs once it passes. */
    public static WriteDeadline arm(Duration bound, Runnable giveUp) {
        WriteDeadline d = new WriteDeadline();
        d.task = StatementTimer.later(bound.toNanos(), () -> {
            if (d.state.compareAndSet(ARMED, FIRED)) {
                giveUp.run();
            }
        });
        return d;
    }

    /** Stops the timer; true when it had fired (the socket is, or is being, closed). */
    public boolean disarm() {
        task.cancel(false);
        return !state.compareAndSet(ARMED, DISARMED) && state.get() == FIRED;
    }
}
