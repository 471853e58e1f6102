package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.Xid;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.assertj.core.api.Assertions.fail;

/**
 * What a statement whose reply never comes reports (trust #22). close() does not wait for the server, but it
 * flushes what was queued before its Terminate, so the server still runs those statements: one sent in
 * autocommit mode may have committed (TransactionResolutionUnknown, as a COMMIT cut off), one inside a
 * transaction is rolled back with it, one never sent did not run. A PREPARE TRANSACTION (or ROLLBACK PREPARED)
 * whose reply is lost leaves the two-phase transaction in doubt: unknown too, on both drivers.
 */
@TuskTest
@Timeout(60)
class AsyncOutcomeUnknownTest {

    private static AsyncConnection<Row> connect(TestDatabase db, boolean autocommit) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(autocommit).build()).join();
    }

    private static ConnectOptions.Builder<Row> viaProxy(FaultProxy proxy, TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1").port(proxy.port()).sslmode("disable");
    }

    /** The exception {@code f} fails with, within 15 s. */
    private static Throwable failure(CompletableFuture<?> f) {
        try {
            Object v = f.get(15, TimeUnit.SECONDS);
            return fail("the future must fail, it completed with " + v);
        } catch (ExecutionException e) {
            return e.getCause();
        } catch (TimeoutException e) {
            return fail("the future neither failed nor completed within 15 s: a hang");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits (up to 10 s) until {@code sql}, run as the admin, answers {@code expected}; returns the last answer. */
    private static String eventually(TestDatabase db, String sql, String expected) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        String got;
        while (!(got = db.adminQuery(sql)).equals(expected) && System.nanoTime() < end) {
            Thread.sleep(50);
        }
        return got;
    }

    private static Xid xid(String what) {
        return Xid.fromString("tusk-outcome-" + what + "-" + UUID.randomUUID());
    }

    /** Leaves no prepared transaction behind (it would hold locks for the other tests). */
    private static void rollbackPrepared(TestDatabase db, Xid xid) {
        try (Connection<Row> c = Connection.connect(db.conninfo())) {
            c.setAutocommit(true);
            if (c.tpcRecover().contains(xid)) {
                c.tpcRollback(xid);
            }
        }
        assertThat(db.adminQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + xid + "'")).isEqualTo("0");
    }

    // trust #22
    @Test
    void anAutocommitInsertQueuedWhenClosingSaysItsOutcomeIsUnknownAndItDidCommit(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ou (id int)");
        AsyncConnection<Row> conn = connect(db, true);
        conn.execute("SELECT pg_sleep(0.3)");
        CompletableFuture<?> insert = conn.execute("INSERT INTO ou VALUES (1)");
        conn.close();
        Throwable t = failure(insert);
        assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).isInstanceOf(OperationalException.class)
                .hasMessageContaining("close() was called")
                .hasMessageContaining("may have run and committed it, or not")
                .hasMessageContaining("check the data on a new connection");
        assertThat(eventually(db, "SELECT count(*) FROM ou", "1")).as("the server ran it after all").isEqualTo("1");
        assertThat(conn.isBroken()).as("closed by the user, not broken").isFalse();
        assertThat(conn.isClosed()).isTrue();
        assertThat(failure(conn.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                .hasMessage("the connection is closed");
    }

    // trust #22: inside a transaction nothing is unknown: the server rolls it back when the connection goes
    @Test
    void aStatementQueuedInATransactionWhenClosingSaysItsTransactionIsRolledBack(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ou (id int)");
        AsyncConnection<Row> conn = connect(db, false);
        conn.execute("SELECT pg_sleep(0.3)");
        CompletableFuture<?> insert = conn.execute("INSERT INTO ou VALUES (1)");
        conn.close();
        assertThat(failure(insert)).isInstanceOf(OperationalException.class)
                .isNotInstanceOf(TransactionResolutionUnknown.class)
                .hasMessageContaining("close() was called")
                .hasMessageContaining("rollback");
        Thread.sleep(600);
        assertThat(db.adminQuery("SELECT count(*) FROM ou")).isEqualTo("0");
    }

    // trust #22
    @Test
    void aCommitQueuedWhenClosingSaysItsOutcomeIsUnknownAndItDidCommit(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ou (id int)");
        AsyncConnection<Row> conn = connect(db, false);
        conn.execute("INSERT INTO ou VALUES (1)").join();
        conn.execute("SELECT pg_sleep(0.3)");
        CompletableFuture<Void> commit = conn.commit();
        conn.close();
        assertThat(failure(commit)).isInstanceOf(TransactionResolutionUnknown.class)
                .hasMessageContaining("(close() was called) before the reply to COMMIT arrived")
                .hasMessageContaining("may or may not have been committed");
        assertThat(eventually(db, "SELECT count(*) FROM ou", "1")).isEqualTo("1");
        assertThat(conn.isBroken()).isFalse();
    }

    // trust #22: a statement that was still waiting its turn (behind a COPY) when closing never reached the server
    @Test
    void aStatementNotYetSentWhenClosingSaysItDidNotRun(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ou (id int)");
        AsyncConnection<Row> conn = connect(db, true);
        AsyncCopy copy = conn.cursor().copy("COPY ou FROM STDIN").get(15, TimeUnit.SECONDS);
        CompletableFuture<?> insert = conn.execute("INSERT INTO ou VALUES (2)"); // held back: the COPY owns the stream
        conn.close();
        assertThat(failure(insert)).isInstanceOf(OperationalException.class)
                .isNotInstanceOf(TransactionResolutionUnknown.class)
                .hasMessage("the connection is closed: close() was called before this was sent to the server, so it did not run");
        Thread.sleep(300);
        assertThat(db.adminQuery("SELECT count(*) FROM ou")).isEqualTo("0");
        assertThat(copy).isNotNull();
    }

    // trust #22: the transaction may be prepared, and then it waits in doubt for a decision
    @Test
    void aTpcPrepareWhoseReplyIsLostSaysTheTransactionIsInDoubt(TestDatabase db) {
        db.admin("CREATE TABLE ou (id int)");
        Xid xid = xid("lost");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             AsyncConnection<Row> conn = AsyncConnection.connect(viaProxy(proxy, db).build()).join()) {
            conn.tpcBegin(xid).thenCompose(v -> conn.execute("INSERT INTO ou VALUES (3)")).join();
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // PREPARE TRANSACTION's CommandComplete
            Throwable t = failure(conn.tpcPrepare());
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("before the reply to PREPARE TRANSACTION arrived")
                    .hasMessageContaining("may or may not have been prepared")
                    .hasMessageContaining("tpcRecover()");
            assertThat(conn.isBroken()).isTrue();
            assertThat(db.adminQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + xid + "'"))
                    .as("here the server did prepare it").isEqualTo("1");
        } finally {
            rollbackPrepared(db, xid);
        }
    }

    // trust #22: the same when close() cuts the reply off
    @Test
    void aTpcPrepareQueuedWhenClosingSaysTheTransactionIsInDoubt(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE ou (id int)");
        Xid xid = xid("closed");
        try {
            AsyncConnection<Row> conn = connect(db, false);
            conn.tpcBegin(xid).thenCompose(v -> conn.execute("INSERT INTO ou VALUES (4)")).join();
            conn.execute("SELECT pg_sleep(0.3)");
            CompletableFuture<Void> prepare = conn.tpcPrepare();
            conn.close();
            assertThat(failure(prepare)).isInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("may or may not have been prepared");
            assertThat(conn.isBroken()).isFalse();
            assertThat(eventually(db, "SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + xid + "'", "1"))
                    .as("the server prepared it after close()").isEqualTo("1");
        } finally {
            rollbackPrepared(db, xid);
        }
    }

    // trust #22: a ROLLBACK PREPARED whose reply is lost may have left the transaction prepared
    @Test
    void aTpcRollbackOfAPreparedTransactionWhoseReplyIsLostIsInDoubt(TestDatabase db) {
        db.admin("CREATE TABLE ou (id int)");
        Xid xid = xid("rollback");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             AsyncConnection<Row> conn = AsyncConnection.connect(viaProxy(proxy, db).build()).join()) {
            conn.tpcBegin(xid).thenCompose(v -> conn.execute("INSERT INTO ou VALUES (5)"))
                    .thenCompose(v -> conn.tpcPrepare()).join();
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // ROLLBACK PREPARED's CommandComplete
            assertThat(failure(conn.tpcRollback())).isInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("may or may not have been rolled back")
                    .hasMessageContaining("tpcRecover()");
        } finally {
            rollbackPrepared(db, xid);
        }
    }

    // trust #22: the blocking driver's tpcPrepare() said a plain OperationalException too
    @Test
    void aBlockingTpcPrepareWhoseReplyIsLostSaysTheTransactionIsInDoubt(TestDatabase db) {
        db.admin("CREATE TABLE ou (id int)");
        Xid xid = xid("blocking");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             Connection<Row> conn = Connection.connect(viaProxy(proxy, db).build())) {
            conn.tpcBegin(xid);
            conn.execute("INSERT INTO ou VALUES (6)");
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // PREPARE TRANSACTION's CommandComplete
            Throwable t = catchThrowable(conn::tpcPrepare);
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("may or may not have been prepared")
                    .hasMessageContaining("tpcRecover()");
            assertThat(t.getMessage().split("open a new one", -1)).as(t.getMessage()).hasSizeLessThanOrEqualTo(2);
            assertThat(conn.isBroken()).isTrue();
            assertThat(db.adminQuery("SELECT count(*) FROM pg_prepared_xacts WHERE gid = '" + xid + "'")).isEqualTo("1");
        } finally {
            rollbackPrepared(db, xid);
        }
    }
}
