package dev.tusk.internal.notify;

import dev.tusk.internal.io.EventLoop;
import dev.tusk.internal.io.EventLoopDriver;

import java.time.Duration;
import java.util.function.Function;

/** The deadline of an async {@code notifies(timeout, stopAfter)} subscription, on the connection's event loop. */
public final class NotifyDeadline {
    private NotifyDeadline() {
    }

    /**
     * Given the action that ends a subscription, arranges for it to run once {@code timeout} has passed and returns
     * what cancels that; null for no timeout. The end runs two tasks later than the timer: after the loop read the
     * socket and handed its notifications on (a timeout of zero still delivers what the socket already holds).
     */
    public static Function<Runnable, Runnable> of(EventLoopDriver driver, Duration timeout) {
        if (timeout == null) {
            return null;
        }
        long nanos = timeout.compareTo(Duration.ofDays(365 * 100)) > 0 ? Long.MAX_VALUE / 4 : timeout.toNanos();
        return end -> {
            EventLoop.Timer t = driver.schedule(nanos, () -> driver.execute(() -> driver.execute(end)));
            return t::cancel;
        };
    }
}
