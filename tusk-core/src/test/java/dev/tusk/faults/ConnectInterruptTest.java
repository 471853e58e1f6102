package dev.tusk.faults;

import dev.tusk.Connection;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.ThreadKinds;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Thread.interrupt of a thread in {@code Connection.connect}: the JDK closes the attempt's socket (a channel's) with an
 * exception whose message is null. The caller is told the connecting thread was interrupted (not "failed: null", nor
 * "Socket is closed; is the server running?"), at once, and keeps its interrupt status, whether the interrupt comes
 * before the TCP connect or during the startup exchange.
 */
@TuskTest
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConnectInterruptTest {

    private static void assertInterrupted(Object[] outcome, String saying) {
        assertThat((Throwable) outcome[0]).isInstanceOf(OperationalException.class).hasMessageContaining(saying)
                .hasMessageNotContaining("null").hasMessageNotContaining("is the server running");
        assertThat((Boolean) outcome[1]).as("interrupt status kept").isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual"})
    void anInterruptedThreadThatConnectsIsToldSo(String threads, TestDatabase db) throws Exception {
        CompletableFuture<Object[]> outcome = new CompletableFuture<>();
        Thread thread = ThreadKinds.start(threads, () -> {
            Thread.currentThread().interrupt();
            Throwable t = catchThrowable(() -> Connection.connect(db.conninfo() + " sslmode=disable").close());
            outcome.complete(new Object[] {t, Thread.interrupted()});
        });
        assumeTrue(thread != null, "virtual threads need JDK 21+ to run the tests");
        assertInterrupted(outcome.get(10, TimeUnit.SECONDS), "failed: the connecting thread was interrupted");
    }

    @ParameterizedTest
    @ValueSource(strings = {"platform", "virtual"})
    void anInterruptWhileTheServerKeepsSilentEndsTheConnectAtOnceSayingSo(String threads) throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Socket> accepted = CompletableFuture.supplyAsync(() -> {
                try {
                    return silent.accept(); // then never answers the startup message
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            CompletableFuture<Object[]> outcome = new CompletableFuture<>();
            Thread thread = ThreadKinds.start(threads, () -> {
                Throwable t = catchThrowable(() -> Connection.connect("host=127.0.0.1 port=" + silent.getLocalPort()
                        + " user=u dbname=d sslmode=disable").close());
                outcome.complete(new Object[] {t, Thread.interrupted()});
            });
            assumeTrue(thread != null, "virtual threads need JDK 21+ to run the tests");
            try (Socket s = accepted.get(10, TimeUnit.SECONDS)) {
                Thread.sleep(300); // the startup message is sent; the connecting thread waits for the answer
                assertThat(outcome).isNotDone();
                long t0 = System.nanoTime();
                thread.interrupt();
                // the startup exchange's read: the driver's own word for an interrupted read
                assertInterrupted(outcome.get(10, TimeUnit.SECONDS), "the operation was interrupted");
                assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0)).isLessThan(5_000);
            }
        }
    }
}
