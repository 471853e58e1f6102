package dev.tusk.faults;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A COPY closed or aborted while another thread reads or writes it from a backend frozen by SIGSTOP, without a
 * statement timeout (that thread would wait for ever): the close never waits for that thread's call, which holds the
 * connection; it returns within 50 ms and what a loaded machine adds, the connection is closed under the call, which
 * fails, and {@code isBroken()} is true. Over TCP and a Unix-domain socket. Every wait is bounded by the test itself:
 * a close stuck in {@code Lock.lock()} cannot be interrupted by JUnit.
 */
@TuskTest
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrozenCopyCloseTest {
    /** What the close may take: its own wait for the connection is 50 ms. */
    private static final Duration PROMPT = Duration.ofMillis(1500);
    /** Five million rows, the first at once, in order. */
    private static final String COPY_OUT = "COPY (WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r) TO STDOUT";

    /** Rows the other thread has read or written. */
    private final AtomicLong progress = new AtomicLong();

    /** Daemon threads: a call that hangs must not keep the JVM. */
    private final StepThreads steps = new StepThreads("frozen-copy-close-test");
    private final ExecutorService threads = steps.executor();

    @AfterEach
    void stopThreads() {
        steps.close();
    }

    private static Connection<Row> connect(TestDatabase db, String transport) {
        String conninfo = "unix".equals(transport) ? db.unixSocketConninfo() : db.conninfo() + " sslmode=disable";
        return Connection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true).build());
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void closingACopyToAnotherThreadReadsFromAFrozenBackendReturnsAtOnce(String transport, TestDatabase db)
            throws Exception {
        copyToEndedUnderTheReader(db, transport, Copy::close);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void abortingACopyToAnotherThreadReadsFromAFrozenBackendReturnsAtOnce(String transport, TestDatabase db)
            throws Exception {
        copyToEndedUnderTheReader(db, transport, copy -> copy.abort("test"));
    }

    private void copyToEndedUnderTheReader(TestDatabase db, String transport, java.util.function.Consumer<Copy> end)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            Copy copy = conn.cursor().copy(COPY_OUT);
            assertThat(copy.read()).isNotNull();
            Throwable t = endedUnderTheOtherThread(conn, () -> {
                while (copy.read() != null) { // what the socket holds, then a wait on the frozen server
                    progress.incrementAndGet();
                }
                return null;
            }, () -> {
                end.accept(copy);
                return null;
            });
            assertThat(t).as("the close, quiet").isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void closingACopyFromAnotherThreadWritesToAFrozenBackendReturnsAtOnceAndCopiesNothing(String transport,
            TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        String table = "frozen_copy_close_" + transport;
        db.admin("CREATE TABLE " + table + " (s text)");
        try (Connection<Row> conn = connect(db, transport)) {
            Copy copy = conn.cursor().copy("COPY " + table + " FROM STDIN");
            copy.writeRow("before the freeze");
            Throwable t = endedUnderTheOtherThread(conn, () -> {
                for (int i = 0; i < 2_000_000; i++) { // far more than the socket buffers: the write blocks
                    copy.writeRow("row " + i + " of a copy the frozen backend never reads");
                    progress.incrementAndGet();
                }
                return null;
            }, () -> {
                copy.close();
                return null;
            });
            assertThat(t).isInstanceOf(ProgrammingException.class).hasMessageContaining("nothing was copied");
        }
        assertThat(db.adminQuery("SELECT count(*) FROM " + table)).as("rows copied").isEqualTo("0");
    }

    /** Waits (bounded) until the other thread has made no progress for 500 ms: it is blocked on the frozen server. */
    private void awaitStalled() throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        long seen = -1;
        while (progress.get() != seen) {
            assertThat(System.nanoTime()).as("the other thread stopped on the frozen server").isLessThan(end);
            seen = progress.get();
            Thread.sleep(500);
        }
    }

    /**
     * Freezes {@code conn}'s backend, starts {@code other} on another thread, runs {@code close} on a third while
     * {@code other} waits on the frozen server, and checks: the close returns within {@link #PROMPT}, {@code other}
     * fails soon after, the connection says it is broken. Returns what the close raised.
     */
    private Throwable endedUnderTheOtherThread(Connection<Row> conn, Callable<Void> other, Callable<Void> close)
            throws Exception {
        Throwable[] closed = new Throwable[1];
        FrozenBackend.frozen(conn.info().backendPid(), () -> {
            Future<Throwable> running = threads.submit(() -> catchThrowable(other::call));
            awaitStalled(); // it has taken what the socket held, or filled its buffers: it waits on the server
            assertThat(running.isDone()).as("the other thread still waits on the frozen server").isFalse();
            long t0 = System.nanoTime();
            Future<Throwable> closing = threads.submit(() -> catchThrowable(close::call));
            try {
                closed[0] = closing.get(PROMPT.toMillis() + 3000, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the close waited for the other thread's call on the frozen server", e);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("the close while another thread waits")
                    .isLessThan(PROMPT);
            Throwable t = running.get(5, TimeUnit.SECONDS);
            assertThat(t).as("the other thread, after the connection was closed under it")
                    .isInstanceOf(TuskException.class);
            assertThat(conn.isBroken()).as("the connection closed under that call says so").isTrue();
            assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class);
        });
        return closed[0];
    }
}
