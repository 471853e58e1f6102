package dev.tusk.bench;

import dev.tusk.jdbc.TuskPooledDataSource;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;
import javax.sql.DataSource;

/**
 * The two JDBC drivers the {@code jdbc-*} workloads compare: tusk-jdbc ({@code jdbc:tusk:postgresql:}) and pgjdbc,
 * the same URL and properties for both.
 */
final class JdbcClients {
    private JdbcClients() {
    }

    static String url(String client, String extra) {
        String pg = BenchServer.jdbcUrl(extra);
        return switch (client) {
            case "tusk-jdbc" -> pg.replace("jdbc:postgresql:", "jdbc:tusk:postgresql:");
            case "pgjdbc" -> pg;
            default -> throw new IllegalArgumentException(client);
        };
    }

    static Connection connect(String client, String extra) throws SQLException {
        dev.tusk.jdbc.TuskDriver.register();
        return DriverManager.getConnection(url(client, extra));
    }

    /** A pool of {@code size} connections: Tusk's own pool behind a DataSource, or HikariCP over pgjdbc. */
    static DataSource pool(String client, int size) throws SQLException {
        if (client.equals("tusk-jdbc")) {
            return TuskPooledDataSource.create(url(client, ""), new Properties(), size, size);
        }
        com.zaxxer.hikari.HikariConfig cfg = new com.zaxxer.hikari.HikariConfig();
        cfg.setJdbcUrl(url(client, ""));
        cfg.setMaximumPoolSize(size);
        cfg.setMinimumIdle(size);
        return new com.zaxxer.hikari.HikariDataSource(cfg);
    }

    static void close(DataSource ds) throws Exception {
        if (ds instanceof AutoCloseable c) {
            c.close();
        }
    }
}
