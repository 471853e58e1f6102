package dev.tusk.internal.io;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.core.Command;

import java.time.Duration;

/**
 * {@code ConnectOptions.socketTimeout} for an {@link EventLoopDriver}, with the blocking driver's meaning: while
 * a command waits for the server, the server must send something at least every {@code timeout}; when it stays
 * silent that long (a dead peer, a partition that keeps the socket open) the connection is failed, every pending
 * future with it. An idle connection (a LISTEN with nothing to say) is never timed out, nor a stream the client
 * holds back.
 *
 * <p>One timer per connection, armed only while commands wait; used by the thread acting for the connection.
 */
public final class ReadTimeout {
    private final EventLoopDriver driver;
    private final long nanos;
    private final int millis;
    /** When the server last sent bytes, or when the first command of a busy period was sent. */
    private long lastProgress;
    /** True while at least one command sent waits for the server. */
    private boolean waiting;
    private EventLoop.Timer timer;

    private ReadTimeout(EventLoopDriver driver, Duration timeout) {
        this.driver = driver;
        this.nanos = timeout.toNanos();
        this.millis = (int) Math.max(1, timeout.toMillis());
    }

    /** Bounds {@code driver}'s waits for the server to {@code timeout}; null: no bound. Any thread. */
    public static void install(EventLoopDriver driver, Duration timeout) {
        if (timeout != null) {
            ReadTimeout t = new ReadTimeout(driver, timeout);
            driver.execute(() -> driver.readTimeout(t));
        }
    }

    /** What a connection given up after {@code millis} of silence says (both drivers). */
    public static String message(int millis) {
        return "the server sent nothing for " + millis + " ms (socketTimeout), so the connection was given up: "
                + "the connection is broken, open a new one; raise socketTimeout if statements may legitimately run longer";
    }

    /** A command was sent. */
    void sent() {
        if (!waiting) {
            waiting = true;
            lastProgress = System.nanoTime();
        }
        if (timer == null) {
            timer = driver.schedule(nanos, this::check);
        }
    }

    /** Bytes from the server were processed. */
    void received() {
        lastProgress = System.nanoTime();
        waiting = driver.core().hasPending();
    }

    private void check() {
        timer = null;
        if (driver.isClosed() || !waiting || !driver.core().hasPending()) {
            waiting = false;
            return;
        }
        long now = System.nanoTime();
        Command head = driver.core().head();
        if (head != null && head.wantsPause()) {
            lastProgress = now; // the client holds the stream back: the server is not the one being silent
        }
        long left = lastProgress + nanos - now;
        if (left > 0) {
            timer = driver.schedule(left, this::check);
            return;
        }
        driver.fail(new OperationalException(message(millis)));
    }
}
