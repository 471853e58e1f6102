package dev.tusk.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;

/**
 * pgjdbc, used only by the harness for administration (roles, databases, settings): never as the code under test.
 */
final class Jdbc {

    /** libpq keywords that pgjdbc understands under the same name and meaning. */
    private static final String[] PASSED_THROUGH = {"sslmode", "sslrootcert", "sslcert", "sslkey", "options", "connect_timeout"};

    private Jdbc() {
    }

    static Connection connect(String host, int port, String dbname, String user, String password, Map<String, String> extra) {
        if (host.startsWith("/")) {
            throw new IllegalStateException("the harness administers servers over TCP only, but the connection string names"
                    + " the unix socket directory " + host + "; give TUSK_TEST_DSN a TCP host (host=127.0.0.1)");
        }
        String hostPart = host.contains(":") ? "[" + host + "]" : host;
        String url = "jdbc:postgresql://" + hostPart + ":" + port + "/" + dbname;
        Properties props = new Properties();
        props.setProperty("user", user);
        if (password != null) {
            props.setProperty("password", password);
        }
        props.setProperty("ApplicationName", "tusk-testing");
        for (String key : PASSED_THROUGH) {
            String value = extra.get(key);
            if (value != null) {
                props.setProperty(key.equals("connect_timeout") ? "connectTimeout" : key, value);
            }
        }
        try {
            return DriverManager.getConnection(url, props);
        } catch (SQLException e) {
            throw new IllegalStateException("could not connect to " + url + " as " + user + ": " + e.getMessage(), e);
        }
    }

    static void execute(Connection connection, String sql) {
        try (Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("admin SQL failed: " + e.getMessage() + "\nSQL: " + sql, e);
        }
    }

    /** The first column of the first row as text, or null when there is no row. */
    static String queryValue(Connection connection, String sql) {
        try (Statement statement = connection.createStatement(); ResultSet rs = statement.executeQuery(sql)) {
            return rs.next() ? rs.getString(1) : null;
        } catch (SQLException e) {
            throw new IllegalStateException("admin query failed: " + e.getMessage() + "\nSQL: " + sql, e);
        }
    }

    static void closeQuietly(Connection connection) {
        if (connection != null) {
            try {
                connection.close();
            } catch (SQLException ignored) {
                // closing an admin connection to a server that may already be gone
            }
        }
    }
}
