package dev.tusk.testing;

import java.util.concurrent.locks.ReentrantLock;

/**
 * The one server per test JVM: the {@code TUSK_TEST_DSN} server if that variable is set, otherwise an embedded
 * server started on first use and stopped by a shutdown hook.
 */
final class SharedServer {

    static final String DSN_VARIABLE = "TUSK_TEST_DSN";
    /** How many databases to create ahead of time (0 turns it off). */
    static final String POOL_SIZE_PROPERTY = "tusk.testing.databasePool";

    private static final ReentrantLock LOCK = new ReentrantLock();
    private static volatile AbstractServer server;

    private SharedServer() {
    }

    static AbstractServer get() {
        AbstractServer s = server;
        if (s != null) {
            return s;
        }
        LOCK.lock();
        try {
            if (server == null) {
                server = create();
            }
            return server;
        } finally {
            LOCK.unlock();
        }
    }

    /** Undoes what a test did to the shared server, if anything. */
    static void afterTest() {
        AbstractServer s = server;
        if (s instanceof EmbeddedPostgresServer) {
            ((EmbeddedPostgresServer) s).restoreBaseline();
        }
    }

    private static AbstractServer create() {
        long started = System.nanoTime();
        String dsn = System.getenv(DSN_VARIABLE);
        AbstractServer created;
        if (dsn != null && !dsn.isBlank()) {
            ExternalPostgresServer external = new ExternalPostgresServer(dsn);
            Runtime.getRuntime().addShutdownHook(new Thread(external::disableDatabasePool, "tusk-testing-pool-cleanup"));
            created = external;
        } else {
            StaleRuns.cleanUp();
            EmbeddedPostgresServer embedded = EmbeddedPostgresServer.builder().shared().start();
            Runtime.getRuntime().addShutdownHook(new Thread(embedded::destroy, "tusk-testing-postgres-stop"));
            created = embedded;
        }
        created.enableDatabasePool(Integer.getInteger(POOL_SIZE_PROPERTY, 2));
        String version = created.withAdmin(c -> Jdbc.queryValue(c, "SHOW server_version"));
        long millis = (System.nanoTime() - started) / 1_000_000;
        if (created.isEmbedded()) {
            System.err.printf("[tusk-testing] PostgreSQL %s (embedded) on %s:%d, socket dir %s, log %s; ready in %d ms%n",
                    version, created.host(), created.port(), created.unixSocketDirectory(), created.logFile(), millis);
        } else {
            System.err.printf("[tusk-testing] PostgreSQL %s from %s at %s:%d; ready in %d ms%n",
                    version, DSN_VARIABLE, created.host(), created.port(), millis);
        }
        return created;
    }
}
