package dev.tusk.jdbc;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;
import dev.tusk.jdbc.internal.Errors;
import dev.tusk.jdbc.internal.JdbcConfig;
import dev.tusk.jdbc.internal.JdbcConnection;
import dev.tusk.jdbc.internal.JdbcSettings;
import dev.tusk.jdbc.internal.TypedParam;
import dev.tusk.pool.ConnectionPool;

import java.io.PrintWriter;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} over a Tusk {@link ConnectionPool}: JDBC code and Tusk code share the same pooled
 * connections. {@code getConnection()} leases one (autocommit on, as JDBC wants); {@code close()} gives it back
 * to the pool, which resets its session as for any lease (open transaction rolled back, autocommit, isolation,
 * read-only and {@code SET}s such as {@code search_path} undone), so Tusk's borrowers find what they expect; a close
 * while another thread still runs a statement never waits for it (the pool closes and replaces that connection).
 *
 * <pre>{@code
 * ConnectionPool<Row> pool = ConnectionPool.builder().conninfo("host=db dbname=app").maxSize(10).open(true).build();
 * DataSource ds = new TuskPooledDataSource(pool);
 * new JdbcTemplate(ds).update("INSERT INTO t VALUES (?)", 1);   // JDBC face
 * pool.withConnection(c -> c.execute("SELECT count(*) FROM t")); // Tusk face, same connections
 * }</pre>
 */
public class TuskPooledDataSource implements DataSource, AutoCloseable {
    static {
        TypedParam.registerGlobally(); // before create() opens its pool
    }

    private final ConnectionPool<Row> pool;
    private final boolean ownsPool;
    private final String url;
    /** What every lease takes from the JDBC properties, read once, and the statement rewrites the leases share. */
    private final JdbcSettings settings;
    private int loginTimeout;
    private PrintWriter logWriter;

    /** JDBC connections leased from {@code pool}, which stays the caller's to close. */
    public TuskPooledDataSource(ConnectionPool<Row> pool) {
        this.pool = pool;
        this.ownsPool = false;
        this.url = JdbcConfig.PREFIX + "//(pool " + pool.name() + ")";
        this.settings = defaults();
    }

    private static JdbcSettings defaults() {
        try {
            return JdbcSettings.forLeases(null);
        } catch (SQLException e) {
            throw new IllegalStateException("the default JDBC settings", e); // none is read: cannot happen
        }
    }

    private TuskPooledDataSource(ConnectionPool<Row> pool, String url, JdbcSettings settings) {
        this.pool = pool;
        this.ownsPool = true;
        this.url = url;
        this.settings = settings;
    }

    /**
     * A pool of {@code minSize..maxSize} connections to {@code url} (a {@code jdbc:tusk:postgresql://} URL with its
     * properties), owned by the returned DataSource: {@link #close()} closes it.
     */
    public static TuskPooledDataSource create(String url, Properties info, int minSize, int maxSize) throws SQLException {
        JdbcConfig config = JdbcConfig.parse(url, info);
        JdbcSettings settings = JdbcSettings.forLeases(config); // a property that does not parse fails here, once
        try {
            ConnectionPool<Row> pool = ConnectionPool.builder().options(config.connectOptions()).minSize(minSize).maxSize(maxSize)
                    .name("tusk-jdbc").open(true).build();
            return new TuskPooledDataSource(pool, config.url(), settings);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
    }

    /** The Tusk pool behind this DataSource. */
    public ConnectionPool<Row> pool() {
        return pool;
    }

    @Override
    public java.sql.Connection getConnection() throws SQLException {
        Connection<Row> conn;
        try {
            conn = loginTimeout > 0 ? pool.connection(Duration.ofSeconds(loginTimeout)) : pool.connection();
        } catch (TuskException e) {
            throw Errors.of(e);
        }
        try {
            // its close() gives the lease back, and the pool makes the session as it was lent: without waiting for a
            // statement another thread still runs (the pool closes that connection instead), else the open
            // transaction rolled back, autocommit, isolation, read-only and every SET (search_path...) undone
            return new JdbcConnection(conn, url, null, settings, null); // the user asked of the session if wanted
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    @Override
    public java.sql.Connection getConnection(String username, String password) throws SQLException {
        throw new SQLFeatureNotSupportedException("a pooled DataSource connects with the pool's credentials: "
                + "call getConnection() (or make a pool for that user)", "0A000");
    }

    /** Closes the pool if this DataSource made it ({@link #create}); a pool given to the constructor stays open. */
    @Override
    public void close() {
        if (ownsPool) {
            pool.close();
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

    /** How long getConnection waits for a free connection (0: the pool's own timeout). */
    @Override
    public void setLoginTimeout(int seconds) {
        this.loginTimeout = seconds;
    }

    @Override
    public int getLoginTimeout() {
        return loginTimeout;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Tusk's JDBC driver does not log through java.util.logging", "0A000");
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        if (iface.isInstance(pool)) {
            return iface.cast(pool);
        }
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this) || iface.isInstance(pool);
    }
}
