package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.core.CopyBothCommand;
import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.io.EventLoopDriver;
import dev.tusk.internal.replication.ReplicationAccess;

import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/** Hands {@code dev.tusk.replication} the connection internals it needs (see {@link ReplicationAccess}). */
final class ReplicationBridge {
    static {
        ReplicationAccess.install(new ReplicationAccess.Hooks<Connection<?>, AsyncConnection<?>>() {
            @Override
            public ReentrantLock lock(Connection<?> conn) {
                return conn.lock;
            }

            @Override
            public BlockingDriver driver(Connection<?> conn) {
                return conn.driver();
            }

            @Override
            public void checkUsable(Connection<?> conn) {
                conn.checkUsable();
            }

            @Override
            public EventLoopDriver asyncDriver(AsyncConnection<?> conn) {
                return conn.driver();
            }

            @Override
            public void startCopyBoth(AsyncConnection<?> conn, CopyBothCommand cmd, Consumer<TuskException> ended) {
                AsyncExecutions.startCopyBoth(conn, cmd, ended);
            }
        });
    }

    private ReplicationBridge() {
    }
}
