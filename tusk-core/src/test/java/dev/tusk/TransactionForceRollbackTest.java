package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link TransactionOptions.Builder#forceRollback}, psycopg's {@code force_rollback} (tests/test_transaction.py
 * {@code test_force_rollback_successful_exit}, {@code test_force_rollback_exception_exit}), on both drivers: the
 * block rolls back where it would commit, and ends ROLLED_BACK_EXPLICITLY.
 */
@TuskTest
@Timeout(60)
class TransactionForceRollbackTest {
    private static final TransactionOptions FORCE = TransactionOptions.builder().forceRollback(true).build();

    private static ConnectOptions<Row> options(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
    }

    // psycopg: test_force_rollback_successful_exit
    @Test
    void aBlockEndingNormallyRollsBackAndReturnsItsResult(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        try (Connection<Row> conn = Connection.connect(options(db))) {
            AtomicReference<Transaction> seen = new AtomicReference<>();
            long n = conn.transaction(FORCE, tx -> {
                seen.set(tx);
                conn.execute("INSERT INTO fr VALUES (1)");
                return conn.execute("SELECT count(*) FROM fr").fetchone().getLong(0);
            });
            assertThat(n).as("the insert is seen inside the block").isEqualTo(1);
            assertThat(seen.get().status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
            assertThat(conn.execute("SELECT count(*) FROM fr").fetchone().getLong(0)).isZero();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        }
    }

    // psycopg: test_force_rollback_exception_exit
    @Test
    void aBlockLeftWithAnErrorRollsBackAndTheErrorGoesOn(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        try (Connection<Row> conn = Connection.connect(options(db))) {
            IllegalStateException boom = new IllegalStateException("boom");
            assertThatThrownBy(() -> conn.transaction(FORCE, tx -> {
                conn.execute("INSERT INTO fr VALUES (1)");
                throw boom;
            })).isSameAs(boom);
            assertThat(conn.execute("SELECT count(*) FROM fr").fetchone().getLong(0)).isZero();
        }
    }

    @Test
    void aNestedForcedBlockRollsBackToItsSavepointAndTheOuterOneCommits(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        try (Connection<Row> conn = Connection.connect(options(db))) {
            conn.transaction(outer -> {
                conn.execute("INSERT INTO fr VALUES (1)");
                conn.transaction(FORCE, inner -> conn.execute("INSERT INTO fr VALUES (2)"));
                return null;
            });
            assertThat(db.adminQuery("SELECT string_agg(a::text, ',') FROM fr")).isEqualTo("1");
        }
    }

    @Test
    void theResourceFormsCommitRollsBackToo(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        try (Connection<Row> conn = Connection.connect(options(db))) {
            Transaction tx = conn.transaction(FORCE);
            try (tx) {
                conn.execute("INSERT INTO fr VALUES (1)");
                tx.commit();
            }
            assertThat(tx.status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
            assertThat(db.adminQuery("SELECT count(*) FROM fr")).isEqualTo("0");
        }
    }

    // psycopg: test_force_rollback_successful_exit (async)
    @Test
    void anAsyncBlockEndingNormallyRollsBackAndReturnsItsResult(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        AsyncConnection<Row> conn = AsyncConnection.connect(options(db)).join();
        try {
            AtomicReference<AsyncTransaction<Row>> seen = new AtomicReference<>();
            Long n = conn.<Long>transaction(FORCE, tx -> {
                seen.set(tx);
                return conn.execute("INSERT INTO fr VALUES (1)")
                        .thenCompose(c -> conn.execute("SELECT count(*) FROM fr"))
                        .thenApply(c -> c.fetchone().getLong(0));
            }).join();
            assertThat(n).isEqualTo(1);
            assertThat(seen.get().status()).isEqualTo(Transaction.Status.ROLLED_BACK_EXPLICITLY);
            assertThat(db.adminQuery("SELECT count(*) FROM fr")).isEqualTo("0");
        } finally {
            conn.close();
        }
    }

    // psycopg: test_force_rollback_exception_exit (async)
    @Test
    void anAsyncBlockFailingRollsBackAndTheErrorGoesOn(TestDatabase db) {
        db.admin("CREATE TABLE fr (a int)");
        AsyncConnection<Row> conn = AsyncConnection.connect(options(db)).join();
        try {
            IllegalStateException boom = new IllegalStateException("boom");
            CompletableFuture<Object> f = conn.transaction(FORCE, tx -> conn.execute("INSERT INTO fr VALUES (1)")
                    .thenCompose(c -> CompletableFuture.failedFuture(boom)));
            assertThatThrownBy(f::join).hasCause(boom);
            assertThat(db.adminQuery("SELECT count(*) FROM fr")).isEqualTo("0");
        } finally {
            conn.close();
        }
    }
}
