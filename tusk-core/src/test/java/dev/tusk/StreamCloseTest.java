package dev.tusk;

import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.OperationalException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A stream closed or abandoned before its end stops the server's work (a cancel request) and drops what still
 * arrives: bounded time and memory however large the result (trust #2).
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StreamCloseTest {
    /** Tens of gigabytes if it were all sent: draining it (or collecting it) could not end in the test's time. */
    private static final String HUGE = "SELECT g, repeat('x', 200) AS pad FROM (SELECT generate_series(1, 500000000) AS g) s";

    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    // trust #2
    @Test
    void closingAStreamAfterLimitCancelsTheRestInBoundedTime() {
        conn.setAutocommit(true);
        long start = System.nanoTime();
        List<Integer> first;
        try (Stream<Row> rows = conn.cursor().stream(HUGE)) {
            first = rows.limit(3).map(r -> r.getInt(0)).toList();
        }
        assertThat(first).containsExactly(1, 2, 3);
        assertThat(seconds(start)).isLessThan(15);
        assertThat(conn.execute("SELECT 42").fetchone().getInt(0)).isEqualTo(42);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
        assertThat(conn.isBroken()).isFalse();
    }

    // trust #2
    @Test
    void anAbandonedStreamIsCancelledByTheNextStatement() {
        conn.setAutocommit(true);
        Stream<Row> rows = conn.cursor().stream(HUGE, new Object[0]);
        java.util.Iterator<Row> it = rows.iterator();
        assertThat(it.next().getInt(0)).isEqualTo(1); // then neither read on nor closed: abandoned
        long start = System.nanoTime();
        assertThat(conn.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
        assertThat(seconds(start)).isLessThan(15);
        assertThatThrownBy(it::hasNext).isInstanceOf(OperationalException.class).hasMessageContaining("interrupted");
        rows.close();
        assertThat(conn.execute("SELECT 8").fetchone().getInt(0)).isEqualTo(8);
    }

    // trust #2: in a transaction a short remainder is read and dropped rather than cancelled: the transaction goes on
    @Test
    void aStreamWithAShortRemainderClosedEarlyInATransactionLeavesTheTransactionUsable() {
        try (Stream<Row> rows = conn.cursor().stream("SELECT g FROM generate_series(1, 100000) g")) {
            assertThat(rows.findFirst().orElseThrow().getInt(0)).isEqualTo(1);
        }
        assertThat(conn.execute("SELECT 3").fetchone().getInt(0)).isEqualTo(3);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        conn.commit();
    }

    // trust #2: a large remainder is cancelled, and in a transaction the cancel is visible, as with libpq
    @Test
    void aLargeStreamClosedEarlyInATransactionLeavesItInErrorAndARollbackRepairsIt() {
        try (Stream<Row> rows = conn.cursor().stream(HUGE)) {
            assertThat(rows.findFirst()).isPresent();
        }
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(InFailedSqlTransaction.class);
        conn.rollback();
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    private static long seconds(long start) {
        return (System.nanoTime() - start) / 1_000_000_000L;
    }
}
