package dev.tusk;

import dev.tusk.errors.InterfaceException;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Notice handlers that misbehave, as {@link NotifyHandlerMisuseTest} for notify handlers: a notice handler runs on
 * the thread reading the connection, in the middle of the reply carrying the notice (here a function raising one
 * before its statement's rows). Blocking: a call on the connection from inside the handler is refused with a
 * {@link ProgrammingException}, close() works, an Error breaks the connection saying a notice handler threw. Async:
 * the handler runs on the event loop in the middle of the reply (notices must reach their handlers before the
 * statement they belong to completes, which tusk-r2dbc relies on); a statement it submits is queued behind and gets
 * its own reply, joining one is refused, closing works, an Error breaks that connection, not the loop.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NoticeHandlerMisuseTest {
    /** The notice comes before the statement's row, inside its reply. */
    private static final String NOTICE_AND_42 = "SELECT pg_temp.note(42)";
    private static final String NOTE = "CREATE FUNCTION pg_temp.note(v int) RETURNS int LANGUAGE plpgsql AS"
            + " $$ BEGIN RAISE NOTICE 'note %', v; RETURN v; END $$";

    private static Connection<Row> connection(TestDatabase db) {
        Connection<Row> c = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        c.execute(NOTE);
        return c;
    }

    private interface AsyncBody {
        void run(AsyncConnection<Row> c) throws Exception;
    }

    private static void withAsync(TestDatabase db, AsyncBody body) throws Exception {
        AsyncConnection<Row> c = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .build()).get(10, TimeUnit.SECONDS);
        try {
            c.execute(NOTE).get(10, TimeUnit.SECONDS);
            body.run(c);
        } finally {
            c.closeAsync().get(10, TimeUnit.SECONDS);
        }
    }

    private static void assertUsable(Connection<Row> c) {
        assertThat(c.isBroken()).isFalse();
        assertThat(c.execute("SELECT 7").fetchone().getInt(0)).isEqualTo(7);
        assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    private static void assertUsable(AsyncConnection<Row> c) throws Exception {
        assertThat(c.isBroken()).isFalse();
        assertThat(c.execute("SELECT 7").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(7);
        assertThat(c.info().transactionStatus()).isEqualTo(TransactionStatus.IDLE);
    }

    @Test
    void aHandlerThatThrowsIsLoggedAndTheOthersAndTheStatementGoOn(TestDatabase db) {
        try (Connection<Row> c = connection(db)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            c.addNoticeHandler(d -> {
                throw new IllegalStateException("the handler's own bug");
            });
            c.addNoticeHandler(d -> seen.add(d.messagePrimary()));
            assertThat(c.execute(NOTICE_AND_42).fetchone().getInt(0)).isEqualTo(42);
            assertThat(seen).containsExactly("note 42");
            assertUsable(c);
        }
    }

    @Test
    void aHandlerThrowingAnErrorBreaksTheConnectionSayingANoticeHandlerThrew(TestDatabase db) {
        try (Connection<Row> c = connection(db)) {
            c.addNoticeHandler(d -> {
                throw new AssertionError("the handler's assertion");
            });
            Throwable t = catchThrowable(() -> c.execute(NOTICE_AND_42));
            assertThat(t).isInstanceOf(AssertionError.class).hasMessage("the handler's assertion");
            assertThat(c.isBroken()).isTrue();
            assertThat(catchThrowable(() -> c.execute("SELECT 7"))).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken").hasMessageContaining("notice handler")
                    .hasMessageContaining("threw java.lang.AssertionError");
        }
    }

    @Test
    void aStatementFromInsideAHandlerIsRefusedAndTheReadingStatementGetsItsOwnReply(TestDatabase db) {
        try (Connection<Row> c = connection(db)) {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNoticeHandler(d -> inside.complete(catchThrowable(() -> c.execute("SELECT 1"))));
            assertThat(c.execute(NOTICE_AND_42).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside.getNow(null)).as("the statement run from inside the handler")
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("notice handler");
            assertUsable(c);
        }
    }

    @Test
    void otherCallsFromInsideAHandlerAreRefusedToo(TestDatabase db) {
        try (Connection<Row> c = connection(db)) {
            List<Throwable> inside = new CopyOnWriteArrayList<>();
            c.addNoticeHandler(d -> {
                inside.add(catchThrowable(c::commit));
                inside.add(catchThrowable(c::notifies));
                inside.add(catchThrowable(() -> c.cursor().stream("SELECT 1").count()));
                inside.add(catchThrowable(() -> c.setAutocommit(false)));
            });
            assertThat(c.execute(NOTICE_AND_42).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside).hasSize(4).allSatisfy(t -> assertThat(t).isInstanceOf(ProgrammingException.class)
                    .hasMessageContaining("notice handler"));
            assertThat(c.autocommit()).isTrue();
            assertUsable(c);
        }
    }

    @Test
    void aStatementFromInsideAHandlerDuringAStreamIsRefusedAndTheStreamGoesOn(TestDatabase db) {
        try (Connection<Row> c = connection(db)) {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNoticeHandler(d -> inside.complete(catchThrowable(() -> c.execute("SELECT 1").fetchone())));
            long n = 0;
            try (Stream<Row> rows = c.cursor().stream(
                    "SELECT CASE WHEN g = 200000 THEN pg_temp.note(g) ELSE g END FROM generate_series(1, 300000) g")) {
                Iterator<Row> it = rows.iterator();
                while (it.hasNext()) {
                    int v = it.next().getInt(0);
                    assertThat(v).as("row %d of the stream", n + 1).isEqualTo(++n);
                }
            }
            assertThat(n).isEqualTo(300000);
            assertThat(inside.getNow(null)).as("the statement run from inside the handler")
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("notice handler");
            assertUsable(c);
        }
    }

    @Test
    void aHandlerThatClosesTheConnectionEndsTheReadingStatementSayingSo(TestDatabase db) {
        Connection<Row> c = connection(db);
        try {
            c.addNoticeHandler(d -> c.close());
            Throwable t = catchThrowable(() -> c.execute(NOTICE_AND_42).fetchone());
            assertThat(t).isInstanceOf(OperationalException.class).hasMessageContaining("close");
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isBroken()).as("closed by the user, not lost").isFalse();
            assertThat(catchThrowable(() -> c.execute("SELECT 1"))).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("closed");
        } finally {
            c.close();
        }
    }

    @Test
    void asyncHandlerThatThrowsIsLoggedAndTheOthersAndTheStatementGoOn(TestDatabase db) throws Exception {
        withAsync(db, c -> {
            List<String> seen = new CopyOnWriteArrayList<>();
            c.addNoticeHandler(d -> {
                throw new IllegalStateException("the handler's own bug");
            });
            c.addNoticeHandler(d -> seen.add(d.messagePrimary()));
            assertThat(c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            assertThat(seen).as("notices reach their handlers before the statement completes").containsExactly("note 42");
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerThrowingAnErrorBreaksItsConnectionNotTheLoop(TestDatabase db) throws Exception {
        try (AsyncConnection<Row> other = AsyncConnection.connect(db.conninfo()).get(10, TimeUnit.SECONDS)) {
            withAsync(db, c -> {
                c.addNoticeHandler(d -> {
                    throw new AssertionError("the handler's assertion");
                });
                Throwable t = catchThrowable(() -> c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS));
                assertThat(t).isNotNull();
                assertThat(c.isBroken()).isTrue();
                Throwable next = catchThrowable(() -> c.execute("SELECT 7").get(10, TimeUnit.SECONDS));
                assertThat(next).hasCauseInstanceOf(OperationalException.class);
                assertThat(next.getCause()).hasMessageContaining("notice handler")
                        .hasMessageContaining("threw java.lang.AssertionError");
            });
            assertThat(other.execute("SELECT 8").get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(8);
        }
    }

    @Test
    void asyncHandlerMaySubmitAStatementWhichGetsItsOwnReply(TestDatabase db) throws Exception {
        withAsync(db, c -> {
            CompletableFuture<CompletableFuture<AsyncCursor<Row>>> inside = new CompletableFuture<>();
            c.addNoticeHandler(d -> inside.complete(c.execute("SELECT 5")));
            assertThat(c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(5);
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerThatJoinsAStatementIsRefusedNotHung(TestDatabase db) throws Exception {
        withAsync(db, c -> {
            // the handler runs on this thread, which reads the reply for its joined statement (or on the loop): before,
            // join() there waited for ever for a reply that only this thread would read
            List<Throwable> inside = new CopyOnWriteArrayList<>();
            c.addNoticeHandler(d -> {
                inside.add(catchThrowable(() -> c.execute("SELECT 5").join()));
                inside.add(catchThrowable(() -> c.execute("SELECT 6").get(5, TimeUnit.SECONDS)));
                inside.add(catchThrowable(() -> c.commit().join()));
            });
            assertThat(c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside).hasSize(3).allSatisfy(t -> assertThat(t).isInstanceOf(InterfaceException.class));
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerThatClosesTheConnectionEndsTheReadingStatementSayingSo(TestDatabase db) throws Exception {
        withAsync(db, c -> {
            c.addNoticeHandler(d -> c.closeAsync());
            Throwable t = catchThrowable(() -> c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS).fetchone());
            // the reply may be read whole in the turn that ran the handler, before the close: then it succeeds
            if (t != null) {
                assertThat(t).hasCauseInstanceOf(OperationalException.class);
            }
            c.closeAsync().get(10, TimeUnit.SECONDS);
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isBroken()).as("closed by the user, not lost").isFalse();
        });
    }

    @Test
    void asyncHandlerThatClosesBlockinglyDoesNotHang(TestDatabase db) throws Exception {
        withAsync(db, c -> {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNoticeHandler(d -> inside.complete(catchThrowable(c::close)));
            catchThrowable(() -> c.execute(NOTICE_AND_42).get(10, TimeUnit.SECONDS));
            inside.get(10, TimeUnit.SECONDS);
            c.closeAsync().get(10, TimeUnit.SECONDS);
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isBroken()).isFalse();
        });
    }
}
