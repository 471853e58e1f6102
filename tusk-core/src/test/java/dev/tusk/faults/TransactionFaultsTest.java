package dev.tusk.faults;

import dev.tusk.testing.FaultProxy;
import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.Transaction;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.TransactionResolutionUnknown;
import dev.tusk.testing.PostgresServer.StopMode;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A commit cut off before its reply has an unknown outcome; a commit that returned is durable. */
@TuskTest
@Timeout(60)
class TransactionFaultsTest {
    private static final String UNKNOWN = "the connection was lost while committing: the transaction may or may not have been committed";

    @Test
    void commitWhoseReplyIsLostSaysTheOutcomeIsUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.execute("INSERT INTO t VALUES (1)");
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT's CommandComplete
            Throwable t = catchThrowable(c::commit);
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).isInstanceOf(OperationalException.class)
                    .hasMessageContaining(UNKNOWN).hasMessageNotContaining("rolled back");
            assertThat(((TransactionResolutionUnknown) t).sqlstate()).isEqualTo("08007");
            Faults.assertBrokenAfterwards(c);
        }
        // here the server did commit: the reply was what got lost
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("1");
    }

    @Test
    void commitPreparedWhoseReplyIsLostSaysTheOutcomeIsUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t2 (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.tpcBegin(c.xid(1, "tusk-fault-2pc", "b"));
            c.execute("INSERT INTO t2 VALUES (1)");
            c.tpcPrepare();
            proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE); // COMMIT PREPARED's CommandComplete
            Throwable t = catchThrowable(c::tpcCommit);
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t2")).as("the server committed it").isEqualTo("1");
    }

    @Test
    void commitThatNeverReachedTheServerSaysTheSameAndWasRolledBack(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.execute("INSERT INTO t VALUES (1)");
            proxy.failAfterClientBytes(0, FaultProxy.Action.RESET); // the COMMIT message itself is dropped
            Throwable t = catchThrowable(c::commit);
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            Faults.assertBrokenAfterwards(c);
        }
        // the client cannot tell this case from the one above, which is why the message says "may or may not"
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void transactionBlockCommitCutOffSaysUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            Throwable t = catchThrowable(() -> c.transaction(tx -> {
                c.execute("INSERT INTO t VALUES (2)");
                proxy.failAtServerMessage('C', 1, FaultProxy.Action.RESET);
                return null;
            }));
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            Faults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void resourceBlockCommitCutOffSaysUnknown(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            Throwable t = catchThrowable(() -> {
                try (Transaction tx = c.transaction()) {
                    c.execute("INSERT INTO t VALUES (3)");
                    proxy.failAtServerMessage('C', 1, FaultProxy.Action.CLOSE);
                    tx.commit();
                }
            });
            assertThat(t).isInstanceOf(TransactionResolutionUnknown.class).hasMessageContaining(UNKNOWN);
            Faults.assertBrokenAfterwards(c);
        }
    }

    @Test
    void lostConnectionBeforeCommitFailsTheStatementNotTheCommit(TestDatabase db) {
        db.admin("CREATE TABLE t (id int)");
        try (FaultProxy proxy = Faults.proxyTo(db); Connection<Row> c = Faults.connect(proxy, db)) {
            c.execute("INSERT INTO t VALUES (1)");
            proxy.failNow(FaultProxy.Action.CLOSE);
            Faults.assertLost(c, () -> c.execute("INSERT INTO t VALUES (2)"));
            // the commit is never sent: the connection is known broken, so this is not "unknown"
            Throwable t = catchThrowable(c::commit);
            assertThat(t).isInstanceOf(OperationalException.class).isNotInstanceOf(TransactionResolutionUnknown.class)
                    .hasMessageContaining("broken");
        }
        assertThat(db.adminQuery("SELECT count(*) FROM t")).isEqualTo("0");
    }

    @Test
    void aCommitThatReturnedSurvivesAnImmediateShutdown(TestDatabase db) {
        assumeTrue(db.server().isEmbedded());
        db.admin("SET synchronous_commit = on; CREATE TABLE t (id int)");
        try (Connection<Row> c = Connection.connect(db.conninfo() + " sslmode=disable")) {
            c.execute("SET synchronous_commit = on");
            c.commit();
            c.execute("INSERT INTO t SELECT generate_series(1, 1000)");
            c.commit();
            c.execute("INSERT INTO t VALUES (-1)"); // open, never committed
            db.server().stop(StopMode.IMMEDIATE);
            db.server().start();
            Faults.assertLost(c, () -> c.execute("SELECT 1"));
        }
        assertThat(db.adminQuery("SELECT count(*) || ' ' || min(id) FROM t")).isEqualTo("1000 1");
    }
}
