package dev.tusk;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One embedded server shared by the transaction tests (prepared transactions enabled). Stand-in until the
 * tusk-testing harness ({@code @TuskTest}) is merged.
 */
final class TxServer {
    private static EmbeddedPostgres pg;
    private static final AtomicInteger TABLES = new AtomicInteger();

    private TxServer() {
    }

    static synchronized String conninfo() {
        if (pg == null) {
            try {
                pg = EmbeddedPostgres.builder().setServerConfig("max_prepared_transactions", "10").start();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            EmbeddedPostgres started = pg;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    started.close();
                } catch (IOException ignored) {
                    // the JVM is exiting
                }
            }));
        }
        return "host=127.0.0.1 port=" + pg.getPort() + " user=postgres dbname=postgres sslmode=disable";
    }

    static Connection<Row> connect() {
        return Connection.connect(conninfo());
    }

    /** A fresh table {@code (id int primary key, v text)}, committed; returns its name. */
    static String freshTable(Connection<?> conn) {
        String name = "tx_t" + TABLES.incrementAndGet();
        boolean auto = conn.autocommit();
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE " + name + " (id int PRIMARY KEY, v text)");
        conn.setAutocommit(auto);
        return name;
    }

    static long count(Connection<Row> witness, String table) {
        return witness.execute("SELECT count(*) FROM " + table).fetchone().getLong(0);
    }
}
