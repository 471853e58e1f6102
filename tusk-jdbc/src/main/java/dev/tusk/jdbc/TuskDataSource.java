package dev.tusk.jdbc;

import dev.tusk.jdbc.internal.JdbcConfig;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens a new Tusk connection for each {@link #getConnection()}: put a pool in front
 * of it (HikariCP) or use {@link TuskPooledDataSource} for Tusk's own pool.
 *
 * <pre>{@code
 * TuskDataSource ds = new TuskDataSource();
 * ds.setUrl("jdbc:tusk:postgresql://localhost:5432/app");
 * ds.setUser("app");
 * ds.setPassword("secret");
 * HikariConfig hc = new HikariConfig();
 * hc.setDataSource(ds);
 * try (HikariDataSource pool = new HikariDataSource(hc); Connection c = pool.getConnection()) { ... }
 * }</pre>
 */
public class TuskDataSource implements DataSource {
    private String url;
    private String user;
    private String password;
    private final Properties properties = new Properties();
    private int loginTimeout;
    private PrintWriter logWriter;

    public TuskDataSource() {
    }

    public TuskDataSource(String url) {
        this.url = url;
    }

    /** The {@code jdbc:tusk:postgresql://...} URL. */
    public void setUrl(String url) {
        this.url = url;
    }

    public String getUrl() {
        return url;
    }

    /** Alias of {@link #setUrl} (the name Spring and HikariCP's {@code dataSourceProperties} also use). */
    public void setURL(String url) {
        this.url = url;
    }

    public String getURL() {
        return url;
    }

    public void setUser(String user) {
        this.user = user;
    }

    public String getUser() {
        return user;
    }

    public void setPassword(String password) {
        this.password = password;
    }

    /** Adds a connection property (the same names as in the URL). */
    public void setProperty(String name, String value) {
        properties.setProperty(name, value);
    }

    /** The configuration to connect with, checked (an unknown property fails here). */
    JdbcConfig config(String user, String password) throws SQLException {
        if (url == null) {
            throw new SQLException("TuskDataSource has no URL: call setUrl(\"jdbc:tusk:postgresql://host:port/db\")", "08001");
        }
        Properties p = new Properties();
        p.putAll(properties);
        if (user != null) {
            p.setProperty("user", user);
        }
        if (password != null) {
            p.setProperty("password", password);
        }
        if (loginTimeout > 0 && !p.containsKey("loginTimeout")) {
            p.setProperty("loginTimeout", Integer.toString(loginTimeout));
        }
        return JdbcConfig.parse(url, p);
    }

    @Override
    public Connection getConnection() throws SQLException {
        return TuskDriver.open(config(user, password));
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return TuskDriver.open(config(username, password));
    }

    @Override
    public PrintWriter getLogWriter() {
        return logWriter;
    }

    /** Kept and returned by getLogWriter; Tusk writes nothing to it. */
    @Override
    public void setLogWriter(PrintWriter out) {
        this.logWriter = out;
    }

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
        throw new SQLException("not a wrapper for " + iface.getName(), "HY000");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}
