package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.IsolationLevel;
import dev.tusk.Row;
import dev.tusk.errors.ObjectInUse;
import dev.tusk.errors.ProgrammingException;
import dev.tusk.errors.TuskException;
import dev.tusk.errors.UndefinedObject;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

@Timeout(60)
class ReplicationCommandsTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_cmds");
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    @Test
    void aLogicalReplicationConnectionIdentifiesTheSystemAndItsDatabase() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             Connection<Row> c = Repl.sql(db)) {
            SystemIdentity id = rc.identifySystem();
            assertThat(id.database()).isEqualTo(db.dbname());
            assertThat(id.timeline()).isGreaterThanOrEqualTo(1);
            assertThat(id.systemId()).isEqualTo(c.execute("SELECT system_identifier::text FROM pg_control_system()").fetchone().getString(0));
            Lsn now = Lsn.parse(c.execute("SELECT pg_current_wal_flush_lsn()::text").fetchone().getString(0));
            assertThat(id.xlogPosition()).isLessThanOrEqualTo(now);
            // replication=database still runs SQL (simple queries)
            assertThat(Repl.one(rc.connection(), "SELECT 41 + 1").get(0)).isEqualTo(42);
        }
    }

    @Test
    void aPhysicalReplicationConnectionHasNoDatabase() {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo())) {
            assertThat(rc.identifySystem().database()).isNull();
            assertThatThrownBy(() -> rc.connection().execute("SELECT 1")).isInstanceOf(TuskException.class);
        }
    }

    @Test
    void theReplicationParameterOfTheConninfoIsKept() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo() + " replication=true")) {
            assertThat(rc.identifySystem().database()).isNull(); // physical, as the conninfo said
        }
        try (Connection<Row> c = Connection.connect(db.conninfo() + " replication=database")) {
            c.setAutocommit(true);
            assertThat(ReplicationConnection.of(c).identifySystem().database()).isEqualTo(db.dbname());
        }
    }

    @Test
    void logicalSlotsWithEachSnapshotAction() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            CreatedSlot exported = rc.createSlot(SlotSpec.logical("cmd_export", "pgoutput").temporary()
                    .snapshot(SlotSpec.Snapshot.EXPORT));
            assertThat(exported.slotName()).isEqualTo("cmd_export");
            assertThat(exported.outputPlugin()).isEqualTo("pgoutput");
            assertThat(exported.consistentPoint().isValid()).isTrue();
            assertThat(exported.snapshotName()).isNotBlank();
        }
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            CreatedSlot nothing = rc.createSlot(SlotSpec.logical("cmd_nothing", "test_decoding").snapshot(SlotSpec.Snapshot.NOTHING));
            assertThat(nothing.snapshotName()).isNull();
            assertThat(Repl.slotField(db, "cmd_nothing", "plugin")).isEqualTo("test_decoding");
            assertThat(Repl.slotField(db, "cmd_nothing", "temporary")).isEqualTo("false");
            rc.dropSlot("cmd_nothing");
            assertThat(Repl.slotField(db, "cmd_nothing", "plugin")).isNull();
        }
        // the temporary slot went with its connection
        assertThat(Repl.slotField(db, "cmd_export", "plugin")).isNull();
    }

    @Test
    void useSnapshotReadsTheDataAsOfTheSlotsStart() {
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute("CREATE TABLE snap_t (id int)");
            c.execute("INSERT INTO snap_t VALUES (1)");
        }
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            Connection<?> conn = rc.connection();
            conn.setAutocommit(false);
            conn.setIsolationLevel(IsolationLevel.REPEATABLE_READ);
            conn.setReadOnly(true);
            rc.createSlot(SlotSpec.logical("cmd_use", "pgoutput").temporary().snapshot(SlotSpec.Snapshot.USE));
            try (Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO snap_t VALUES (2)");
            }
            assertThat(Repl.one(conn, "SELECT count(*) FROM snap_t").getLong(0)).isEqualTo(1);
            conn.commit();
            conn.setReadOnly(null);
            conn.setAutocommit(true);
        }
    }

    @Test
    void physicalSlotsReadAndDropped() {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo())) {
            CreatedSlot s = rc.createSlot(SlotSpec.physical("cmd_phys").reserveWal());
            assertThat(s.outputPlugin()).isNull();
            assertThat(s.consistentPoint() == null || !s.consistentPoint().isValid()).isTrue();
            SlotInfo info = rc.readSlot("cmd_phys").orElseThrow();
            assertThat(info.slotType()).isEqualTo("physical");
            assertThat(info.restartLsn().isValid()).isTrue();
            assertThat(info.restartLsn()).isLessThanOrEqualTo(rc.identifySystem().xlogPosition());
            assertThat(info.restartTimeline()).isEqualTo(rc.identifySystem().timeline());

            rc.createSlot(SlotSpec.physical("cmd_phys_lazy").temporary());
            assertThat(rc.readSlot("cmd_phys_lazy").orElseThrow().restartLsn()).isNull();

            assertThat(rc.readSlot("cmd_no_such_slot")).isEmpty();
            rc.dropSlot("cmd_phys", true);
            assertThat(rc.readSlot("cmd_phys")).isEmpty();
            assertThatThrownBy(() -> rc.dropSlot("cmd_phys")).isInstanceOf(UndefinedObject.class)
                    .hasMessageContaining("cmd_phys");
            assertThat(rc.identifySystem().database()).isNull(); // still usable after the error
        }
    }

    @Test
    void droppingASlotInUseFailsAtOnceWithoutWait() {
        try (ReplicationConnection owner = ReplicationConnection.connect(db.conninfo());
             ReplicationConnection other = ReplicationConnection.connect(db.conninfo())) {
            owner.createSlot(SlotSpec.logical("cmd_busy", "test_decoding"));
            try (ReplicationStream s = owner.startLogical("cmd_busy", Lsn.INVALID, Map.of())) {
                assertThatThrownBy(() -> other.dropSlot("cmd_busy")).isInstanceOf(ObjectInUse.class)
                        .hasMessageContaining("active");
            }
            other.dropSlot("cmd_busy", true);
            assertThat(Repl.slotField(db, "cmd_busy", "plugin")).isNull();
        }
    }

    @Test
    void invalidSlotNamesAreRefusedBeforeAnythingIsSent() {
        assertThatThrownBy(() -> SlotSpec.logical("Bad-Name", "pgoutput")).isInstanceOf(ProgrammingException.class)
                .hasMessageContaining("lower-case letters, digits and underscores");
        assertThatThrownBy(() -> SlotSpec.physical("x".repeat(64))).isInstanceOf(ProgrammingException.class);
        assertThatThrownBy(() -> SlotSpec.physical("p").snapshot(SlotSpec.Snapshot.USE)).isInstanceOf(ProgrammingException.class);
        assertThat(SlotSpec.logical("a_1", "pgoutput").temporary().snapshot(SlotSpec.Snapshot.NOTHING).twoPhase())
                .hasToString("CREATE_REPLICATION_SLOT a_1 TEMPORARY LOGICAL \"pgoutput\" (SNAPSHOT 'nothing', TWO_PHASE)");
    }

    @Test
    void timelineHistoryOfTheCurrentTimeline() {
        try (ReplicationConnection rc = ReplicationConnection.connectPhysical(db.conninfo())) {
            int tli = rc.identifySystem().timeline();
            assertThat(tli).isGreaterThanOrEqualTo(2); // ReplicationServer ended a recovery on a new timeline
            TimelineHistory h = rc.timelineHistory(tli);
            assertThat(h.fileName()).isEqualTo(String.format("%08X.history", tli));
            assertThat(h.content()).startsWith("1\t").contains("no recovery target specified");
            assertThatThrownBy(() -> rc.timelineHistory(tli + 5)).isInstanceOf(TuskException.class)
                    .hasMessageContaining("history");
            assertThat(rc.identifySystem().timeline()).isEqualTo(tli);
        }
    }
}
