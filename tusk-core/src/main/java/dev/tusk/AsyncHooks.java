package dev.tusk;

import dev.tusk.internal.async.AsyncAccess;
import dev.tusk.internal.connect.CancelRequester;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** What {@link AsyncAccess} lets a driver do ({@link AsyncAccess.Hooks}); installed by its class initialisation. */
final class AsyncHooks implements AsyncAccess.Hooks<AsyncConnection<?>> {
    static {
        AsyncAccess.install(new AsyncHooks());
    }

    private AsyncHooks() {
    }

    @Override
    public CompletableFuture<Void> cancel(AsyncConnection<?> conn, Duration timeout, CancelRequester.Gate gate) {
        return conn.cancelGated(timeout, gate);
    }
}
