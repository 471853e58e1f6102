/**
 * Tusk: a PostgreSQL client with psycopg 3's API. Start at {@link dev.tusk.Connection} (blocking) or
 * {@link dev.tusk.AsyncConnection} (non-blocking).
 *
 * <p>Only the public packages are exported; {@code dev.tusk.internal.*} (protocol core, drivers,
 * conninfo resolution) may change in any release.
 */
module dev.tusk {
    requires jdk.net;

    exports dev.tusk;
    exports dev.tusk.adapt;
    exports dev.tusk.errors;
    exports dev.tusk.sql;
    exports dev.tusk.types;
    exports dev.tusk.replication;
    exports dev.tusk.observe;
    exports dev.tusk.internal.observe to dev.tusk.pool;
    exports dev.tusk.internal.pool to dev.tusk.pool;
    exports dev.tusk.internal.rows to dev.tusk.jdbc;
    exports dev.tusk.internal.layer to dev.tusk.jdbc;
}
