package dev.tusk.internal.pool;

import dev.tusk.internal.InstalledHooks;
import dev.tusk.observe.ConnectionFacts;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a connection pool (the {@code tusk-pool} module) may do to a {@code Connection} or {@code AsyncConnection}
 * that users may not: make {@code close()} give it back, and close it for real. Exported to {@code dev.tusk.pool}
 * only. The hooks are typed by their caller ({@code BlockingHooks<Connection<R>>}, {@code AsyncHooks<AsyncConnection<R>>})
 * so that this package does not reach back into dev.tusk (no package cycle).
 */
public final class PoolAccess {
    /**
     * What both pools do to their connections, the same for both drivers; implemented by dev.tusk.ConnectionHooks, which
     * Connection installs when its class initialises.
     *
     * @param <C> the connection ({@code dev.tusk.Connection<R>} or {@code dev.tusk.AsyncConnection<R>})
     */
    public interface Hooks<C> {
        /** From now on {@code close()} calls {@code giveBack} (once per lease) instead of closing. */
        void attach(C conn, Consumer<C> giveBack);

        /** Whether the connection is lent out (usable) or idle in the pool (refusing every call). */
        void setLent(C conn, boolean lent);

        /** Closes the connection, pool or not. */
        void closeForReal(C conn);

        /**
         * Reads what the server sent while the connection was idle: false when the connection turns out to
         * be closed or broken (its backend terminated, the network reset it). {@code deep}: also wait a
         * millisecond for the socket to report a reset or a close, which a non-blocking check cannot see (the
         * blocking connection only: an AsyncConnection's look never waits).
         */
        boolean probe(C conn, boolean deep);

        /**
         * Starts a lease of {@code conn} (attached, lent): returns a new handle that forwards every call to
         * {@code conn} until the lease ends with the handle's {@code close()}, and refuses every call after.
         */
        C startLease(C conn);

        /** The pooled connection behind a lease handle; {@code conn} itself when it is not a handle. */
        C pooled(C conn);

        /** Whether the last lease of {@code conn} did anything with it (then its session needs a reset). */
        boolean leaseUsed(C conn);

        /**
         * Why the session of {@code conn}, given back, cannot be reset for the next borrower (a statement still
         * running, a pipeline, COPY or stream in progress, a transaction block left open...), null when it can.
         * Never waits.
         */
        String leftovers(C conn);

        /**
         * What listeners are told about {@code conn} (server address and port, database, user...), for the
         * pool's events about it. Never waits; works on a closed connection too.
         */
        ConnectionFacts facts(C conn);
    }

    /** The hooks into a blocking {@code Connection}. */
    public interface BlockingHooks<C> extends Hooks<C> {
        /** Closes the socket without waiting for a statement another thread runs (which then fails). */
        void abort(C conn);

        /**
         * Resets the session of an idle connection for the next borrower (one round trip): cursors, GUCs,
         * LISTENs, advisory locks, temporary tables, sequences state, statements made with SQL PREPARE, and the
         * client-side settings of the connection options.
         */
        void resetSession(C conn);
    }

    /** The hooks into an {@code AsyncConnection}. */
    public interface AsyncHooks<C> extends Hooks<C> {
        /** As {@link BlockingHooks#resetSession(Object)}: completes once the session is reset. */
        CompletableFuture<Void> resetSession(C conn);
    }

    private static final InstalledHooks<BlockingHooks<?>> BLOCKING = new InstalledHooks<>("dev.tusk.Connection");
    private static final InstalledHooks<AsyncHooks<?>> ASYNC = new InstalledHooks<>("dev.tusk.Connection");

    private PoolAccess() {
    }

    public static void install(BlockingHooks<?> blocking, AsyncHooks<?> async) {
        BLOCKING.install(blocking);
        ASYNC.install(async);
    }

    /** The blocking connections' hooks, typed as the caller names the connection class; loads dev.tusk.Connection. */
    @SuppressWarnings("unchecked")
    public static <C> BlockingHooks<C> blocking() {
        return (BlockingHooks<C>) BLOCKING.get();
    }

    /** The async connections' hooks, typed as the caller names the connection class; loads dev.tusk.Connection. */
    @SuppressWarnings("unchecked")
    public static <C> AsyncHooks<C> async() {
        return (AsyncHooks<C>) ASYNC.get();
    }
}
