package dev.tusk.async;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * One embedded PostgreSQL for the async tests, started on first use and stopped at JVM exit. Stands in
 * for the tusk-testing harness until it lands.
 */
final class AsyncTestServer {
    private static EmbeddedPostgres server;

    private AsyncTestServer() {
    }

    static synchronized String conninfo(String extra) {
        if (server == null) {
            try {
                server = EmbeddedPostgres.builder().start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres s = server;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    s.close();
                } catch (IOException ignored) {
                    // exiting anyway
                }
            }));
        }
        return "host=127.0.0.1 port=" + server.getPort() + " user=postgres dbname=postgres " + extra;
    }

    static String conninfo() {
        return conninfo("sslmode=disable");
    }
}
