package dev.tusk.internal.pool;

import dev.tusk.Connection;

import java.util.function.Consumer;

/**
 * What a connection pool (the {@code tusk-pool} module) may do to a {@link Connection} that users may not:
 * make {@code close()} give it back, and close it for real. Exported to {@code dev.tusk.pool} only.
 */
public final class PoolAccess {
    /** Implemented by dev.tusk.PoolHooks, which Connection installs when its class initialises. */
    public interface Hooks {
        /** From now on {@code close()} calls {@code giveBack} (once per lease) instead of closing. */
        void attach(Connection<?> conn, Consumer<Connection<?>> giveBack);

        /** Whether the connection is lent out (usable) or idle in the pool (refusing every call). */
        void setLent(Connection<?> conn, boolean lent);

        /** Closes the connection, pool or not. */
        void closeForReal(Connection<?> conn);

        /**
         * Reads what the server sent while the connection was idle: false when the connection turns out to
         * be closed or broken (its backend terminated, the network reset it). {@code deep}: also wait a
         * millisecond for the socket to report a reset or a close, which a non-blocking check cannot see.
         */
        boolean probe(Connection<?> conn, boolean deep);

        /**
         * Starts a lease of {@code conn} (attached, lent): returns a new handle that forwards every call to
         * {@code conn} until the lease ends with the handle's {@code close()}, and refuses every call after.
         */
        <T> Connection<T> startLease(Connection<T> conn);

        /** The pooled connection behind a lease handle; {@code conn} itself when it is not a handle. */
        Connection<?> pooled(Connection<?> conn);

        /** Whether the last lease of {@code conn} did anything with it (then its session needs a reset). */
        boolean leaseUsed(Connection<?> conn);

        /**
         * Why the session of {@code conn}, given back, cannot be reset for the next borrower (a statement still
         * running, a pipeline, COPY or stream in progress, a transaction block left open...), null when it can.
         * Never waits.
         */
        String leftovers(Connection<?> conn);

        /** Closes the socket without waiting for a statement another thread runs (which then fails). */
        void abort(Connection<?> conn);

        /**
         * Resets the session of an idle connection for the next borrower (one round trip): cursors, GUCs,
         * LISTENs, advisory locks, temporary tables, sequences state, statements made with SQL PREPARE, and the
         * client-side settings of the connection options.
         */
        void resetSession(Connection<?> conn);

        /** As {@link #attach(Connection, Consumer)} for an AsyncConnection. */
        void attachAsync(dev.tusk.AsyncConnection<?> conn, Consumer<dev.tusk.AsyncConnection<?>> giveBack);

        void setLentAsync(dev.tusk.AsyncConnection<?> conn, boolean lent);

        /** As {@link #startLease(Connection)} for an AsyncConnection. */
        <T> dev.tusk.AsyncConnection<T> startLeaseAsync(dev.tusk.AsyncConnection<T> conn);

        /** As {@link #pooled(Connection)} for an AsyncConnection. */
        dev.tusk.AsyncConnection<?> pooledAsync(dev.tusk.AsyncConnection<?> conn);

        /** As {@link #leaseUsed(Connection)} for an AsyncConnection. */
        boolean leaseUsedAsync(dev.tusk.AsyncConnection<?> conn);

        /** As {@link #leftovers(Connection)} for an AsyncConnection. */
        String leftoversAsync(dev.tusk.AsyncConnection<?> conn);

        /** As {@link #resetSession(Connection)} for an AsyncConnection: completes once the session is reset. */
        java.util.concurrent.CompletableFuture<Void> resetSessionAsync(dev.tusk.AsyncConnection<?> conn);

        void closeForRealAsync(dev.tusk.AsyncConnection<?> conn);

        /**
         * What listeners are told about {@code conn} (server address and port, database, user...), for the
         * pool's events about it. Never waits; works on a closed connection too.
         */
        dev.tusk.observe.ConnectionFacts facts(Connection<?> conn);

        /**
         * A look at an idle AsyncConnection before it is lent, as {@link #probe(Connection, boolean)} without waiting:
         * what its socket holds now is read (a backend that exited while idle closes it); false when it is closed.
         */
        boolean probeAsync(dev.tusk.AsyncConnection<?> conn);

        /** As {@link #facts(Connection)} for an AsyncConnection. */
        dev.tusk.observe.ConnectionFacts factsAsync(dev.tusk.AsyncConnection<?> conn);
    }

    private static volatile Hooks hooks;

    private PoolAccess() {
    }

    public static void install(Hooks h) {
        hooks = h;
    }

    public static Hooks hooks() {
        Hooks h = hooks;
        if (h == null) {
            try {
                Class.forName(Connection.class.getName(), true, Connection.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                throw new IllegalStateException(e);
            }
            h = hooks;
        }
        return h;
    }
}
