package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Leaving a transaction block whose connection the user closed inside it, on both drivers, as psycopg (its
 * transaction.py: when the connection is BAD at exit no command is sent, the block ends FAILED and nothing is
 * raised): the block's call returns the body's result.
 */
@TuskTest
@Timeout(60)
class TransactionExitTest {
    private static ConnectOptions<Row> options(TestDatabase db) {
        return ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build();
    }

    @Test
    void leavingABlockAfterCloseDoesNotRaise(TestDatabase db) {
        db.admin("CREATE TABLE ex (a int)");
        Connection<Row> conn = Connection.connect(options(db));
        AtomicReference<Transaction> seen = new AtomicReference<>();
        String result = conn.transaction(tx -> {
            seen.set(tx);
            conn.execute("INSERT INTO ex VALUES (1)");
            conn.close();
            return "done";
        });
        assertThat(result).isEqualTo("done");
        assertThat(seen.get().status()).isEqualTo(Transaction.Status.FAILED);
        assertThat(db.adminQuery("SELECT count(*) FROM ex")).as("never committed").isEqualTo("0");
    }

    @Test
    void closingAResourceBlockAfterCloseDoesNotRaise(TestDatabase db) {
        Connection<Row> conn = Connection.connect(options(db));
        Transaction tx = conn.transaction();
        conn.close();
        tx.close();
        assertThat(tx.status()).isEqualTo(Transaction.Status.FAILED);
    }

    @Test
    void leavingAnAsyncBlockAfterCloseDoesNotFail(TestDatabase db) {
        db.admin("CREATE TABLE ex (a int)");
        AsyncConnection<Row> conn = AsyncConnection.connect(options(db)).join();
        AtomicReference<AsyncTransaction<Row>> seen = new AtomicReference<>();
        String result = conn.<String>transaction(tx -> {
            seen.set(tx);
            return conn.execute("INSERT INTO ex VALUES (1)").thenCompose(c -> {
                conn.close();
                return CompletableFuture.completedFuture("done");
            });
        }).join();
        assertThat(result).isEqualTo("done");
        assertThat(seen.get().status()).isEqualTo(Transaction.Status.FAILED);
        assertThat(db.adminQuery("SELECT count(*) FROM ex")).as("never committed").isEqualTo("0");
    }
}
