package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** START_REPLICATION PHYSICAL: WAL bytes whose positions advance, and a physical slot following the acknowledgements. */
@Timeout(60)
class PhysicalStreamTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_phys");
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    @Test
    void walPositionsAdvanceAndTheSlotFollowsTheAcknowledgements() {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo());
             ReplicationConnection reader = ReplicationConnection.connectPhysical(db.conninfo());
             Connection<Row> c = Repl.sql(db)) {
            rc.createSlot(SlotSpec.physical("phys_follow").temporary().reserveWal());
            SystemIdentity id = rc.identifySystem();
            Lsn start = Lsn.of(id.xlogPosition().value() & ~0xFFFFFFL); // a segment boundary at or before it
            try (ReplicationStream s = rc.startPhysical("phys_follow", start, id.timeline(), StreamOptions.DEFAULTS)) {
                c.execute("CREATE TABLE phys_t AS SELECT g FROM generate_series(1, 1000) g");
                Lsn target = Lsn.parse(c.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone().getString(0));
                Lsn expectedNext = start;
                long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                while (s.lastReceived().isBefore(target) && System.nanoTime() < deadline) {
                    XLogData x = s.read(Duration.ofMillis(200));
                    if (x != null) {
                        assertThat(x.dataStart()).isEqualTo(expectedNext); // contiguous WAL bytes
                        expectedNext = x.dataStart().plus(x.length());
                        assertThat(x.walEnd()).isGreaterThanOrEqualTo(x.dataStart());
                    }
                }
                assertThat(s.lastReceived()).isGreaterThanOrEqualTo(target);
                s.acknowledge(target);
                s.sendStatusNow();
                deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
                while (!target.equals(reader.readSlot("phys_follow").orElseThrow().restartLsn())
                        && System.nanoTime() < deadline) {
                    s.read(Duration.ofMillis(50));
                }
                assertThat(reader.readSlot("phys_follow").orElseThrow().restartLsn()).isEqualTo(target);
            }
            assertThat(rc.identifySystem().database()).isNull(); // usable after the stream
        }
    }

    @Test
    void aPhysicalStreamNeedsAStartPosition() {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo())) {
            assertThatThrownBy(() -> rc.startPhysical(null, Lsn.INVALID, 0, StreamOptions.DEFAULTS))
                    .isInstanceOf(dev.tusk.errors.ProgrammingException.class).hasMessageContaining("start position");
        }
    }
}
