package dev.tusk;

import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A COPY left unfinished: a COPY TO nobody reads is cancelled in bounded time (trust #3), a statement during
 * a COPY FROM is refused and the connection survives (trust #18), and a COPY FROM keeps its rows only when
 * finish() is called, so an exception in its block copies nothing (trust #19).
 */
@TuskTest
@Timeout(value = 120, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CopyAbandonTest {
    /** Far more than the test's time could read: only a cancel ends it in time. */
    private static final String HUGE_OUT = "COPY (SELECT g, repeat('y', 200) FROM (SELECT generate_series(1, 500000000) AS g) s) TO STDOUT";

    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE c (a int, b text)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    // trust #3
    @Test
    void anAbandonedCopyToIsCancelledByTheNextStatement() {
        Copy copy = conn.cursor().copy(HUGE_OUT);
        assertThat(copy.read()).isNotNull(); // then the reader stops reading
        long start = System.nanoTime();
        assertThat(conn.execute("SELECT 5").fetchone().getInt(0)).isEqualTo(5);
        assertThat(seconds(start)).isLessThan(15);
        assertThatThrownBy(copy::read).isInstanceOf(ProgrammingException.class).hasMessageContaining("another statement");
        copy.close();
        assertThat(conn.execute("SELECT 6").fetchone().getInt(0)).isEqualTo(6);
        assertThat(conn.isBroken()).isFalse();
    }

    // trust #3
    @Test
    void closingACopyToBeforeItsEndCancelsItInBoundedTime() {
        long start = System.nanoTime();
        try (Copy copy = conn.cursor().copy(HUGE_OUT)) {
            for (int i = 0; i < 1000; i++) {
                assertThat(copy.read()).isNotNull();
            }
        }
        assertThat(seconds(start)).isLessThan(15);
        assertThat(conn.execute("SELECT 5").fetchone().getInt(0)).isEqualTo(5);
    }

    // trust #3: a server that does not answer the cancel breaks the connection visibly, in bounded time
    @Test
    void anAbandonedCopyToOnAFrozenServerBreaksTheConnectionInBoundedTime(TestDatabase db) throws Exception {
        assumeTrue(db.server().isEmbedded());
        Copy copy = conn.cursor().copy(HUGE_OUT);
        assertThat(copy.read()).isNotNull();
        long pid = conn.info().backendPid();
        signal("STOP", pid);
        try {
            long start = System.nanoTime();
            // on a thread of its own, so that a statement that waits cannot keep this test from resuming the backend
            Throwable t = CompletableFuture.supplyAsync(() -> catchThrowable(() -> conn.execute("SELECT 5")))
                    .get(40, TimeUnit.SECONDS);
            assertThat(seconds(start)).isLessThan(30);
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("broken");
            assertThat(conn.isBroken()).isTrue();
            assertThat(conn.isClosed()).isTrue();
        } finally {
            signal("CONT", pid);
        }
    }

    // trust #18
    @Test
    void aStatementDuringCopyFromIsRefusedAndTheCopyGoesOn() {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
            copy.writeRow(1, "one");
            assertThatThrownBy(() -> conn.execute("SELECT 1")).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("another command is already in progress");
            assertThatThrownBy(() -> conn.cursor().copy("COPY c FROM STDIN")).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("another command is already in progress");
            copy.writeRow(2, "two");
            assertThat(copy.finish()).isEqualTo(2);
        }
        assertThat(conn.isClosed()).isFalse();
        assertThat(conn.execute("SELECT string_agg(b, ',' ORDER BY a) FROM c").fetchone().getString(0)).isEqualTo("one,two");
    }

    // trust #18
    @Test
    void aStatementFromAnotherThreadDuringCopyFromIsRefused() throws Exception {
        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
            copy.writeRow(1, "one");
            Throwable t = CompletableFuture.supplyAsync(() -> catchThrowable(() -> conn.execute("SELECT 1")))
                    .get(30, TimeUnit.SECONDS);
            assertThat(t).isInstanceOf(ProgrammingException.class).hasMessageContaining("another command is already in progress");
            copy.writeRow(2, "two");
            copy.finish();
        }
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isEqualTo(2);
    }

    // trust #19: the adversary's case
    @Test
    void anExceptionInsideTheCopyBlockCopiesNothing() {
        Throwable t = catchThrowable(() -> {
            try (Copy cp = conn.cursor().copy("COPY c FROM STDIN")) {
                cp.writeRow(1, "one");
                throw new IllegalStateException("the application failed half-way");
            }
        });
        assertThat(t).isInstanceOf(IllegalStateException.class).hasMessage("the application failed half-way");
        assertThat(t.getSuppressed()).singleElement().isInstanceOf(ProgrammingException.class);
        assertThat(t.getSuppressed()[0]).hasMessageContaining("without finish()").hasMessageContaining("nothing was copied");
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isZero();
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    // trust #19: in a transaction too, and the transaction says the COPY failed
    @Test
    void anExceptionInsideTheCopyBlockCopiesNothingInATransaction() {
        conn.setAutocommit(false);
        Throwable t = catchThrowable(() -> {
            try (Copy cp = conn.cursor().copy("COPY c FROM STDIN")) {
                for (int i = 0; i < 100_000; i++) {
                    cp.writeRow(i, "row " + i); // several CopyData messages already sent
                }
                throw new IllegalStateException("boom");
            }
        });
        assertThat(t).isInstanceOf(IllegalStateException.class);
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
        conn.commit(); // a failed transaction's commit is a rollback
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isZero();
    }

    // trust #19
    @Test
    void closingWithoutFinishSaysSoAndFinishKeepsTheRows() {
        Copy forgot = conn.cursor().copy("COPY c FROM STDIN");
        forgot.writeRow(1, "one");
        assertThatThrownBy(forgot::close).isInstanceOf(ProgrammingException.class).hasMessageContaining("copy.finish()");
        forgot.close(); // idempotent
        assertThatThrownBy(forgot::finish).isInstanceOf(ProgrammingException.class);
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isZero();

        try (Copy copy = conn.cursor().copy("COPY c FROM STDIN")) {
            copy.writeRow(2, "two");
            assertThat(copy.finish()).isEqualTo(1);
            assertThat(copy.finish()).isEqualTo(1);
        }
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isEqualTo(1);
    }

    // trust #3: finish() on a COPY TO reads the rest to its end (no cancel) and counts it
    @Test
    void finishOfACopyToReadsTheRestAndCounts() {
        conn.execute("INSERT INTO c SELECT g, 'x' FROM generate_series(1, 20000) g");
        conn.setAutocommit(false);
        try (Copy copy = conn.cursor().copy("COPY c TO STDOUT")) {
            assertThat(copy.read()).isNotNull();
            assertThat(copy.finish()).isEqualTo(20000);
        }
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        assertThat(conn.execute("SELECT count(*) FROM c").fetchone().getLong(0)).isEqualTo(20000);
        conn.rollback();
    }

    static void signal(String sig, long pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Long.toString(pid)).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
    }

    private static long seconds(long start) {
        return (System.nanoTime() - start) / 1_000_000_000L;
    }
}
