package dev.tusk.internal.replication;

import dev.tusk.Connection;
import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoopDriver;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * What {@code dev.tusk.replication} may reach inside a {@link Connection} that users may not: the lock that
 * serialises its calls and the driver that talks to the server. Installed by {@code dev.tusk.ReplicationBridge}
 * when that class initialises (which {@link #hooks()} triggers).
 */
public final class ReplicationAccess {
    /** Implemented in package {@code dev.tusk}. */
    public interface Hooks {
        /** The lock every call of {@code conn} holds while it talks to the server. */
        ReentrantLock lock(Connection<?> conn);

        /** The blocking driver of {@code conn}. */
        BlockingDriver driver(Connection<?> conn);

        /**
         * Raises the error a call of {@code conn} would raise now (closed, broken, given back to its pool, a
         * COPY or stream in progress is settled first); lock held.
         */
        void checkUsable(Connection<?> conn);

        /**
         * The event-loop driver of {@code asyncConnection}, a {@code dev.tusk.AsyncConnection} (typed Object so
         * that this package reaches no further into dev.tusk than the blocking Connection: no new package cycle).
         */
        EventLoopDriver asyncDriver(Object asyncConnection);

        /**
         * Sends {@code cmd} on {@code asyncConnection} (a {@code dev.tusk.AsyncConnection}) in order with its
         * statements, which wait while the stream runs; {@code ended} runs on the loop thread with the command's
         * error (null: none) once it has ended.
         */
        void startCopyBoth(Object asyncConnection, CopyBothCommand cmd, Consumer<TuskException> ended);
    }

    private static volatile Hooks hooks;

    private ReplicationAccess() {
    }

    public static void install(Hooks h) {
        hooks = h;
    }

    public static Hooks hooks() {
        Hooks h = hooks;
        if (h == null) {
            try {
                Class.forName("dev.tusk.ReplicationBridge", true, Connection.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            h = hooks;
        }
        return h;
    }
}
