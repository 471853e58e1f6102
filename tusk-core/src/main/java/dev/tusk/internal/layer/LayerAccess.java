package dev.tusk.internal.layer;

import dev.tusk.internal.InstalledHooks;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * What a layer built over a blocking {@code Connection} (the JDBC driver, module {@code dev.tusk.jdbc}) may reach
 * that users may not: work of its own sent before each statement of the session, whichever handle runs it (the
 * layer's own calls, or the connection the layer hands out, as JDBC's {@code unwrap}). Installed with the pools'
 * hooks by {@code dev.tusk.ConnectionHooks} when {@code dev.tusk.Connection} initialises. Typed by its caller
 * ({@code Hooks<Connection<?>>}) so that this package does not reach back into dev.tusk (no package cycle).
 */
public final class LayerAccess {
    /**
     * Implemented in package {@code dev.tusk}.
     *
     * @param <C> the blocking connection ({@code dev.tusk.Connection<?>})
     */
    public interface Hooks<C> {
        /**
         * From now on {@code prelude} (null: none) runs, given the statement's timeout (null: none), before each
         * statement of the user's on the session of {@code conn}, through any handle of it (a pool's lease too): an
         * execute or executemany, a stream, a COPY, a
         * server-side cursor's step, a commit or rollback; on the statement's thread, under the connection's lock,
         * before anything of the statement is built or written; outside pipeline mode only. It may run statements
         * of its own on the connection (those do not run it again); what it throws fails the statement. Not run
         * before a pool's session reset, the end of a two-phase transaction or the recovery's query. Returns the
         * prelude it replaces (null: none).
         */
        Consumer<Duration> prelude(C conn, Consumer<Duration> prelude);
    }

    private static final InstalledHooks<Hooks<?>> HOOKS = new InstalledHooks<>("dev.tusk.Connection");

    private LayerAccess() {
    }

    public static void install(Hooks<?> h) {
        HOOKS.install(h);
    }

    /** The hooks, typed as the caller names the connection class. */
    @SuppressWarnings("unchecked")
    public static <C> Hooks<C> hooks() {
        return (Hooks<C>) HOOKS.get();
    }
}
