package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.ThreadKinds;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Thread.interrupt of a caller of a blocking connection, over TCP and over a Unix-domain socket alike: the JDK closes
 * a TCP socket (a channel's) under an interrupted thread's I/O, so an interrupt that reaches a read or a write breaks
 * the connection. The caller learns at once that it was interrupted (not "connection to the server lost: null"), the
 * connection says it is broken, the next statement fails rather than reading another's reply, and the interrupt
 * status is kept for the caller. Over a Unix socket an interrupted thread must neither spin waiting for the reply nor
 * report a false read timeout.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class InterruptTest {
    private static Connection<Row> connect(TestDatabase db, String transport, Duration socketTimeout) {
        String conninfo = "unix".equals(transport) ? db.unixSocketConninfo() : db.conninfo() + " sslmode=disable";
        return Connection.connect(ConnectOptions.builder().conninfo(conninfo).socketTimeout(socketTimeout).build());
    }

    private static void assertInterruptedAndBroken(Throwable t, Connection<Row> conn) {
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted")
                .hasMessageContaining("broken").hasMessageNotContaining("null");
        assertThat(conn.isBroken()).isTrue();
        assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("broken");
    }

    @ParameterizedTest
    @CsvSource({"tcp, platform", "unix, platform", "tcp, virtual", "unix, virtual"})
    void anInterruptWhileWaitingForTheReplyBreaksTheConnectionAtOnceSayingSo(String transport, String threads,
            TestDatabase db) throws Exception {
        try (Connection<Row> conn = connect(db, transport, null)) {
            CompletableFuture<Object[]> outcome = new CompletableFuture<>();
            Thread thread = ThreadKinds.start(threads, () -> {
                Throwable t = catchThrowable(() -> conn.execute("SELECT pg_sleep(20)"));
                outcome.complete(new Object[] {t, Thread.interrupted()});
            });
            assumeTrue(thread != null, "virtual threads need JDK 21+ to run the tests");
            while (!conn.lock.isLocked()) {
                Thread.sleep(5);
            }
            Thread.sleep(300); // the statement is sent, the caller waits for its reply
            long t0 = System.nanoTime();
            thread.interrupt();
            Object[] out = outcome.get(10, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the interrupted call returns at once")
                    .isLessThan(Duration.ofSeconds(3));
            assertThat(out[1]).as("the interrupt status is kept for the caller").isEqualTo(true);
            assertInterruptedAndBroken((Throwable) out[0], conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aStatementStartedWithTheInterruptStatusSetFailsSayingInterrupted(String transport, TestDatabase db) {
        // a socket timeout: an interrupted wait must not pass for a read that timed out
        try (Connection<Row> conn = connect(db, transport, Duration.ofSeconds(30))) {
            Thread.currentThread().interrupt();
            Throwable t;
            try {
                t = catchThrowable(() -> conn.execute("SELECT pg_sleep(0.5)"));
            } finally {
                assertThat(Thread.interrupted()).as("the interrupt status is kept for the caller").isTrue();
            }
            assertInterruptedAndBroken(t, conn);
        }
    }
}
