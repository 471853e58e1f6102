package dev.tusk;

import dev.tusk.errors.Diagnostic;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.testing.TestDatabase;
import dev.tusk.testing.TuskTest;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Issue 30's notification findings and missing {@code AsyncConnection.notifies(timeout, stopAfter)}, ported from
 * psycopg's {@code tests/test_notify.py} and {@code tests/test_connection.py} (test_notify_handlers,
 * test_notice_handlers), and the refused {@code cancel()} after {@code tpcPrepare()} (psycopg's
 * {@code _should_cancel}, tests/test_tpc.py), on both drivers.
 */
@Timeout(60)
@TuskTest
class PsycopgParityNotifyTest {

    /** Every notification a publisher gives, and how it ended (null: completed). */
    private static final class Collector implements Flow.Subscriber<Notify> {
        final List<String> payloads = new CopyOnWriteArrayList<>();
        final CompletableFuture<Throwable> done = new CompletableFuture<>();

        @Override
        public void onSubscribe(Flow.Subscription s) {
            s.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(Notify n) {
            payloads.add(n.payload());
        }

        @Override
        public void onError(Throwable t) {
            done.complete(t);
        }

        @Override
        public void onComplete() {
            done.complete(null);
        }
    }

    /**
     * psycopg test_notify.py::test_notifies_blocking / test_generator_and_handler with {@code timeout=0}: the
     * notifications already sent to the connection (on its socket, not yet read) are returned by a zero timeout.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void aZeroTimeoutReadsWhatTheSocketAlreadyHolds(Flavour flavour, TestDatabase db) throws Exception {
        try (Connection<Row> sender = Connection.connect(db.conninfo())) {
            sender.setAutocommit(true);
            if (flavour == Flavour.BLOCKING) {
                try (Connection<Row> conn = Connection.connect(db.conninfo())) {
                    conn.setAutocommit(true);
                    conn.execute("LISTEN zero");
                    sender.execute("NOTIFY zero, 'a'");
                    sender.execute("NOTIFY zero, 'b'");
                    Thread.sleep(300); // the notifications reach the socket; nothing reads it meanwhile
                    assertThat(conn.notifies(Duration.ZERO, null).map(Notify::payload)).containsExactly("a", "b");
                    assertThat(conn.notifies(Duration.ZERO, null)).isEmpty();
                }
            } else {
                AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(
                        ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()));
                try {
                    Flavour.join(conn.execute("LISTEN zero"));
                    Collector early = new Collector();
                    conn.notifies(null, null).subscribe(early);
                    sender.execute("NOTIFY zero, 'a'");
                    sender.execute("NOTIFY zero, 'b'");
                    Collector zero = new Collector();
                    conn.notifies(Duration.ZERO, null).subscribe(zero);
                    assertThat(zero.done.get(10, TimeUnit.SECONDS)).isNull();
                    // the zero timeout ended after a read of the socket: whatever reached it came through
                    assertThat(zero.payloads).isSubsetOf("a", "b");
                    awaitSize(early.payloads, 2);
                    assertThat(early.payloads).containsExactly("a", "b");
                } finally {
                    Flavour.join(conn.closeAsync());
                }
            }
        }
    }

    /**
     * psycopg test_notify.py::test_notifies_blocking_stop_after and test_notify_timeout (AsyncConnection: the async
     * generator): {@code notifies(timeout, stopAfter)} ends after stopAfter notifications, or at the timeout
     * with those that came, or when the connection closes.
     */
    @Test
    void asyncNotifiesStopsAfterCountOrTimeoutOrClose(TestDatabase db) throws Exception {
        try (Connection<Row> sender = Connection.connect(db.conninfo())) {
            sender.setAutocommit(true);
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(
                    ConnectOptions.builder().conninfo(db.conninfo()).autocommit(true).build()));
            try {
                Flavour.join(conn.execute("LISTEN stop"));
                Collector two = new Collector();
                conn.notifies(null, 2).subscribe(two);
                for (String p : List.of("1", "2", "3")) {
                    sender.execute("NOTIFY stop, '" + p + "'");
                }
                assertThat(two.done.get(10, TimeUnit.SECONDS)).isNull();
                assertThat(two.payloads).containsExactly("1", "2");

                Collector timed = new Collector();
                long t0 = System.nanoTime();
                conn.notifies(Duration.ofMillis(500), 10).subscribe(timed);
                sender.execute("NOTIFY stop, 'x'");
                assertThat(timed.done.get(10, TimeUnit.SECONDS)).isNull();
                assertThat(System.nanoTime() - t0).isGreaterThanOrEqualTo(400_000_000L);
                // "3", sent before this subscription, may still be on its way when it starts
                assertThat(timed.payloads).isSubsetOf("3", "x").last().isEqualTo("x");

                Collector none = new Collector();
                conn.notifies(null, 0).subscribe(none);
                assertThat(none.done.get(10, TimeUnit.SECONDS)).isNull();
                assertThat(none.payloads).isEmpty();

                Collector untilClose = new Collector();
                conn.notifies(null, null).subscribe(untilClose);
                assertThatThrownBy(() -> conn.notifies(Duration.ofSeconds(-1), null)).isInstanceOf(ProgrammingException.class);
                assertThatThrownBy(() -> conn.notifies(null, -1)).isInstanceOf(ProgrammingException.class);
                Flavour.join(conn.closeAsync());
                assertThat(untilClose.done.get(10, TimeUnit.SECONDS)).isNull();
            } finally {
                conn.close();
            }
        }
    }

    /**
     * psycopg test_connection.py::test_notify_handlers and test_notice_handlers: removing a handler that is not
     * registered raises (ValueError there, ProgrammingException here); a registered one is removed once.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void removingAnUnregisteredHandlerIsRefused(Flavour flavour, TestDatabase db) {
        Consumer<Notify> notify = n -> { };
        Consumer<Diagnostic> notice = d -> { };
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(db.conninfo())) {
                conn.addNotifyHandler(notify);
                conn.removeNotifyHandler(notify);
                assertThatThrownBy(() -> conn.removeNotifyHandler(notify)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("not a registered notify handler");
                conn.addNoticeHandler(notice);
                conn.removeNoticeHandler(notice);
                assertThatThrownBy(() -> conn.removeNoticeHandler(notice)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("not a registered notice handler");
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(db.conninfo()));
            try {
                conn.addNotifyHandler(notify);
                conn.removeNotifyHandler(notify);
                assertThatThrownBy(() -> conn.removeNotifyHandler(notify)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("not a registered notify handler");
                conn.addNoticeHandler(notice);
                conn.removeNoticeHandler(notice);
                assertThatThrownBy(() -> conn.removeNoticeHandler(notice)).isInstanceOf(ProgrammingException.class)
                        .hasMessageContaining("not a registered notice handler");
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    /**
     * psycopg's {@code Connection._should_cancel} (tests/test_tpc.py): cancel() and cancel_safe() raise
     * ProgrammingError once the two-phase transaction is prepared; after tpcRollback they work again.
     */
    @ParameterizedTest
    @EnumSource(Flavour.class)
    void cancelIsRefusedAfterTpcPrepare(Flavour flavour, TestDatabase db) {
        if (flavour == Flavour.BLOCKING) {
            try (Connection<Row> conn = Connection.connect(db.conninfo())) {
                conn.tpcBegin("parity-cancel-b");
                conn.execute("SELECT 1");
                conn.tpcPrepare();
                try {
                    assertThatThrownBy(conn::cancel).isInstanceOf(ProgrammingException.class)
                            .hasMessageContaining("cancel() cannot be used with a prepared two-phase transaction");
                    assertThatThrownBy(() -> conn.cancelSafe(Duration.ofSeconds(5))).isInstanceOf(ProgrammingException.class);
                } finally {
                    conn.tpcRollback();
                }
                conn.cancel();
            }
        } else {
            AsyncConnection<Row> conn = Flavour.join(AsyncConnection.connect(db.conninfo()));
            try {
                Flavour.join(conn.tpcBegin("parity-cancel-a"));
                Flavour.join(conn.execute("SELECT 1"));
                Flavour.join(conn.tpcPrepare());
                try {
                    assertThatThrownBy(() -> Flavour.join(conn.cancel())).isInstanceOf(ProgrammingException.class)
                            .hasMessageContaining("cancel() cannot be used with a prepared two-phase transaction");
                    assertThatThrownBy(() -> Flavour.join(conn.cancelSafe(Duration.ofSeconds(5))))
                            .isInstanceOf(ProgrammingException.class);
                } finally {
                    Flavour.join(conn.tpcRollback());
                }
                Flavour.join(conn.cancel());
            } finally {
                Flavour.join(conn.closeAsync());
            }
        }
    }

    private static void awaitSize(List<?> list, int n) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (list.size() < n && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
    }
}
