package dev.tusk;

import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two-phase commit against a real server (max_prepared_transactions > 0), a second connection as witness. */
@TuskTest
class TwoPhaseTest {
    private Connection<Row> conn;
    private Connection<Row> witness;
    private String t;

    private TestDatabase db;

    private Connection<Row> connect() {
        return Connection.connect(db.conninfo());
    }

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        conn = connect();
        witness = connect();
        witness.setAutocommit(true);
        t = TxTables.freshTable(witness);
    }

    @AfterEach
    void close() {
        conn.close();
        // leave no prepared transaction of ours behind (they would hold locks for the other tests)
        for (Xid x : witness.tpcRecover()) {
            if (x.gtrid().startsWith("tusk-test-")) {
                witness.tpcRollback(x);
            }
        }
        witness.close();
    }

    private static String unique() {
        return "tusk-test-" + UUID.randomUUID();
    }

    private Optional<Xid> recovered(Connection<Row> c, Xid xid) {
        return c.tpcRecover().stream().filter(xid::equals).findFirst();
    }

    private void insert(int id) {
        conn.execute("INSERT INTO " + t + " (id, v) VALUES (%s, %s)", id, "v" + id);
    }

    @Test
    void aPreparedTransactionIsListedByAnotherConnectionAndCommittedThere() {
        Xid xid = conn.xid(42, unique(), "branch-1");
        Instant before = Instant.now().minusSeconds(5);
        conn.tpcBegin(xid);
        insert(1);
        conn.tpcPrepare();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        conn.close(); // the prepared transaction outlives its connection

        assertThat(TxTables.count(witness, t)).isZero();
        Xid found = recovered(witness, xid).orElseThrow();
        assertThat(found.formatId()).isEqualTo(42);
        assertThat(found.gtrid()).isEqualTo(xid.gtrid());
        assertThat(found.bqual()).isEqualTo("branch-1");
        assertThat(found.owner()).isEqualTo(db.superuser());
        assertThat(found.database()).isEqualTo(db.dbname());
        assertThat(found.prepared()).isBetween(before, Instant.now().plus(Duration.ofSeconds(5)));

        witness.tpcCommit(found);
        assertThat(TxTables.count(witness, t)).isEqualTo(1);
        assertThat(recovered(witness, xid)).isEmpty();
    }

    @Test
    void aPreparedTransactionCanBeRolledBackFromAnotherConnectionOutsideAutocommit() {
        Xid xid = conn.xid(1, unique());
        conn.tpcBegin(xid);
        insert(1);
        conn.tpcPrepare();

        try (Connection<Row> other = connect()) { // autocommit off, idle: allowed
            other.tpcRollback(Xid.fromString(xid.toString()));
            assertThat(other.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
        assertThat(recovered(witness, xid)).isEmpty();
        assertThat(TxTables.count(witness, t)).isZero();
        // the connection that prepared it has not finished it: it still must, and the server says it is gone
        assertThatThrownBy(conn::tpcCommit).isInstanceOf(dev.tusk.errors.TuskException.class);
    }

    @Test
    void tpcCommitAfterPrepareOnTheSameConnection() {
        Xid xid = conn.xid(7, unique(), "");
        conn.tpcBegin(xid);
        insert(1);
        conn.tpcPrepare();
        assertThat(recovered(witness, xid)).isPresent();
        conn.tpcCommit();
        assertThat(TxTables.count(witness, t)).isEqualTo(1);
        assertThat(recovered(witness, xid)).isEmpty();
        insert(2); // back to ordinary transactions
        conn.commit();
        assertThat(TxTables.count(witness, t)).isEqualTo(2);
    }

    @Test
    void withoutPrepareTpcCommitIsAOnePhaseCommitAndTpcRollbackARollback() {
        conn.tpcBegin(conn.xid(1, unique()));
        insert(1);
        assertThat(TxTables.count(witness, t)).isZero();
        conn.tpcCommit();
        assertThat(TxTables.count(witness, t)).isEqualTo(1);

        conn.tpcBegin(conn.xid(1, unique()));
        insert(2);
        conn.tpcRollback();
        assertThat(TxTables.count(witness, t)).isEqualTo(1);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void aPlainGidWithAQuoteWorksAndComesBackUnparsed() {
        String gid = unique() + " it's \\ plain";
        conn.tpcBegin(gid);
        insert(1);
        conn.tpcPrepare();
        Xid found = recovered(witness, Xid.fromString(gid)).orElseThrow();
        assertThat(found.formatId()).isNull();
        assertThat(found.bqual()).isNull();
        assertThat(found.gtrid()).isEqualTo(gid);
        witness.tpcCommit(found);
        assertThat(TxTables.count(witness, t)).isEqualTo(1);
        // already committed elsewhere: the server refuses, and the connection is free again
        assertThatThrownBy(conn::tpcRollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("does not exist");
        conn.tpcBegin(conn.xid(1, unique()));
        conn.tpcRollback();
    }

    @Test
    void tpcRecoverLeavesTheTransactionStateAlone() {
        assertThat(conn.tpcRecover()).isNotNull();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE); // no implicit BEGIN
        insert(1);
        conn.tpcRecover();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        conn.rollback();
    }

    @Test
    void tpcBeginIsRefusedInAutocommitInsideATransactionAndDuringAnother() {
        conn.setAutocommit(true);
        assertThatThrownBy(() -> conn.tpcBegin(conn.xid(1, unique()))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("autocommit");
        conn.setAutocommit(false);
        insert(1);
        assertThatThrownBy(() -> conn.tpcBegin(conn.xid(1, unique()))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("INTRANS");
        conn.rollback();
        conn.transaction(tx -> {
            assertThatThrownBy(() -> conn.tpcBegin(unique())).isInstanceOf(ProgrammingException.class);
            return null;
        });
        conn.tpcBegin(conn.xid(1, unique()));
        assertThatThrownBy(() -> conn.tpcBegin(conn.xid(2, unique()))).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("in progress");
        assertThatThrownBy(() -> conn.tpcBegin((Xid) null)).isInstanceOf(ProgrammingException.class);
        conn.tpcRollback();
    }

    @Test
    void wrongStateCallsAreProgrammingErrors() {
        assertThatThrownBy(conn::tpcPrepare).isInstanceOf(ProgrammingException.class).hasMessageContaining("tpcBegin");
        assertThatThrownBy(conn::tpcCommit).isInstanceOf(ProgrammingException.class).hasMessageContaining("inside a two-phase");
        assertThatThrownBy(conn::tpcRollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("inside a two-phase");
        assertThatThrownBy(() -> conn.tpcCommit(null)).isInstanceOf(ProgrammingException.class);

        Xid xid = conn.xid(5, unique());
        conn.tpcBegin(xid);
        insert(1);
        assertThatThrownBy(conn::commit).isInstanceOf(ProgrammingException.class).hasMessageContaining("two-phase");
        assertThatThrownBy(conn::rollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("two-phase");
        assertThatThrownBy(() -> conn.tpcCommit(xid)).isInstanceOf(ProgrammingException.class).hasMessageContaining("outside");
        assertThatThrownBy(() -> conn.tpcRollback(xid)).isInstanceOf(ProgrammingException.class).hasMessageContaining("outside");
        conn.tpcPrepare();
        assertThatThrownBy(conn::tpcPrepare).isInstanceOf(ProgrammingException.class).hasMessageContaining("already");
        assertThatThrownBy(() -> insert(2)).isInstanceOf(ProgrammingException.class).hasMessageContaining("prepared");
        assertThatThrownBy(() -> conn.transaction()).isInstanceOf(ProgrammingException.class).hasMessageContaining("prepared");
        conn.tpcCommit();
        assertThat(TxTables.count(witness, t)).isEqualTo(1);

        // with an xid, but inside an ordinary transaction
        insert(3);
        assertThatThrownBy(() -> conn.tpcCommit(xid)).isInstanceOf(ProgrammingException.class).hasMessageContaining("INTRANS");
        conn.rollback();
    }

    @Test
    void blocksNestInsideATwoPhaseTransactionButCannotEndIt() {
        Xid xid = conn.xid(9, unique());
        conn.tpcBegin(xid);
        conn.transaction(tx -> {
            assertThat(tx.isOutermost()).isFalse(); // a savepoint in the two-phase transaction
            insert(1);
            assertThatThrownBy(conn::tpcPrepare).isInstanceOf(ProgrammingException.class).hasMessageContaining("block");
            assertThatThrownBy(conn::tpcCommit).isInstanceOf(ProgrammingException.class).hasMessageContaining("block");
            assertThatThrownBy(conn::tpcRollback).isInstanceOf(ProgrammingException.class).hasMessageContaining("block");
            return null;
        });
        conn.transaction(tx -> {
            insert(2);
            throw new Rollback();
        });
        conn.tpcPrepare();
        conn.tpcCommit();
        assertThat(witness.execute("SELECT id FROM " + t).fetchall()).hasSize(1);
    }

    @Test
    void preparingAFailedTransactionRaisesAndEndsIt() {
        conn.tpcBegin(conn.xid(1, unique()));
        insert(1);
        assertThatThrownBy(() -> conn.execute("SELECT 1/0")).isInstanceOf(dev.tusk.errors.DataException.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        assertThatThrownBy(conn::tpcPrepare).isInstanceOf(ProgrammingException.class).hasMessageContaining("rolled back");
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThatThrownBy(conn::tpcCommit).isInstanceOf(ProgrammingException.class); // nothing left to finish
        assertThat(TxTables.count(witness, t)).isZero();
    }

    @Test
    void xidStringsRoundTripThroughTheServer() {
        List<Xid> ids = List.of(conn.xid(0, unique(), "b"), conn.xid(Integer.MAX_VALUE, unique(), "ünï_cødé"),
                new Xid(null, unique(), null));
        for (Xid xid : ids) {
            try (Connection<Row> c = connect()) {
                c.tpcBegin(xid);
                c.tpcPrepare();
            }
        }
        for (Xid xid : ids) {
            Xid found = recovered(witness, xid).orElseThrow();
            assertThat(found.formatId()).isEqualTo(xid.formatId());
            assertThat(found.gtrid()).isEqualTo(xid.gtrid());
            assertThat(found.bqual()).isEqualTo(xid.bqual());
            assertThat(Xid.fromString(found.toString())).isEqualTo(xid);
            witness.tpcRollback(found);
        }
    }
}
