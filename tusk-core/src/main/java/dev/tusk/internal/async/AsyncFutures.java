package dev.tusk.internal.async;

import dev.tusk.internal.io.LoopFuture;

import java.util.concurrent.CompletableFuture;

/** Small helpers for the futures the async classes hand out. */
public final class AsyncFutures {
    private AsyncFutures() {
    }

    /**
     * A future with the outcome of {@code stage}, its failure unwrapped: the caller's {@code handle} sees the
     * ProgrammingException or server error itself, as with every other AsyncConnection future, not the
     * CompletionException that dependent stages wrap it in.
     */
    public static <T> CompletableFuture<T> settle(CompletableFuture<T> stage) {
        LoopFuture<T> f = new LoopFuture<>();
        stage.whenComplete((v, e) -> {
            if (e != null) {
                f.completeExceptionally(LoopFuture.unwrap(e));
            } else {
                f.complete(v);
            }
        });
        return f;
    }
}
