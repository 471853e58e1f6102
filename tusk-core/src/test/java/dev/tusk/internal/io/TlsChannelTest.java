package dev.tusk.internal.io;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@link TlsChannel} against the JDK's own TLS server (an echo server on an SSLServerSocket, with a key made
 * by {@code keytool}), its buffers starting tiny so that every one of them must grow: the handshake with
 * tasks, a megabyte each way through non-blocking writes and reads of odd sizes, TLS 1.3's session tickets
 * after the handshake, and close_notify, which the server sees as an orderly end of stream.
 */
@Timeout(60)
class TlsChannelTest {
    private static Path dir;
    private static SSLContext serverContext;

    @BeforeAll
    static void keyPair() throws Exception {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        assumeTrue(Files.isExecutable(keytool), "needs the JDK's keytool");
        dir = Files.createTempDirectory("tusk-tls-channel");
        Path store = dir.resolve("server.p12");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", "secret", "-alias", "server", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2")
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            ks.load(in, "secret".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "secret".toCharArray());
        serverContext = SSLContext.getInstance("TLS");
        serverContext.init(kmf.getKeyManagers(), null, null);
    }

    @AfterAll
    static void clean() throws IOException {
        if (dir != null) {
            try (var files = Files.list(dir)) {
                for (Path f : files.toList()) {
                    Files.delete(f);
                }
            }
            Files.delete(dir);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"TLSv1.2", "TLSv1.3"})
    void aMegabyteEachWayThroughBuffersThatStartTiny(String version) throws Exception {
        try (SSLServerSocket listener = (SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            listener.setEnabledProtocols(new String[] {version});
            CompletableFuture<String> serverEnd = CompletableFuture.supplyAsync(() -> echo(listener));

            byte[] payload = new byte[1024 * 1024 + 13];
            new Random(7).nextBytes(payload);
            try (SocketChannel channel = SocketChannel.open(new InetSocketAddress(InetAddress.getLoopbackAddress(), listener.getLocalPort()));
                 Selector selector = Selector.open()) {
                channel.configureBlocking(false);
                SelectionKey key = channel.register(selector, SelectionKey.OP_READ);
                TlsChannel tls = new TlsChannel(channel, clientEngine(version), 64, 16);

                TlsChannel.Step step;
                while ((step = tls.handshake()) != TlsChannel.Step.DONE) {
                    if (step == TlsChannel.Step.TASKS) {
                        CompletableFuture<Void> done = new CompletableFuture<>();
                        tls.runTasks(Runnable::run, () -> done.complete(null));
                        done.get(10, TimeUnit.SECONDS);
                    } else {
                        await(selector, key, step == TlsChannel.Step.WRITE ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
                    }
                }
                assertThat(tls.engine().getSession().getProtocol()).isEqualTo(version);
                assertThat(tls.peerCertificate()).isInstanceOf(X509Certificate.class);

                ByteBuffer src = ByteBuffer.wrap(payload);
                ByteArrayOutputStream echoed = new ByteArrayOutputStream();
                ByteBuffer dst = ByteBuffer.allocate(1000); // odd sizes: records are cut across reads
                while (echoed.size() < payload.length) {
                    if (src.hasRemaining()) {
                        int limit = src.limit();
                        src.limit(Math.min(limit, src.position() + 70_001));
                        tls.write(src);
                        src.limit(limit);
                    } else {
                        tls.flush();
                    }
                    dst.clear();
                    int n = tls.read(dst);
                    assertThat(n).as("no end of stream before everything came back").isNotNegative();
                    echoed.write(dst.array(), 0, dst.position());
                    if (n == 0 && !tls.hasBufferedInput()) {
                        await(selector, key, SelectionKey.OP_READ | (src.hasRemaining() || tls.hasPendingOutput() ? SelectionKey.OP_WRITE : 0));
                    }
                }
                assertThat(echoed.toByteArray()).isEqualTo(payload);

                tls.closeOutbound();
                assertThat(tls.hasPendingOutput()).isFalse();
                assertThat(serverEnd.get(10, TimeUnit.SECONDS)).isEqualTo("end of stream after " + payload.length + " bytes");
            }
        }
    }

    private static void await(Selector selector, SelectionKey key, int ops) throws IOException {
        key.interestOps(ops);
        selector.select(5000);
        selector.selectedKeys().clear();
    }

    private static SSLEngine clientEngine(String version) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        SSLEngine engine = ctx.createSSLEngine("localhost", 5432);
        engine.setUseClientMode(true);
        engine.setEnabledProtocols(new String[] {version});
        return engine;
    }

    /** Echoes every byte back until the client's close_notify; says how the stream ended. */
    private static String echo(SSLServerSocket listener) {
        try (SSLSocket s = (SSLSocket) listener.accept()) {
            s.setSoTimeout(20_000);
            InputStream in = s.getInputStream();
            OutputStream out = s.getOutputStream();
            byte[] buf = new byte[8192];
            long total = 0;
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                out.flush();
                total += n;
            }
            return "end of stream after " + total + " bytes";
        } catch (IOException e) {
            return "failed: " + e;
        }
    }
}
