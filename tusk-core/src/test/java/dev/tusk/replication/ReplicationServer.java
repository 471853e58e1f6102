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
    }

    /** A fresh database on the replication server. */
    static TestDatabase database(String label) {
        return get().createDatabase(label);
    }
}
