package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.ExecuteOptions;
import dev.tusk.Notify;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * The deadline suite: every blocking call against a frozen server (a FaultProxy that stops forwarding or
 * trickles, a listener that accepts and never answers, a SIGSTOPped backend) returns within its deadline plus a
 * margin, with an OperationalException that says which deadline ran out. The timeouts run the tests in a
 * thread of their own, so that even a call blocked in a socket read cannot hang the build.
 */
@TuskTest
class DeadlineTest {
    /** What a loaded CI machine may add to a deadline. */
    private static final Duration MARGIN = Duration.ofMillis(2500);

    private static ConnectOptions.Builder<Row> via(FaultProxy proxy, TestDatabase db, Integer connectTimeout) {
        return Faults.via(proxy, db).connectTimeout(connectTimeout);
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    // ---------------------------------------------------------------- connect

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void connectGivesUpAtConnectTimeoutWhenTheServerTricklesBytes(TestDatabase db) { // trust #6
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.throttle(100); // a few bytes every 50 ms: no read waits 2 s, yet the startup takes ~5 s
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Connection.connect(via(proxy, db, 2).build()).close());
            assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("timed out after 2 s")
                    .hasMessageContaining("connect_timeout");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void connectGivesUpAtConnectTimeoutWhenAFakeServerTricklesAMessage() { // trust #6
        // the server announces an authentication request, then sends it one byte every 300 ms
        try (FakeServer server = FakeServer.start(s -> {
            s.raw(new byte[] {'R', 0, 0, 0, 100}).flush();
            for (int i = 0; i < 96; i++) {
                sleep(300);
                s.raw(new byte[] {0}).flush();
            }
        })) {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Connection.connect(server.conninfo() + " connect_timeout=2").close());
            assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("connect_timeout");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void asyncConnectGivesUpAtConnectTimeoutWhenTheServerTricklesBytes(TestDatabase db) throws Exception { // trust #6
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            proxy.throttle(100);
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> AsyncConnection.connect(via(proxy, db, 2).build())
                    .get(20, TimeUnit.SECONDS).close());
            assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
            assertThat(t).isInstanceOf(ExecutionException.class);
            assertThat(t.getCause()).isInstanceOf(OperationalException.class).hasMessageContaining("connect_timeout");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void connectGivesUpAtConnectTimeoutWhenTheServerNeverAnswers() throws Exception {
        // the kernel completes the TCP handshake from the backlog; nobody ever reads or writes
        try (ServerSocket frozen = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> Connection.connect("host=127.0.0.1 port=" + frozen.getLocalPort()
                    + " user=u dbname=d sslmode=prefer connect_timeout=2").close());
            assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("connect_timeout");
        }
    }

    // ---------------------------------------------------------------- statement timeout

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void aStatementTimeoutEndsTheCallWhenTheBackendIsFrozen(TestDatabase db) throws Exception { // trust #5
        ConnectOptions<Row> options = ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
        Connection<Row> conn = Connection.connect(options);
        int pid = conn.execute("SELECT pg_backend_pid()").fetchone().getInt(0);
        signal("STOP", pid);
        // resumed in the finally block; and in any case after 25 s, should this thread be stuck
        CompletableFuture.runAsync(() -> resume(pid), CompletableFuture.delayedExecutor(25, TimeUnit.SECONDS));
        try {
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(300)).build();
            long t0 = System.nanoTime();
            // the postmaster takes the cancel request, but the stopped backend never answers
            Throwable t = catchThrowable(() -> conn.execute("SELECT 1", List.of(), opts));
            // 300 ms, then a grace period of 1 s (at least) after the cancel request
            assertThat(since(t0)).isLessThan(Duration.ofMillis(1300).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("statement timeout")
                    .hasMessageContaining("300 ms")
                    .hasMessageContaining("did not answer")
                    .hasMessageContaining("broken");
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.isClosed()).isTrue();
            long c0 = System.nanoTime();
            conn.close(); // on the same thread, after the timed-out statement: never waits for the frozen backend
            assertThat(since(c0)).isLessThan(Duration.ofMillis(500));
            Throwable next = catchThrowable(() -> conn.execute("SELECT 1"));
            assertThat(next).isInstanceOf(OperationalException.class);
        } finally {
            signal("CONT", pid);
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void aStatementTimeoutEndsTheCallWhenTheNetworkFreezesAndTheCancelCannotBeSent(TestDatabase db) { // trust #5
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> conn = Connection.connect(Faults.via(proxy, db).autocommit(true).build())) {
            proxy.silentFromStart(); // the cancel request's own connection is never answered either
            proxy.failNow(FaultProxy.Action.SILENCE);
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(300)).build();
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> conn.execute("SELECT 1", List.of(), opts));
            assertThat(since(t0)).isLessThan(Duration.ofMillis(1300).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("statement timeout")
                    .hasMessageContaining("cancel request could not be sent")
                    .hasMessageContaining("broken");
            assertThat(conn.isBroken()).isTrue();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void aStatementTimeoutEndsTheCallWhenOnlyTheSessionFreezes(TestDatabase db) { // trust #5
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> conn = Connection.connect(Faults.via(proxy, db).autocommit(true).build())) {
            proxy.failNow(FaultProxy.Action.SILENCE); // the cancel request gets through; no answer ever comes back
            ExecuteOptions opts = ExecuteOptions.builder().timeout(Duration.ofMillis(300)).build();
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(() -> conn.execute("SELECT pg_sleep(30)", List.of(), opts));
            assertThat(since(t0)).isLessThan(Duration.ofMillis(1300).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("did not answer");
            assertThat(conn.isBroken()).isTrue();
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void cancelGivesUpAtConnectTimeoutWhenThePostmasterIsFrozen(TestDatabase db) { // trust #7
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> conn = Connection.connect(via(proxy, db, 2).autocommit(true).build())) {
            proxy.silentFromStart(); // accepts the cancel request's connection and never answers
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(conn::cancel);
            assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("cancel request")
                    .hasMessageContaining("connect_timeout");
            assertThat(conn.isBroken()).isFalse(); // the session itself is fine
        }
    }

    @Test
    @Timeout(value = 40, threadMode = SEPARATE_THREAD)
    void cancelWithoutConnectTimeoutGivesUpAtItsDefaultBound(TestDatabase db) { // trust #7
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> conn = Connection.connect(Faults.via(proxy, db).autocommit(true).build())) {
            proxy.silentFromStart();
            long t0 = System.nanoTime();
            Throwable t = catchThrowable(conn::cancel);
            assertThat(since(t0)).isBetween(Duration.ofSeconds(9), Duration.ofSeconds(10).plus(MARGIN));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("10000 ms");
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void asyncCancelGivesUpAtConnectTimeoutWhenThePostmasterIsFrozen(TestDatabase db) throws Exception { // trust #7
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            AsyncConnection<Row> conn = AsyncConnection.connect(via(proxy, db, 2).build()).get(20, TimeUnit.SECONDS);
            try {
                proxy.silentFromStart();
                long t0 = System.nanoTime();
                Throwable t = catchThrowable(() -> conn.cancel().get(20, TimeUnit.SECONDS));
                assertThat(since(t0)).isLessThan(Duration.ofSeconds(2).plus(MARGIN));
                assertThat(t).isInstanceOf(ExecutionException.class);
                assertThat(t.getCause()).isInstanceOf(OperationalException.class).hasMessageContaining("connect_timeout");
            } finally {
                conn.close();
            }
        }
    }

    // ---------------------------------------------------------------- close, notifies

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void closeReturnsAtOnceWhenTheServerIsFrozen(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db)) {
            Connection<Row> conn = Connection.connect(Faults.via(proxy, db).autocommit(true).build());
            proxy.failNow(FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            conn.close();
            assertThat(since(t0)).isLessThan(Duration.ofMillis(500));
            assertThat(conn.isClosed()).isTrue();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void notifiesWithATimeoutEndsOnTimeWhenTheServerIsFrozen(TestDatabase db) {
        try (FaultProxy proxy = Faults.proxyTo(db);
             Connection<Row> conn = Connection.connect(Faults.via(proxy, db).autocommit(true).build())) {
            conn.execute("LISTEN deadline_test");
            proxy.failNow(FaultProxy.Action.SILENCE);
            long t0 = System.nanoTime();
            List<Notify> got = conn.notifies(Duration.ofMillis(700), null).toList();
            assertThat(since(t0)).isBetween(Duration.ofMillis(600), Duration.ofMillis(700).plus(MARGIN));
            assertThat(got).isEmpty();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static void signal(String signal, int pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("kill -" + signal + " " + pid).isZero();
    }

    private static void resume(int pid) {
        try {
            new ProcessBuilder("kill", "-CONT", Integer.toString(pid)).start().waitFor(10, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
