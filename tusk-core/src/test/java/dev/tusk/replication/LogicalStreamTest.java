package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.errors.OperationalException;
import dev.tusk.errors.UndefinedObject;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** START_REPLICATION LOGICAL over COPY BOTH, with test_decoding's text messages. */
@Timeout(60)
class LogicalStreamTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_stream");
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute("CREATE TABLE td (id int PRIMARY KEY, v text)");
        }
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    private static List<String> readTexts(ReplicationStream s, int n) {
        List<String> out = new ArrayList<>();
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (out.size() < n && System.nanoTime() < deadline) {
            XLogData x = s.read(Duration.ofMillis(200));
            if (x != null) {
                out.add(x.text());
            }
        }
        return out;
    }

    @Test
    void testDecodingMessagesArriveAsText() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_text", "test_decoding").temporary());
            try (ReplicationStream s = rc.startLogical("ls_text", Lsn.INVALID, Map.of("include-xids", "0"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO td VALUES (1, 'one')");
                List<String> texts = readTexts(s, 3);
                assertThat(texts).containsExactly("BEGIN", "table public.td: INSERT: id[integer]:1 v[text]:'one'", "COMMIT");
                assertThat(s.lastReceived().isValid()).isTrue();
            }
            // the connection runs commands again once the stream is closed
            assertThat(rc.identifySystem().database()).isEqualTo(db.dbname());
        }
    }

    @Test
    void aReadWithATimeoutReturnsNullAndTheStreamGoesOn() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_timeout", "test_decoding").temporary());
            try (ReplicationStream s = rc.startLogical("ls_timeout", Lsn.INVALID, Map.of());
                 Connection<Row> c = Repl.sql(db)) {
                long t0 = System.nanoTime();
                assertThat(s.read(Duration.ofMillis(300))).isNull();
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isBetween(Duration.ofMillis(250), Duration.ofSeconds(5));
                c.execute("INSERT INTO td VALUES (2, 'two')");
                assertThat(readTexts(s, 3)).hasSize(3).element(1).asString().contains("INSERT");
                assertThat(rc.connection().isBroken()).isFalse();
            }
        }
    }

    @Test
    void acknowledgedPositionsReachTheSlotOnTheStatusInterval() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_ack", "test_decoding"));
            try {
                StreamOptions opts = StreamOptions.DEFAULTS.withStatusInterval(Duration.ofMillis(200));
                try (ReplicationStream s = rc.startLogical("ls_ack", Lsn.INVALID, Map.of(), opts);
                     Connection<Row> c = Repl.sql(db)) {
                    c.execute("INSERT INTO td VALUES (3, 'three')");
                    List<XLogData> got = new ArrayList<>();
                    while (got.size() < 3) {
                        XLogData x = s.read(Duration.ofSeconds(10));
                        assertThat(x).isNotNull();
                        got.add(x);
                    }
                    Lsn commit = got.get(2).dataStart();
                    assertThat(got.get(2).text()).startsWith("COMMIT");
                    s.acknowledge(commit);
                    s.acknowledge(got.get(0).dataStart()); // older: ignored
                    assertThat(s.acknowledged()).isEqualTo(commit);
                    long sentBefore = s.statusUpdatesSent();
                    // no explicit flush: reading (and timing out) is enough for the status update to go out
                    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                    while (!commit.toString().equals(Repl.slotField(db, "ls_ack", "confirmed_flush_lsn"))
                            && System.nanoTime() < deadline) {
                        assertThat(s.read(Duration.ofMillis(100))).isNull();
                    }
                    assertThat(Lsn.parse(Repl.slotField(db, "ls_ack", "confirmed_flush_lsn"))).isEqualTo(commit);
                    assertThat(s.statusUpdatesSent()).isGreaterThan(sentBefore);
                }
            } finally {
                rc.dropSlot("ls_ack", true);
            }
        }
    }

    @Test
    void theServersRequestForAReplyIsAnsweredWithoutTheApplication() {
        // wal_sender_timeout 2s: the server asks for a reply after 1s of silence and ends the connection after 2s
        // without one; the status interval is far longer, so only the answers to its requests keep it alive
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo() + " options='-c wal_sender_timeout=2s'")) {
            rc.createSlot(SlotSpec.logical("ls_ping", "test_decoding").temporary());
            StreamOptions opts = StreamOptions.DEFAULTS.withStatusInterval(Duration.ofHours(1));
            try (ReplicationStream s = rc.startLogical("ls_ping", Lsn.INVALID, Map.of(), opts)) {
                long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
                while (System.nanoTime() < deadline) {
                    assertThat(s.read(Duration.ofMillis(500))).isNull();
                }
                assertThat(s.statusUpdatesSent()).isGreaterThanOrEqualTo(2);
                assertThat(s.isEnded()).isFalse();
            }
            assertThat(rc.connection().isBroken()).isFalse();
        }
    }

    @Test
    void aFrozenServerEndsTheReadWithinTheServerTimeout() throws Exception {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_frozen", "test_decoding").temporary());
            int pid = Repl.one(rc.connection(), "SELECT pg_backend_pid()").getInt(0);
            StreamOptions opts = StreamOptions.DEFAULTS.withServerTimeout(Duration.ofSeconds(2)).withStatusInterval(Duration.ofHours(1));
            ReplicationStream s = rc.startLogical("ls_frozen", Lsn.INVALID, Map.of(), opts);
            signal("STOP", pid);
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(s::read).isInstanceOf(OperationalException.class)
                        .hasMessageContaining("no message from the server for 2000 ms");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
                assertThat(rc.connection().isBroken()).isTrue();
                assertThat(s.isEnded()).isTrue();
                s.close(); // never waits for the frozen server
            } finally {
                signal("CONT", pid);
            }
        }
    }

    @Test
    void closingAStreamOnAFrozenServerGivesUpAtTheCloseTimeout() throws Exception {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_frozen_close", "test_decoding").temporary());
            int pid = Repl.one(rc.connection(), "SELECT pg_backend_pid()").getInt(0);
            StreamOptions opts = StreamOptions.DEFAULTS.withCloseTimeout(Duration.ofSeconds(1));
            ReplicationStream s = rc.startLogical("ls_frozen_close", Lsn.INVALID, Map.of(), opts);
            signal("STOP", pid);
            try {
                long t0 = System.nanoTime();
                assertThatThrownBy(s::close).isInstanceOf(OperationalException.class)
                        .hasMessageContaining("did not end").hasMessageContaining("1000 ms");
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(5));
                assertThat(rc.connection().isBroken()).isTrue();
                assertThat(s.isEnded()).isTrue();
            } finally {
                signal("CONT", pid);
            }
        }
    }

    @Test
    void theStreamIsIterable() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_iter", "test_decoding").temporary());
            try (ReplicationStream s = rc.startLogical("ls_iter", Lsn.INVALID, Map.of());
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO td VALUES (10, 'ten')");
                List<String> texts = new ArrayList<>();
                for (XLogData x : s) {
                    texts.add(x.text());
                    if (x.text().startsWith("COMMIT")) {
                        break;
                    }
                }
                assertThat(texts).hasSize(3).first().asString().startsWith("BEGIN");
            }
        }
    }

    @Test
    void aMissingSlotFailsWithTheServersErrorAndTheConnectionStaysUsable() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            assertThatThrownBy(() -> rc.startLogical("ls_no_such_slot", Lsn.INVALID, Map.of()))
                    .isInstanceOf(UndefinedObject.class).hasMessageContaining("ls_no_such_slot");
            assertThat(rc.identifySystem().database()).isEqualTo(db.dbname());
        }
    }

    @Test
    void anErrorOfThePluginEndsTheStreamWithIt() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_badopt", "test_decoding").temporary());
            ReplicationStream s;
            try {
                s = rc.startLogical("ls_badopt", Lsn.INVALID, Map.of("no-such-option", "1"));
            } catch (dev.tusk.errors.TuskException e) {
                assertThat(e).hasMessageContaining("no-such-option");
                assertThat(rc.identifySystem().database()).isEqualTo(db.dbname());
                return;
            }
            assertThatThrownBy(() -> s.read(Duration.ofSeconds(10))).hasMessageContaining("no-such-option");
            assertThat(s.isEnded()).isTrue();
            s.close();
            assertThat(rc.identifySystem().database()).isEqualTo(db.dbname());
        }
    }

    @Test
    void aSecondStreamOrACommandWhileOneRunsIsRefused() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_busy", "test_decoding").temporary());
            try (ReplicationStream s = rc.startLogical("ls_busy", Lsn.INVALID, Map.of())) {
                assertThatThrownBy(rc::identifySystem).isInstanceOf(dev.tusk.errors.ProgrammingException.class)
                        .hasMessageContaining("close it first");
                assertThatThrownBy(() -> rc.startLogical("ls_busy", Lsn.INVALID, Map.of()))
                        .isInstanceOf(dev.tusk.errors.ProgrammingException.class);
                assertThat(s.read(Duration.ofMillis(50))).isNull();
                // a statement on the connection itself would be sent into the stream: refused, nothing sent
                assertThatThrownBy(() -> rc.connection().execute("SELECT 1"))
                        .isInstanceOf(dev.tusk.errors.ProgrammingException.class).hasMessageContaining("replication stream is running");
                try (Connection<Row> c = Repl.sql(db)) {
                    c.execute("INSERT INTO td VALUES (20, 'twenty')");
                }
                assertThat(readTexts(s, 3)).hasSize(3).element(1).asString().contains("twenty");
                assertThat(rc.connection().isBroken()).isFalse();
            }
            assertThat(Repl.one(rc.connection(), "SELECT 1").getInt(0)).isEqualTo(1);
        }
    }

    @Test
    void aSecondLogicalStreamOnTheSameConnectionIsRefusedInsteadOfEndingEmpty() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("ls_again", "test_decoding").temporary());
            try (ReplicationStream s = rc.startLogical("ls_again", Lsn.INVALID, Map.of())) {
                assertThat(s.read(Duration.ofMillis(50))).isNull();
            }
            // PostgreSQL's walsender keeps the first stream's end: a second one would end at once, with nothing
            assertThatThrownBy(() -> rc.startLogical("ls_again", Lsn.INVALID, Map.of()))
                    .isInstanceOf(dev.tusk.errors.ProgrammingException.class)
                    .hasMessageContaining("open a new replication connection");
            assertThat(rc.identifySystem().database()).isEqualTo(db.dbname());
            assertThat(rc.connection().isBroken()).isFalse();
        }
    }

    static void signal(String sig, int pid) throws Exception {
        Process p = new ProcessBuilder("kill", "-" + sig, Integer.toString(pid)).inheritIO().start();
        assertThat(p.waitFor()).isZero();
    }
}
