package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.Connection;
import dev.tusk.Rollback;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.Xid;
import dev.tusk.errors.DataException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Two-phase commit on AsyncConnection against a real server (max_prepared_transactions > 0), mirroring
 * TwoPhaseTest; a blocking connection is the witness.
 */
@TuskTest
@Timeout(60)
class AsyncTwoPhaseTest {
    private static final AtomicInteger TABLES = new AtomicInteger();

    private TestDatabase db;
    private AsyncConnection<Row> conn;
    private Connection<Row> witness;
    private String t;

    private AsyncConnection<Row> connect() {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).build()).join();
    }

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        conn = connect();
        witness = Connection.connect(db.conninfo());
        witness.setAutocommit(true);
        t = "atp_t" + TABLES.incrementAndGet();
        witness.execute("CREATE TABLE " + t + " (id int PRIMARY KEY, v text)");
    }

    @AfterEach
    void close() {
        conn.closeAsync().join();
        // leave no prepared transaction of ours behind (they would hold locks for the other tests)
        for (Xid x : witness.tpcRecover()) {
            if (x.gtrid().startsWith("tusk-atest-")) {
                witness.tpcRollback(x);
            }
        }
        witness.close();
    }

    private static String unique() {
        return "tusk-atest-" + UUID.randomUUID();
    }

    private Optional<Xid> recovered(Xid xid) {
        return witness.tpcRecover().stream().filter(xid::equals).findFirst();
    }

    private long count() {
        return witness.execute("SELECT count(*) FROM " + t).fetchone().getLong(0);
    }

    private CompletableFuture<?> insert(int id) {
        return conn.execute("INSERT INTO " + t + " (id, v) VALUES (%s, %s)", id, "v" + id);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(CompletableFuture<?> f, Class<? extends Throwable> type) {
        return assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause().isInstanceOf(type);
    }

    @Test
    void aPreparedTransactionIsListedByAnotherConnectionAndCommittedThere() {
        Xid xid = conn.xid(42, unique(), "branch-1");
        Instant before = Instant.now().minusSeconds(5);
        conn.tpcBegin(xid).thenCompose(v -> insert(1)).thenCompose(v -> conn.tpcPrepare()).join();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        conn.closeAsync().join(); // the prepared transaction outlives its connection

        assertThat(count()).isZero();
        AsyncConnection<Row> other = connect();
        try {
            Xid found = other.tpcRecover().join().stream().filter(xid::equals).findFirst().orElseThrow();
            assertThat(found.formatId()).isEqualTo(42);
            assertThat(found.gtrid()).isEqualTo(xid.gtrid());
            assertThat(found.bqual()).isEqualTo("branch-1");
            assertThat(found.owner()).isEqualTo(db.superuser());
            assertThat(found.database()).isEqualTo(db.dbname());
            assertThat(found.prepared()).isBetween(before, Instant.now().plus(Duration.ofSeconds(5)));
            assertThat(other.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE); // recover opened nothing

            other.tpcCommit(found).join();
        } finally {
            other.close();
        }
        assertThat(count()).isEqualTo(1);
        assertThat(recovered(xid)).isEmpty();
    }

    @Test
    void aPreparedTransactionCanBeRolledBackFromAnotherConnectionOutsideAutocommit() {
        Xid xid = conn.xid(1, unique());
        conn.tpcBegin(xid).thenCompose(v -> insert(1)).thenCompose(v -> conn.tpcPrepare()).join();

        AsyncConnection<Row> other = connect(); // autocommit off, idle: allowed
        try {
            other.tpcRollback(Xid.fromString(xid.toString())).join();
            assertThat(other.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        } finally {
            other.close();
        }
        assertThat(recovered(xid)).isEmpty();
        assertThat(count()).isZero();
        // the connection that prepared it has not finished it: it still must, and the server says it is gone
        assertFails(conn.tpcCommit(), TuskException.class);
        conn.tpcBegin(conn.xid(1, unique())).thenCompose(v -> conn.tpcRollback()).join(); // and it is free again
    }

    @Test
    void tpcCommitAfterPrepareOnTheSameConnection() {
        Xid xid = conn.xid(7, unique(), "");
        conn.tpcBegin(xid).thenCompose(v -> insert(1)).thenCompose(v -> conn.tpcPrepare()).join();
        assertThat(recovered(xid)).isPresent();
        conn.tpcCommit().join();
        assertThat(count()).isEqualTo(1);
        assertThat(recovered(xid)).isEmpty();
        insert(2).thenCompose(v -> conn.commit()).join(); // back to ordinary transactions
        assertThat(count()).isEqualTo(2);
    }

    @Test
    void pipelinedWithoutWaitingTheCallsRunInOrder() {
        Xid xid = conn.xid(8, unique(), "p");
        // submitted all at once: each rule is checked on the event loop after the calls before it were sent
        CompletableFuture<Void> begin = conn.tpcBegin(xid);
        CompletableFuture<?> ins = insert(1);
        CompletableFuture<Void> prepare = conn.tpcPrepare();
        CompletableFuture<?> refused = insert(2);
        CompletableFuture<Void> commit = conn.tpcCommit();
        CompletableFuture.allOf(begin, ins, prepare, commit).join();
        assertFails(refused, ProgrammingException.class).hasMessageContaining("prepared");
        assertThat(count()).isEqualTo(1);
        assertThat(recovered(xid)).isEmpty();
    }

    @Test
    void withoutPrepareTpcCommitIsAOnePhaseCommitAndTpcRollbackARollback() {
        conn.tpcBegin(conn.xid(1, unique())).thenCompose(v -> insert(1)).join();
        assertThat(count()).isZero();
        conn.tpcCommit().join();
        assertThat(count()).isEqualTo(1);

        conn.tpcBegin(conn.xid(1, unique())).thenCompose(v -> insert(2)).thenCompose(v -> conn.tpcRollback()).join();
        assertThat(count()).isEqualTo(1);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void aPlainGidWithAQuoteWorksAndComesBackUnparsed() {
        String gid = unique() + " it's \\ plain";
        conn.tpcBegin(gid).thenCompose(v -> insert(1)).thenCompose(v -> conn.tpcPrepare()).join();
        Xid found = recovered(Xid.fromString(gid)).orElseThrow();
        assertThat(found.formatId()).isNull();
        assertThat(found.bqual()).isNull();
        assertThat(found.gtrid()).isEqualTo(gid);
        witness.tpcCommit(found);
        assertThat(count()).isEqualTo(1);
        // already committed elsewhere: the server refuses, and the connection is free again
        assertFails(conn.tpcRollback(), ProgrammingException.class).hasMessageContaining("does not exist");
        conn.tpcBegin(conn.xid(1, unique())).thenCompose(v -> conn.tpcRollback()).join();
    }

    @Test
    void tpcRecoverLeavesTheTransactionStateAlone() {
        assertThat(conn.tpcRecover().join()).isNotNull();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE); // no implicit BEGIN
        insert(1).join();
        conn.tpcRecover().join();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        conn.rollback().join();
    }

    @Test
    void tpcBeginIsRefusedInAutocommitInsideATransactionAndDuringAnother() {
        conn.setAutocommit(true).join();
        assertFails(conn.tpcBegin(conn.xid(1, unique())), ProgrammingException.class).hasMessageContaining("autocommit");
        conn.setAutocommit(false).join();
        insert(1).join();
        assertFails(conn.tpcBegin(conn.xid(1, unique())), ProgrammingException.class).hasMessageContaining("INTRANS");
        conn.rollback().join();
        // (callbacks run on the event loop, where join() is refused: the refusal is handed out, then checked)
        Throwable inBlock = conn.transaction(tx -> conn.tpcBegin(unique()).handle((v, e) -> e)).join();
        assertThat(inBlock).isInstanceOf(ProgrammingException.class).hasMessageContaining("INTRANS");
        conn.tpcBegin(conn.xid(1, unique())).join();
        assertFails(conn.tpcBegin(conn.xid(2, unique())), ProgrammingException.class).hasMessageContaining("in progress");
        assertFails(conn.tpcBegin((Xid) null), ProgrammingException.class).hasMessageContaining("needs an xid");
        assertFails(conn.tpcBegin((String) null), ProgrammingException.class);
        conn.tpcRollback().join();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void wrongStateCallsAreProgrammingErrors() {
        assertFails(conn.tpcPrepare(), ProgrammingException.class).hasMessageContaining("tpcBegin");
        assertFails(conn.tpcCommit(), ProgrammingException.class).hasMessageContaining("inside a two-phase");
        assertFails(conn.tpcRollback(), ProgrammingException.class).hasMessageContaining("inside a two-phase");
        assertFails(conn.tpcCommit(null), ProgrammingException.class).hasMessageContaining("needs an xid");
        assertFails(conn.tpcRollback(null), ProgrammingException.class).hasMessageContaining("needs an xid");

        Xid xid = conn.xid(5, unique());
        conn.tpcBegin(xid).thenCompose(v -> insert(1)).join();
        assertFails(conn.commit(), ProgrammingException.class).hasMessageContaining("two-phase");
        assertFails(conn.rollback(), ProgrammingException.class).hasMessageContaining("two-phase");
        assertFails(conn.tpcCommit(xid), ProgrammingException.class).hasMessageContaining("outside");
        assertFails(conn.tpcRollback(xid), ProgrammingException.class).hasMessageContaining("outside");
        conn.tpcPrepare().join();
        assertFails(conn.tpcPrepare(), ProgrammingException.class).hasMessageContaining("already");
        assertFails(insert(2), ProgrammingException.class).hasMessageContaining("prepared");
        assertFails(conn.transaction(tx -> insert(3)), ProgrammingException.class).hasMessageContaining("prepared");
        conn.tpcCommit().join();
        assertThat(count()).isEqualTo(1);

        // with an xid, but inside an ordinary transaction
        insert(3).join();
        assertFails(conn.tpcCommit(xid), ProgrammingException.class).hasMessageContaining("INTRANS");
        conn.rollback().join();
    }

    @Test
    void blocksNestInsideATwoPhaseTransactionButCannotEndIt() {
        Xid xid = conn.xid(9, unique());
        conn.tpcBegin(xid).join();
        List<Throwable> refusals = conn.transaction(tx -> {
            assertThat(tx.isOutermost()).isFalse(); // a savepoint in the two-phase transaction
            CompletableFuture<Throwable> prepare = conn.tpcPrepare().handle((v, e) -> e);
            CompletableFuture<Throwable> commit = conn.tpcCommit().handle((v, e) -> e);
            CompletableFuture<Throwable> rollback = conn.tpcRollback().handle((v, e) -> e);
            return insert(1).thenCompose(v -> CompletableFuture.allOf(prepare, commit, rollback))
                    .thenApply(v -> List.of(prepare.join(), commit.join(), rollback.join()));
        }).join();
        assertThat(refusals).hasSize(3).allSatisfy(e ->
                assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("block"));
        conn.transaction(tx -> insert(2).thenApply(v -> {
            throw new Rollback();
        })).join();
        conn.tpcPrepare().thenCompose(v -> conn.tpcCommit()).join();
        assertThat(witness.execute("SELECT id FROM " + t).fetchall()).hasSize(1);
    }

    @Test
    void preparingAFailedTransactionRaisesAndEndsIt() {
        conn.tpcBegin(conn.xid(1, unique())).thenCompose(v -> insert(1)).join();
        assertFails(conn.execute("SELECT 1/0"), DataException.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        assertFails(conn.tpcPrepare(), ProgrammingException.class).hasMessageContaining("rolled back");
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertFails(conn.tpcCommit(), ProgrammingException.class); // nothing left to finish
        assertThat(count()).isZero();
        insert(5).thenCompose(v -> conn.commit()).join(); // and the connection goes on
        assertThat(count()).isEqualTo(1);
    }

    @Test
    void xidStringsRoundTripThroughTheServer() {
        List<Xid> ids = List.of(conn.xid(0, unique(), "b"), conn.xid(Integer.MAX_VALUE, unique(), "ünï_cødé"),
                new Xid(null, unique(), null));
        for (Xid xid : ids) {
            AsyncConnection<Row> c = connect();
            try {
                c.tpcBegin(xid).thenCompose(v -> c.tpcPrepare()).join();
            } finally {
                c.closeAsync().join();
            }
        }
        List<Xid> found = conn.tpcRecover().join();
        for (Xid xid : ids) {
            Xid f = found.stream().filter(xid::equals).findFirst().orElseThrow();
            assertThat(f.formatId()).isEqualTo(xid.formatId());
            assertThat(f.gtrid()).isEqualTo(xid.gtrid());
            assertThat(f.bqual()).isEqualTo(xid.bqual());
            assertThat(Xid.fromString(f.toString())).isEqualTo(xid);
            conn.tpcRollback(f).join();
        }
        assertThat(conn.tpcRecover().join()).doesNotContainAnyElementsOf(ids);
    }

    @Test
    void aLostConnectionDuringTpcCommitSaysTheOutcomeIsUnknownOrBroken() {
        Xid xid = conn.xid(3, unique());
        conn.tpcBegin(xid).thenCompose(v -> insert(1)).thenCompose(v -> conn.tpcPrepare()).join();
        int pid = conn.info().backendPid();
        witness.execute("SELECT pg_terminate_backend(%s)", pid);
        Throwable e = conn.tpcCommit().handle((v, x) -> x).join();
        assertThat(e).isInstanceOf(OperationalException.class); // broken, or TransactionResolutionUnknown
        assertThat(conn.isBroken()).isTrue();
        assertThat(recovered(xid)).isPresent(); // still prepared: recoverable from elsewhere
    }
}
