package dev.tusk;

import dev.tusk.errors.TuskException;
import dev.tusk.internal.op.Execute;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A driver's row stream reused by its cursor's next statement ({@link Cursor#liveRows}, tusk-jdbc's live result
 * sets) also makes that statement of the execution of the statement before ({@code Execute}), once it ended: the
 * row limit, the retry of a stale plan, the parameters (or none), the transaction it opened and a pipeline refusing
 * streams are each the new statement's own, as with a new execution.
 */
@TuskTest
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LiveStreamStatementReuseTest {
    private static final String SERIES = "SELECT g FROM generate_series(1, %s) g";

    private TestDatabase db;
    private Connection<Row> conn;

    @BeforeEach
    void open(TestDatabase db) {
        this.db = db;
        conn = connect(true);
    }

    private Connection<Row> connect(boolean autocommit) {
        return Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0)
                .autocommit(autocommit).build());
    }

    @AfterEach
    void close() {
        conn.close();
    }

    private static RowStream<Row> live(Cursor<Row> cur, String q, Object... params) {
        return cur.liveRows(q, params, ExecuteOptions.DEFAULT, true);
    }

    private static List<Object> all(RowStream<Row> rows) {
        List<Object> out = new ArrayList<>();
        try (rows) {
            while (rows.hasNext()) {
                out.add(rows.next().get(0));
            }
        }
        return out;
    }

    @Test
    void theExecutionIsReusedAndARowLimitIsNotKept() {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> s = live(cur, SERIES, 5);
        assertThat(all(s)).containsExactly(1, 2, 3, 4, 5);
        Execute spare = s.step().spareOp();
        assertThat(spare).as("ended, nothing refers to it").isNotNull();
        cur.setMaxRows(2);
        assertThat(all(live(cur, SERIES, 5))).containsExactly(1, 2);
        assertThat(s.step().spareOp()).as("the same execution, made the next statement").isSameAs(spare);
        cur.setMaxRows(0);
        assertThat(all(live(cur, SERIES, 5))).as("no limit left of the run before").containsExactly(1, 2, 3, 4, 5);
        assertThat(s.step().spareOp()).isSameAs(spare);
    }

    @Test
    void aStalePlanIsSentAgainEachTimeItComesNotOnlyTheFirst() {
        String table = "reuse_retry_" + System.nanoTime();
        conn.execute("CREATE TABLE " + table + " (id int4, v int4)");
        conn.execute("INSERT INTO " + table + " VALUES (1, 10)");
        try (Connection<Row> other = connect(true)) { // its ALTERs leave this connection's plans stale
            Cursor<Row> cur = conn.cursor();
            String q = "SELECT v FROM " + table + " WHERE id = %s";
            for (int k = 0; k < 2; k++) {
                assertThat(all(live(cur, q, 1))).containsExactly(10);
            }
            other.execute("ALTER TABLE " + table + " ALTER COLUMN v TYPE int8");
            assertThat(all(live(cur, q, 1))).as("sent again once").containsExactly(10L);
            assertThat(all(live(cur, q, 1))).containsExactly(10L);
            other.execute("ALTER TABLE " + table + " ALTER COLUMN v TYPE int4");
            assertThat(all(live(cur, q, 1))).as("a reused execution may send it again too").containsExactly(10);
        } finally {
            conn.execute("DROP TABLE " + table);
        }
    }

    @Test
    void statementsWithAndWithoutParametersAfterEachOther() {
        Cursor<Row> cur = conn.cursor();
        for (int k = 0; k < 2; k++) {
            assertThat(all(cur.liveRows("SELECT 'plain'", null, ExecuteOptions.DEFAULT, true))).containsExactly("plain");
            assertThat(all(live(cur, "SELECT %s::text", "bound"))).containsExactly("bound");
            assertThat(all(cur.liveRows("SELECT 1; SELECT 2", null, ExecuteOptions.DEFAULT, true)))
                    .as("several statements as written").containsExactly(1, 2);
        }
    }

    @Test
    void eachStatementOutsideAutocommitOpensItsOwnTransaction() {
        try (Connection<Row> tx = connect(false)) {
            Cursor<Row> cur = tx.cursor();
            for (int k = 0; k < 3; k++) {
                assertThat(all(live(cur, "SELECT txid_current_if_assigned() IS NULL AND %s", true))).containsExactly(true);
                assertThat(tx.info().transactionStatus()).as("a BEGIN went first").isEqualTo(TransactionStatus.INTRANS);
                tx.commit();
                assertThat(tx.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            }
        }
    }

    @Test
    void aPipelineRefusesTheStreamAndTheNextStreamAfterItRuns() {
        Cursor<Row> cur = conn.cursor();
        RowStream<Row> s = live(cur, SERIES, 2);
        assertThat(all(s)).containsExactly(1, 2);
        try (Pipeline p = conn.pipeline()) {
            assertThatThrownBy(() -> live(cur, SERIES, 3)).isInstanceOf(TuskException.class);
            conn.execute("SELECT 1");
        }
        RowStream<Row> next = live(cur, SERIES, 3);
        assertThat(next).isSameAs(s);
        assertThat(all(next)).containsExactly(1, 2, 3);
    }
}
