package dev.tusk.jdbc.internal;

import java.sql.SQLException;

/**
 * What a {@link JdbcConnection} takes from its JDBC configuration, read once: a pooled DataSource makes one for all
 * of its leases (with the statement rewrites they share), so that a lease parses no property and no SQL again.
 */
public final class JdbcSettings {
    final String callMode;
    final boolean rewriteBatchedInserts;
    final int defaultFetchSize;
    final int socketTimeoutMillis;
    final boolean readOnly;
    /** Statement rewrites every connection made with these settings shares; null: each has its own. */
    private final RewriteCache sharedRewrites;

    private JdbcSettings(JdbcConfig config, boolean shared) throws SQLException {
        String mode = config == null ? null : config.jdbc("escapeSyntaxCallMode");
        this.callMode = mode == null ? "select" : mode;
        this.rewriteBatchedInserts = config == null || config.boolProperty("reWriteBatchedInserts", true);
        this.defaultFetchSize = config == null ? 0 : config.intProperty("defaultRowFetchSize", 0);
        this.socketTimeoutMillis = config == null ? 0 : config.intProperty("socketTimeout", 0) * 1000;
        this.readOnly = config != null && config.boolProperty("readOnly", false);
        this.sharedRewrites = shared ? new RewriteCache() : null;
    }

    /** The settings of one connection made with {@code config} (null: the defaults). */
    public static JdbcSettings of(JdbcConfig config) throws SQLException {
        return new JdbcSettings(config, false);
    }

    /**
     * The settings of the connections a pooled DataSource lends, with {@code config} (null: the defaults): they share
     * one cache of statement rewrites (a rewrite depends only on the SQL text and the call mode, both the same).
     */
    public static JdbcSettings forLeases(JdbcConfig config) throws SQLException {
        return new JdbcSettings(config, true);
    }

    /** The rewrite cache for a new connection: the shared one, or a new one of its own. */
    RewriteCache rewrites() {
        return sharedRewrites != null ? sharedRewrites : new RewriteCache();
    }
}
