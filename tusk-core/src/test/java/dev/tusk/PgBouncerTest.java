package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Behind Debian's PgBouncer in transaction pooling mode (started here when installed; {@code .ci/run}
 * installs it), on both drivers: with {@code prepareThreshold(null)} nothing is named on the server, so statements work
 * whichever server connection the pooler picks; the startup falls back to protocol 3.0.
 */
@TuskTest
@Timeout(60)
class PgBouncerTest {
    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");

    /** A PgBouncer in front of the test database, one server connection for everyone. */
    private static final class Bouncer implements AutoCloseable {
        final int port;
        final Process process;
        final Path dir;

        Bouncer(TestDatabase db) throws IOException, InterruptedException {
            dir = Files.createTempDirectory("tusk-pgbouncer");
            try (ServerSocket s = new ServerSocket(0)) {
                port = s.getLocalPort();
            }
            Files.writeString(dir.resolve("users.txt"), "\"" + db.superuser() + "\" \"\"\n");
            Files.writeString(dir.resolve("pgbouncer.ini"), String.join("\n",
                    "[databases]",
                    db.dbname() + " = host=127.0.0.1 port=" + db.port() + " dbname=" + db.dbname(),
                    "[pgbouncer]",
                    "listen_addr = 127.0.0.1",
                    "listen_port = " + port,
                    "unix_socket_dir =",
                    "auth_type = trust",
                    "auth_file = " + dir.resolve("users.txt"),
                    "pool_mode = transaction",
                    "default_pool_size = 1",
                    "ignore_startup_parameters = extra_float_digits,options,DateStyle,client_encoding",
                    "logfile = " + dir.resolve("pgbouncer.log"),
                    ""));
            List<String> cmd = new ArrayList<>();
            if ("root".equals(System.getProperty("user.name"))) {
                cmd.addAll(List.of("unshare", "-U")); // PgBouncer refuses to run as root
            }
            cmd.addAll(List.of(BINARY.toString(), dir.resolve("pgbouncer.ini").toString()));
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (true) {
                try (Socket probe = new Socket("127.0.0.1", port)) {
                    return;
                } catch (IOException notYet) {
                    if (!process.isAlive() || System.nanoTime() > deadline) {
                        throw new IOException("pgbouncer did not start: " + Files.readString(dir.resolve("stdout.log")));
                    }
                    Thread.sleep(50);
                }
            }
        }

        @Override
        public void close() {
            process.destroy();
        }
    }

    private static ConnectOptions<Row> through(Bouncer bouncer, TestDatabase db) {
        String ci = "host=127.0.0.1 port=" + bouncer.port + " dbname=" + db.dbname() + " user=" + db.superuser()
                + " sslmode=disable";
        return ConnectOptions.builder().conninfo(ci).prepareThreshold(null).autocommit(true).build();
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void transactionPoolingWorksWithPrepareThresholdNull(Flavour flavour, TestDatabase db) throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "pgbouncer is not installed (apt-get install pgbouncer)");
        try (Bouncer bouncer = new Bouncer(db);
             Flavour.Session a = flavour.open(through(bouncer, db)); Flavour.Session b = flavour.open(through(bouncer, db))) {
            assertThat(a.info().fullProtocolVersion()).as("PgBouncer answers 3.0").isEqualTo(30000);
            for (int i = 0; i < 50; i++) {
                Flavour.Session c = i % 2 == 0 ? a : b; // both share PgBouncer's single server connection
                assertThat(c.one("SELECT %s::int * 2", i).getInt(0)).isEqualTo(i * 2);
            }
            assertThat(a.one("SELECT count(*) FROM pg_prepared_statements").getLong(0))
                    .as("nothing named on the server").isZero();
        }
    }

    @Test
    void transactionsAndExecutemanyNameNothing(TestDatabase db) throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "pgbouncer is not installed (apt-get install pgbouncer)");
        try (Bouncer bouncer = new Bouncer(db); Connection<Row> a = Connection.connect(through(bouncer, db))) {
            a.transaction(tx -> a.execute("SELECT %s::text", "in a transaction").fetchone());
            a.cursor().executemany("SELECT %s::int", List.of(List.of(1), List.of(2)));
            assertThat(a.execute("SELECT count(*) FROM pg_prepared_statements").fetchone().getLong(0)).isZero();
        }
    }

    @Test
    void asyncTransactionsAndExecutemanyNameNothing(TestDatabase db) throws Exception {
        assumeTrue(Files.isExecutable(BINARY), "pgbouncer is not installed (apt-get install pgbouncer)");
        try (Bouncer bouncer = new Bouncer(db); AsyncConnection<Row> a = AsyncConnection.connect(through(bouncer, db)).join()) {
            a.transaction(tx -> a.execute("SELECT %s::text", "in a transaction")).join();
            a.cursor().executemany("SELECT %s::int", List.of(List.of(1), List.of(2))).join();
            assertThat(a.execute("SELECT count(*) FROM pg_prepared_statements").join().fetchone().getLong(0)).isZero();
        }
    }
}
