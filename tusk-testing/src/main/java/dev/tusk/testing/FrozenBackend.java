package dev.tusk.testing;

import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A server that stops answering in the middle of a statement: the connection's backend process stopped with
 * SIGSTOP (its socket stays open, nothing arrives), resumed with SIGCONT in any case, and after 30 s should the body
 * itself hang.
 */
public final class FrozenBackend {
    private FrozenBackend() {
    }

    /** What runs while the backend is stopped. */
    public interface Body {
        void run() throws Exception;
    }

    /** Runs {@code body} with the backend {@code pid} stopped; resumes it afterwards (and after 30 s at the latest). */
    public static void frozen(int pid, Body body) throws Exception {
        signal("STOP", pid);
        CompletableFuture<?> safety = CompletableFuture.runAsync(() -> {
            try {
                signal("CONT", pid);
            } catch (Exception ignored) {
                // the finally block resumes it too
            }
        }, CompletableFuture.delayedExecutor(30, TimeUnit.SECONDS));
        try {
            body.run();
        } finally {
            safety.cancel(false);
            signal("CONT", pid);
        }
    }

    /** Sends {@code sig} (STOP, CONT, ...) to the process {@code pid}; fails unless {@code kill} succeeds in 10 s. */
    public static void signal(String sig, int pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
        if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("kill -" + sig + " " + pid + " failed");
        }
    }
}
