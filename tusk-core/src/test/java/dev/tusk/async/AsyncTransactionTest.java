package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.ConnectOptions;
import dev.tusk.IsolationLevel;
import dev.tusk.Rollback;
import dev.tusk.Row;
import dev.tusk.TransactionOptions;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.UniqueViolation;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
@Timeout(60)
class AsyncTransactionTest {
    private static AsyncConnection<Row> connect(TestDatabase db, boolean autocommit) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(autocommit).build()).join();
    }

    private static String rows(TestDatabase db) {
        return db.adminQuery("SELECT coalesce(string_agg(v::text, ',' ORDER BY v), '') FROM at");
    }

    @Test
    void aBlockCommitsWhenItsFutureCompletes(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            int n = conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1), (2)")
                    .thenCompose(cur -> conn.execute("SELECT count(*) FROM at"))
                    .thenApply(cur -> cur.fetchone().getInt(0))).join();
            assertThat(n).isEqualTo(2);
            assertThat(rows(db)).isEqualTo("1,2");
        }
    }

    @Test
    void aFailedBodyRollsBackAndItsExceptionComesOutUnchanged(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            IllegalStateException boom = new IllegalStateException("boom");
            CompletableFuture<Object> f = conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenApply(cur -> {
                        throw boom;
                    }));
            assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause().isSameAs(boom);
            assertThat(rows(db)).isEmpty();
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void nestedBlocksAreSavepoints(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, false)) {
            conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenCompose(x -> conn.transaction(inner -> conn.execute("INSERT INTO at VALUES (1)")) // duplicate
                            .handle((v, e) -> {
                                assertThat(e).isInstanceOf(UniqueViolation.class);
                                return null;
                            }))
                    .thenCompose(x -> conn.transaction(inner -> conn.execute("INSERT INTO at VALUES (2)")))
                    .thenCompose(x -> conn.transaction(inner -> conn.execute("INSERT INTO at VALUES (3)")
                            .thenApply(cur -> {
                                throw new Rollback();
                            })))).join();
            assertThat(rows(db)).isEqualTo("1,2");
        }
    }

    @Test
    void optionsApplyToTheOutermostBlockOnly(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, true)) {
            TransactionOptions serializable = TransactionOptions.builder().isolationLevel(IsolationLevel.SERIALIZABLE).readOnly(true).build();
            String level = conn.transaction(serializable, tx -> conn.execute("SHOW transaction_isolation")
                    .thenApply(cur -> cur.fetchone().getString(0))).join();
            assertThat(level).isEqualTo("serializable");
            assertThatThrownBy(() -> conn.transaction(tx -> conn.transaction(serializable, inner -> conn.execute("SELECT 1"))).join())
                    .hasCauseInstanceOf(ProgrammingException.class);
            assertThat(conn.execute("SHOW transaction_isolation").join().fetchone().getString(0)).isEqualTo("read committed");
        }
    }

    @Test
    void rollbackOfANamedBlockUnwindsToIt(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            java.util.concurrent.atomic.AtomicReference<dev.tusk.AsyncTransaction<Row>> seen = new java.util.concurrent.atomic.AtomicReference<>();
            conn.transaction(outer -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenCompose(x -> conn.transaction(middle -> {
                        seen.set(middle);
                        return conn.execute("INSERT INTO at VALUES (2)")
                            .thenCompose(y -> conn.transaction(inner -> conn.execute("INSERT INTO at VALUES (3)")
                                    .thenApply(cur -> {
                                        assertThat(inner.isOutermost()).isFalse();
                                        throw new Rollback(middle);
                                    })));
                    })
                            .handle((v, e) -> {
                                assertThat(e).as("the middle block swallows its own Rollback").isNull();
                                assertThat(seen.get().status()).isEqualTo(dev.tusk.Transaction.Status.ROLLED_BACK_EXPLICITLY);
                                return null;
                            }))).join();
            assertThat(rows(db)).as("the middle block and the inner one rolled back, the outer committed").isEqualTo("1");
        }
    }

    /** The exception a failed future carries. */
    private static Throwable failure(CompletableFuture<?> f) {
        assertThatThrownBy(f::join).isInstanceOf(CompletionException.class);
        return f.handle((v, e) -> e instanceof CompletionException ? e.getCause() : e).join();
    }

    @Test
    void aReadOnlyBlockRefusesWritesAndLeavesTheConnectionIdle(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, false)) {
            TransactionOptions ro = TransactionOptions.builder().readOnly(true).build();
            Throwable e = failure(conn.transaction(ro, tx -> conn.execute("INSERT INTO at VALUES (1)")));
            assertThat(e).isInstanceOf(dev.tusk.errors.TuskException.class);
            assertThat(((dev.tusk.errors.TuskException) e).sqlstate()).isEqualTo("25006");
            assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
            assertThat(rows(db)).isEmpty();
        }
    }

    @Test
    void aDeferredConstraintFailingAtCommitFailsTheBlockAndLeavesTheConnectionIdle(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY); CREATE TABLE at_child (id int, parent int REFERENCES at (v)"
                + " DEFERRABLE INITIALLY DEFERRED)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            Throwable e = failure(conn.transaction(tx -> conn.execute("INSERT INTO at_child VALUES (1, 99)")));
            assertThat(e).isInstanceOf(dev.tusk.errors.IntegrityException.class);
            assertThat(((dev.tusk.errors.TuskException) e).sqlstate()).isEqualTo("23503");
            assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
            assertThat(db.adminQuery("SELECT count(*) FROM at_child")).isEqualTo("0");
            assertThat(conn.execute("SELECT 1").join().fetchone().getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void aBlockWhoseErrorWasSwallowedFailsInsteadOfPretendingToCommit(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            Throwable e = failure(conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenCompose(x -> conn.execute("SELECT 1/0"))
                    .handle((v, err) -> "swallowed")));
            assertThat(e).isInstanceOf(dev.tusk.errors.OperationalException.class).hasMessageContaining("rolled back, not committed");
            assertThat(rows(db)).isEmpty();
            assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);

            // an inner block's swallowed error fails that block only; the outer one goes on
            conn.transaction(outer -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenCompose(x -> conn.transaction(inner -> conn.execute("INSERT INTO at VALUES (2)")
                                    .thenCompose(y -> conn.execute("SELECT 1/0"))
                                    .handle((v, err) -> "swallowed"))
                            .handle((v, err) -> {
                                assertThat(err).isNotNull();
                                return null;
                            }))
                    .thenCompose(x -> conn.execute("INSERT INTO at VALUES (3)"))).join();
            assertThat(rows(db)).isEqualTo("1,3");
        }
    }

    @Test
    void rollbackNamingABlockThatDoesNotEncloseItIsAProgrammingError(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            java.util.concurrent.atomic.AtomicReference<dev.tusk.AsyncTransaction<Row>> ended = new java.util.concurrent.atomic.AtomicReference<>();
            conn.transaction(tx -> {
                ended.set(tx);
                return CompletableFuture.completedFuture(null);
            }).join();
            Throwable e = failure(conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1)").thenApply(c -> {
                throw new Rollback(ended.get());
            })));
            assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("does not enclose");
            assertThat(rows(db)).isEmpty();
            assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.IDLE);
        }
    }

    @Test
    void aBrokenConnectionInsideABlockFailsItWithTheOriginalError(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, true)) {
            int pid = conn.info().backendPid();
            java.util.concurrent.atomic.AtomicReference<Throwable> fromStatement = new java.util.concurrent.atomic.AtomicReference<>();
            Throwable e = failure(conn.transaction(tx -> conn.execute("INSERT INTO at VALUES (1)")
                    .thenRun(() -> db.admin("SELECT pg_terminate_backend(" + pid + ", 10000)"))
                    .thenCompose(x -> conn.execute("INSERT INTO at VALUES (2)"))
                    .whenComplete((v, err) -> fromStatement.set(err instanceof CompletionException ? err.getCause() : err))));
            assertThat(fromStatement.get()).isNotNull();
            assertThat(e).isSameAs(fromStatement.get());
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.info().transactionStatus()).isEqualTo(dev.tusk.TransactionStatus.UNKNOWN);
            assertThat(rows(db)).isEmpty();
            assertThat(failure(conn.transaction(tx -> conn.execute("SELECT 1")))).isInstanceOf(dev.tusk.errors.OperationalException.class);
        }
    }

    @Test
    void characteristicsCannotChangeInsideABlockButExplicitCommitRunsInOrder(TestDatabase db) {
        db.admin("CREATE TABLE at (v int PRIMARY KEY)");
        try (AsyncConnection<Row> conn = connect(db, false)) {
            Throwable e = failure(conn.transaction(tx -> conn.setIsolationLevel(IsolationLevel.SERIALIZABLE)));
            assertThat(e).isInstanceOf(ProgrammingException.class).hasMessageContaining("isolation_level");
            conn.execute("INSERT INTO at VALUES (1)");
            CompletableFuture<Void> committed = conn.commit();
            CompletableFuture<Void> refused = conn.setAutocommit(true); // after the commit: idle again, allowed
            committed.join();
            refused.join();
            assertThat(conn.autocommit()).isTrue();
            assertThat(rows(db)).isEqualTo("1");
        }
    }
}
