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
}
