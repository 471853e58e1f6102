package dev.tusk.testing;

import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The daemon threads a model-based test runs its steps on, so that a step that hangs is reported (with its seed)
 * instead of hanging the build: {@link #call} waits for a step up to a deadline, then interrupts it and says it hung.
 * A hung thread is a daemon, so it never keeps the JVM alive.
 */
public final class StepThreads implements AutoCloseable {
    private static final AtomicInteger NUMBER = new AtomicInteger();
    private final ExecutorService executor;

    /** @param namePrefix the threads are named {@code namePrefix-N} */
    public StepThreads(String namePrefix) {
        executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, namePrefix + "-" + NUMBER.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** What a step returned or threw, or that it was still running at its deadline, and how long it took. */
    public record Outcome(Object value, Throwable error, boolean hung, long millis) {
    }

    /** Runs {@code body} on one of the threads and waits for it at most {@code deadlineMillis}. */
    public Outcome call(Callable<?> body, long deadlineMillis) {
        long start = System.nanoTime();
        Future<Object[]> f = executor.submit(() -> {
            try {
                return new Object[] {body.call(), null};
            } catch (Throwable t) {
                return new Object[] {null, t};
            }
        });
        try {
            Object[] r = f.get(deadlineMillis, TimeUnit.MILLISECONDS);
            return new Outcome(r[0], (Throwable) r[1], false, ModelRuns.millisSince(start));
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Outcome(null, null, true, ModelRuns.millisSince(start));
        } catch (Exception e) {
            return new Outcome(null, e, false, ModelRuns.millisSince(start));
        }
    }

    /** The threads themselves, for what a step starts in the background (a cancel from another thread). */
    public ExecutorService executor() {
        return executor;
    }

    /** Interrupts whatever still runs; does not wait. */
    @Override
    public void close() {
        executor.shutdownNow();
    }
}
