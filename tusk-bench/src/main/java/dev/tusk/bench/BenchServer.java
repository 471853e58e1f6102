package dev.tusk.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The PostgreSQL every benchmark runs against: an embedded 18.x with a SCRAM-SHA-256 user, fsync off,
 * started once by the runner; the forked JMH JVMs find it through system properties.
 */
public final class BenchServer implements AutoCloseable {
    public static final String USER = "bench";
    public static final String PASSWORD = "bench-secret";
    public static final String DB = "bench";
    public static final int KV_ROWS = 10_000;
    public static final int WIDE_ROWS = 100_000;

    private final EmbeddedPostgres pg;

    private BenchServer(EmbeddedPostgres pg) {
        this.pg = pg;
    }

    public static BenchServer start() throws IOException, SQLException {
        return start(false);
    }

    /**
     * Starts the server; {@code logicalWal}: with {@code wal_level=logical}, for the replication workload only
     * (the others keep the default, whose WAL is a little smaller).
     */
    public static BenchServer start(boolean logicalWal) throws IOException, SQLException {
        return start(logicalWal, 100);
    }

    /**
     * As {@link #start(boolean)}, with {@code max_connections} set (the scale workload's 1,000 idle connections
     * need 1,100; the others keep 100).
     */
    public static BenchServer start(boolean logicalWal, int maxConnections) throws IOException, SQLException {
        EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
        if (logicalWal) {
            builder.setServerConfig("wal_level", "logical");
        }
        EmbeddedPostgres pg = builder
                .setServerConfig("fsync", "off")
                .setServerConfig("synchronous_commit", "off")
                .setServerConfig("autovacuum", "off")
                .setServerConfig("password_encryption", "scram-sha-256")
                .setServerConfig("max_connections", Integer.toString(maxConnections))
                .setDataDirectoryCustomizer(BenchServer::writeHba)
                .start();
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/postgres", "postgres", "");
             Statement s = c.createStatement()) {
            s.execute("CREATE ROLE " + USER + " LOGIN REPLICATION PASSWORD '" + PASSWORD + "'");
            s.execute("CREATE DATABASE " + DB + " OWNER " + USER);
        }
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + pg.getPort() + "/" + DB, USER, PASSWORD);
             Statement s = c.createStatement()) {
            s.execute("CREATE TABLE bench_kv (id int PRIMARY KEY, v text NOT NULL)");
            s.execute("INSERT INTO bench_kv SELECT g, 'value-' || g FROM generate_series(1, " + KV_ROWS + ") g");
            s.execute("CREATE TABLE bench_wide (a int, b text, c int, d timestamptz, e numeric(12,2), f bool)");
            s.execute("INSERT INTO bench_wide SELECT g, 'text value number ' || g, g % 1000, "
                    + "timestamptz '2024-01-01 00:00:00+00' + g * interval '1 second', (g * 1.25)::numeric(12,2), g % 2 = 0 "
                    + "FROM generate_series(1, " + WIDE_ROWS + ") g");
            s.execute("CREATE TABLE bench_insert (a int, b text, c int)");
            s.execute("VACUUM ANALYZE");
        }
        return new BenchServer(pg);
    }

    private static void writeHba(java.io.File dataDir) {
        try {
            Files.writeString(dataDir.toPath().resolve("pg_hba.conf"),
                    "local all postgres trust\n"
                    + "host all postgres 127.0.0.1/32 trust\n"
                    + "local all all scram-sha-256\n"
                    + "host all all 127.0.0.1/32 scram-sha-256\n"
                    + "host replication " + USER + " 127.0.0.1/32 scram-sha-256\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return pg.getPort();
    }

    @Override
    public void close() throws IOException {
        pg.close();
    }

    /** The port of the running server, as the runner passes it to forked JVMs. */
    public static int portFromProperties() {
        String p = System.getProperty("tusk.bench.port");
        if (p == null) {
            throw new IllegalStateException("run through BenchRunner (it starts the server and sets -Dtusk.bench.port)");
        }
        return Integer.parseInt(p);
    }

    public static String tuskConninfo() {
        return "host=127.0.0.1 port=" + portFromProperties() + " dbname=" + DB + " user=" + USER + " password=" + PASSWORD
                + " sslmode=disable";
    }

    public static String jdbcUrl(String extra) {
        return "jdbc:postgresql://127.0.0.1:" + portFromProperties() + "/" + DB + "?user=" + USER + "&password=" + PASSWORD
                + "&sslmode=disable" + extra;
    }
}
