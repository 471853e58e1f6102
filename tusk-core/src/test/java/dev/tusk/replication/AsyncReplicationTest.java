package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.replication.PgOutputMessage.Commit;
import dev.tusk.replication.PgOutputMessage.Delete;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.replication.PgOutputMessage.Truncate;
import dev.tusk.replication.PgOutputMessage.Update;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Replication on the event loop: {@link AsyncReplicationConnection} and its publishers. */
@Timeout(120)
class AsyncReplicationTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_async");
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    private static void sql(String... statements) {
        try (Connection<Row> c = Repl.sql(db)) {
            for (String s : statements) {
                c.execute(s);
            }
        }
    }

    private static <T> T await(CompletableFuture<T> f) throws Exception {
        return f.get(30, TimeUnit.SECONDS);
    }

    /** A subscriber that requests only when told to; records everything. */
    static class Probe<T> implements Flow.Subscriber<T> {
        final List<T> got = new CopyOnWriteArrayList<>();
        final AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        final long initial;
        volatile Throwable error;
        volatile boolean completed;

        Probe(long initial) {
            this.initial = initial;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            sub.set(s);
            if (initial > 0) {
                s.request(initial);
            }
        }

        @Override
        public void onNext(T item) {
            got.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            completed = true;
            done.countDown();
        }

        void awaitItem(Predicate<T> p) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (got.stream().noneMatch(p)) {
                assertThat(System.nanoTime()).as("an awaited message; got " + got + ", error " + error).isLessThan(deadline);
                assertThat(error).isNull();
                Thread.sleep(10);
            }
        }

        List<Commit> commits() {
            return got.stream().filter(Commit.class::isInstance).map(Commit.class::cast).toList();
        }
    }

    private static void awaitConfirmed(String slot, Lsn lsn) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!lsn.toString().equals(Repl.slotField(db, slot, "confirmed_flush_lsn"))) {
            assertThat(System.nanoTime()).as("the slot's confirmed_flush_lsn reaching " + lsn).isLessThan(deadline);
            Thread.sleep(20);
        }
    }

    private static void awaitSlotInactive(String slot) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!"false".equals(Repl.slotField(db, slot, "active"))) {
            assertThat(System.nanoTime()).as("slot " + slot + " released").isLessThan(deadline);
            Thread.sleep(50);
        }
    }

    @Test
    void everyDmlKindArrivesDecodedThroughThePublisher() throws Exception {
        sql("CREATE TABLE a_dml (id int PRIMARY KEY, name text, price numeric)",
                "ALTER TABLE a_dml REPLICA IDENTITY FULL",
                "CREATE TABLE a_dml2 (id int)",
                "CREATE PUBLICATION a_dml FOR TABLE a_dml, a_dml2");
        AsyncReplicationConnection rc = await(AsyncReplicationConnection.connect(db.conninfo()));
        try {
            CreatedSlot slot = await(rc.createSlot(SlotSpec.logical("a_dml", "pgoutput").temporary()));
            assertThat(slot.slotName()).isEqualTo("a_dml");
            assertThat(await(rc.identifySystem()).database()).isEqualTo(db.dbname());
            sql("INSERT INTO a_dml VALUES (1, 'one', 1.5), (2, 'two', 2.5)",
                    "UPDATE a_dml SET name = 'uno' WHERE id = 1",
                    "DELETE FROM a_dml WHERE id = 2",
                    "INSERT INTO a_dml2 VALUES (7)",
                    "TRUNCATE a_dml, a_dml2",
                    "SELECT pg_logical_emit_message(true, 'tusk', 'hello')");
            AsyncReplicationStream<PgOutputMessage> s = await(rc.startPgOutput("a_dml", Lsn.INVALID,
                    PgOutputOptions.publications("a_dml").messages()));
            Probe<PgOutputMessage> p = new Probe<>(Long.MAX_VALUE);
            s.subscribe(p);
            p.awaitItem(m -> m instanceof PgOutputMessage.Message);
            p.awaitItem(m -> m instanceof Commit c && p.commits().size() >= 6);

            List<Insert> inserts = p.got.stream().filter(Insert.class::isInstance).map(Insert.class::cast).toList();
            assertThat(inserts).hasSize(3);
            assertThat(inserts.get(0).newTuple().asMap()).containsEntry("id", 1).containsEntry("name", "one")
                    .containsEntry("price", new java.math.BigDecimal("1.5"));
            Update u = p.got.stream().filter(Update.class::isInstance).map(Update.class::cast).findFirst().orElseThrow();
            assertThat(u.oldTuple().get("name")).isEqualTo("one");
            assertThat(u.newTuple().get("name")).isEqualTo("uno");
            Delete d = p.got.stream().filter(Delete.class::isInstance).map(Delete.class::cast).findFirst().orElseThrow();
            assertThat(d.oldTuple().get("id")).isEqualTo(2);
            Truncate t = p.got.stream().filter(Truncate.class::isInstance).map(Truncate.class::cast).findFirst().orElseThrow();
            assertThat(t.relations()).extracting(PgOutputMessage.Relation::name).containsExactlyInAnyOrder("a_dml", "a_dml2");
            PgOutputMessage.Message msg = p.got.stream().filter(PgOutputMessage.Message.class::isInstance)
                    .map(PgOutputMessage.Message.class::cast).findFirst().orElseThrow();
            assertThat(msg.prefix()).isEqualTo("tusk");
            assertThat(msg.text()).isEqualTo("hello");
            assertThat(p.error).isNull();

            s.acknowledge(p.commits().get(p.commits().size() - 1).endLsn());
            p.sub.get().cancel();
            await(s.closeAsync());
            assertThat(s.isEnded()).isTrue();
            assertThat(p.error).isNull();
            // the stream is over: the connection runs replication commands again
            assertThat(await(rc.identifySystem()).database()).isEqualTo(db.dbname());
        } finally {
            rc.close();
        }
    }

    @Test
    void aSlowSubscriberHoldsTheServerBackWithABoundedBuffer() throws Exception {
        int n = 20_000;
        sql("CREATE TABLE a_slow (id int PRIMARY KEY, pad text)", "CREATE PUBLICATION a_slow FOR TABLE a_slow");
        // wal_sender_timeout 2s: without the status updates sent on the loop, the pause below would end the connection
        AsyncReplicationConnection rc = await(AsyncReplicationConnection.connect(db.conninfo()
                + " options='-c wal_sender_timeout=2s'"));
        try {
            await(rc.createSlot(SlotSpec.logical("a_slow", "pgoutput").temporary()));
            sql("INSERT INTO a_slow SELECT g, repeat('x', 100) FROM generate_series(1, " + n + ") g");
            AsyncReplicationStream<PgOutputMessage> s = await(rc.startPgOutput("a_slow", Lsn.INVALID,
                    PgOutputOptions.publications("a_slow"), StreamOptions.DEFAULTS.withStatusInterval(Duration.ofMillis(300))));
            // one message at a time, the consumer working on another thread for a while before the next request
            LinkedBlockingQueue<PgOutputMessage> handed = new LinkedBlockingQueue<>();
            Probe<PgOutputMessage> p = new Probe<>(1) {
                @Override
                public void onNext(PgOutputMessage item) {
                    handed.add(item);
                }
            };
            s.subscribe(p);
            long ids = 0;
            int rows = 0;
            for (int i = 0; i < 1000; i++) {
                PgOutputMessage m = handed.poll(30, TimeUnit.SECONDS);
                assertThat(m).as("message " + i + ", error " + p.error).isNotNull();
                if (m instanceof Insert ins) {
                    rows++;
                    ids += (Integer) ins.newTuple().get(0);
                }
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
                assertThat(s.bufferedMessages()).isLessThanOrEqualTo(256);
                p.sub.get().request(1);
            }
            long sentBefore = s.statusUpdatesSent();
            Thread.sleep(3000); // no demand: nothing read, the loop's status updates keep the server waiting
            assertThat(handed).hasSizeLessThanOrEqualTo(1);
            assertThat(s.statusUpdatesSent()).isGreaterThan(sentBefore + 3);
            assertThat(s.bufferedMessages()).isLessThanOrEqualTo(256);
            // the rest: the whole transaction arrived while at most 256 messages ever waited
            p.sub.get().request(Long.MAX_VALUE);
            while (true) {
                PgOutputMessage m = handed.poll(30, TimeUnit.SECONDS);
                assertThat(m).as("the rest of the stream, error " + p.error).isNotNull();
                if (m instanceof Insert ins) {
                    rows++;
                    ids += (Integer) ins.newTuple().get(0);
                } else if (m instanceof Commit c) {
                    s.acknowledge(c.endLsn());
                    break;
                }
            }
            assertThat(rows).isEqualTo(n);
            assertThat(ids).isEqualTo((long) n * (n + 1) / 2);
            assertThat(s.maxBufferedMessages()).isBetween(200, 256); // the queue filled up, then reading stopped
            assertThat(p.error).isNull();
            s.close();
        } finally {
            rc.close();
        }
    }

    @Test
    void aStreamStartedAgainFromTheSlotResumesAfterTheLastAcknowledgedCommit() throws Exception {
        sql("CREATE TABLE a_ack (id int PRIMARY KEY)", "CREATE PUBLICATION a_ack FOR TABLE a_ack");
        AsyncReplicationConnection rc = await(AsyncReplicationConnection.connect(db.conninfo()));
        try {
            await(rc.createSlot(SlotSpec.logical("a_ack", "pgoutput")));
            for (int i = 1; i <= 6; i++) {
                sql("INSERT INTO a_ack VALUES (" + i + ")");
            }
            AsyncReplicationStream<PgOutputMessage> s = await(rc.startPgOutput("a_ack", Lsn.INVALID,
                    PgOutputOptions.publications("a_ack")));
            Probe<PgOutputMessage> p = new Probe<>(Long.MAX_VALUE);
            s.subscribe(p);
            p.awaitItem(m -> p.commits().size() >= 6);
            Lsn third = p.commits().get(2).endLsn();
            s.acknowledge(third);
            await(s.sendStatusNow());
            awaitConfirmed("a_ack", third);
            assertThat(s.acknowledged()).isEqualTo(third);
            p.sub.get().cancel();
            await(s.closeAsync());
        } finally {
            rc.close();
        }
        awaitSlotInactive("a_ack");
        AsyncReplicationConnection again = await(AsyncReplicationConnection.connect(db.conninfo()));
        try {
            AsyncReplicationStream<PgOutputMessage> s = await(again.startPgOutput("a_ack", Lsn.INVALID,
                    PgOutputOptions.publications("a_ack")));
            Probe<PgOutputMessage> p = new Probe<>(Long.MAX_VALUE);
            s.subscribe(p);
            p.awaitItem(m -> p.commits().size() >= 3);
            assertThat(p.got.stream().filter(Insert.class::isInstance).map(m -> ((Insert) m).newTuple().get(0)).toList())
                    .containsExactly(4, 5, 6);
            s.close();
            await(again.dropSlot("a_ack", true).exceptionally(e -> null)); // may still be in use until the close ends
        } finally {
            again.close();
        }
    }

    @Test
    void aCutConnectionFailsTheSubscriberAndLeavesTheConnectionBroken() throws Exception {
        sql("CREATE TABLE a_cut (id int PRIMARY KEY)", "CREATE PUBLICATION a_cut FOR TABLE a_cut");
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port())) {
            AsyncReplicationConnection rc = await(AsyncReplicationConnection.connect(db.conninfo()
                    + " host=127.0.0.1 port=" + proxy.port() + " sslmode=disable"));
            try {
                await(rc.createSlot(SlotSpec.logical("a_cut", "pgoutput").temporary()));
                sql("INSERT INTO a_cut VALUES (1)", "INSERT INTO a_cut VALUES (2)");
                AsyncReplicationStream<PgOutputMessage> s = await(rc.startPgOutput("a_cut", Lsn.INVALID,
                        PgOutputOptions.publications("a_cut")));
                Probe<PgOutputMessage> p = new Probe<>(Long.MAX_VALUE);
                s.subscribe(p);
                p.awaitItem(m -> p.commits().size() >= 2);
                proxy.failNow(FaultProxy.Action.RESET);
                assertThat(p.done.await(20, TimeUnit.SECONDS)).isTrue();
                assertThat(p.error).isInstanceOf(OperationalException.class)
                        .hasMessageContaining("the logical replication stream of slot a_cut was cut")
                        .hasMessageContaining("start again from the slot");
                assertThat(p.completed).isFalse();
                assertThat(rc.connection().isBroken()).isTrue();
                assertThat(s.isEnded()).isTrue();
            } finally {
                rc.close();
            }
        }
    }

    @Test
    void cancelStopsTheStreamAndTheConnectionClosesWithoutWaiting() throws Exception {
        sql("CREATE TABLE a_cancel (id int PRIMARY KEY)", "CREATE PUBLICATION a_cancel FOR TABLE a_cancel");
        AsyncReplicationConnection rc = await(AsyncReplicationConnection.connect(db.conninfo()));
        try {
            await(rc.createSlot(SlotSpec.logical("a_cancel", "pgoutput")));
            assertThat(await(rc.readSlot("a_no_such_slot"))).isEmpty();
            sql("INSERT INTO a_cancel SELECT g FROM generate_series(1, 5000) g");
            AsyncReplicationStream<PgOutputMessage> s = await(rc.startPgOutput("a_cancel", Lsn.INVALID,
                    PgOutputOptions.publications("a_cancel")));
            Probe<PgOutputMessage> p = new Probe<>(10);
            s.subscribe(p);
            p.awaitItem(m -> p.got.size() >= 10);
            p.sub.get().cancel();
            p.sub.get().request(100); // after cancel: nothing more
            await(s.closeAsync());
            assertThat(s.isEnded()).isTrue();
            assertThat(p.got).hasSize(10);
            assertThat(p.error).isNull();
            assertThat(p.completed).isFalse();
            // the server confirmed the end: the connection runs replication commands again
            assertThat(await(rc.identifySystem()).database()).isEqualTo(db.dbname());
            // but not a second logical stream, which PostgreSQL would end at once, empty
            assertThatThrownBy(() -> await(rc.startPgOutput("a_cancel", Lsn.INVALID, PgOutputOptions.publications("a_cancel"))))
                    .isInstanceOf(java.util.concurrent.ExecutionException.class)
                    .hasCauseInstanceOf(dev.tusk.errors.ProgrammingException.class)
                    .hasMessageContaining("open a new replication connection");
        } finally {
            rc.close();
        }
        awaitSlotInactive("a_cancel");
        // a stream cancelled with data in flight, and its connection closed at once
        AsyncReplicationConnection rc2 = await(AsyncReplicationConnection.connect(db.conninfo()));
        try {
            AsyncReplicationStream<PgOutputMessage> s2 = await(rc2.startPgOutput("a_cancel", Lsn.INVALID,
                    PgOutputOptions.publications("a_cancel")));
            Probe<PgOutputMessage> p2 = new Probe<>(5);
            s2.subscribe(p2);
            p2.awaitItem(m -> p2.got.size() >= 5);
            p2.sub.get().cancel();
            long t0 = System.nanoTime();
            rc2.closeAsync().get(5, TimeUnit.SECONDS);
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
            assertThat(rc2.connection().isClosed()).isTrue();
            assertThat(rc2.connection().isBroken()).isFalse();
            s2.closeAsync().get(5, TimeUnit.SECONDS);
            assertThat(s2.isEnded()).isTrue();
            assertThat(p2.got).hasSize(5);
            assertThat(p2.error).isNull();
        } finally {
            rc2.close();
        }
        awaitSlotInactive("a_cancel");
        try (ReplicationConnection drop = ReplicationConnection.connect(db.conninfo())) {
            drop.dropSlot("a_cancel");
        }
    }
}
