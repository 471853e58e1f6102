package dev.tusk;

import dev.tusk.internal.io.BlockingDriver;
import dev.tusk.internal.replication.ReplicationAccess;

import java.util.concurrent.locks.ReentrantLock;

/** Hands {@code dev.tusk.replication} the connection internals it needs (see {@link ReplicationAccess}). */
final class ReplicationBridge {
    static {
        ReplicationAccess.install(new ReplicationAccess.Hooks() {
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
        });
    }

    private ReplicationBridge() {
    }
}
