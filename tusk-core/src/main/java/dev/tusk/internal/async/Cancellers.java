package dev.tusk.internal.async;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The threads that send the async connections' cancel requests: each opens a separate connection to the server,
 * which must not happen on an event loop.
 */
public final class Cancellers {
    private static final ExecutorService CANCELLERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "tusk-async-cancel");
        t.setDaemon(true);
        return t;
    });

    private Cancellers() {
    }

    /** Runs {@code task} on a canceller thread (work that follows a cancel request and may block, bounded). */
    public static void execute(Runnable task) {
        CANCELLERS.execute(task);
    }

    /** Runs {@code request} off the event loop; the future completes once it returned, or fails with its error. */
    public static CompletableFuture<Void> run(Runnable request) {
        return CompletableFuture.runAsync(request, CANCELLERS);
    }
}
