package dev.tusk.faults;

import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.FrozenBackend;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * A close never waits for the server: closing a stream or a COPY while the backend is frozen (SIGSTOP, no statement
 * timeout) returns within the close's own bound (internal.blocking.Abandon's ON_CLOSE, 3 s: the cancel request, the
 * rest dropped), not the 10 s another statement may wait for it; the connection then says it is broken, and is never
 * left usable with the statement still running.
 */
@TuskTest
@Timeout(value = 60, threadMode = SEPARATE_THREAD)
class FrozenCloseTest {
    /** The close's bound (3 s) and what a loaded machine adds. */
    private static final Duration BOUND = Duration.ofMillis(3000 + 2000);
    /** A close's write: its bound (3 s), the cancel's grace (at least 1 s) and what a loaded machine adds. */
    private static final Duration WRITE_BOUND = Duration.ofMillis(3000 + 1000 + 3500);
    /** Five million rows, the first at once, in order. */
    private static final String ROWS = "WITH RECURSIVE r(g) AS (SELECT 1::bigint UNION ALL SELECT g + 1 FROM r"
            + " WHERE g < 5000000) SELECT g FROM r";

    private static Connection<Row> connect(TestDatabase db, boolean autocommit) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .autocommit(autocommit).build());
    }

    private static Duration since(long t0) {
        return Duration.ofNanos(System.nanoTime() - t0);
    }

    /** Closes on the frozen backend: within {@link #BOUND}, quietly or with an OperationalException; then broken. */
    private static void closesPromptlyAndBreaks(Connection<Row> conn, Runnable close, String what) {
        closesPromptlyAndBreaks(conn, close, what, BOUND);
    }

    private static void closesPromptlyAndBreaks(Connection<Row> conn, Runnable close, String what, Duration bound) {
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(close::run);
        assertThat(since(t0)).as(what + " on a frozen backend").isLessThan(bound);
        assertThat(t == null || t instanceof TuskException).as(what + " raised " + t).isTrue();
        assertThat(conn.isBroken()).as("the connection after " + what + " on a frozen backend").isTrue();
        assertThat(catchThrowable(() -> conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class);
    }

    @Test
    void closingAStreamOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        streamClosedFrozen(db, true);
    }

    @Test
    void closingAStreamInATransactionOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        streamClosedFrozen(db, false); // the drain before a cancel counts in the bound
    }

    private static void streamClosedFrozen(TestDatabase db, boolean autocommit) throws Exception {
        try (Connection<Row> conn = connect(db, autocommit)) {
            int pid = conn.info().backendPid();
            Stream<Row> rows = conn.cursor().stream(ROWS, List.of(), 100);
            Iterator<Row> it = rows.iterator();
            assertThat(it.next().getLong(0)).isEqualTo(1);
            FrozenBackend.frozen(pid, () -> closesPromptlyAndBreaks(conn, rows::close, "close() of a stream"));
        }
    }

    /**
     * A stream closed before its first read whose prepared plan went stale (the server's error already received) is
     * sent again by the close, to be ended as well: that write, 20 MB of parameter here, blocks on the frozen backend.
     * It is bounded as a close's writes are (internal.blocking.Abandon's closeWriteBound, then the cancel's grace); before,
     * a plain flush waited for ever.
     */
    @Test
    void closingAStreamWhoseStalePlanIsSentAgainOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db)
            throws Exception {
        String table = "frozen_stale_" + System.nanoTime();
        try (Connection<Row> conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo() + " sslmode=disable")
                .prepareThreshold(0).autocommit(true).build());
             Connection<Row> other = connect(db, true)) {
            other.execute("CREATE TABLE " + table + " (id int4, v int4)");
            other.execute("INSERT INTO " + table + " VALUES (1, 10)");
            String q = "SELECT v, length(%s) FROM " + table + " WHERE id = 1";
            assertThat(conn.execute(q, "a").fetchone().getInt(0)).isEqualTo(10); // prepared
            other.execute("ALTER TABLE " + table + " ALTER COLUMN v TYPE int8"); // its plan is stale now
            String big = "x".repeat(20_000_000); // far more than the socket buffers: the write sent again blocks
            Stream<Row> rows = conn.cursor().stream(q, List.of(big), ExecuteOptions.DEFAULT, false); // prepared
            Thread.sleep(1500); // the server read it and answered that the plan went stale
            FrozenBackend.frozen(conn.info().backendPid(),
                    () -> closesPromptlyAndBreaks(conn, rows::close, "close() of a stream whose plan went stale", WRITE_BOUND));
        } finally {
            try (Connection<Row> c = connect(db, true)) {
                c.execute("DROP TABLE IF EXISTS " + table);
            }
        }
    }

    @Test
    void closingACopyToOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        try (Connection<Row> conn = connect(db, true)) {
            int pid = conn.info().backendPid();
            Copy copy = conn.cursor().copy("COPY (" + ROWS + ") TO STDOUT");
            assertThat(copy.read()).isNotNull();
            FrozenBackend.frozen(pid, () -> closesPromptlyAndBreaks(conn, copy::close, "close() of a COPY TO"));
        }
    }

    @Test
    void abortingACopyToOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        try (Connection<Row> conn = connect(db, true)) {
            int pid = conn.info().backendPid();
            Copy copy = conn.cursor().copy("COPY (" + ROWS + ") TO STDOUT");
            assertThat(copy.read()).isNotNull();
            FrozenBackend.frozen(pid, () -> closesPromptlyAndBreaks(conn, () -> copy.abort("test"), "abort() of a COPY TO"));
        }
    }

    @Test
    void closingACopyFromWithoutFinishOnAFrozenBackendReturnsWithinTheClosesBound(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE frozen_copy_in (a int)");
        try (Connection<Row> conn = connect(db, true)) {
            int pid = conn.info().backendPid();
            Copy copy = conn.cursor().copy("COPY frozen_copy_in FROM STDIN");
            copy.write("1\n2\n");
            FrozenBackend.frozen(pid, () -> closesPromptlyAndBreaks(conn, copy::close, "close() of a COPY FROM"));
        }
        assertThat(db.adminQuery("SELECT count(*) FROM frozen_copy_in")).as("rows copied").isEqualTo("0");
    }
}
