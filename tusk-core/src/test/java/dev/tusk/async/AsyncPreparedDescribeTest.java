package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncCursor;
import dev.tusk.Column;
import dev.tusk.ConnectOptions;
import dev.tusk.ExecuteOptions;
import dev.tusk.Row;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * An AsyncConnection describes a prepared statement once, then runs it with the columns it knows, as
 * Connection does: the server sends one RowDescription, not one per execution.
 */
@Timeout(60)
@TuskTest
class AsyncPreparedDescribeTest {

    @Test
    void aPreparedStatementIsDescribedOnceThenRunsWithTheColumnsItKnows(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             AsyncConnection<Row> conn = connect(proxy, db)) {
            run(conn, "SELECT %s::int AS n, 'x' AS s", 0); // prepared (threshold 0) and described
            // a second RowDescription would mean a Describe was sent again: the proxy cuts the connection there
            proxy.failAtServerMessage('T', 1, FaultProxy.Action.CLOSE);
            for (int i = 1; i < 5; i++) {
                AsyncCursor<Row> cur = run(conn, "SELECT %s::int AS n, 'x' AS s", i);
                assertThat(cur.description()).extracting(Column::name).containsExactly("n", "s");
                assertThat(cur.fetchone().getInt("n")).isEqualTo(i);
            }
            assertThat(proxy.triggered()).as("a RowDescription came for a statement already described").isFalse();
        }
    }

    @Test
    void knownColumnsGoStaleWhenTheTableChangesAndTheStatementIsPreparedAgain(TestDatabase db) throws Exception {
        db.admin("CREATE TABLE described (a int)");
        db.admin("INSERT INTO described VALUES (1)");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             AsyncConnection<Row> conn = connect(proxy, db)) {
            for (int i = 0; i < 3; i++) {
                assertThat(run(conn, "SELECT * FROM described WHERE a = %s", 1).fetchone().size()).isEqualTo(1);
            }
            db.admin("ALTER TABLE described ADD COLUMN b text DEFAULT 'new'");
            AsyncCursor<Row> cur = run(conn, "SELECT * FROM described WHERE a = %s", 1);
            assertThat(cur.description()).extracting(Column::name).containsExactly("a", "b");
            assertThat(cur.fetchone().getString("b")).isEqualTo("new");
        }
    }

    @Test
    void binaryResultsAreDescribedOnTheirOwn(TestDatabase db) throws Exception {
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             AsyncConnection<Row> conn = connect(proxy, db)) {
            assertThat(run(conn, "SELECT %s::int AS n", 1).fetchone().getInt(0)).isEqualTo(1);
            AsyncCursor<Row> bin = conn.execute("SELECT %s::int AS n", List.of(7), ExecuteOptions.builder().binary(true).build())
                    .get(15, TimeUnit.SECONDS);
            assertThat(bin.fetchone().getInt(0)).isEqualTo(7);
            assertThat(run(conn, "SELECT %s::int AS n", 3).fetchone().getInt(0)).isEqualTo(3);
        }
    }

    private static AsyncConnection<Row> connect(FaultProxy proxy, TestDatabase db) throws Exception {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).host("127.0.0.1")
                .port(proxy.port()).sslmode("disable").autocommit(true).prepareThreshold(0).build()).get(15, TimeUnit.SECONDS);
    }

    private static AsyncCursor<Row> run(AsyncConnection<Row> conn, String query, int param) throws Exception {
        return conn.execute(query, param).get(15, TimeUnit.SECONDS);
    }
}
