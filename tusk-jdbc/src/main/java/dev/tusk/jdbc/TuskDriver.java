package dev.tusk.jdbc;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;
import dev.tusk.jdbc.internal.Errors;
import dev.tusk.jdbc.internal.JdbcConfig;
import dev.tusk.jdbc.internal.JdbcConnection;

import java.sql.Driver;
import java.sql.DriverManager;
import java.sql.DriverPropertyInfo;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Properties;
import java.util.logging.Logger;

/**
 * The JDBC driver for URLs {@code jdbc:tusk:postgresql://host:port/db?prop=value&...}, registered with
 * {@link DriverManager} through {@code META-INF/services/java.sql.Driver}. Each connection is one Tusk
 * {@link dev.tusk.Connection}, reachable with {@code unwrap(dev.tusk.Connection.class)}.
 *
 * <p>Properties: libpq's keywords ({@code sslmode}, {@code application_name}, {@code connect_timeout},
 * {@code options}, {@code target_session_attrs}, ...) and pgjdbc's names for them ({@code ApplicationName},
 * {@code connectTimeout}, {@code currentSchema}, {@code targetServerType}, {@code ssl}, ...), plus
 * {@code prepareThreshold}, {@code preparedStatementCacheQueries}, {@code defaultRowFetchSize},
 * {@code socketTimeout}, {@code loginTimeout}, {@code binaryTransfer} (true binary results, false text;
 * unset, Tusk's automatic format), {@code readOnly},
 * {@code reWriteBatchedInserts}, {@code escapeSyntaxCallMode}. An unknown property is an error naming it.
 *
 * <pre>{@code
 * try (java.sql.Connection c = DriverManager.getConnection(
 *         "jdbc:tusk:postgresql://localhost:5432/app?ApplicationName=billing", "app", "secret");
 *      PreparedStatement ps = c.prepareStatement("SELECT name FROM users WHERE id = ?")) {
 *     ps.setLong(1, 42);
 *     try (ResultSet rs = ps.executeQuery()) {
 *         while (rs.next()) {
 *             System.out.println(rs.getString(1));
 *         }
 *     }
 * }
 * }</pre>
 */
public final class TuskDriver implements Driver {
    public static final String NAME = "Tusk JDBC Driver";
    public static final int MAJOR = 0;
    public static final int MINOR = 1;
    public static final String VERSION = MAJOR + "." + MINOR + ".0";

    static {
        try {
            DriverManager.registerDriver(new TuskDriver());
        } catch (SQLException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    /** Loads the driver into {@link DriverManager} (done by the service loader too). */
    public static void register() {
        // the static initializer did it
    }

    @Override
    public java.sql.Connection connect(String url, Properties info) throws SQLException {
        if (!acceptsURL(url)) {
            return null; // JDBC: another driver's URL
        }
        return open(JdbcConfig.parse(url, info));
    }

    static JdbcConnection open(JdbcConfig config) throws SQLException {
        var options = config.connectOptions();
        Connection<Row> conn;
        try {
            conn = Connection.connect(options);
        } catch (TuskException e) {
            throw Errors.of(e);
        }
        try {
            return new JdbcConnection(conn, config.url(), config.user(), config, null);
        } catch (SQLException | RuntimeException e) {
            conn.close();
            throw e;
        }
    }

    @Override
    public boolean acceptsURL(String url) {
        return JdbcConfig.accepts(url);
    }

    @Override
    public DriverPropertyInfo[] getPropertyInfo(String url, Properties info) throws SQLException {
        String[][] props = {
                {"user", "the database user"}, {"password", "the user's password"},
                {"sslmode", "disable, allow, prefer, require, verify-ca or verify-full"},
                {"ApplicationName", "application_name reported to the server"},
                {"connectTimeout", "seconds to wait for a connection (connect_timeout)"},
                {"socketTimeout", "seconds to wait for the server during a statement (0: no limit)"},
                {"currentSchema", "the search_path to set"},
                {"targetServerType", "any, primary, standby, preferStandby, readWrite, readOnly"},
                {"prepareThreshold", "executions before a statement is prepared on the server (0: never)"},
                {"defaultRowFetchSize", "fetch size of new statements (streams in transactions)"},
                {"reWriteBatchedInserts", "send batches of single-row INSERTs as multi-row INSERTs (default true)"},
        };
        DriverPropertyInfo[] out = new DriverPropertyInfo[props.length];
        for (int i = 0; i < props.length; i++) {
            out[i] = new DriverPropertyInfo(props[i][0], info == null ? null : info.getProperty(props[i][0]));
            out[i].description = props[i][1];
            out[i].required = false;
        }
        return out;
    }

    @Override
    public int getMajorVersion() {
        return MAJOR;
    }

    @Override
    public int getMinorVersion() {
        return MINOR;
    }

    /** False: not every JDBC feature is there (see the module's README); those missing throw SQLFeatureNotSupportedException. */
    @Override
    public boolean jdbcCompliant() {
        return false;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException("Tusk's JDBC driver does not log through java.util.logging", "0A000");
    }
}
