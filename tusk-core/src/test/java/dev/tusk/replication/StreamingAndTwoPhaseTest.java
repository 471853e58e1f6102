package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Row;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** pgoutput protocol 2 (large transactions streamed in progress) and 3 (two-phase). */
@Timeout(120)
class StreamingAndTwoPhaseTest {
    private static TestDatabase db;

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_v2v3");
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute("CREATE TABLE big (id int PRIMARY KEY, pad text)");
            c.execute("CREATE TABLE prep (id int PRIMARY KEY)");
            c.execute("CREATE PUBLICATION pub FOR ALL TABLES");
        }
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    @Test
    void aLargeTransactionIsStreamedInBlocksBeforeItsCommit() {
        int rows = 20_000;
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("v2_stream", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("v2_stream", Lsn.INVALID, PgOutputOptions.publications("pub").streaming());
                 Connection<Row> c = Repl.sql(db)) {
                assertThat(s.options().effectiveProtoVersion()).isEqualTo(2);
                c.execute("INSERT INTO big SELECT g, repeat('x', 20) FROM generate_series(1, " + rows + ") g");
                long inserts = 0;
                long starts = 0;
                long xid = -1;
                long sum = 0;
                PgOutputMessage.StreamCommit commit = null;
                long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                boolean inBlock = false;
                while (commit == null && System.nanoTime() < deadline) {
                    PgOutputMessage m = s.read(Duration.ofMillis(500));
                    if (m instanceof PgOutputMessage.StreamStart st) {
                        starts++;
                        assertThat(st.firstSegment()).isEqualTo(starts == 1);
                        xid = st.xid();
                        inBlock = true;
                    } else if (m instanceof PgOutputMessage.StreamStop) {
                        inBlock = false;
                    } else if (m instanceof Insert i) {
                        assertThat(inBlock).isTrue();
                        assertThat(i.xid()).isEqualTo(xid);
                        inserts++;
                        sum += (Integer) i.newTuple().get(0);
                    } else if (m instanceof PgOutputMessage.StreamCommit sc) {
                        commit = sc;
                    } else if (m instanceof PgOutputMessage.Begin) {
                        throw new AssertionError("the transaction was not streamed: " + m);
                    }
                }
                assertThat(commit).isNotNull();
                assertThat(commit.xid()).isEqualTo(xid);
                assertThat(starts).isGreaterThan(1);
                assertThat(inserts).isEqualTo(rows);
                assertThat(sum).isEqualTo((long) rows * (rows + 1) / 2);
                s.acknowledge(commit.endLsn());
            }
        }
    }

    @Test
    void anAbortedStreamedTransactionEndsWithStreamAbort() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("v2_abort", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("v2_abort", Lsn.INVALID, PgOutputOptions.publications("pub").streaming());
                 Connection<Row> c = Repl.sql(db)) {
                c.setAutocommit(false);
                c.execute("INSERT INTO big SELECT g, repeat('y', 20) FROM generate_series(100001, 110000) g");
                // the transaction is streamed while in progress: wait for its first block before rolling back
                Repl.readUntil(s, m -> m instanceof PgOutputMessage.StreamStop, Duration.ofSeconds(30));
                c.rollback();
                List<PgOutputMessage> rest = Repl.readUntil(s, m -> m instanceof PgOutputMessage.StreamAbort, Duration.ofSeconds(30));
                PgOutputMessage.StreamAbort a = (PgOutputMessage.StreamAbort) rest.get(rest.size() - 1);
                assertThat(a.subXid()).isEqualTo(a.xid());
                assertThat(a.abortLsn()).isNull(); // protocol 2: no abort position
            }
        }
    }

    @Test
    void parallelStreamingAbortsCarryTheirPositionAndTime() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("v4_abort", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("v4_abort", Lsn.INVALID, PgOutputOptions.publications("pub").parallelStreaming());
                 Connection<Row> c = Repl.sql(db)) {
                assertThat(s.options().effectiveProtoVersion()).isEqualTo(4);
                c.setAutocommit(false);
                c.execute("INSERT INTO big SELECT g, repeat('z', 20) FROM generate_series(200001, 210000) g");
                Repl.readUntil(s, m -> m instanceof PgOutputMessage.StreamStop, Duration.ofSeconds(30));
                c.rollback();
                List<PgOutputMessage> rest = Repl.readUntil(s, m -> m instanceof PgOutputMessage.StreamAbort, Duration.ofSeconds(30));
                PgOutputMessage.StreamAbort a = (PgOutputMessage.StreamAbort) rest.get(rest.size() - 1);
                assertThat(a.abortLsn()).isNotNull();
                assertThat(a.abortLsn().isValid()).isTrue();
                assertThat(a.abortTime()).isAfter(java.time.Instant.now().minusSeconds(60));
            }
        }
    }

    @Test
    void aPreparedTransactionComesAtPrepareAndItsCommitLater() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("v3_prep", "pgoutput").temporary().twoPhase());
            try (PgOutputStream s = rc.startPgOutput("v3_prep", Lsn.INVALID, PgOutputOptions.publications("pub").twoPhase());
                 Connection<Row> c = Repl.sql(db)) {
                assertThat(s.options().effectiveProtoVersion()).isEqualTo(3);
                c.execute("BEGIN");
                c.execute("INSERT INTO prep VALUES (1), (2)");
                c.execute("PREPARE TRANSACTION 'v3_gid'");
                List<PgOutputMessage> prepared = Repl.readUntil(s, m -> m instanceof PgOutputMessage.Prepare, Duration.ofSeconds(20));
                PgOutputMessage.BeginPrepare bp = Repl.only(prepared, PgOutputMessage.BeginPrepare.class).get(0);
                PgOutputMessage.Prepare p = (PgOutputMessage.Prepare) prepared.get(prepared.size() - 1);
                assertThat(bp.gid()).isEqualTo("v3_gid");
                assertThat(p.gid()).isEqualTo("v3_gid");
                assertThat(p.xid()).isEqualTo(bp.xid());
                assertThat(p.endLsn()).isEqualTo(bp.endLsn());
                assertThat(Repl.only(prepared, Insert.class)).extracting(i -> i.newTuple().get(0)).containsExactly(1, 2);

                c.execute("COMMIT PREPARED 'v3_gid'");
                List<PgOutputMessage> committed = Repl.readUntil(s, m -> m instanceof PgOutputMessage.CommitPrepared, Duration.ofSeconds(20));
                PgOutputMessage.CommitPrepared cp = (PgOutputMessage.CommitPrepared) committed.get(committed.size() - 1);
                assertThat(cp.gid()).isEqualTo("v3_gid");
                assertThat(cp.xid()).isEqualTo(p.xid());
                assertThat(cp.endLsn()).isGreaterThan(p.endLsn());

                c.execute("BEGIN");
                c.execute("INSERT INTO prep VALUES (3)");
                c.execute("PREPARE TRANSACTION 'v3_gid2'");
                c.execute("ROLLBACK PREPARED 'v3_gid2'");
                List<PgOutputMessage> rolled = Repl.readUntil(s, m -> m instanceof PgOutputMessage.RollbackPrepared, Duration.ofSeconds(20));
                PgOutputMessage.RollbackPrepared rp = (PgOutputMessage.RollbackPrepared) rolled.get(rolled.size() - 1);
                assertThat(rp.gid()).isEqualTo("v3_gid2");
                assertThat(rp.rollbackEndLsn()).isGreaterThan(rp.prepareEndLsn());
            }
        }
    }
}
