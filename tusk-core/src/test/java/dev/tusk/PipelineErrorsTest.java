package dev.tusk;

import dev.tusk.errors.DivisionByZero;
import dev.tusk.errors.NotSupportedException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.PipelineAborted;
import dev.tusk.errors.UniqueViolation;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Errors in pipeline mode on a blocking Connection: what fails, when, and that the connection goes on. */
@TuskTest
class PipelineErrorsTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        // a wait that would hang (the defect of trust #1) breaks the connection instead of blocking the test run
        conn = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).socketTimeout(Duration.ofSeconds(10)).build());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE p (a int PRIMARY KEY)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private List<Integer> rows() {
        List<Integer> out = new ArrayList<>();
        for (Row r : conn.execute("SELECT a FROM p ORDER BY a").fetchall()) {
            out.add(r.getInt(0));
        }
        return out;
    }

    // trust #1
    @Test
    @Timeout(30)
    void statementAfterAFailedOneFailsWithPipelineAborted() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> bad = conn.execute("SELECT 1/0");
            Cursor<Row> after = conn.execute("SELECT %s", 7);
            assertThatThrownBy(after::fetchone).isInstanceOf(PipelineAborted.class).hasMessageContaining("pipeline aborted");
            assertThatThrownBy(bad::fetchone).isInstanceOf(DivisionByZero.class);
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ABORTED);
            p.sync(); // both errors were raised already
            assertThat(conn.execute("SELECT %s", 8).fetchone().getInt(0)).isEqualTo(8);
        }
        assertThat(conn.isBroken()).isFalse();
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    // trust #1
    @Test
    @Timeout(30)
    void statementSentOnceTheErrorIsKnownFailsAtOnceAndSyncMakesThePipelineUsableAgain() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> bad = conn.execute("SELECT 1/0");
            assertThatThrownBy(bad::fetchone).isInstanceOf(DivisionByZero.class);
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ABORTED);
            RoundTripCounter counter = RoundTripCounter.attach(conn);
            Cursor<Row> later = conn.execute("INSERT INTO p VALUES (%s)", 1);
            assertThatThrownBy(later::rowcount).isInstanceOf(PipelineAborted.class);
            assertThat(counter.writes()).isZero(); // failed without asking the server
            p.sync(); // the error was raised by the fetch already
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
            Cursor<Row> again = conn.execute("INSERT INTO p VALUES (%s) RETURNING a", 2);
            assertThat(again.fetchone().getInt(0)).isEqualTo(2);
        }
        assertThat(rows()).containsExactly(2);
    }

    // trust #1
    @Test
    @Timeout(30)
    void aResultFetchedBeforeTheSyncArrivesWithoutIt() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> first = conn.execute("SELECT %s::int", 1);
            Cursor<Row> second = conn.execute("SELECT 2");
            Cursor<Row> third = conn.execute("SELECT %s::int + 1", 2);
            assertThat(second.fetchone().getInt(0)).isEqualTo(2);
            assertThat(first.fetchone().getInt(0)).isEqualTo(1);
            assertThat(third.fetchone().getInt(0)).isEqualTo(3);
        }
    }

    // psycopg parity: an error raised by a fetch is not raised again by sync() or at block exit
    @Test
    @Timeout(30)
    void anErrorAlreadyRaisedByAFetchIsNotRaisedAgainAtTheEndOfTheBlock() {
        Cursor<Row> after;
        try (Pipeline p = conn.pipeline()) {
            conn.execute("INSERT INTO p VALUES (%s)", 1);
            Cursor<Row> dup = conn.execute("INSERT INTO p VALUES (%s)", 1);
            after = conn.execute("INSERT INTO p VALUES (%s)", 2);
            assertThatThrownBy(dup::fetchone).isInstanceOf(UniqueViolation.class);
        } // no exception here
        assertThatThrownBy(after::rowcount).isInstanceOf(PipelineAborted.class);
        assertThat(rows()).isEmpty(); // one implicit transaction: the first insert was rolled back too
    }

    // psycopg parity: the error nobody fetched is raised by the block's end
    @Test
    @Timeout(30)
    void anErrorNobodyFetchedIsRaisedAtTheEndOfTheBlock() {
        assertThatThrownBy(() -> {
            try (Pipeline p = conn.pipeline()) {
                conn.execute("SELECT 1/0");
                conn.execute("SELECT 1");
            }
        }).isInstanceOf(DivisionByZero.class);
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
        assertThat(conn.execute("SELECT 1").fetchone().getInt(0)).isEqualTo(1);
    }

    // trust #1: several errors in several segments, each aborting only its own
    @Test
    @Timeout(30)
    void eachSyncEndsTheAbortedSegment() {
        try (Pipeline p = conn.pipeline()) {
            for (int round = 0; round < 3; round++) {
                Cursor<Row> bad = conn.execute("SELECT 1/0");
                Cursor<Row> skipped = conn.execute("INSERT INTO p VALUES (%s)", 100 + round);
                assertThatThrownBy(p::sync).isInstanceOf(DivisionByZero.class);
                assertThatThrownBy(skipped::rowcount).isInstanceOf(PipelineAborted.class);
                assertThatThrownBy(bad::fetchone).isInstanceOf(DivisionByZero.class);
                conn.execute("INSERT INTO p VALUES (%s)", round);
                p.sync();
            }
        }
        assertThat(rows()).containsExactly(0, 1, 2);
    }

    // trust #1: not in autocommit, the transaction is in error after the sync; rollback goes on
    @Test
    @Timeout(30)
    void inATransactionTheErrorLeavesItFailedUntilRollback() {
        conn.setAutocommit(false);
        try (Pipeline p = conn.pipeline()) {
            conn.execute("INSERT INTO p VALUES (%s)", 1);
            Cursor<Row> bad = conn.execute("SELECT 1/0");
            Cursor<Row> after = conn.execute("SELECT 2");
            assertThatThrownBy(after::fetchone).isInstanceOf(PipelineAborted.class);
            assertThatThrownBy(bad::fetchone).isInstanceOf(DivisionByZero.class);
            p.sync();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
            conn.rollback();
            conn.execute("INSERT INTO p VALUES (%s)", 3);
            conn.commit();
        }
        assertThat(rows()).containsExactly(3);
    }

    // trust #17
    @Test
    @Timeout(30)
    void executemanyInsideAPipelineQueuesItsStatements() {
        Cursor<Row> many;
        Cursor<Row> count;
        try (Pipeline p = conn.pipeline()) {
            many = conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(1, 2, 3));
            count = conn.execute("SELECT count(*) FROM p");
            p.sync();
            assertThat(many.rowcount()).isEqualTo(3);
            assertThat(count.fetchone().getLong(0)).isEqualTo(3);
        }
        assertThat(conn.isBroken()).isFalse();
        assertThat(rows()).containsExactly(1, 2, 3);
    }

    // trust #17
    @Test
    @Timeout(30)
    void executemanyReturningInsideAPipelineKeepsEveryResult() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> many = conn.cursor().executemany("INSERT INTO p VALUES (%s) RETURNING a * 10", List.of(1, 2, 3), true);
            List<Integer> got = new ArrayList<>();
            do {
                got.add(many.fetchone().getInt(0));
            } while (many.nextset());
            assertThat(got).containsExactly(10, 20, 30);
        }
        assertThat(rows()).containsExactly(1, 2, 3);
    }

    // trust #17: in autocommit a failed executemany commits nothing, and the connection goes on
    @Test
    @Timeout(30)
    void aFailingExecutemanyInsideAPipelineCommitsNothing() {
        Cursor<Row> many;
        Cursor<Row> after;
        assertThatThrownBy(() -> {
            try (Pipeline p = conn.pipeline()) {
                conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(1, 2, 2, 3));
                conn.execute("INSERT INTO p VALUES (%s)", 4);
            }
        }).isInstanceOf(UniqueViolation.class);
        assertThat(conn.isBroken()).isFalse();
        assertThat(rows()).isEmpty();

        try (Pipeline p = conn.pipeline()) {
            many = conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(5, 5));
            after = conn.execute("INSERT INTO p VALUES (%s)", 6);
            assertThatThrownBy(after::fetchone).isInstanceOf(PipelineAborted.class);
            assertThatThrownBy(many::fetchone).isInstanceOf(UniqueViolation.class);
        }
        assertThat(rows()).isEmpty();
        assertThatCode(() -> conn.cursor().executemany("INSERT INTO p VALUES (%s)", List.of(7, 8))).doesNotThrowAnyException();
        assertThat(rows()).containsExactly(7, 8);
    }

    // trust #17: a plain INSERT (multi-row rewritable) of many sets, and prepared statements
    @Test
    @Timeout(60)
    void aLargeExecutemanyInsideAPipelineThenMoreStatements() {
        List<Integer> sets = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            sets.add(i);
        }
        try (Pipeline p = conn.pipeline()) {
            for (int round = 0; round < 3; round++) { // executes enough times to be prepared
                conn.cursor().executemany("INSERT INTO p VALUES (%s + " + round + " * 10000)", sets);
            }
            Cursor<Row> count = conn.execute("SELECT count(*) FROM p");
            assertThat(count.fetchone().getLong(0)).isEqualTo(15000);
        }
        assertThat(conn.execute("SELECT count(*) FROM p").fetchone().getLong(0)).isEqualTo(15000);
    }

    // trust #17: a client-side cursor merges each set into its own statement; in a pipeline each is queued
    @Test
    @Timeout(30)
    void clientCursorExecutemanyInsideAPipeline() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> many = conn.clientCursor().executemany("INSERT INTO p VALUES (%s)", List.of(1, 2, 3));
            p.sync();
            assertThat(many.rowcount()).isEqualTo(3);
        }
        assertThat(rows()).containsExactly(1, 2, 3);
    }

    // psycopg parity: stream() is refused in a pipeline (ProgrammingError), the pipeline goes on
    @Test
    @Timeout(30)
    void streamIsRefusedInsideAPipeline() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> before = conn.execute("SELECT %s::int", 1);
            assertThatThrownBy(() -> conn.cursor().stream("SELECT generate_series(1, 3)"))
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("pipeline");
            assertThat(before.fetchone().getInt(0)).isEqualTo(1);
        }
        try (var rows = conn.cursor().stream("SELECT generate_series(1, 3)")) {
            assertThat(rows.count()).isEqualTo(3);
        }
    }

    // psycopg parity: named server cursors are refused in a pipeline (NotSupportedError)
    @Test
    @Timeout(30)
    void serverCursorsAreRefusedInsideAPipeline() {
        conn.setAutocommit(false);
        try (Pipeline p = conn.pipeline(); ServerCursor<Row> cur = conn.cursor("named")) {
            assertThatThrownBy(() -> cur.execute("SELECT generate_series(1, 3)"))
                    .isInstanceOf(NotSupportedException.class).hasMessageContaining("pipeline");
            assertThat(conn.execute("SELECT %s::int", 2).fetchone().getInt(0)).isEqualTo(2);
        }
        try (ServerCursor<Row> cur = conn.cursor("named")) {
            cur.execute("SELECT generate_series(1, 3)");
            assertThat(cur.fetchall()).hasSize(3);
        }
        conn.rollback();
    }

    // never a hang: statements with large results written without reading them would fill the socket buffers both
    // ways (psycopg #685); the test body runs in a thread of its own, since a write blocked forever cannot be interrupted
    @Test
    @Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aLongPipelineOfLargeResultsDoesNotBlockBothSides(TestDatabase db) {
        String pad = "y".repeat(1000); // 5 MB of statements
        try (Connection<Row> big = Connection.connect(db.conninfo())) {
            Cursor<Row> last = null;
            try (Pipeline p = big.pipeline()) {
                for (int i = 0; i < 5000; i++) { // 20 MB of results
                    last = big.execute("SELECT repeat('x', 4000), %s::text", pad);
                }
                p.sync();
            }
            assertThat(last.fetchone().getString(0)).hasSize(4000);
        }
    }

    // a cursor used in a pipeline and again after it shows the new results, not the pipelined ones
    @Test
    @Timeout(30)
    void aCursorReusedAfterThePipelineShowsItsNewResults() {
        Cursor<Row> cur = conn.cursor();
        try (Pipeline p = conn.pipeline()) {
            cur.execute("SELECT %s::int", 1);
        }
        cur.execute("SELECT %s::int", 2);
        assertThat(cur.fetchone().getInt(0)).isEqualTo(2);
        try (Pipeline p = conn.pipeline()) {
            cur.execute("SELECT %s::int", 3);
        }
        cur.executemany("INSERT INTO p VALUES (%s)", List.of(1, 2));
        assertThat(cur.rowcount()).isEqualTo(2);
        assertThat(cur.description()).isNull();
    }
}
