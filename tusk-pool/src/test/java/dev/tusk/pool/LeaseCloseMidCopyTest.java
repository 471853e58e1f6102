package dev.tusk.pool;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCopy;
import dev.tusk.Connection;
import dev.tusk.Copy;
import dev.tusk.Row;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A lease closed in the middle of a COPY or a stream: the connection ends it (a COPY FROM with CopyFail, a
 * COPY TO or stream cancelled) in bounded time, and the next lease gets a working connection (trust #3).
 */
@TuskTest
@Timeout(value = 90, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LeaseCloseMidCopyTest {
    private static final String HUGE_OUT = "COPY (SELECT g, repeat('y', 200) FROM (SELECT generate_series(1, 500000000) AS g) s) TO STDOUT";

    private static ConnectionPool<Row> pool(TestDatabase db) {
        ConnectionPool<Row> pool = ConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(30)).open(true).build();
        pool.waitReady(Duration.ofSeconds(20));
        return pool;
    }

    // trust #3
    @Test
    void closingALeaseMidCopyToDoesNotHang(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            long start = System.nanoTime();
            try (Connection<Row> c = pool.connection()) {
                c.setAutocommit(true);
                Copy copy = c.cursor().copy(HUGE_OUT);
                assertThat(copy.read()).isNotNull(); // and the lease is closed with the COPY still running
            }
            assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(20);
            int five = pool.withConnection(c -> c.execute("SELECT 5").fetchone().getInt(0));
            assertThat(five).isEqualTo(5);
        }
    }

    // trust #3, #19: a COPY FROM left open by the lease is ended with CopyFail: nothing is copied
    @Test
    void closingALeaseMidCopyFromCopiesNothingAndTheNextLeaseWorks(TestDatabase db) {
        db.admin("CREATE TABLE lc (a int)");
        try (ConnectionPool<Row> pool = pool(db)) {
            try (Connection<Row> c = pool.connection()) {
                c.setAutocommit(true);
                Copy copy = c.cursor().copy("COPY lc FROM STDIN");
                copy.writeRow(1);
            }
            pool.withConnection(c -> {
                assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
                assertThat(c.execute("SELECT count(*) FROM lc").fetchone().getLong(0)).isZero();
                return null;
            });
        }
    }

    // trust #2: a stream left open by the lease is cancelled, not drained
    @Test
    void closingALeaseMidStreamDoesNotHang(TestDatabase db) {
        try (ConnectionPool<Row> pool = pool(db)) {
            long start = System.nanoTime();
            try (Connection<Row> c = pool.connection()) {
                c.setAutocommit(true);
                Stream<Row> rows = c.cursor().stream("SELECT g, repeat('x', 200) FROM (SELECT generate_series(1, 500000000) AS g) s");
                assertThat(rows.iterator().next().getInt(0)).isEqualTo(1);
            }
            assertThat((System.nanoTime() - start) / 1_000_000_000L).isLessThan(20);
            int five = pool.withConnection(c -> c.execute("SELECT 5").fetchone().getInt(0));
            assertThat(five).isEqualTo(5);
        }
    }

    // issue 30 item 11, following psycopg_pool's tests/pool/test_pool.py::test_active_close (a connection given back
    // ACTIVE in a COPY is discarded: the next lease has another backend pid): not drained and reused, but replaced
    @Test
    void aConnectionGivenBackMidCopyIsReplacedNotReused(TestDatabase db) {
        db.admin("CREATE TABLE lr (a int)");
        try (ConnectionPool<Row> pool = pool(db)) {
            for (String sql : List.of("COPY lr FROM STDIN", HUGE_OUT)) {
                int pid;
                Copy copy;
                try (Connection<Row> c = pool.connection()) {
                    c.setAutocommit(true);
                    pid = c.info().backendPid();
                    copy = c.cursor().copy(sql);
                    if (sql.contains("STDIN")) {
                        copy.writeRow(1);
                    } else {
                        assertThat(copy.read()).isNotNull();
                    }
                }
                assertThatThrownBy(copy::read).isInstanceOf(ProgrammingException.class).hasMessageContaining("given back");
                pool.withConnection(c -> {
                    assertThat(c.info().backendPid()).as(sql).isNotEqualTo(pid);
                    assertThat(c.execute("SELECT count(*) FROM lr").fetchone().getLong(0)).isZero();
                    return null;
                });
            }
        }
        try (AsyncConnectionPool<Row> pool = AsyncConnectionPool.builder().conninfo(db.conninfo()).minSize(1).maxSize(1)
                .timeout(Duration.ofSeconds(30)).build()) {
            pool.open();
            for (String sql : List.of("COPY lr FROM STDIN", HUGE_OUT)) {
                AsyncConnection<Row> c = pool.connection().join();
                c.setAutocommit(true).join();
                int pid = c.info().backendPid();
                AsyncCopy copy = c.cursor().copy(sql).join();
                if (sql.contains("STDIN")) {
                    copy.writeRow(1).join();
                } else {
                    assertThat(copy.read().join()).isNotNull();
                }
                c.close();
                AsyncConnection<Row> next = pool.connection().join();
                try {
                    assertThat(next.info().backendPid()).as(sql).isNotEqualTo(pid);
                    assertThat(next.execute("SELECT count(*) FROM lr").join().fetchone().getLong(0)).isZero();
                } finally {
                    next.rollback().join();
                    next.close();
                }
            }
        }
    }
}
