package dev.tusk.testing;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A PostgreSQL server that tests run against: the shared embedded one, the one {@code TUSK_TEST_DSN} names, or a
 * {@linkplain #dedicated(Consumer) dedicated} embedded server started for one test.
 *
 * <p>Operations that change the server process or its files ({@link #stop()}, {@link #start()},
 * {@link #appendConfig(String)}, ...) need an embedded server; on a {@code TUSK_TEST_DSN} server they throw
 * {@link UnsupportedOperationException}. Guard such tests with {@code assumeTrue(server.isEmbedded())}.
 *
 * <pre>{@code
 * @TuskTest
 * class RestartTest {
 *     @Test void reconnectsAfterRestart(TestDatabase db, PostgresServer server) {
 *         assumeTrue(server.isEmbedded());
 *         server.restart();                        // same port, same data: db.conninfo() still works
 *     }
 * }
 * }</pre>
 *
 * <p>Changes made to the shared server's configuration or run state are undone after each test: the extension
 * restores {@code postgresql.conf}, {@code postgresql.auto.conf} and {@code pg_hba.conf}, reloads (restarting
 * when a setting needs it), and starts the server again if the test left it stopped.
 */
public interface PostgresServer {

    /** {@code server_version_num}, e.g. {@code 180001}. */
    int version();

    /** True for a server this harness started (and may stop); false for a {@code TUSK_TEST_DSN} server. */
    boolean isEmbedded();

    /** The TCP host tests connect to, e.g. {@code 127.0.0.1}. */
    String host();

    /** The TCP port; it stays the same across {@link #stop()} and {@link #start()}. */
    int port();

    /** The superuser name ({@code postgres} on the embedded server). */
    String superuser();

    /** A libpq {@code key=value} string connecting to {@code dbname} as the superuser. */
    String conninfo(String dbname);

    /** Creates a fresh database named after {@code label} (sanitised, made unique); closing it drops it. */
    TestDatabase createDatabase(String label);

    /** Runs {@code sql} as the superuser in the {@code postgres} database (setup only, through pgjdbc). */
    void admin(String sql);

    /** Stops the server in {@linkplain StopMode#FAST fast} mode and waits until it is down. */
    default void stop() {
        stop(StopMode.FAST);
    }

    /** Stops the server in {@code mode} and waits until it is down. */
    void stop(StopMode mode);

    /** Starts the server on the same port and data directory and waits until it accepts connections. */
    void start();

    /** Stops (fast) and starts the server. */
    default void restart() {
        stop();
        start();
    }

    /** True while the server runs (as far as this harness knows: it tracks its own stop and start). */
    boolean isRunning();

    /** Asks the server to reread its configuration files ({@code pg_reload_conf()}). */
    void reloadConfig();

    /**
     * Appends {@code line} (e.g. {@code "log_min_messages = debug1"}) to {@code postgresql.conf}. Takes effect on
     * {@link #reloadConfig()} or {@link #restart()}, whichever the setting needs.
     */
    void appendConfig(String line);

    /**
     * Adds {@code line} (e.g. {@code "host all alice 127.0.0.1/32 reject"}) to {@code pg_hba.conf}, after the
     * harness's password-role lines and before its catch-all {@code trust} lines, so that it decides for every
     * role but the harness's own. Takes effect on {@link #reloadConfig()}.
     */
    void appendHba(String line);

    /** The server log file (postmaster stderr). */
    Path logFile();

    /** The directory holding the server's unix-domain socket ({@code .s.PGSQL.<port>}). */
    Path unixSocketDirectory();

    /** The data directory. */
    Path dataDirectory();

    /**
     * Starts an extra embedded server for one test, configured by {@code customizer}; the test closes it.
     *
     * <pre>{@code
     * try (EmbeddedPostgresServer tls = PostgresServer.dedicated(b -> b
     *         .beforeStart(dataDir -> writeCertificates(dataDir))
     *         .setting("ssl", "on"))) {
     *     try (TestDatabase db = tls.createDatabase("tls")) { ... }
     * }
     * }</pre>
     */
    static EmbeddedPostgresServer dedicated(Consumer<EmbeddedPostgresServer.Builder> customizer) {
        EmbeddedPostgresServer.Builder builder = EmbeddedPostgresServer.builder();
        customizer.accept(builder);
        return builder.start();
    }

    /** How {@link #stop(StopMode)} shuts the server down (the {@code pg_ctl stop -m} modes). */
    enum StopMode {
        /** Waits for clients to disconnect. */
        SMART,
        /** Disconnects clients, rolls back their transactions, checkpoints. */
        FAST,
        /**
         * Kills the server without a shutdown checkpoint: the next start runs crash recovery. The embedded server
         * runs with {@code synchronous_commit = off}, so commits of the last ~200 ms may be lost; commit with
         * {@code SET synchronous_commit = on} what must survive.
         */
        IMMEDIATE
    }
}
