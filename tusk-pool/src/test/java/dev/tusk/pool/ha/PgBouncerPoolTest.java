package dev.tusk.pool.ha;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.pool.AsyncConnectionPool;
import dev.tusk.pool.ConnectionPool;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Both pools behind Debian's PgBouncer (1.18 on Debian 12), in session mode (prepared statements as usual) and in
 * transaction mode (with {@code prepareThreshold(null)}: PgBouncer before 1.21 does not track protocol-level prepared
 * statements, so a statement prepared on one server connection would be missing on the next). Skipped when
 * {@code /usr/sbin/pgbouncer} is not installed ({@code .ci/run} installs it).
 */
@TuskTest
@Timeout(120)
class PgBouncerPoolTest {
    private static final Path BINARY = Path.of("/usr/sbin/pgbouncer");
    private static final int CLIENTS = 6;

    /** A PgBouncer in {@code mode} in front of the test database with {@code serverConnections} server connections. */
    private static final class Bouncer implements AutoCloseable {
        final int port;
        final Process process;
        final Path dir;

        Bouncer(TestDatabase db, String mode, int serverConnections) throws IOException, InterruptedException {
            assumeTrue(Files.isExecutable(BINARY), "pgbouncer is not installed (apt-get install pgbouncer): skipped");
            dir = Files.createTempDirectory("tusk-pgbouncer-pool");
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
                    "pool_mode = " + mode,
                    "default_pool_size = " + serverConnections,
                    "max_client_conn = 100",
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
                        close();
                        throw new IOException("pgbouncer did not start: " + Files.readString(dir.resolve("stdout.log")));
                    }
                    Thread.sleep(50);
                }
            }
        }

        ConnectOptions<Row> options(TestDatabase db, boolean prepare) {
            ConnectOptions.Builder<Row> b = ConnectOptions.builder().conninfo("host=127.0.0.1 port=" + port + " dbname="
                    + db.dbname() + " user=" + db.superuser() + " sslmode=disable connect_timeout=5");
            if (!prepare) {
                b.prepareThreshold(null);
            }
            return b.build();
        }

        @Override
        public void close() {
            process.destroy();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            process.destroyForcibly();
            try (Stream<Path> walk = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                    Files.deleteIfExists(p);
                }
            } catch (IOException ignored) {
                // a temp directory left behind is no test failure
            }
        }
    }

    /** {@code CLIENTS} threads each run {@code perClient} transactions through {@code pool}: insert, then commit. */
    private static void writeThroughBlockingPool(ConnectionPool<Row> pool, int perClient) throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < CLIENTS; t++) {
                int client = t;
                done.add(threads.submit(() -> {
                    for (int i = 0; i < perClient; i++) {
                        int v = client * 1000 + i;
                        pool.withConnection(c -> {
                            c.execute("INSERT INTO through_bouncer VALUES (%s, %s)", v, "blocking");
                            assertThat(c.execute("SELECT %s::int + 1", v).fetchone().getInt(0)).isEqualTo(v + 1);
                            return null;
                        });
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private static void writeThroughAsyncPool(AsyncConnectionPool<Row> pool, int perClient) {
        List<CompletableFuture<Void>> clients = new ArrayList<>();
        for (int t = 0; t < CLIENTS; t++) {
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int i = 0; i < perClient; i++) {
                int v = 100_000 + t * 1000 + i;
                chain = chain.thenCompose(x -> pool.withConnection(c -> c.execute("INSERT INTO through_bouncer VALUES (%s, %s)", v, "async")
                        .thenCompose(cur -> c.execute("SELECT %s::int + 1", v))
                        .thenAccept(cur -> assertThat(cur.fetchone().getInt(0)).isEqualTo(v + 1))));
            }
            clients.add(chain);
        }
        CompletableFuture.allOf(clients.toArray(new CompletableFuture[0])).orTimeout(60, TimeUnit.SECONDS).join();
    }

    private static long count(TestDatabase db, String who) {
        return Long.parseLong(db.adminQuery("SELECT count(*) FROM through_bouncer WHERE who = '" + who + "'"));
    }

    @Test
    void bothPoolsWorkInSessionModeWithPreparedStatements(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE through_bouncer (v int PRIMARY KEY, who text)");
        try (Bouncer bouncer = new Bouncer(db, "session", CLIENTS)) {
            try (ConnectionPool<Row> pool = ConnectionPool.builder().options(bouncer.options(db, true))
                    .minSize(2).maxSize(CLIENTS).timeout(Duration.ofSeconds(20)).open(true).build()) {
                writeThroughBlockingPool(pool, 20);
                try (Connection<Row> c = pool.connection()) {
                    assertThat(c.info().fullProtocolVersion()).as("PgBouncer answers 3.0").isEqualTo(30000);
                    for (int i = 0; i < 6; i++) {
                        c.execute("SELECT %s::int AS prepared_after_a_few_runs", i);
                    }
                    assertThat(c.execute("SELECT count(*) FROM pg_prepared_statements").fetchone().getLong(0))
                            .as("session mode: the server connection is this client's, statements are prepared")
                            .isPositive();
                    c.rollback();
                }
            }
            AsyncConnectionPool<Row> async = AsyncConnectionPool.builder().options(bouncer.options(db, true))
                    .minSize(2).maxSize(CLIENTS).timeout(Duration.ofSeconds(20)).build();
            try {
                async.open();
                writeThroughAsyncPool(async, 20);
            } finally {
                async.close();
            }
        }
        assertThat(count(db, "blocking")).isEqualTo(CLIENTS * 20L);
        assertThat(count(db, "async")).isEqualTo(CLIENTS * 20L);
    }

    @Test
    void bothPoolsWorkInTransactionModeWithPrepareThresholdNull(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE through_bouncer (v int PRIMARY KEY, who text)");
        // fewer server connections than clients: every transaction may land on another server connection
        try (Bouncer bouncer = new Bouncer(db, "transaction", 2)) {
            try (ConnectionPool<Row> pool = ConnectionPool.builder().options(bouncer.options(db, false))
                    .minSize(2).maxSize(CLIENTS).timeout(Duration.ofSeconds(20)).open(true).build()) {
                writeThroughBlockingPool(pool, 30);
                try (Connection<Row> c = pool.connection()) {
                    for (int i = 0; i < 10; i++) {
                        assertThat(c.execute("SELECT %s::int", i).fetchone().getInt(0)).isEqualTo(i);
                    }
                    assertThat(c.execute("SELECT count(*) FROM pg_prepared_statements").fetchone().getLong(0))
                            .as("nothing named on the server").isZero();
                    c.rollback();
                }
            }
            AsyncConnectionPool<Row> async = AsyncConnectionPool.builder().options(bouncer.options(db, false))
                    .minSize(2).maxSize(CLIENTS).timeout(Duration.ofSeconds(20)).build();
            try {
                async.open();
                writeThroughAsyncPool(async, 30);
                AsyncConnection<Row> c = async.connection().get(20, TimeUnit.SECONDS);
                try {
                    assertThat(c.execute("SELECT count(*) FROM pg_prepared_statements").join().fetchone().getLong(0)).isZero();
                    c.rollback().join();
                } finally {
                    c.close();
                }
            } finally {
                async.close();
            }
        }
        assertThat(count(db, "blocking")).isEqualTo(CLIENTS * 30L);
        assertThat(count(db, "async")).isEqualTo(CLIENTS * 30L);
    }
}
