package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.StepThreads;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * A COPY's close(), abort() and finish() while another thread holds the connection (here the test itself, which
 * holds its lock as a call waiting on a server that stopped answering would): close() and abort() never wait for
 * it (50 ms, then the connection is closed under that call and says it is broken, the server drops the COPY);
 * finish() is a statement and waits at most the statement timeout, then leaves the COPY open for a second try.
 * Every wait is bounded by the test itself: a call stuck in {@code Lock.lock()} cannot be interrupted by JUnit.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CopyCloseWhileLockedTest {
    /** What a close may take while another thread holds the connection (its own bound is 50 ms). */
    private static final Duration PROMPT = Duration.ofMillis(1500);
    private static final String COPY_OUT = "COPY (SELECT generate_series(1, 100000)) TO STDOUT";

    /** Daemon threads: a call that hangs must not keep the JVM. */
    private final StepThreads steps = new StepThreads("copy-close-test");
    private final ExecutorService threads = steps.executor();

    @AfterEach
    void stopThreads() {
        steps.close();
    }

    private static Connection<Row> connect(TestDatabase db, Duration statementTimeout) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(true).statementTimeout(statementTimeout).build());
    }

    /** Runs {@code call} on another thread while this one holds {@code conn}'s lock; returns what it raised. */
    private Throwable whileLocked(Connection<?> conn, Duration bound, Callable<?> call) throws Exception {
        conn.lock.lock();
        try {
            Future<Throwable> f = threads.submit(() -> catchThrowable(call::call));
            try {
                return f.get(bound.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("the call waited for the thread holding the connection", e);
            }
        } finally {
            conn.lock.unlock();
        }
    }

    private static void closedUnderTheHolder(Connection<?> conn) {
        assertThat(conn.isBroken()).as("the connection closed under the other thread's call says so").isTrue();
        assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                .hasMessageContaining("COPY");
    }

    @Test
    void closingACopyToWhileAnotherThreadHoldsTheConnectionClosesItUnderThatCall(TestDatabase db) throws Exception {
        try (Connection<Row> conn = connect(db, null)) {
            Copy copy = conn.cursor().copy(COPY_OUT);
            assertThat(copy.read()).isNotNull();
            Throwable t = whileLocked(conn, PROMPT, () -> {
                copy.close();
                return null;
            });
            assertThat(t).as("close() of a COPY TO, quiet").isNull();
            closedUnderTheHolder(conn);
        }
    }

    @Test
    void abortingACopyToWhileAnotherThreadHoldsTheConnectionClosesItUnderThatCall(TestDatabase db) throws Exception {
        try (Connection<Row> conn = connect(db, null)) {
            Copy copy = conn.cursor().copy(COPY_OUT);
            assertThat(copy.read()).isNotNull();
            Throwable t = whileLocked(conn, PROMPT, () -> {
                copy.abort("test");
                return null;
            });
            assertThat(t).as("abort(), quiet").isNull();
            closedUnderTheHolder(conn);
        }
    }

    @Test
    void closingACopyFromWhileAnotherThreadHoldsTheConnectionCopiesNothingAndSaysSo(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE copy_locked_in (a int)");
        try (Connection<Row> conn = connect(db, null)) {
            Copy copy = conn.cursor().copy("COPY copy_locked_in FROM STDIN");
            copy.writeRow(1);
            copy.writeRow(2);
            Throwable t = whileLocked(conn, PROMPT, () -> {
                copy.close();
                return null;
            });
            assertThat(t).isInstanceOf(ProgrammingException.class).hasMessageContaining("without finish()")
                    .hasMessageContaining("nothing was copied");
            closedUnderTheHolder(conn);
        }
        assertThat(db.adminQuery("SELECT count(*) FROM copy_locked_in")).as("rows copied").isEqualTo("0");
    }

    @Test
    void closingACopyTheServerEndedWhileAnotherThreadHoldsTheConnectionLeavesTheConnectionAlone(TestDatabase db)
            throws Exception {
        try (Connection<Row> conn = connect(db, null)) {
            Copy copy = conn.cursor().copy("COPY (SELECT 1) TO STDOUT");
            assertThat(copy.read()).isNotNull();
            assertThat(copy.read()).as("the end").isNull();
            Throwable t = whileLocked(conn, PROMPT, () -> {
                copy.close();
                return null;
            });
            assertThat(t).isNull();
            assertThat(conn.isClosed()).as("nothing left to end on the server: the connection is not closed").isFalse();
            assertThat(conn.execute("SELECT 3").fetchone().getInt(0)).isEqualTo(3);
        }
    }

    @Test
    void finishWaitsForTheConnectionAtMostTheStatementTimeoutAndLeavesTheCopyOpen(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE copy_locked_finish (a int)");
        Duration timeout = Duration.ofMillis(1000);
        try (Connection<Row> conn = connect(db, timeout)) {
            Copy copy = conn.cursor().copy("COPY copy_locked_finish FROM STDIN");
            copy.writeRow(1);
            copy.writeRow(2);
            long t0 = System.nanoTime();
            Throwable t = whileLocked(conn, timeout.plusMillis(3000), copy::finish);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("finish() waited the statement timeout")
                    .isGreaterThanOrEqualTo(timeout.minusMillis(50));
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout")
                    .hasMessageContaining("still open");
            assertThat(conn.isBroken()).isFalse();
            assertThat(copy.finish()).as("the COPY was left as it was: finished now").isEqualTo(2);
            assertThat(conn.execute("SELECT count(*) FROM copy_locked_finish").fetchone().getLong(0)).isEqualTo(2);
        }
    }
}
