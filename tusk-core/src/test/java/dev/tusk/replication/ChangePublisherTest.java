package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.replication.PgOutputMessage.Commit;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

@Timeout(60)
class ChangePublisherTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_publisher");
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute("CREATE TABLE pt (id int PRIMARY KEY)");
            c.execute("CREATE PUBLICATION pub FOR TABLE pt");
        }
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    /** A subscriber that requests only when told to. */
    static final class Manual implements Flow.Subscriber<PgOutputMessage> {
        final List<PgOutputMessage> got = new CopyOnWriteArrayList<>();
        final AtomicReference<Flow.Subscription> sub = new AtomicReference<>();
        final CountDownLatch done = new CountDownLatch(1);
        volatile Throwable error;

        @Override
        public void onSubscribe(Flow.Subscription s) {
            sub.set(s);
        }

        @Override
        public void onNext(PgOutputMessage item) {
            got.add(item);
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done.countDown();
        }

        @Override
        public void onComplete() {
            done.countDown();
        }

        void awaitCount(int n) throws InterruptedException {
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (got.size() < n && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(got).hasSizeGreaterThanOrEqualTo(n);
        }
    }

    @Test
    void nothingIsReadWithoutDemandAndASlowSubscriberIsNotDisconnected() throws Exception {
        // wal_sender_timeout 2s: 4s without demand would end the connection without the publisher's status updates
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo() + " options='-c wal_sender_timeout=2s'")) {
            rc.createSlot(SlotSpec.logical("pub_slow", "pgoutput").temporary());
            PgOutputStream s = rc.startPgOutput("pub_slow", Lsn.INVALID, PgOutputOptions.publications("pub"));
            Manual m = new Manual();
            new ChangePublisher(s, null, Duration.ofMillis(300)).subscribe(m);
            try (Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO pt VALUES (1)");
                c.execute("INSERT INTO pt VALUES (2)");
            }
            m.sub.get().request(2);
            m.awaitCount(2);
            Thread.sleep(4000); // no demand: nothing delivered, status updates keep the server waiting
            assertThat(m.got).hasSize(2);
            assertThat(m.error).isNull();
            m.sub.get().request(Long.MAX_VALUE);
            m.awaitCount(6); // Begin Relation Insert Commit, Begin Insert Commit
            assertThat(m.got.stream().filter(x -> x instanceof Insert).map(x -> ((Insert) x).newTuple().get(0)).toList())
                    .containsExactly(1, 2);
            s.acknowledge(((Commit) m.got.get(m.got.size() - 1)).endLsn());
            m.sub.get().cancel();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (!s.raw().isEnded() && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            assertThat(s.raw().isEnded()).isTrue();
            assertThat(m.error).isNull();
            assertThat(rc.identifySystem().database()).isEqualTo(db.dbname()); // the connection is usable again
        }
    }

    @Test
    void aFailingStreamEndsWithOnError() throws Exception {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("pub_fail", "pgoutput").temporary());
            PgOutputStream s = rc.startPgOutput("pub_fail", Lsn.INVALID, PgOutputOptions.publications("pub"));
            Manual m = new Manual();
            new ChangePublisher(s).subscribe(m);
            m.sub.get().request(Long.MAX_VALUE);
            try (Connection<Row> c = Repl.sql(db)) {
                c.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'pub_fail'");
            }
            assertThat(m.done.await(20, TimeUnit.SECONDS)).isTrue();
            assertThat(m.error).isInstanceOf(dev.tusk.errors.TuskException.class);
        }
    }
}
