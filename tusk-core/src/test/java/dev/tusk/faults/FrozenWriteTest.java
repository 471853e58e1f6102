package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Cursor;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A backend frozen (SIGSTOP) while the client is still writing: the statement's bytes fill the socket buffers and
 * the write itself blocks. The statement timeout bounds the write as it bounds the wait for the reply (trust #5):
 * the call ends within the timeout and the cancel's grace, saying so, and the connection is broken. Over TCP and
 * over a Unix-domain socket, whose transport must report its socket closed under it as a lost connection.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FrozenWriteTest {
    private static final Duration TIMEOUT = Duration.ofMillis(400);
    /** The timeout, the cancel's shortest grace (1 s) and what a loaded machine adds. */
    private static final Duration BOUND = TIMEOUT.plusSeconds(1).plusMillis(3500);

    private static Connection<Row> connect(TestDatabase db, String transport) {
        String conninfo = "unix".equals(transport) ? db.unixSocketConninfo() : db.conninfo() + " sslmode=disable";
        return Connection.connect(ConnectOptions.builder().conninfo(conninfo).autocommit(true)
                .statementTimeout(TIMEOUT).build());
    }

    /** Runs {@code call} on another thread with the backend frozen; fails if it does not end within {@link #BOUND}. */
    private static Throwable frozenCall(Connection<Row> conn, ThrowingRunnable call) throws Exception {
        Throwable[] out = new Throwable[1];
        FrozenBackend.frozen(conn.info().backendPid(), () -> {
            CompletableFuture<Throwable> f = CompletableFuture.supplyAsync(() -> catchThrowable(call::run));
            try {
                out[0] = f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                conn.close(); // lets the stuck thread go
                fail("the call did not end within " + BOUND.toMillis() + " ms of a frozen backend");
            }
        });
        return out[0];
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    private static void assertTimedOutAndBroken(Throwable t, Connection<Row> conn) {
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout")
                .hasMessageContaining("broken");
        assertThat(conn.isBroken()).as("isBroken() after the deadline ran out").isTrue();
        assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class);
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aStatementOnAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            Throwable t = frozenCall(conn, () -> conn.execute("SELECT 1"));
            assertTimedOutAndBroken(t, conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aLargeParameterWrittenToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            String big = "x".repeat(20_000_000); // far more than the socket buffers: the write blocks
            Throwable t = frozenCall(conn, () -> conn.execute("SELECT length(%s)", big));
            assertTimedOutAndBroken(t, conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void copyRowsWrittenToAFrozenBackendEndWithinTheStatementTimeout(String transport, TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            conn.execute("CREATE TEMP TABLE frozen_copy (s text)");
            Copy copy = conn.cursor().copy("COPY frozen_copy FROM STDIN");
            copy.writeRow("before the freeze");
            Throwable t = frozenCall(conn, () -> {
                for (int i = 0; i < 2_000_000; i++) { // far more than the socket buffers
                    copy.writeRow("row " + i + " of a copy the frozen backend never reads");
                }
                copy.finish();
            });
            assertTimedOutAndBroken(t, conn);
        }
    }
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aCopyStatementWrittenToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            String big = "c".repeat(20_000_000); // merged into the COPY's text: its start alone fills the buffers
            Throwable t = frozenCall(conn, () -> conn.cursor().copy("COPY (SELECT length(%s)) TO STDOUT", big));
            assertTimedOutAndBroken(t, conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aStreamsLargeParameterWrittenToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            String big = "s".repeat(20_000_000);
            Throwable t = frozenCall(conn, () -> conn.cursor().stream("SELECT length(%s)", List.of(big), 1)
                    .forEach(r -> { }));
            assertTimedOutAndBroken(t, conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aPreparedStreamsLargeParameterWrittenToAFrozenBackendEndsWithinTheStatementTimeout(String transport,
            TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            String big = "p".repeat(20_000_000);
            Throwable t = frozenCall(conn, () -> conn.cursor().stream("SELECT length(%s)", List.of(big), null, false)
                    .forEach(r -> { }));
            assertTimedOutAndBroken(t, conn);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void pipelinedStatementsWrittenToAFrozenBackendEndWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            String big = "p".repeat(1_000_000);
            Pipeline p = conn.pipeline();
            Throwable t = frozenCall(conn, () -> { // the pipeline writes its statements out as they pile up
                for (int i = 0; i < 40; i++) {
                    conn.execute("SELECT length(%s)", big);
                }
                p.sync();
            });
            assertTimedOutAndBroken(t, conn);
            catchThrowable(p::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void aPipelinedCursorsFetchWritingToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            Pipeline p = conn.pipeline();
            Cursor<Row> cur = conn.execute("SELECT length(%s)", "f".repeat(20_000_000)); // queued, not written
            Throwable t = frozenCall(conn, cur::fetchone);
            assertTimedOutAndBroken(t, conn);
            catchThrowable(p::close);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void executemanyWritingToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        try (Connection<Row> conn = connect(db, transport)) {
            conn.execute("CREATE TEMP TABLE frozen_many (s text)");
            String big = "m".repeat(1_000_000);
            List<List<Object>> rows = Collections.nCopies(40, List.of(big));
            Throwable t = frozenCall(conn, () -> conn.cursor().executemany("INSERT INTO frozen_many VALUES (%s)", rows));
            assertTimedOutAndBroken(t, conn);
        }
    }
    @ParameterizedTest
    @ValueSource(strings = {"tcp", "unix"})
    void anAsyncStatementWritingToAFrozenBackendEndsWithinTheStatementTimeout(String transport, TestDatabase db)
            throws Exception {
        assumeTrue(db.server().isEmbedded());
        String conninfo = "unix".equals(transport) ? db.unixSocketConninfo() : db.conninfo() + " sslmode=disable";
        AsyncConnection<Row> conn = AsyncConnection.connect(ConnectOptions.builder().conninfo(conninfo)
                .autocommit(true).statementTimeout(TIMEOUT).build()).get(20, TimeUnit.SECONDS);
        try {
            String big = "a".repeat(20_000_000);
            FrozenBackend.frozen(conn.info().backendPid(), () -> {
                CompletableFuture<?> f = conn.execute("SELECT length(%s)", big);
                Throwable t;
                try {
                    f.get(BOUND.toMillis(), TimeUnit.MILLISECONDS);
                    t = null;
                } catch (ExecutionException e) {
                    t = e.getCause();
                } catch (TimeoutException e) {
                    throw new AssertionError("the async statement did not end within " + BOUND.toMillis()
                            + " ms of a frozen backend", e);
                }
                assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout");
                assertThat(conn.isBroken()).isTrue();
            });
        } finally {
            conn.closeAsync().get(5, TimeUnit.SECONDS);
        }
    }
}
