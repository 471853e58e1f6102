package dev.tusk.internal.replication;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.InstalledHooks;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoopDriver;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What {@code dev.tusk.replication} may reach inside a {@code Connection} or {@code AsyncConnection} that users may
 * not: the lock that serialises its calls and the driver that talks to the server. Installed with the pools' hooks by
 * {@code dev.tusk.ConnectionHooks} when {@code dev.tusk.Connection} initialises (which {@link #hooks()} triggers). The
 * hooks are
 * typed by their caller ({@code Hooks<Connection<?>, AsyncConnection<?>>}) so that this package does not reach
 * back into dev.tusk (no package cycle).
 */
public final class ReplicationAccess {
    /**
     * Implemented in package {@code dev.tusk}.
     *
     * @param <C> the blocking connection ({@code dev.tusk.Connection<?>})
     * @param <A> the async connection ({@code dev.tusk.AsyncConnection<?>})
     */
    public interface Hooks<C, A> {
        /** The lock every call of {@code conn} holds while it talks to the server. */
        ReentrantLock lock(C conn);

        /** The blocking driver of {@code conn}. */
        BlockingDriver driver(C conn);

        /**
         * Raises the error a call of {@code conn} would raise now (closed, broken, given back to its pool, a
         * COPY or stream in progress is settled first); lock held.
         */
        void checkUsable(C conn);

        /** The event-loop driver of {@code asyncConnection}. */
        EventLoopDriver asyncDriver(A asyncConnection);

        /**
         * Sends {@code cmd} on {@code asyncConnection} in order with its statements, which wait while the stream
         * runs; {@code ended} runs on the loop thread with the command's error (null: none) once it has ended.
         */
        void startCopyBoth(A asyncConnection, CopyBothCommand cmd, Consumer<TuskException> ended);
    }

    private static final InstalledHooks<Hooks<?, ?>> HOOKS = new InstalledHooks<>("dev.tusk.Connection");

    private ReplicationAccess() {
    }

    public static void install(Hooks<?, ?> h) {
        HOOKS.install(h);
    }

    /** The hooks, typed as the caller names the connection classes. */
    @SuppressWarnings("unchecked")
    public static <C, A> Hooks<C, A> hooks() {
        return (Hooks<C, A>) HOOKS.get();
    }
}
