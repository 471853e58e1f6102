package dev.tusk.faults;

import dev.tusk.AsyncConnection;
import dev.tusk.Row;
import dev.tusk.Transaction;
import dev.tusk.Xid;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * An AsyncConnection's COMMIT cut off before its reply has an unknown outcome (TransactionResolutionUnknown,
 * 08007), as on the blocking Connection; a commit whose future completed is durable.
 */
@TuskTest
@Timeout(60)
class AsyncTransactionFaultsTest {
    private static final String UNKNOWN = "the connection was lost while committing: the transaction may or may not have been committed";

    private static String count(TestDatabase db, String table) {
        // checked from another connection: a new AsyncConnection, not the one that committed
        try (AsyncConnection<Row> other = AsyncFaults.direct(db)) {
            return String.valueOf(AsyncFaults.await(other.execute("SELECT count(*) FROM " + table)).fetchone().getLong(0));
        }
    }

    @Test
    void commitWhoseReplyIsLostSaysTheOutcomeIsUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT's CommandComplete
            Throwable t = AsyncFaults.failure(c.commit());
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).isInstanceOf(OperationalException.class)
                    .hasMessageContaining(UNKNOWN).hasMessageNotContaining("rolled back");
            assertThat(((TransactionResolutionUnknown) t).sqlstate()).isEqualTo("08007");
            assertThat(t.getCause()).isInstanceOf(OperationalException.class);
            AsyncFaults.assertBrokenAfterwards(c);
        }
        assertThat(count(db, "t")).as("the server did commit: the reply was what got lost").isEqualTo("1");
    }

    @Test
    void commitThatNeverReachedTheServerSaysTheSameAndWasRolledBack(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            proxy.failAfterClientBytes(0, FaultProxy.Action.RESET); // the COMMIT message itself is dropped
            Throwable t = AsyncFaults.failure(c.commit());
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            AsyncFaults.assertBrokenAfterwards(c);
        }
        assertThat(count(db, "t")).isEqualTo("0");
    }

    @Test
    void commitPipelinedBehindAStatementCutOffIsUnknownToo(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            proxy.failAtServerMessage('C', 2, FaultProxy.Action.CLOSE); // the INSERT's reply; the COMMIT is already sent
            // queued behind a running statement, the INSERT and the COMMIT are written together while it runs
            CompletableFuture<?> sleep = c.execute("SELECT pg_sleep(0.3)");
            CompletableFuture<?> insert = c.execute("INSERT INTO t VALUES (2)");
            CompletableFuture<Void> commit = c.commit();
            AsyncFaults.await(sleep);
            assertThat(AsyncFaults.failure(insert)).isInstanceOf(OperationalException.class)
                    .isNotInstanceOf(TransactionResolutionUnknown.class);
            assertThat(AsyncFaults.failure(commit)).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
        }
    }

    @Test
    void transactionBlockCommitCutOffSaysUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AtomicReference<dev.tusk.AsyncTransaction<Row>> block = new AtomicReference<>();
            Throwable t = AsyncFaults.failure(c.transaction(tx -> {
                block.set(tx);
                return c.execute("INSERT INTO t VALUES (2)").thenRun(() -> proxy.failAtServerMessage('C', 1, FaultProxy.Action.RESET));
            }));
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            assertThat(block.get().status()).isEqualTo(Transaction.Status.FAILED);
            AsyncFaults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void aLostReleaseOfANestedBlockIsNotUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            Throwable t = AsyncFaults.failure(c.transaction(outer -> c.transaction(inner ->
                    c.execute("INSERT INTO t VALUES (3)").thenRun(() -> proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE)))));
            // RELEASE lost: the server rolls the whole transaction back when the connection goes; nothing is unknown
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(TransactionResolutionUnknown.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
        }
        assertThat(count(db, "t")).isEqualTo("0");
    }

    @Test
    void aLostRollbackIsAnOrdinaryLoss(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE);
            Throwable t = AsyncFaults.failure(c.rollback());
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(TransactionResolutionUnknown.class);
            AsyncFaults.assertBrokenAfterwards(c);
        }
        assertThat(count(db, "t")).isEqualTo("0");
    }

    @Test
    void lostConnectionBeforeCommitFailsTheStatementNotTheCommit(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (1)"));
            proxy.failNow(FaultProxy.Action.CLOSE);
            AsyncFaults.awaitBroken(c, java.time.Duration.ofSeconds(5));
            // the commit is never sent: the connection is known broken, so this is not "unknown"
            Throwable t = AsyncFaults.failure(c.commit());
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("broken");
        }
        assertThat(count(db, "t")).isEqualTo("0");
    }

    @Test
    void aCommitThatCompletedSurvivesAnImmediateShutdown(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int)");
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            AsyncFaults.await(c.execute("SET synchronous_commit = on"));
            AsyncFaults.await(c.commit());
            AsyncFaults.await(c.execute("INSERT INTO t SELECT generate_series(1, 1000)"));
            AsyncFaults.await(c.commit());
            AsyncFaults.await(c.transaction(tx -> c.execute("INSERT INTO t VALUES (1001)")));
            AsyncFaults.await(c.execute("INSERT INTO t VALUES (-1)")); // open, never committed
            db.server().stop(StopMode.IMMEDIATE);
            db.server().start();
            AsyncFaults.awaitBroken(c, java.time.Duration.ofSeconds(10));
            assertThat(AsyncFaults.failure(c.commit())).isInstanceOf(OperationalException.class)
                    .isNotInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining("broken");
        }
        try (AsyncConnection<Row> other = AsyncFaults.direct(db)) {
            Row r = AsyncFaults.await(other.execute("SELECT count(*), min(id), max(id) FROM t")).fetchone();
            assertThat(r.getLong(0)).isEqualTo(1001);
            assertThat(r.getInt(1)).isEqualTo(1);
            assertThat(r.getInt(2)).isEqualTo(1001);
        }
    }

    // ------------------------------------------------------------------ two-phase commit

    private static java.util.List<Xid> recover(TestDatabase db) {
        try (AsyncConnection<Row> other = AsyncFaults.direct(db)) {
            return AsyncFaults.await(other.tpcRecover());
        }
    }

    @Test
    void commitPreparedWhoseReplyIsLostSaysTheOutcomeIsUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t2 (id int)");
        Xid xid;
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            xid = c.xid(1, "tusk-async-fault-2pc", "b");
            AsyncFaults.await(c.tpcBegin(xid).thenCompose(v -> c.execute("INSERT INTO t2 VALUES (1)")).thenCompose(v -> c.tpcPrepare()));
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT PREPARED's CommandComplete
            Throwable t = AsyncFaults.failure(c.tpcCommit());
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            AsyncFaults.assertBrokenAfterwards(c);
        }
        assertThat(count(db, "t2")).as("the server committed it").isEqualTo("1");
        assertThat(recover(db)).doesNotContain(xid);
    }

    @Test
    void aPrepareCutOffLeavesATransactionThatRecoveryFindsAndEnds(TestDatabase db) {
        db.admin("CREATE TABLE t2 (id int)");
        Xid xid;
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> c = AsyncFaults.connect(proxy, db)) {
            xid = c.xid(2, "tusk-async-fault-prepare", "b");
            AsyncFaults.await(c.tpcBegin(xid).thenCompose(v -> c.execute("INSERT INTO t2 VALUES (2)")));
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // PREPARE TRANSACTION's CommandComplete
            Throwable t = AsyncFaults.failure(c.tpcPrepare());
            assertThat(t).isInstanceOf(OperationalException.class);
            assertThat(t.getMessage()).matches(Faults.LOST);
            AsyncFaults.assertBrokenAfterwards(c);
        }
        // the server prepared it before the reply was lost: nothing is lost, a coordinator finds it and decides
        assertThat(recover(db)).contains(xid);
        assertThat(count(db, "t2")).isEqualTo("0");
        try (AsyncConnection<Row> coordinator = AsyncFaults.direct(db)) {
            AsyncFaults.await(coordinator.tpcCommit(xid));
        }
        assertThat(count(db, "t2")).isEqualTo("1");
        assertThat(recover(db)).doesNotContain(xid);
    }

    @Test
    void aRecoveryCommitWhoseReplyIsLostIsUnknownAndRetryingSaysItIsGone(TestDatabase db) {
        db.admin("CREATE TABLE t2 (id int)");
        Xid xid;
        try (AsyncConnection<Row> c = AsyncFaults.direct(db)) {
            xid = c.xid(3, "tusk-async-fault-recovery", "b");
            AsyncFaults.await(c.tpcBegin(xid).thenCompose(v -> c.execute("INSERT INTO t2 VALUES (3)")).thenCompose(v -> c.tpcPrepare()));
        }
        try (FaultProxy proxy = Faults.proxyTo(db); AsyncConnection<Row> coordinator = AsyncFaults.connect(proxy, db)) {
            AsyncFaults.await(coordinator.setAutocommit(true));
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT PREPARED's CommandComplete
            Throwable t = AsyncFaults.failure(coordinator.tpcCommit(xid));
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
        }
        assertThat(count(db, "t2")).isEqualTo("1");
        try (AsyncConnection<Row> retry = AsyncFaults.direct(db)) {
            AsyncFaults.await(retry.setAutocommit(true));
            // the retry learns the outcome: the transaction no longer exists (it was committed, as count shows)
            assertThat(AsyncFaults.failure(retry.tpcCommit(xid))).hasMessageContaining("does not exist");
        }
    }
}
