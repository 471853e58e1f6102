package dev.tusk.internal.pool;

import dev.tusk.internal.InstalledHooks;
import dev.tusk.observe.ConnectionFacts;

import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * What a connection pool (the {@code tusk-pool} module) may do to a {@code Connection} or {@code AsyncConnection}
 * that users may not: make {@code close()} give it back, and close it for real. Exported to {@code dev.tusk.pool}
 * only. The hooks are typed by their caller ({@code Hooks<Connection<?>, AsyncConnection<?>>}) so that this package
 * does not reach back into dev.tusk (no package cycle).
 */
public final class PoolAccess {
    /**
     * Implemented by dev.tusk.PoolHooks, which Connection installs when its class initialises.
     *
     * @param <C> the blocking connection ({@code dev.tusk.Connection<?>})
     * @param <A> the async connection ({@code dev.tusk.AsyncConnection<?>})
     */
    public interface Hooks<C, A> {
        /** From now on {@code close()} calls {@code giveBack} (once per lease) instead of closing. */
        void attach(C conn, Consumer<C> giveBack);

        /** Whether the connection is lent out (usable) or idle in the pool (refusing every call). */
        void setLent(C conn, boolean lent);

        /** Closes the connection, pool or not. */
        void closeForReal(C conn);

        /**
         * Reads what the server sent while the connection was idle: false when the connection turns out to
         * be closed or broken (its backend terminated, the network reset it). {@code deep}: also wait a
         * millisecond for the socket to report a reset or a close, which a non-blocking check cannot see.
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

        /** Closes the socket without waiting for a statement another thread runs (which then fails). */
        void abort(C conn);

        /**
         * Resets the session of an idle connection for the next borrower (one round trip): cursors, GUCs,
         * LISTENs, advisory locks, temporary tables, sequences state, statements made with SQL PREPARE, and the
         * client-side settings of the connection options.
         */
        void resetSession(C conn);

        /** As {@link #attach(Object, Consumer)} for an AsyncConnection. */
        void attachAsync(A conn, Consumer<A> giveBack);

        void setLentAsync(A conn, boolean lent);

        /** As {@link #startLease(Object)} for an AsyncConnection. */
        A startLeaseAsync(A conn);

        /** As {@link #pooled(Object)} for an AsyncConnection. */
        A pooledAsync(A conn);

        /** As {@link #leaseUsed(Object)} for an AsyncConnection. */
        boolean leaseUsedAsync(A conn);

        /** As {@link #leftovers(Object)} for an AsyncConnection. */
        String leftoversAsync(A conn);

        /** As {@link #resetSession(Object)} for an AsyncConnection: completes once the session is reset. */
        CompletableFuture<Void> resetSessionAsync(A conn);

        void closeForRealAsync(A conn);

        /**
         * What listeners are told about {@code conn} (server address and port, database, user...), for the
         * pool's events about it. Never waits; works on a closed connection too.
         */
        ConnectionFacts facts(C conn);

        /**
         * A look at an idle AsyncConnection before it is lent, as {@link #probe(Object, boolean)} without waiting:
         * what its socket holds now is read (a backend that exited while idle closes it); false when it is closed.
         */
        boolean probeAsync(A conn);

        /** As {@link #facts(Object)} for an AsyncConnection. */
        ConnectionFacts factsAsync(A conn);
    }

    private static final InstalledHooks<Hooks<?, ?>> HOOKS = new InstalledHooks<>("dev.tusk.Connection");

    private PoolAccess() {
    }

    public static void install(Hooks<?, ?> h) {
        HOOKS.install(h);
    }

    /** The hooks, typed as the caller names the connection classes; loads dev.tusk.Connection, which installs them. */
    @SuppressWarnings("unchecked")
    public static <C, A> Hooks<C, A> hooks() {
        return (Hooks<C, A>) HOOKS.get();
    }
}
