package dev.tusk;

import dev.tusk.errors.InFailedSqlTransaction;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.UndefinedObject;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * What the errors say (trust #27): statements queued behind a failed Parse report that failure, not the
 * server's "prepared statement does not exist"; a broken connection's advice is given once, however many
 * layers report it; a connection the user closed is "closed", not "broken", on both drivers.
 */
@TuskTest
@Timeout(60)
class ErrorMessagesTest {

    private static AsyncConnection<Row> preparingAtOnce(TestDatabase db, boolean autocommit) {
        return AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).prepareThreshold(0)
                .autocommit(autocommit).build()).join();
    }

    private static Throwable cause(CompletableFuture<?> f) {
        Throwable t = catchThrowable(f::join);
        return t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    }

    private static int occurrences(String text, String part) {
        return text.split(java.util.regex.Pattern.quote(part), -1).length - 1;
    }

    // trust #27
    @Test
    void statementsQueuedInAFailedAsyncTransactionReportInFailedSqlTransaction(TestDatabase db) {
        try (AsyncConnection<Row> conn = preparingAtOnce(db, false)) {
            CompletableFuture<?> failing = conn.execute("SELECT 1/0");
            // the first of these sends the Parse of a named statement, the others reuse its name
            List<CompletableFuture<AsyncCursor<Row>>> queued = List.of(conn.execute("SELECT %s::int", 1),
                    conn.execute("SELECT %s::int", 2), conn.execute("SELECT %s::int", 3));
            assertThat(cause(failing)).isInstanceOf(dev.tusk.errors.DivisionByZero.class);
            for (CompletableFuture<AsyncCursor<Row>> f : queued) {
                assertThat(cause(f)).isInstanceOf(InFailedSqlTransaction.class)
                        .hasMessageContaining("current transaction is aborted");
            }
            conn.rollback().join();
            // the cache does not believe in a statement whose Parse failed: the query runs (and is prepared) now
            assertThat(conn.execute("SELECT %s::int", 4).join().fetchone().getInt(0)).isEqualTo(4);
            assertThat(conn.execute("SELECT %s::int", 5).join().fetchone().getInt(0)).isEqualTo(5);
            assertThat(conn.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = 'SELECT $1::int'")
                    .join().fetchone().getLong(0)).isEqualTo(1);
        }
    }

    // trust #27: a Parse the server refuses: the executions that reused its name say why, not "does not exist"
    @Test
    void executionsQueuedBehindAFailedParseReportItsError(TestDatabase db) {
        try (AsyncConnection<Row> conn = preparingAtOnce(db, true)) {
            conn.execute("SELECT 1").join();
            List<CompletableFuture<AsyncCursor<Row>>> queued = List.of(conn.execute("SELECT %s::no_such_type", "a"),
                    conn.execute("SELECT %s::no_such_type", "b"), conn.execute("SELECT %s::no_such_type", "c"));
            for (CompletableFuture<AsyncCursor<Row>> f : queued) {
                assertThat(cause(f)).isInstanceOf(UndefinedObject.class).hasMessageContaining("no_such_type");
            }
            assertThat(conn.execute("SELECT %s::int", 7).join().fetchone().getInt(0)).isEqualTo(7);
        }
    }

    // trust #27: "the connection is broken (...; the connection is broken, open a new one): open a new one" no more
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aBrokenConnectionGivesItsAdviceOnce(Flavour flavour, TestDatabase db) throws InterruptedException {
        Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()));
        try {
            db.admin("SELECT pg_terminate_backend(" + s.info().backendPid() + ")");
            Throwable first = catchThrowable(() -> s.rows("SELECT 1"));
            for (int i = 0; first == null && i < 100; i++) { // the async driver may not have read the news yet
                Thread.sleep(50);
                first = catchThrowable(() -> s.rows("SELECT 1"));
            }
            assertThat(first).isInstanceOf(OperationalException.class);
            // (the server's FATAL may come as the statement's own error, in its words only)
            assertThat(occurrences(first.getMessage(), "open a new one")).as(first.getMessage()).isLessThanOrEqualTo(1);
            for (int i = 0; !s.isBroken() && i < 100; i++) {
                Thread.sleep(50);
            }
            assertThat(s.isBroken()).isTrue();
            Throwable next = catchThrowable(() -> s.rows("SELECT 1"));
            assertThat(next).isInstanceOf(OperationalException.class)
                    .hasMessageStartingWith("the connection is broken (")
                    .hasMessageContaining("terminating connection due to administrator command");
            assertThat(occurrences(next.getMessage(), "open a new one")).as(next.getMessage()).isEqualTo(1);
            assertThat(occurrences(next.getMessage(), "broken")).as(next.getMessage()).isEqualTo(1);
        } finally {
            s.close();
        }
    }

    // trust #27: a COPY left open when the user closes the connection says "closed", not "broken"
    @Test
    void aCopyOnAConnectionTheUserClosedSaysClosed(TestDatabase db) {
        db.admin("CREATE TABLE em (id int)");
        Connection<Row> conn = Connection.connect(db.conninfo());
        Copy copy = conn.cursor().copy("COPY em FROM STDIN");
        copy.writeRow(1);
        conn.close();
        Throwable t = catchThrowable(copy::close);
        assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("the connection is closed")
                .hasMessageNotContaining("broken");
        assertThat(conn.isBroken()).isFalse();
    }

    // trust #27: closed by the user is not broken
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aConnectionTheUserClosedSaysClosedNotBroken(Flavour flavour, TestDatabase db) {
        Flavour.Session s = flavour.open(ConnectOptions.of(db.conninfo()));
        s.rows("SELECT 1");
        s.close();
        assertThat(s.isClosed()).isTrue();
        assertThat(s.isBroken()).as("isBroken() after close()").isFalse();
        Throwable t = catchThrowable(() -> s.rows("SELECT 1"));
        assertThat(t).isInstanceOf(OperationalException.class).hasMessage("the connection is closed");
        Throwable commit = catchThrowable(s::commit);
        assertThat(commit == null ? "" : commit.getMessage()).doesNotContain("broken");
    }
}
