package dev.tusk.internal.async;

import dev.tusk.internal.InstalledHooks;
import dev.tusk.internal.connect.CancelRequester;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;

/**
 * What a driver built on Tusk's {@code AsyncConnection} (tusk-r2dbc) may do that applications may not. Not API:
 * internal, and changed with the drivers that use it.
 */
public final class AsyncAccess {
    /**
     * Implemented in package dev.tusk, which installs it; typed by its implementation ({@code dev.tusk.AsyncConnection})
     * so that this package refers to nothing of dev.tusk.
     */
    public interface Hooks<CONN, CURSOR> {
        /**
         * {@code conn.cancelSafe(timeout)} whose request is written only if {@code gate} allows it right before the
         * write; {@code gate} then hears whether the server confirmed it (before the future completes). On the
         * connection itself, not a pool's lease handle (the future fails).
         */
        CompletableFuture<Void> cancel(CONN conn, Duration timeout, CancelRequester.Gate gate);

        /**
         * {@code cursor.execute(query)} ({@code params} null: the simple protocol) or {@code cursor.execute(query,
         * params)}, the outcome (the cursor with its results, or the error) handed to {@code done} instead of a
         * future: once, on the event loop (on this thread when refused at once). {@code done} must not block.
         */
        void execute(CURSOR cursor, String query, Object[] params, BiConsumer<? super CURSOR, Throwable> done);
    }

    private static final InstalledHooks<Hooks<?, ?>> HOOKS = new InstalledHooks<>("dev.tusk.AsyncCursor");

    private AsyncAccess() {
    }

    /** Called by the class initialisation of dev.tusk's implementation. */
    public static void install(Hooks<?, ?> hooks) {
        HOOKS.install(hooks);
    }

    /** dev.tusk's implementation, initialised (so installed) on first use. */
    public static Hooks<?, ?> hooks() {
        return HOOKS.get();
    }
}
