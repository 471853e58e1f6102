package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.TuskException;
import dev.tusk.replication.PgOutputMessage.Commit;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.testing.FaultProxy;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The guarantee: after a cut connection or a server restart, a stream restarted from the slot delivers every
 * change after the last acknowledged commit, and none before it.
 */
@Timeout(120)
class AtLeastOnceTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_alo");
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    /** A table, its publication and a permanent slot created before {@code txns} transactions of {@code rows} rows. */
    private static void prepare(String name, int txns, int rows) {
        try (Connection<Row> c = Repl.sql(db);
             ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            c.execute("CREATE TABLE " + name + " (id int PRIMARY KEY)");
            c.execute("CREATE PUBLICATION " + name + " FOR TABLE " + name);
            rc.createSlot(SlotSpec.logical(name, "pgoutput"));
            for (int t = 0; t < txns; t++) {
                c.execute("INSERT INTO " + name + " SELECT g FROM generate_series(" + (t * rows + 1) + ", " + (t * rows + rows) + ") g");
            }
        }
    }

    /** The ids inserted by the messages read until the commit of the transaction holding {@code lastId}. */
    private static List<Integer> readThrough(PgOutputStream s, int lastId) {
        List<Integer> ids = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < deadline) {
            PgOutputMessage m = s.read(Duration.ofMillis(200));
            if (m instanceof Insert i) {
                ids.add((Integer) i.newTuple().get(0));
            } else if (m instanceof Commit && ids.contains(lastId)) {
                return ids;
            }
        }
        throw new AssertionError("id " + lastId + " never came; got " + ids);
    }

    /** Acknowledges and waits until the slot has it (a status update is a message: it could be lost with the cut). */
    private static void acknowledgeDurably(PgOutputStream s, String slot, Lsn lsn) {
        s.acknowledge(lsn);
        s.raw().sendStatusNow();
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (!lsn.toString().equals(Repl.slotField(db, slot, "confirmed_flush_lsn"))) {
            assertThat(System.nanoTime()).as("the slot's confirmed_flush_lsn reaching " + lsn).isLessThan(deadline);
            s.read(Duration.ofMillis(50));
        }
    }

    private static void awaitSlotInactive(String slot) {
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (!"false".equals(Repl.slotField(db, slot, "active"))) {
            assertThat(System.nanoTime()).as("slot " + slot + " released").isLessThan(deadline);
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    /** Reads {@code n} transactions: the commit of each, acknowledging the first {@code ack} of them. */
    private static List<Commit> consume(PgOutputStream s, String slot, int n, int ack) {
        List<Commit> commits = new ArrayList<>();
        while (commits.size() < n) {
            List<PgOutputMessage> t = Repl.transactions(s, 1);
            commits.add(Repl.only(t, Commit.class).get(0));
        }
        if (ack > 0) {
            acknowledgeDurably(s, slot, commits.get(ack - 1).endLsn());
        }
        return commits;
    }

    private static List<Integer> range(int from, int to) {
        List<Integer> l = new ArrayList<>();
        for (int i = from; i <= to; i++) {
            l.add(i);
        }
        return l;
    }

    @Test
    void afterTheWalsenderIsTerminatedEveryUnacknowledgedChangeComesAgain() {
        prepare("alo_term", 10, 1);
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            PgOutputStream s = rc.startPgOutput("alo_term", Lsn.INVALID, PgOutputOptions.publications("alo_term"));
            consume(s, "alo_term", 10, 4);
            try (Connection<Row> c = Repl.sql(db)) {
                c.execute("SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE slot_name = 'alo_term'");
            }
            assertThatThrownBy(() -> {
                while (true) {
                    s.read(Duration.ofSeconds(10));
                }
            }).isInstanceOf(TuskException.class).hasMessageContaining("terminat");
            assertThat(rc.connection().isBroken()).isTrue();
            s.close();
        }
        awaitSlotInactive("alo_term");
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             PgOutputStream s = rc.startPgOutput("alo_term", Lsn.INVALID, PgOutputOptions.publications("alo_term"))) {
            assertThat(readThrough(s, 10)).isEqualTo(range(5, 10));
        }
    }

    @Test
    void afterAConnectionResetMidTransactionTheWholeTransactionComesAgain() {
        prepare("alo_proxy", 5, 3);
        try (FaultProxy proxy = FaultProxy.start(db.host(), db.port());
             ReplicationConnection rc = ReplicationConnection.connect(db.conninfo() + " host=127.0.0.1 port=" + proxy.port()
                     + " sslmode=disable")) {
            PgOutputStream s = rc.startPgOutput("alo_proxy", Lsn.INVALID, PgOutputOptions.publications("alo_proxy"));
            consume(s, "alo_proxy", 2, 2);
            // the third transaction: its Begin and first row, then the connection is reset
            Repl.readUntil(s, m -> m instanceof Insert, Duration.ofSeconds(20));
            proxy.failNow(FaultProxy.Action.RESET);
            assertThatThrownBy(() -> {
                while (true) {
                    s.read(Duration.ofSeconds(10));
                }
            }).isInstanceOf(dev.tusk.errors.OperationalException.class);
            assertThat(rc.connection().isBroken()).isTrue();
        }
        awaitSlotInactive("alo_proxy");
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             PgOutputStream s = rc.startPgOutput("alo_proxy", Lsn.INVALID, PgOutputOptions.publications("alo_proxy"))) {
            assertThat(readThrough(s, 15)).isEqualTo(range(7, 15));
        }
    }

    @Test
    void afterAServerRestartEveryUnacknowledgedChangeComesAgain() {
        prepare("alo_restart", 6, 2);
        // a walsender waits at shutdown until its client confirms everything sent, at most wal_sender_timeout
        // (60 s by default): nobody reads while restart() waits, so a short one keeps the test short
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo() + " options='-c wal_sender_timeout=2s'")) {
            PgOutputStream s = rc.startPgOutput("alo_restart", Lsn.INVALID, PgOutputOptions.publications("alo_restart"));
            consume(s, "alo_restart", 6, 3);
            ReplicationServer.get().restart();
            assertThatThrownBy(() -> {
                while (true) {
                    s.read(Duration.ofSeconds(10));
                }
            }).isInstanceOf(TuskException.class);
            assertThat(rc.connection().isBroken()).isTrue();
        }
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             PgOutputStream s = rc.startPgOutput("alo_restart", Lsn.INVALID, PgOutputOptions.publications("alo_restart"))) {
            assertThat(readThrough(s, 12)).isEqualTo(range(7, 12));
        }
    }
}
