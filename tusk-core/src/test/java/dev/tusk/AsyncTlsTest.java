package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.QueryCanceled;
import dev.tusk.testing.EmbeddedPostgresServer;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What the event-loop driver must get right over TLS beyond connecting ({@link TlsTest} covers the sslmodes,
 * checks and certificates on both drivers): results and parameters of several megabytes (many TLS records,
 * buffers that grow), many statements pipelined on several connections sharing the loop, notifications
 * arriving unasked, cancellation, a backend killed under the connection, an orderly close, and servers that
 * misbehave around the handshake. {@code pg_stat_ssl} proves the session is encrypted.
 */
@TuskTest
@Timeout(120)
class AsyncTlsTest {
    private static TestCertificates pki;
    private static EmbeddedPostgresServer tls;
    private static TestDatabase db;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(TestCertificates.opensslAvailable(), "needs the openssl command");
        pki = TestCertificates.create();
        tls = TlsTest.startServer(pki);
        db = tls.createDatabase("async_tls");
    }

    @AfterAll
    static void stop() {
        if (db != null) {
            db.close();
        }
        if (tls != null) {
            tls.close();
        }
    }

    private static String conninfo(String extra) {
        return "host=localhost port=" + tls.port() + " dbname=" + db.dbname() + " user=" + db.superuser()
                + " connect_timeout=10 sslmode=verify-full sslrootcert=" + pki.file("ca.crt") + " " + extra;
    }

    private static AsyncConnection<Row> connect() {
        return AsyncConnection.connect(conninfo("")).join();
    }

    private static boolean encrypted(AsyncConnection<Row> c) {
        return c.execute("SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()").join().fetchone().getBoolean(0);
    }

    private static String md5(byte[] data) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
    }

    @Test
    void aResultOfSeveralMegabytesArrivesWhole() throws Exception {
        try (AsyncConnection<Row> c = connect()) {
            assertThat(encrypted(c)).isTrue();
            // one 8 MB value: a single message spread over hundreds of TLS records
            Row big = c.execute("SELECT v, md5(v) FROM (SELECT repeat('tusk', 2 * 1024 * 1024) || 'end' AS v) s").join().fetchone();
            String v = big.getString(0);
            assertThat(v).hasSize(8 * 1024 * 1024 + 3).startsWith("tusktusk").endsWith("end");
            assertThat(md5(v.getBytes(StandardCharsets.UTF_8))).isEqualTo(big.getString(1));
            // many rows, about 6 MB in all
            List<Row> rows = c.execute("SELECT i, repeat(chr(65 + i % 26), 1000) FROM generate_series(1, 6000) i").join().fetchall();
            assertThat(rows).hasSize(6000);
            for (Row r : rows) {
                int i = r.getInt(0);
                assertThat(r.getString(1)).hasSize(1000).matches(String.valueOf((char) (65 + i % 26)) + "+");
            }
            assertThat(c.execute("SELECT 1").join().fetchone().getInt(0)).as("the stream stays in step").isEqualTo(1);
        }
    }

    @Test
    void aParameterOfSeveralMegabytesLeavesWhole() throws Exception {
        byte[] payload = new byte[6 * 1024 * 1024 + 7];
        new java.util.Random(42).nextBytes(payload);
        StringBuilder text = new StringBuilder(3 * 1024 * 1024);
        for (int i = 0; text.length() < 3 * 1024 * 1024; i++) {
            text.append(i).append(',');
        }
        try (AsyncConnection<Row> c = connect()) {
            Row r = c.execute("SELECT length(%s::bytea), md5(%s::bytea), length(%s::text), md5(%s::text)",
                    payload, payload, text.toString(), text.toString()).join().fetchone();
            assertThat(r.getLong(0)).isEqualTo(payload.length);
            assertThat(r.getString(1)).isEqualTo(md5(payload));
            assertThat(r.getLong(2)).isEqualTo(text.length());
            assertThat(r.getString(3)).isEqualTo(md5(text.toString().getBytes(StandardCharsets.UTF_8)));
        }
    }

    @Test
    void manyPipelinedStatementsOnSeveralConnectionsAllGetTheirOwnAnswer() {
        List<AsyncConnection<Row>> conns = new ArrayList<>();
        try {
            for (int i = 0; i < 4; i++) {
                conns.add(connect());
            }
            String pad = "p".repeat(50_000); // enough to fill socket buffers: partial writes, OP_WRITE, records split
            List<CompletableFuture<String>> answers = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int n = 0; n < 300; n++) {
                AsyncConnection<Row> c = conns.get(n % conns.size());
                String tag = "q" + n + (n % 10 == 0 ? pad : "");
                expected.add(tag + ":" + (n * 2));
                int arg = n;
                answers.add(c.execute("SELECT %s || ':' || (%s::int * 2)::text", tag, arg)
                        .thenApply(cur -> cur.fetchone().getString(0)));
            }
            CompletableFuture.allOf(answers.toArray(new CompletableFuture[0])).orTimeout(60, TimeUnit.SECONDS).join();
            for (int n = 0; n < answers.size(); n++) {
                assertThat(answers.get(n).join()).as("statement %d", n).isEqualTo(expected.get(n));
            }
            for (AsyncConnection<Row> c : conns) {
                assertThat(encrypted(c)).isTrue();
            }
        } finally {
            conns.forEach(AsyncConnection::close);
        }
    }

    @Test
    void notificationsArriveUnaskedOverTls() throws Exception {
        try (AsyncConnection<Row> c = connect()) {
            LinkedBlockingQueue<String> got = new LinkedBlockingQueue<>();
            c.addNotifyHandler(n -> got.add(n.channel() + "/" + n.payload()));
            c.execute("LISTEN tusk_tls").join();
            c.commit().join();
            db.admin("NOTIFY tusk_tls, 'one'; NOTIFY tusk_tls, 'two'");
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("tusk_tls/one");
            assertThat(got.poll(10, TimeUnit.SECONDS)).isEqualTo("tusk_tls/two");
        }
    }

    @Test
    void cancelStopsAStatementOverTlsAndTheConnectionGoesOn() {
        try (AsyncConnection<Row> c = connect()) {
            CompletableFuture<AsyncCursor<Row>> sleeping = c.execute("SELECT pg_sleep(30)");
            waitUntilActive(c);
            c.cancel().orTimeout(10, TimeUnit.SECONDS).join();
            assertThatThrownBy(sleeping::join).isInstanceOf(CompletionException.class).cause().isInstanceOf(QueryCanceled.class);
            c.rollback().join();
            assertThat(c.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
            assertThat(encrypted(c)).isTrue();
        }
    }

    private static void waitUntilActive(AsyncConnection<Row> c) {
        int pid = c.info().backendPid();
        for (int i = 0; i < 200; i++) {
            if ("active".equals(db.adminQuery("SELECT coalesce(state, '') FROM pg_stat_activity WHERE pid = " + pid))) {
                return;
            }
            sleep(25);
        }
        throw new AssertionError("the statement never started");
    }

    @Test
    void aBackendKilledUnderTheConnectionBreaksItClearly() {
        try (AsyncConnection<Row> c = connect()) {
            int pid = c.info().backendPid();
            db.admin("SELECT pg_terminate_backend(" + pid + ")");
            assertThatThrownBy(() -> c.execute("SELECT 1").orTimeout(10, TimeUnit.SECONDS).join())
                    .isInstanceOf(CompletionException.class).cause().isInstanceOf(OperationalException.class);
            assertThat(c.isBroken()).isTrue();
        }
    }

    @Test
    void closeEndsTheSessionOnTheServer() {
        AsyncConnection<Row> c = AsyncConnection.connect(conninfo("application_name=tusk_tls_close")).join();
        int pid = c.info().backendPid();
        assertThat(db.adminQuery("SELECT count(*) FROM pg_stat_ssl WHERE pid = " + pid + " AND ssl")).isEqualTo("1");
        c.closeAsync().orTimeout(10, TimeUnit.SECONDS).join();
        assertThat(c.isClosed()).isTrue();
        for (int i = 0; i < 200 && !"0".equals(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)); i++) {
            sleep(25);
        }
        assertThat(db.adminQuery("SELECT count(*) FROM pg_stat_activity WHERE pid = " + pid)).as("backend gone").isEqualTo("0");
        assertThatThrownBy(() -> c.execute("SELECT 1").join()).isInstanceOf(CompletionException.class)
                .cause().isInstanceOf(OperationalException.class);
    }

    // ------------------------------------------------------------ servers that misbehave around the handshake

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void plaintextInjectedAfterTheTlsAnswerIsRefused(Flavour f) throws Exception {
        // "S" and a forged message in one write (CVE-2021-23222): the client must not read it as the server's
        try (RawServer server = RawServer.start(s -> s.write("SZ\0\0\0\5I".getBytes(StandardCharsets.US_ASCII)))) {
            assertThatThrownBy(() -> f.queryOnce(ConnectOptions.of(server.conninfo("sslmode=require")), "SELECT 1"))
                    .isInstanceOf(OperationalException.class);
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aServerThatAcceptsTlsThenSaysNothingTimesOut(Flavour f) throws Exception {
        try (RawServer server = RawServer.start(s -> s.write(new byte[] {'S'}))) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> f.queryOnce(ConnectOptions.of(server.conninfo("sslmode=require connect_timeout=2")), "SELECT 1"))
                    .isInstanceOf(OperationalException.class).hasMessageContaining("timed out");
            assertThat(System.nanoTime() - start).isLessThan(TimeUnit.SECONDS.toNanos(8));
        }
    }

    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aServerThatHangsUpDuringTheHandshakeFailsTheConnect(Flavour f) throws Exception {
        try (RawServer server = RawServer.start(s -> {
            s.write(new byte[] {'S'});
            throw new IOException("hang up"); // closes the socket after the ClientHello arrives
        })) {
            assertThatThrownBy(() -> f.queryOnce(ConnectOptions.of(server.conninfo("sslmode=require")), "SELECT 1"))
                    .isInstanceOf(OperationalException.class);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Accepts connections; reads each one's first packet (the SSLRequest), then lets {@code answer} write. */
    private static final class RawServer implements AutoCloseable {
        interface Answer {
            void write(java.io.OutputStream out) throws IOException;
        }

        private final ServerSocket listener;

        private RawServer(Answer answer) throws IOException {
            listener = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
            Thread t = new Thread(() -> {
                while (!listener.isClosed()) {
                    try (Socket s = listener.accept()) {
                        DataInputStream in = new DataInputStream(s.getInputStream());
                        in.skipNBytes(in.readInt() - 4);
                        try {
                            answer.write(s.getOutputStream());
                            s.getOutputStream().flush();
                            s.setSoTimeout(5000);
                            while (in.read() >= 0) {
                                // wait until the client gives up
                            }
                        } catch (IOException hangUp) {
                            in.read(); // the ClientHello, then the socket closes
                        }
                    } catch (IOException e) {
                        // closed
                    }
                }
            }, "raw-server");
            t.setDaemon(true);
            t.start();
        }

        static RawServer start(Answer answer) throws IOException {
            return new RawServer(answer);
        }

        String conninfo(String extra) {
            return "host=127.0.0.1 port=" + listener.getLocalPort() + " user=u dbname=d connect_timeout=5 " + extra;
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
