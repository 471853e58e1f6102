package dev.tusk.replication;

import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.PostgresServer;
import dev.tusk.testing.TestDatabase;

/**
 * The server the replication tests run against: a dedicated embedded PostgreSQL with {@code wal_level=logical}
 * (the shared one runs with the default {@code replica}), started once for all of them and stopped when the JVM
 * exits. The harness's pg_hba.conf already trusts replication connections from 127.0.0.1.
 */
final class ReplicationServer {
    private static EmbeddedPostgresServer server;

    private ReplicationServer() {
    }

    static synchronized EmbeddedPostgresServer get() {
        if (server == null) {
            EmbeddedPostgresServer s = PostgresServer.dedicated(b -> b
                    .setting("wal_level", "logical")
                    .setting("max_wal_senders", "20")
                    .setting("max_replication_slots", "20")
                    .setting("logical_decoding_work_mem", "64kB"));
            Runtime.getRuntime().addShutdownHook(new Thread(s::close, "replication-test-server-stop"));
            newTimeline(s);
            server = s;
        }
        return server;
    }

    /**
     * Moves the server to timeline 2, so that TIMELINE_HISTORY has a history file to return: an archive recovery
     * ({@code recovery.signal}) that finds no archive ends at the end of the local WAL on a new timeline.
     */
    private static void newTimeline(EmbeddedPostgresServer s) {
        s.stop();
        try {
            java.nio.file.Files.writeString(s.dataDirectory().resolve("recovery.signal"), "");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        s.appendConfig("restore_command = 'false'");
        s.start();
        // pg_ctl returns once hot standby accepts connections: wait for the end of the recovery (read-write)
        try (dev.tusk.Connection<dev.tusk.Row> c = dev.tusk.Connection.connect(s.conninfo("postgres"))) {
            long deadline = System.nanoTime() + java.time.Duration.ofSeconds(60).toNanos();
            while (c.execute("SELECT pg_is_in_recovery()").fetchone().getBoolean(0)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("the replication test server did not leave recovery within 60 s");
                }
                c.rollback();
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            }
        }
    }

    /** A fresh database on the replication server. */
    static TestDatabase database(String label) {
        return get().createDatabase(label);
    }
}
