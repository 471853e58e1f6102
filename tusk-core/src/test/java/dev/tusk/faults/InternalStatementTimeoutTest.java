package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Pipeline;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.assertj.core.api.ThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Timeout.ThreadMode.SEPARATE_THREAD;

/**
 * The statement timeout bounds the statements the driver runs itself, not only execute()'s (trust, model op
 * "freeze"): ROLLBACK, a transaction block's BEGIN and COMMIT, a pipeline's Sync, a COPY's end, two-phase
 * statements and stream chunks all wait for the server through the same timer. On a frozen network (the
 * FaultProxy stops forwarding, nothing closes) each call is cancelled at the timeout, and since the answer to the
 * cancel never comes through, the socket is closed after the grace period: the call fails with an
 * OperationalException naming the timeout, within timeout + grace + a margin, and the connection is broken.
 */
@TuskTest
class InternalStatementTimeoutTest {
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    /** The grace period after the cancel request for a 300 ms timeout (the minimum, 1 s). */
    private static final Duration GRACE = Duration.ofSeconds(1);
    /** What a loaded CI machine may add. */
    private static final Duration MARGIN = Duration.ofMillis(2500);

    /** Runs {@code call} after the network froze: it must end in time, with the timeout's error, the connection broken. */
    private static Throwable assertEndsAtTheTimeout(Connection<Row> conn, ThrowableAssert.ThrowingCallable call) {
        long t0 = System.nanoTime();
        Throwable t = catchThrowable(call);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plus(GRACE).plus(MARGIN));
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("statement timeout")
                .hasMessageContaining("300 ms");
        assertThat(conn.isBroken()).as("isBroken()").isTrue();
        Throwable next = catchThrowable(() -> conn.execute("SELECT 1"));
        assertThat(next).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
        return t;
    }

    private static Connection<Row> connect(FaultProxy proxy, TestDatabase db) {
        Connection<Row> conn = Faults.connect(proxy, db);
        conn.setStatementTimeout(TIMEOUT);
        return conn;
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void rollbackOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE r (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        try {
            conn.execute("INSERT INTO r VALUES (1)"); // autocommit off: a transaction is open
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertEndsAtTheTimeout(conn, conn::rollback);
        } finally {
            proxy.close(); // first: a call still blocked holds the connection's lock, which close() waits for
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void transactionBlockBeginOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        try {
            proxy.failNow(FaultProxy.Action.SILENCE);
            AtomicBoolean ran = new AtomicBoolean();
            assertEndsAtTheTimeout(conn, () -> conn.transaction(tx -> {
                ran.set(true);
                return null;
            }));
            assertThat(ran).as("the block's body ran although BEGIN failed").isFalse();
        } finally {
            proxy.close();
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void transactionBlockCommitOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE b (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        try {
            Throwable t = assertEndsAtTheTimeout(conn, () -> conn.transaction(tx -> {
                conn.execute("INSERT INTO b VALUES (1)");
                proxy.failNow(FaultProxy.Action.SILENCE); // the block's COMMIT meets the frozen network
                return null;
            }));
            // the COMMIT may have reached the server: its outcome is unknown, and the error says so
            assertThat(t).isInstanceOf(dev.tusk.errors.TransactionResolutionUnknown.class);
        } finally {
            proxy.close();
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void pipelineSyncOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE p (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        Pipeline pipeline = conn.pipeline();
        try {
            conn.execute("INSERT INTO p VALUES (1)");
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertEndsAtTheTimeout(conn, pipeline::sync);
        } finally {
            proxy.close();
            catchThrowable(pipeline::close);
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void copyFinishOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE c (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        Copy copy = conn.cursor().copy("COPY c FROM STDIN");
        try {
            copy.writeRow(1);
            copy.writeRow(2);
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertEndsAtTheTimeout(conn, copy::finish);
        } finally {
            proxy.close();
            catchThrowable(copy::close);
            conn.close();
        }
        assertThat(db.adminQuery("SELECT count(*) FROM c").trim()).isEqualTo("0");
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void tpcPrepareOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        try {
            conn.tpcBegin(conn.xid(1, "frozen-prepare", "b"));
            conn.execute("SELECT 1");
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertEndsAtTheTimeout(conn, conn::tpcPrepare);
        } finally {
            proxy.close();
            conn.close();
            // the PREPARE TRANSACTION may have run on the server: don't leave it behind
            String gids = db.adminQuery("SELECT coalesce(string_agg(gid, '|'), '') FROM pg_prepared_xacts");
            for (String gid : gids.trim().split("\\|")) {
                if (!gid.isEmpty()) {
                    db.admin("ROLLBACK PREPARED '" + gid.replace("'", "''") + "'");
                }
            }
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void streamOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        FaultProxy proxy = Faults.proxyTo(db);
        Connection<Row> conn = connect(proxy, db);
        try {
            conn.setAutocommit(true);
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertEndsAtTheTimeout(conn, () -> {
                try (Stream<Row> rows = conn.cursor().stream("SELECT generate_series(1, %s)", 10)) {
                    rows.count();
                }
            });
        } finally {
            proxy.close();
            conn.close();
        }
    }

    // ---------------------------------------------------------------- AsyncConnection

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void asyncRollbackOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE ar (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        AsyncConnection<Row> conn = AsyncFaults.connect(proxy, db);
        try {
            conn.setStatementTimeout(TIMEOUT);
            AsyncFaults.await(conn.execute("INSERT INTO ar VALUES (1)")); // autocommit off: a transaction is open
            proxy.failNow(FaultProxy.Action.SILENCE);
            assertAsyncEndsAtTheTimeout(conn, conn.rollback());
        } finally {
            proxy.close();
            conn.close();
        }
    }

    @Test
    @Timeout(value = 30, threadMode = SEPARATE_THREAD)
    void asyncTransactionBlockCommitOnAFrozenNetworkFailsWithinTheStatementTimeout(TestDatabase db) { // trust freeze
        db.admin("CREATE TABLE ab (v int)");
        FaultProxy proxy = Faults.proxyTo(db);
        AsyncConnection<Row> conn = AsyncFaults.connect(proxy, db);
        try {
            conn.setStatementTimeout(TIMEOUT);
            assertAsyncEndsAtTheTimeout(conn, conn.transaction(tx -> conn.execute("INSERT INTO ab VALUES (1)")
                    .thenRun(() -> proxy.failNow(FaultProxy.Action.SILENCE)))); // the block's COMMIT meets the freeze
        } finally {
            proxy.close();
            conn.close();
        }
    }

    private static void assertAsyncEndsAtTheTimeout(AsyncConnection<Row> conn, CompletableFuture<?> call) {
        long t0 = System.nanoTime();
        Throwable t = AsyncFaults.failure(call);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(TIMEOUT.plus(GRACE).plus(MARGIN));
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("cancel request");
        assertThat(conn.isBroken()).as("isBroken()").isTrue();
    }
}
