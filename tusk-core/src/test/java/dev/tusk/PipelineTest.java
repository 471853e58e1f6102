package dev.tusk;

import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@TuskTest
class PipelineTest {
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        conn = Connection.connect(db.conninfo());
        conn.setAutocommit(true);
        conn.execute("CREATE TABLE p (a int PRIMARY KEY)");
    }

    @AfterEach
    void close() {
        conn.close();
    }

    @Test
    void statementsFlowWithoutWaitingAndResultsComeInOrder() {
        RoundTripCounter counter = RoundTripCounter.attach(conn);
        Cursor<Row>[] cursors = new Cursor[100];
        try (Pipeline p = conn.pipeline()) {
            assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.ON);
            for (int i = 0; i < 100; i++) {
                cursors[i] = conn.execute("INSERT INTO p VALUES (%s) RETURNING a * 2", i);
            }
            assertThat(counter.writes()).isZero();
            p.sync();
        }
        assertThat(counter.syncs()).isEqualTo(1);
        for (int i = 0; i < 100; i++) {
            assertThat(cursors[i].fetchone().getInt(0)).isEqualTo(i * 2);
        }
        assertThat(conn.info().pipelineStatus()).isEqualTo(PipelineStatus.OFF);
    }

    @Test
    void fetchingFlushesAndWaitsForThatResult() {
        try (Pipeline p = conn.pipeline()) {
            Cursor<Row> c = conn.execute("SELECT 41 + 1");
            assertThat(c.fetchone().getInt(0)).isEqualTo(42);
        }
    }

    @Test
    void aFailingStatementAbortsTheRestUntilSync() {
        Cursor<Row> before;
        Cursor<Row> bad;
        Cursor<Row> after;
        Cursor<Row> nextSegment;
        try (Pipeline p = conn.pipeline()) {
            before = conn.execute("INSERT INTO p VALUES (%s)", 1);
            bad = conn.execute("INSERT INTO p VALUES (%s)", 1);
            after = conn.execute("INSERT INTO p VALUES (%s)", 2);
            assertThatThrownBy(p::sync).hasMessageContaining("duplicate key");
            nextSegment = conn.execute("INSERT INTO p VALUES (%s)", 3);
        }
        assertThat(before.rowcount()).isEqualTo(1);
        assertThatThrownBy(bad::fetchone).hasMessageContaining("duplicate key");
        assertThatThrownBy(after::fetchone).hasMessageContaining("pipeline aborted");
        assertThat(nextSegment.rowcount()).isEqualTo(1);
        // even in autocommit, the statements between two Syncs are one implicit transaction: 1 was rolled back too
        assertThat(conn.cursor(Rows.scalar()).execute("SELECT a FROM p ORDER BY a").fetchall().stream().map(String::valueOf)).containsExactly("3");
    }

    @Test
    void nestedBlocksAndTransactions(TestDatabase db) {
        conn.setAutocommit(false);
        try (Pipeline outer = conn.pipeline()) {
            conn.execute("INSERT INTO p VALUES (%s)", 10);
            try (Pipeline inner = conn.pipeline()) {
                conn.execute("INSERT INTO p VALUES (%s)", 11);
            }
            conn.execute("INSERT INTO p VALUES (%s)", 12);
        }
        assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS);
        try (Connection<Row> witness = Connection.connect(db.conninfo())) {
            assertThat(witness.execute("SELECT count(*) FROM p").fetchone().getLong(0)).isZero();
            conn.commit();
            assertThat(witness.execute("SELECT count(*) FROM p").fetchone().getLong(0)).isEqualTo(3);
        }
    }
}
