package dev.tusk.internal.replication;

import dev.tusk.Connection;
import dev.tusk.internal.io.BlockingDriver;

import java.util.concurrent.locks.ReentrantLock;

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
