package dev.tusk.async;

import dev.tusk.AsyncConnection;
import dev.tusk.AsyncServerCursor;
import dev.tusk.ConnectOptions;
import dev.tusk.Row;
import dev.tusk.Rows;
import dev.tusk.TransactionStatus;
import dev.tusk.errors.InvalidCursorName;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.sql.Identifier;
import dev.tusk.sql.SQL;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.assertj.core.api.AbstractThrowableAssert;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** AsyncServerCursor against a real server, mirroring the blocking ServerCursor tests (ServerStateTest, SqlServerTest). */
@TuskTest
@Timeout(60)
class AsyncServerCursorTest {
    private static AsyncConnection<Row> connect(TestDatabase db, boolean autocommit) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(autocommit).build()).join();
    }

    private static long openCursors(AsyncConnection<Row> conn) {
        return conn.execute("SELECT count(*) FROM pg_cursors").join().fetchone().getLong(0);
    }

    private static AbstractThrowableAssert<?, ? extends Throwable> assertFails(CompletableFuture<?> f, Class<? extends Throwable> type) {
        return assertThatThrownBy(f::join).isInstanceOf(CompletionException.class).cause().isInstanceOf(type);
    }

    @Test
    void serverCursorFetchesInChunks(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("big");
            cur.setItersize(1000);
            cur.setScrollable(true);
            assertThat(cur.execute("SELECT g FROM generate_series(1, %s) g", 10_000).join()).isSameAs(cur);
            assertThat(cur.statusmessage()).isEqualTo("DECLARE CURSOR");
            assertThat(cur.fetchone().join().getInt(0)).isEqualTo(1);
            assertThat(cur.fetchmany(2).join()).extracting(r -> r.getInt(0)).containsExactly(2, 3);
            assertThat(cur.description()).extracting(c -> c.name()).containsExactly("g");
            AtomicLong sum = new AtomicLong(1 + 2 + 3);
            AtomicLong n = new AtomicLong(3);
            cur.forEach(r -> {
                sum.addAndGet(r.getInt(0));
                n.incrementAndGet();
            }).join();
            assertThat(n.get()).isEqualTo(10_000);
            assertThat(sum.get()).isEqualTo(50_005_000L);
            assertThat(cur.rownumber()).isEqualTo(10_000);
            cur.scroll(0, "absolute").join();
            assertThat(cur.rownumber()).isZero();
            assertThat(cur.fetchone().join().getInt(0)).isEqualTo(1);
            List<Row> pg = conn.execute("SELECT name, is_scrollable FROM pg_cursors").join().fetchall();
            assertThat(pg).hasSize(1);
            assertThat(pg.get(0).getString(0)).isEqualTo("big");
            assertThat(pg.get(0).getBoolean(1)).isTrue();
            cur.closeAsync().join();
            assertThat(openCursors(conn)).isZero();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INTRANS); // the DECLARE's transaction
        }
    }

    @Test
    void forEachAsksForItersizeRowsAtATime(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("chunks");
            cur.setItersize(7);
            cur.execute("SELECT g FROM generate_series(1, 20) g").join();
            List<Integer> seen = new ArrayList<>();
            List<Long> positions = new ArrayList<>();
            cur.forEach(r -> {
                seen.add(r.getInt(0));
                positions.add(cur.rownumber()); // counted per row handed out, as psycopg (issue 30, item 9)
            }).join();
            assertThat(seen).hasSize(20).startsWith(1, 2, 3).endsWith(20);
            assertThat(positions).startsWith(1L, 2L, 3L).endsWith(20L).hasSize(20);
            assertThat(cur.fetchall().join()).isEmpty();
        }
    }

    @Test
    void relativeAndAbsoluteScrolling(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("scroller");
            cur.setScrollable(true);
            cur.execute("SELECT g FROM generate_series(1, 10) g").join();
            cur.scroll(3).join();
            assertThat(cur.rownumber()).isEqualTo(3);
            assertThat(cur.fetchone().join().getInt(0)).isEqualTo(4);
            cur.scroll(-2, "relative").join();
            assertThat(cur.fetchone().join().getInt(0)).isEqualTo(3);
            cur.scroll(9, "absolute").join();
            assertThat(cur.rownumber()).isEqualTo(9);
            assertThat(cur.fetchall().join()).extracting(r -> r.getInt(0)).containsExactly(10);
            assertFails(cur.scroll(1, "sideways"), ProgrammingException.class).hasMessageContaining("'relative' or 'absolute'");
        }
    }

    @Test
    void withholdCursorSurvivesCommit(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("held");
            cur.setWithhold(true);
            cur.execute("SELECT g FROM generate_series(1, 5) g").thenCompose(c -> conn.commit()).join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(cur.fetchall().join()).hasSize(5);
            cur.closeAsync().join();
            assertThat(conn.execute("SELECT count(*) FROM pg_cursors").join().fetchone().getLong(0)).isZero();
        }
    }

    @Test
    void closingACursorWhoseTransactionEndedIsQuiet(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("gone");
            cur.execute("SELECT 1").thenCompose(c -> conn.commit()).join(); // the portal went with the transaction
            assertFails(cur.fetchone(), InvalidCursorName.class);
            conn.rollback().join();
            cur.closeAsync().join(); // nothing left to close: no error, and no transaction opened for it
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
            assertThat(cur.isClosed()).isTrue();
            assertFails(cur.fetchone(), ProgrammingException.class).hasMessageContaining("closed");
            assertFails(cur.execute("SELECT 1"), ProgrammingException.class).hasMessageContaining("closed");
        }
    }

    @Test
    void closingInAFailedTransactionSendsNothing(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("failed");
            cur.execute("SELECT 1").join();
            assertFails(conn.execute("SELECT 1/0"), dev.tusk.errors.DataException.class);
            cur.closeAsync().join();
            assertThat(conn.info().transactionStatus()).isEqualTo(TransactionStatus.INERROR);
            conn.rollback().join();
            assertThat(openCursors(conn)).isZero();
        }
    }

    @Test
    void callsSubmittedWithoutWaitingRunInOrder(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, true)) {
            AsyncServerCursor<List<Object>> cur = conn.cursor("piped", Rows.tuple());
            cur.setWithhold(true); // autocommit: only a holdable cursor outlives its DECLARE
            CompletableFuture<?> declared = cur.execute("SELECT g, 'x' || g FROM generate_series(1, %s) g", 6);
            CompletableFuture<List<Object>> first = cur.fetchone();
            CompletableFuture<List<List<Object>>> next = cur.fetchmany(2);
            CompletableFuture<List<List<Object>>> rest = cur.fetchall();
            CompletableFuture<Void> closed = cur.closeAsync();
            CompletableFuture.allOf(declared, first, next, rest, closed).join();
            assertThat(first.join()).containsExactly(1, "x1");
            assertThat(next.join()).extracting(r -> r.get(0)).containsExactly(2, 3);
            assertThat(rest.join()).extracting(r -> r.get(0)).containsExactly(4, 5, 6);
            assertThat(cur.rownumber()).isEqualTo(6);
            assertThat(openCursors(conn)).isZero();
        }
    }

    @Test
    void executingAgainClosesThePreviousPortal(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            AsyncServerCursor<Row> cur = conn.cursor("again");
            cur.execute("SELECT 1").join();
            assertThat(cur.fetchone().join().getInt(0)).isEqualTo(1);
            cur.execute("SELECT 2").join();
            assertThat(cur.rownumber()).isZero();
            assertThat(cur.fetchall().join()).extracting(r -> r.getInt(0)).containsExactly(2);
            assertThat(openCursors(conn)).isEqualTo(1);
        }
    }

    @Test
    void quotesAndPercentSignsInNamesAndQueriesReachTheServerUnchanged(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            conn.setAutocommit(true).join();
            conn.execute(new SQL("CREATE TEMP TABLE {} (v text)").format(new Identifier("em %"))).join();
            conn.execute("INSERT INTO \"em %\" VALUES ('a%'), ('''b'''), ('none')").join();
            conn.setAutocommit(false).join();
            String name = "it's a \"cursor\" $tusk$ 100%";
            AsyncServerCursor<Row> sc = conn.cursor(name);
            sc.execute(new SQL("SELECT v FROM {} WHERE v <> {} ORDER BY v").format(new Identifier("em %"), "none")).join();
            assertThat(sc.fetchall().join()).extracting(r -> r.getString(0)).containsExactly("'b'", "a%");
            assertThat(conn.execute("SELECT name FROM pg_cursors").join().fetchone().getString(0)).isEqualTo(name);
            sc.closeAsync().join();
            assertThat(openCursors(conn)).isZero();
            conn.rollback().join();
        }
    }

    @Test
    void misuseIsAProgrammingError(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, false)) {
            assertThatThrownBy(() -> conn.cursor("")).isInstanceOf(ProgrammingException.class).hasMessageContaining("name");
            AsyncServerCursor<Row> cur = conn.cursor("misused");
            assertFails(cur.fetchone(), ProgrammingException.class).hasMessageContaining("execute() first");
            assertFails(cur.fetchall(), ProgrammingException.class).hasMessageContaining("execute() first");
            assertFails(cur.scroll(1), ProgrammingException.class).hasMessageContaining("execute() first");
            assertFails(cur.forEach(r -> { }), ProgrammingException.class).hasMessageContaining("execute() first");
            assertThatThrownBy(() -> cur.setItersize(0)).isInstanceOf(ProgrammingException.class);
            // a DECLARE the server refuses fails the future, and the cursor is not declared
            assertFails(cur.execute("SELECT * FROM no_such_table"), dev.tusk.errors.UndefinedTable.class);
            conn.rollback().join();
            assertFails(cur.fetchone(), ProgrammingException.class).hasMessageContaining("execute() first");
            cur.close();
            cur.close(); // idempotent
        }
    }

    @Test
    void withoutATransactionANonHoldableCursorIsRefusedInAutocommit(TestDatabase db) {
        try (AsyncConnection<Row> conn = connect(db, true)) {
            AsyncServerCursor<Row> cur = conn.cursor("nohold");
            // the server: DECLARE CURSOR can only be used in transaction blocks
            assertFails(cur.execute("SELECT 1"), dev.tusk.errors.NoActiveSqlTransaction.class);
            // inside a transaction() block it works
            List<Row> rows = conn.transaction(tx -> cur.execute("SELECT g FROM generate_series(1, 3) g")
                    .thenCompose(c -> c.fetchall())).join();
            assertThat(rows).hasSize(3);
        }
    }
}
