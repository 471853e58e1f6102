package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.internal.io.Transport;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A close's own writes (a connection's Terminate, a COPY FROM's CopyFail after the rows still buffered) to a server
 * that stopped reading, whose socket buffers are full: the write blocks, as a statement's would, and is bounded as a
 * statement's is (the statement timeout, at most the close's 3 s; then the cancel's grace and the socket closed under
 * it), with or without a statement timeout. The full buffer is made by the transport (a write that blocks until the
 * socket is closed, as the kernel's does): a real one cannot be filled by a write that completed, and every write
 * that does not complete is already bounded (FrozenWriteTest). Every wait is bounded by the test itself.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CloseWriteBoundTest {
    /** Daemon threads: a call that hangs must not keep the JVM. */
    private final StepThreads steps = new StepThreads("close-write-test");
    private final ExecutorService threads = steps.executor();

    @AfterEach
    void stopThreads() {
        steps.close();
    }

    /** Writes go through until {@link #stall()}; then a write blocks until the transport is closed, and fails. */
    private static final class FullBuffer extends ForwardingTransport {
        private final CountDownLatch closed = new CountDownLatch(1);
        private volatile boolean stalled;

        private FullBuffer(Transport inner) {
            super(inner);
        }

        static FullBuffer attach(Connection<?> conn) {
            FullBuffer t = new FullBuffer(conn.driver().transport());
            conn.driver().transport(t);
            return t;
        }

        void stall() {
            stalled = true;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (stalled) {
                try {
                    closed.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new SocketException("Socket closed");
            }
            inner.write(b, off, len);
        }

        @Override
        public void close() {
            inner.close();
            closed.countDown();
        }
    }

    private static Connection<Row> connect(TestDatabase db, Duration statementTimeout) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(statementTimeout).build());
    }

    /** The close's bound (3 s, or the statement timeout), the cancel's grace (as long, at least 1 s), a loaded machine. */
    private static Duration bound(Duration statementTimeout) {
        Duration write = statementTimeout == null ? Duration.ofSeconds(3) : statementTimeout;
        return write.plus(write.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : write).plusSeconds(3);
    }

    /** Runs {@code close} on another thread: what it raised; fails when it takes longer than {@code bound}. */
    private Throwable within(Duration bound, Runnable close) throws Exception {
        Future<Throwable> f = threads.submit(() -> catchThrowable(close::run));
        try {
            return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError("the close's write to a full socket buffer was not bounded", e);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 400})
    void closingAConnectionWhoseTerminateCannotBeWrittenEndsInBoundedTime(int timeoutMillis, TestDatabase db)
            throws Exception {
        Duration timeout = timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis);
        Connection<Row> conn = connect(db, timeout);
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
        FullBuffer.attach(conn).stall();
        Throwable t = within(bound(timeout), conn::close);
        assertThat(t).as("close() raises nothing").isNull();
        assertThat(conn.isClosed()).isTrue();
        assertThat(conn.isBroken()).as("closed by its user, not lost").isFalse();
    }

    @ParameterizedTest
    @ValueSource(ints = {0, 400})
    void closingACopyFromWhoseCopyFailCannotBeWrittenEndsInBoundedTime(int timeoutMillis, TestDatabase db)
            throws Exception {
        Duration timeout = timeoutMillis == 0 ? null : Duration.ofMillis(timeoutMillis);
        db.admin("CREATE TABLE IF NOT EXISTS close_write_in (a int)");
        try (Connection<Row> conn = connect(db, timeout)) {
            Copy copy = conn.cursor().copy("COPY close_write_in FROM STDIN");
            copy.writeRow(1); // collected, not yet sent
            FullBuffer.attach(conn).stall();
            Throwable t = within(bound(timeout), copy::close);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
            assertThat(conn.isBroken()).isTrue();
        }
        assertThat(db.adminQuery("SELECT count(*) FROM close_write_in")).as("rows copied").isEqualTo("0");
    }
}
