package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import static org.assertj.core.api.Assertions.assertThat;

/** Closing a server cursor whose transaction has ended sends nothing that begins a transaction (trust #21). */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ServerCursorCloseTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    // trust #21
    @Test
    void closeAfterARollbackLeavesTheConnectionIdle() {
        ServerCursor<Row> cur = conn.cursor("c21");
        cur.execute("SELECT generate_series(1, 10)");
        assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
        conn.rollback();
        cur.close();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    // trust #21
    @Test
    void closeAfterACommitLeavesTheConnectionIdle() {
        try (ServerCursor<Row> cur = conn.cursor("c21")) {
            cur.execute("SELECT generate_series(1, 10)");
            cur.fetchmany(3);
            conn.commit();
        }
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    // trust #21: a cursor WITH HOLD outlives its transaction: closed on the server, still without opening one
    @Test
    void aHeldCursorIsClosedAfterItsCommitWithoutOpeningATransaction() {
        ServerCursor<Row> cur = conn.cursor("held21");
        cur.setWithhold(true);
        cur.execute("SELECT generate_series(1, 10)");
        conn.commit();
        assertThat(cur.fetchone().getInt(0)).isEqualTo(1);
        conn.commit();
        cur.close();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(conn.execute("SELECT count(*) FROM pg_cursors WHERE name = 'held21'").fetchone().getLong(0)).isZero();
        conn.rollback();
    }

    // trust #21: inside the transaction that declared it, close() closes it and the transaction goes on
    @Test
    void closeInsideTheTransactionClosesItAndKeepsTheTransaction() {
        ServerCursor<Row> cur = conn.cursor("open21");
        cur.execute("SELECT generate_series(1, 10)");
        cur.close();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        assertThat(conn.execute("SELECT count(*) FROM pg_cursors WHERE name = 'open21'").fetchone().getLong(0)).isZero();
        conn.rollback();
    }
}
