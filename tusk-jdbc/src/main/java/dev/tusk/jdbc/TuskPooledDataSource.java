package dev.tusk.jdbc;

import dev.tusk.Connection;
import dev.tusk.IsolationLevel;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.TuskException;
import dev.tusk.jdbc.internal.Errors;
import dev.tusk.jdbc.internal.JdbcConfig;
import dev.tusk.jdbc.internal.JdbcConnection;
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
 * with the session as it was lent (open transaction rolled back, autocommit, isolation, read-only and a changed
 * {@code search_path} restored), so Tusk's borrowers find what they expect.
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
    private final JdbcConfig config;
    private int loginTimeout;
    private PrintWriter logWriter;

    /** JDBC connections leased from {@code pool}, which stays the caller's to close. */
    public TuskPooledDataSource(ConnectionPool<Row> pool) {
        this.pool = pool;
        this.ownsPool = false;
        this.url = JdbcConfig.PREFIX + "//(pool " + pool.name() + ")";
        this.config = null;
    }

    private TuskPooledDataSource(ConnectionPool<Row> pool, JdbcConfig config) {
        this.pool = pool;
        this.ownsPool = true;
        this.url = config.url();
        this.config = config;
    }

    /**
     * A pool of {@code minSize..maxSize} connections to {@code url} (a {@code jdbc:tusk:postgresql://} URL with its
     * properties), owned by the returned DataSource: {@link #close()} closes it.
     */
    public static TuskPooledDataSource create(String url, Properties info, int minSize, int maxSize) throws SQLException {
        JdbcConfig config = JdbcConfig.parse(url, info);
        try {
            ConnectionPool<Row> pool = ConnectionPool.builder().options(config.connectOptions()).minSize(minSize).maxSize(maxSize)
                    .name("tusk-jdbc").open(true).build();
            return new TuskPooledDataSource(pool, config);
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
            Lent lent = new Lent(conn);
            JdbcConnection jdbc = new JdbcConnection(conn, url, conn.info().user(), config, lent::giveBack);
            lent.jdbc = jdbc;
            return jdbc;
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    /** The session state of a lent connection, restored when JDBC closes it. */
    private static final class Lent {
        private final Connection<Row> conn;
        private final boolean autocommit;
        private final IsolationLevel isolation;
        private final Boolean readOnly;
        private JdbcConnection jdbc;

        Lent(Connection<Row> conn) {
            this.conn = conn;
            this.autocommit = conn.autocommit();
            this.isolation = conn.isolationLevel();
            this.readOnly = conn.readOnly();
        }

        void giveBack() {
            try {
                if (!conn.isClosed() && !conn.isBroken()) {
                    if (conn.info().transactionStatus() != TransactionStatus.IDLE) {
                        conn.rollback();
                    }
                    // only what changed is set back: a lease that touched nothing goes back without a round trip (a
                    // setter called on the lease, even with the same value, makes the pool reset the session)
                    if (!conn.autocommit()) {
                        conn.setAutocommit(true); // the session resets below run on their own
                    }
                    if (jdbc != null && jdbc.schemaChanged()) {
                        conn.execute("RESET search_path");
                    }
                    if (conn.isolationLevel() != isolation) {
                        conn.setIsolationLevel(isolation);
                        conn.execute("RESET default_transaction_isolation"); // JDBC set it for autocommit statements
                    }
                    if (conn.readOnly() != readOnly) {
                        conn.setReadOnly(readOnly);
                    }
                    if (conn.autocommit() != autocommit) {
                        conn.setAutocommit(autocommit);
                    }
                }
            } catch (TuskException e) {
                // the pool checks the connection it gets back and discards a broken one
            } finally {
                conn.close(); // back to the pool
            }
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
