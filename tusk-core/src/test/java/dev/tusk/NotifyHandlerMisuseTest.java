package dev.tusk;

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
 * Notify handlers that misbehave (trust issue, model-based tests): one that throws, one that runs a statement on
 * the connection delivering the notification, one that closes it. A handler runs on the thread reading the
 * connection, in the middle of another statement's reply (here its own session's NOTIFY, whose notification comes
 * before that statement's ReadyForQuery). psycopg lets a notify handler's exception propagate out of whatever call
 * was reading (reference/psycopg.md 1.11; its notice handlers' are logged and swallowed); Tusk logs it and goes on
 * for both, as Java's listener habit: the statement that happened to be reading is not the handler's. Whatever a
 * handler does, the statement being read gets its own reply, and the connection is usable, or visibly closed.
 */
@TuskTest
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class NotifyHandlerMisuseTest {
    private static final String NOTIFY_AND_42 = "SELECT 42 FROM pg_notify('misuse', 'x')";

    private static Connection<Row> listener(TestDatabase db) {
        Connection<Row> c = Connection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build());
        c.execute("LISTEN misuse");
        return c;
    }

    /** What a test does with its async listening connection. */
    private interface AsyncBody {
        void run(AsyncConnection<Row> c) throws Exception;
    }

    /** Runs {@code body} on a new async connection listening on "misuse", closed after. */
    private static void withAsyncListener(TestDatabase db, AsyncBody body) throws Exception {
        AsyncConnection<Row> c = AsyncConnection.connect(ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true)
                .build()).get(10, TimeUnit.SECONDS);
        try {
            c.execute("LISTEN misuse").get(10, TimeUnit.SECONDS);
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
        try (Connection<Row> c = listener(db)) {
            List<String> seen = new CopyOnWriteArrayList<>();
            c.addNotifyHandler(n -> {
                throw new IllegalStateException("the handler's own bug");
            });
            c.addNotifyHandler(n -> seen.add(n.payload()));
            assertThat(c.execute(NOTIFY_AND_42).fetchone().getInt(0)).isEqualTo(42);
            assertThat(seen).containsExactly("x");
            assertUsable(c);
        }
    }

    /**
     * An Error (an assertion of a test's handler, an OutOfMemoryError) is not a handler's failure to log and forget:
     * it comes out of the call that was reading. The replies after the notification are left unread, so the
     * connection is broken and says so (before: the next statement read the second notification and failed with the
     * handler's Error again, the connection looking usable).
     */
    @Test
    void aHandlerThrowingAnErrorLeavesNoStaleReplyBehind(TestDatabase db) {
        try (Connection<Row> c = listener(db)) {
            c.addNotifyHandler(n -> {
                throw new AssertionError("the handler's assertion");
            });
            Throwable t = catchThrowable(() -> c.execute("SELECT 42 FROM pg_notify('misuse', 'x') a, pg_notify('misuse', 'y') b"));
            assertThat(t).isInstanceOf(AssertionError.class).hasMessage("the handler's assertion");
            // the replies after the notification were left unread: the connection says it is broken, and why
            assertThat(c.isBroken()).isTrue();
            assertThat(catchThrowable(() -> c.execute("SELECT 7"))).isInstanceOf(OperationalException.class)
                    .hasMessageContaining("broken").hasMessageContaining("threw java.lang.AssertionError");
        }
    }

    @Test
    void asyncHandlerThrowingAnErrorLeavesTheLoopAndTheConnectionServing(TestDatabase db) throws Exception {
        withAsyncListener(db, c -> {
            CompletableFuture<Void> ran = new CompletableFuture<>();
            c.addNotifyHandler(n -> {
                ran.complete(null);
                throw new AssertionError("the handler's assertion");
            });
            assertThat(c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            ran.get(10, TimeUnit.SECONDS);
            assertUsable(c);
        });
    }

    @Test
    void aStatementFromInsideAHandlerIsRefusedAndTheReadingStatementGetsItsOwnReply(TestDatabase db) {
        try (Connection<Row> c = listener(db)) {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(catchThrowable(() -> c.execute("SELECT 1"))));
            assertThat(c.execute(NOTIFY_AND_42).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside.getNow(null)).as("the statement run from inside the handler")
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("handler");
            assertUsable(c);
        }
    }

    @Test
    void aStatementFromInsideAHandlerDuringNotifiesIsRefused(TestDatabase db) {
        try (Connection<Row> c = listener(db); Connection<Row> sender = Connection.connect(db.conninfo())) {
            sender.setAutocommit(true);
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(catchThrowable(() -> c.execute("SELECT 1"))));
            sender.execute("NOTIFY misuse, 'y'");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!inside.isDone() && System.nanoTime() < deadline) {
                c.notifies(); // reads what the socket holds: the handler runs here
            }
            assertThat(inside.getNow(null)).as("the statement run from inside the handler")
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("handler");
            assertUsable(c);
        }
    }

    @Test
    void aStatementFromInsideAHandlerDuringAStreamIsRefusedAndTheStreamGoesOn(TestDatabase db) throws Exception {
        try (Connection<Row> c = listener(db); Connection<Row> sender = Connection.connect(db.conninfo())) {
            sender.setAutocommit(true);
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(catchThrowable(() -> c.execute("SELECT 1").fetchone())));
            long n = 0;
            try (Stream<Row> rows = c.cursor().stream("SELECT generate_series(1, 300000)")) {
                Iterator<Row> it = rows.iterator();
                while (it.hasNext()) {
                    int v = it.next().getInt(0);
                    assertThat(v).as("row %d of the stream", n + 1).isEqualTo(++n);
                    if (n == 10) {
                        sender.execute("NOTIFY misuse, 'mid-stream'");
                        Thread.sleep(200); // the notification waits in the socket for the stream's next fetch
                    }
                }
            }
            assertThat(n).isEqualTo(300000);
            assertThat(inside.getNow(null)).as("the statement run from inside the handler")
                    .isInstanceOf(ProgrammingException.class).hasMessageContaining("handler");
            assertUsable(c);
        }
    }

    @Test
    void aHandlerThatClosesTheConnectionEndsTheReadingStatementSayingSo(TestDatabase db) {
        Connection<Row> c = listener(db);
        try {
            c.addNotifyHandler(n -> c.close());
            Throwable t = catchThrowable(() -> c.execute(NOTIFY_AND_42).fetchone());
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
        withAsyncListener(db, c -> {
            List<String> seen = new CopyOnWriteArrayList<>();
            c.addNotifyHandler(n -> {
                throw new IllegalStateException("the handler's own bug");
            });
            c.addNotifyHandler(n -> seen.add(n.payload()));
            assertThat(c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            // the async handlers run on the loop after the statement's future completed, not before it
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(seen).containsExactly("x");
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerMaySubmitAStatementWhichGetsItsOwnReply(TestDatabase db) throws Exception {
        withAsyncListener(db, c -> {
            CompletableFuture<CompletableFuture<AsyncCursor<Row>>> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(c.execute("SELECT 5")));
            assertThat(c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside.get(10, TimeUnit.SECONDS).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(5);
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerThatJoinsAStatementIsRefusedNotHung(TestDatabase db) throws Exception {
        withAsyncListener(db, c -> {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(catchThrowable(() -> c.execute("SELECT 5").join())));
            assertThat(c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS).fetchone().getInt(0)).isEqualTo(42);
            assertThat(inside.get(10, TimeUnit.SECONDS)).isNotNull();
            assertUsable(c);
        });
    }

    @Test
    void asyncHandlerThatClosesTheConnectionEndsTheReadingStatementSayingSo(TestDatabase db) throws Exception {
        withAsyncListener(db, c -> {
            c.addNotifyHandler(n -> c.closeAsync());
            Throwable t = catchThrowable(() -> c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS).fetchone());
            // the reply may be complete when the handler runs (its ReadyForQuery follows): then the statement succeeds
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
        withAsyncListener(db, c -> {
            CompletableFuture<Throwable> inside = new CompletableFuture<>();
            c.addNotifyHandler(n -> inside.complete(catchThrowable(c::close)));
            catchThrowable(() -> c.execute(NOTIFY_AND_42).get(10, TimeUnit.SECONDS));
            inside.get(10, TimeUnit.SECONDS);
            c.closeAsync().get(10, TimeUnit.SECONDS);
            assertThat(c.isClosed()).isTrue();
            assertThat(c.isBroken()).isFalse();
        });
    }
}
