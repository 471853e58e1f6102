package dev.tusk.observe;

/**
 * A pool as exporters see it: its name and its gauges, read when asked (any thread, cheap, no lock held long).
 * The names follow OpenTelemetry's {@code db.client.connection.*} metrics and HikariCP's meters.
 */
public interface PoolView {
    /** The pool's name ({@code db.client.connection.pool.name}). */
    String name();

    /** Connections open now, idle or in use ({@code hikaricp.connections}). */
    int size();

    /** Connections waiting in the pool ({@code state=idle}, {@code hikaricp.connections.idle}). */
    int idle();

    /** Connections lent out ({@code state=used}, {@code hikaricp.connections.active}). */
    int inUse();

    /** Callers waiting for a connection ({@code db.client.connection.pending_requests}, {@code hikaricp.connections.pending}). */
    int waiting();

    /** The pool's minimum size ({@code db.client.connection.idle.min}). */
    int minSize();

    /** The pool's maximum size ({@code db.client.connection.max}). */
    int maxSize();
}
