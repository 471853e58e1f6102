package dev.tusk.replication;

import dev.tusk.Connection;
import dev.tusk.Cursor;
import dev.tusk.Row;
import dev.tusk.replication.PgOutputMessage.Begin;
import dev.tusk.replication.PgOutputMessage.Commit;
import dev.tusk.replication.PgOutputMessage.Delete;
import dev.tusk.replication.PgOutputMessage.Insert;
import dev.tusk.replication.PgOutputMessage.Relation;
import dev.tusk.replication.PgOutputMessage.Truncate;
import dev.tusk.replication.PgOutputMessage.Update;
import dev.tusk.testing.TestDatabase;
import dev.tusk.types.Lsn;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** pgoutput decoded: every DML kind, values as a query returns them, text and binary, relations, messages. */
@Timeout(90)
class PgOutputTest {
    private static TestDatabase db;

    private static final String COLUMNS = "id, name, price, qty, flag, at, day, data, tags, mood, uid, raw, f8";

    @BeforeAll
    static void database() {
        db = ReplicationServer.database("repl_pgoutput");
        try (Connection<Row> c = Repl.sql(db)) {
            c.execute("CREATE TYPE mood AS ENUM ('happy', 'sad')");
            c.execute("CREATE TABLE items (id int PRIMARY KEY, name text, price numeric(10,2), qty int8, flag bool,"
                    + " at timestamptz, day date, data jsonb, tags text[], mood mood, uid uuid, raw bytea, f8 float8)");
            c.execute("CREATE TABLE full_t (id int PRIMARY KEY, v text)");
            c.execute("ALTER TABLE full_t REPLICA IDENTITY FULL");
            c.execute("CREATE TABLE toasty (id int PRIMARY KEY, n int, big text)");
            c.execute("CREATE TABLE t2 (id int)");
            c.execute("CREATE TABLE t3 (id int)");
            c.execute("CREATE TABLE altered (id int PRIMARY KEY)");
            c.execute("CREATE PUBLICATION pub FOR ALL TABLES");
        }
    }

    @AfterAll
    static void drop() {
        Repl.drop(db);
    }

    private static final String INSERT_ITEM = "INSERT INTO items (" + COLUMNS + ") VALUES (%s, 'widget', 12.50, 9000000000,"
            + " true, '2024-05-06 07:08:09.123456+02', '2024-05-06', '{\"a\": [1, 2]}', ARRAY['x', 'y'], 'sad',"
            + " 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '\\x00ff10', 1.5)";

    /** Values as assertions can compare them: arrays by content. */
    private static List<Object> comparable(List<Object> values) {
        List<Object> out = new ArrayList<>();
        for (Object v : values) {
            out.add(v instanceof byte[] b ? "bytes" + Arrays.toString(b) : v);
        }
        return out;
    }

    private static List<Object> queried(Connection<Row> c, int id, boolean binary) {
        Cursor<Row> cur = c.cursor();
        cur.setBinary(binary);
        // a parameter, so that the query goes through the extended protocol, where binary results exist
        return comparable(cur.execute("SELECT " + COLUMNS + " FROM items WHERE id = %s", id).fetchone().values());
    }

    private void everyDmlKind(boolean binary, int base) {
        String slot = binary ? "po_dml_bin" : "po_dml_text";
        PgOutputOptions opts = PgOutputOptions.publications("pub");
        if (binary) {
            opts = opts.binary();
        }
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical(slot, "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput(slot, Lsn.INVALID, opts);
                 Connection<Row> c = Repl.sql(db)) {
                c.execute(String.format(INSERT_ITEM, base + 1));
                List<Object> expected = queried(c, base + 1, binary);
                c.execute("UPDATE items SET name = 'gadget' WHERE id = " + (base + 1));
                List<Object> expectedAfter = queried(c, base + 1, binary);
                c.execute("UPDATE items SET id = " + (base + 2) + " WHERE id = " + (base + 1));
                c.execute("DELETE FROM items WHERE id = " + (base + 2));

                List<PgOutputMessage> all = Repl.transactions(s, 4);
                assertThat(Repl.only(all, Begin.class)).hasSize(4);
                List<Commit> commits = Repl.only(all, Commit.class);
                assertThat(commits).hasSize(4);
                assertThat(commits.get(3).endLsn()).isGreaterThan(commits.get(0).endLsn());
                assertThat(all.get(0)).isInstanceOf(Begin.class);

                Relation rel = Repl.only(all, Relation.class).get(0);
                assertThat(rel.namespace()).isEqualTo("public");
                assertThat(rel.name()).isEqualTo("items");
                assertThat(rel.replicaIdentity()).isEqualTo('d');
                assertThat(rel.columns()).extracting(RelationColumn::name).containsExactly(COLUMNS.split(", "));
                assertThat(rel.columns().get(0).key()).isTrue();
                assertThat(rel.columns().get(1).key()).isFalse();
                assertThat(Repl.only(all, PgOutputMessage.Type.class)).extracting(PgOutputMessage.Type::name).contains("mood");

                Insert ins = Repl.only(all, Insert.class).get(0);
                assertThat(ins.relation()).isSameAs(rel);
                assertThat(comparable(ins.newTuple().values())).isEqualTo(expected);
                assertThat(ins.newTuple().get("name")).isEqualTo("widget");
                assertThat(ins.newTuple().get("qty")).isEqualTo(9000000000L);

                List<Update> ups = Repl.only(all, Update.class);
                assertThat(ups.get(0).oldKey()).isNull(); // key unchanged, identity DEFAULT: no old values
                assertThat(ups.get(0).oldTuple()).isNull();
                assertThat(comparable(ups.get(0).newTuple().values())).isEqualTo(expectedAfter);
                assertThat(ups.get(1).oldKey().get("id")).isEqualTo(base + 1); // the key changed: the old key comes
                assertThat(ups.get(1).oldKey().get("name")).isNull();
                assertThat(ups.get(1).newTuple().get("id")).isEqualTo(base + 2);

                Delete del = Repl.only(all, Delete.class).get(0);
                assertThat(del.oldKey().get("id")).isEqualTo(base + 2);
                assertThat(del.oldTuple()).isNull();
                assertThat(del.xid()).isZero();
            }
        }
    }

    @Test
    void everyDmlKindInTextWithTheValuesAQueryReturns() {
        everyDmlKind(false, 100);
    }

    @Test
    void everyDmlKindInBinaryWithTheValuesABinaryQueryReturns() {
        everyDmlKind(true, 200);
    }

    @Test
    void replicaIdentityFullSendsTheWholeOldRow() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_full", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_full", Lsn.INVALID, PgOutputOptions.publications("pub"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO full_t VALUES (1, 'a')");
                c.execute("UPDATE full_t SET v = 'b' WHERE id = 1");
                c.execute("DELETE FROM full_t WHERE id = 1");
                List<PgOutputMessage> all = Repl.transactions(s, 3);
                assertThat(Repl.only(all, Relation.class).get(0).replicaIdentity()).isEqualTo('f');
                Update u = Repl.only(all, Update.class).get(0);
                assertThat(u.oldKey()).isNull();
                assertThat(u.oldTuple().values()).containsExactly(1, "a");
                assertThat(u.newTuple().values()).containsExactly(1, "b");
                Delete d = Repl.only(all, Delete.class).get(0);
                assertThat(d.oldKey()).isNull();
                assertThat(d.oldTuple().values()).containsExactly(1, "b");
            }
        }
    }

    @Test
    void anUnchangedToastedValueIsMarkedNotNull() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_toast", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_toast", Lsn.INVALID, PgOutputOptions.publications("pub"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO toasty SELECT 1, 0, string_agg(md5(i::text || random()::text), '') FROM generate_series(1, 4000) i");
                c.execute("UPDATE toasty SET n = 1 WHERE id = 1");
                c.execute("UPDATE toasty SET big = NULL WHERE id = 1");
                List<PgOutputMessage> all = Repl.transactions(s, 3);
                Insert ins = Repl.only(all, Insert.class).get(0);
                assertThat((String) ins.newTuple().get("big")).hasSize(4000 * 32);
                List<Update> ups = Repl.only(all, Update.class);
                Tuple t = ups.get(0).newTuple();
                assertThat(t.get("n")).isEqualTo(1);
                assertThat(t.isUnchangedToast(2)).isTrue();
                assertThat(t.get("big")).isSameAs(Tuple.UNCHANGED_TOAST);
                assertThat(t.isNull(2)).isFalse();
                Tuple cleared = ups.get(1).newTuple();
                assertThat(cleared.isNull(2)).isTrue();
                assertThat(cleared.isUnchangedToast(2)).isFalse();
            }
        }
    }

    @Test
    void aTruncateOfSeveralTablesIsOneMessage() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_trunc", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_trunc", Lsn.INVALID, PgOutputOptions.publications("pub"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("TRUNCATE t2, t3 RESTART IDENTITY");
                List<PgOutputMessage> all = Repl.transactions(s, 1);
                Truncate t = Repl.only(all, Truncate.class).get(0);
                assertThat(t.relations()).extracting(Relation::name).containsExactlyInAnyOrder("t2", "t3");
                assertThat(t.restartIdentity()).isTrue();
                assertThat(t.cascade()).isFalse();
            }
        }
    }

    @Test
    void aRelationAlteredMidStreamIsDescribedAgain() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_alter", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_alter", Lsn.INVALID, PgOutputOptions.publications("pub"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("INSERT INTO altered VALUES (1)");
                c.execute("ALTER TABLE altered ADD COLUMN note text");
                c.execute("INSERT INTO altered VALUES (2, 'two')");
                List<PgOutputMessage> all = Repl.transactions(s, 2);
                List<Relation> rels = Repl.only(all, Relation.class);
                assertThat(rels).hasSize(2);
                assertThat(rels.get(1).columns()).extracting(RelationColumn::name).containsExactly("id", "note");
                List<Insert> ins = Repl.only(all, Insert.class);
                assertThat(ins.get(0).newTuple().values()).containsExactly(1);
                assertThat(ins.get(1).relation()).isSameAs(rels.get(1));
                assertThat(ins.get(1).newTuple().get("note")).isEqualTo("two");
                assertThat(s.relation(rels.get(1).oid())).isSameAs(rels.get(1));
            }
        }
    }

    @Test
    void aReplicationOriginIsAnnouncedAndCanBeFilteredOut() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo());
             ReplicationConnection rcNone = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_origin", "pgoutput").temporary());
            rcNone.createSlot(SlotSpec.logical("po_origin_none", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_origin", Lsn.INVALID, PgOutputOptions.publications("pub"));
                 PgOutputStream none = rcNone.startPgOutput("po_origin_none", Lsn.INVALID,
                         PgOutputOptions.publications("pub").origin("none"));
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("SELECT pg_replication_origin_create('po_upstream')");
                c.execute("SELECT pg_replication_origin_session_setup('po_upstream')");
                c.execute("INSERT INTO t2 VALUES (7)"); // replicated from "po_upstream", as a subscriber applies it
                c.execute("SELECT pg_replication_origin_session_reset()");
                c.execute("INSERT INTO t2 VALUES (8)"); // local
                List<PgOutputMessage> all = Repl.transactions(s, 2);
                List<PgOutputMessage.Origin> origins = Repl.only(all, PgOutputMessage.Origin.class);
                assertThat(origins).hasSize(1);
                assertThat(origins.get(0).name()).isEqualTo("po_upstream");
                assertThat(all.get(1)).isSameAs(origins.get(0)); // right after Begin
                assertThat(Repl.only(all, Insert.class)).extracting(i -> i.newTuple().get(0)).containsExactly(7, 8);
                // origin 'none': only the local change
                List<PgOutputMessage> local = Repl.transactions(none, 1);
                assertThat(Repl.only(local, Insert.class)).extracting(i -> i.newTuple().get(0)).containsExactly(8);
                assertThat(Repl.only(local, PgOutputMessage.Origin.class)).isEmpty();
                c.execute("SELECT pg_replication_origin_drop('po_upstream')");
            }
        }
    }

    @Test
    void logicalDecodingMessagesWithTheMessagesOption() {
        try (ReplicationConnection rc = ReplicationConnection.connect(db.conninfo())) {
            rc.createSlot(SlotSpec.logical("po_msg", "pgoutput").temporary());
            try (PgOutputStream s = rc.startPgOutput("po_msg", Lsn.INVALID, PgOutputOptions.publications("pub").messages());
                 Connection<Row> c = Repl.sql(db)) {
                c.execute("SELECT pg_logical_emit_message(false, 'outside', 'now')");
                c.execute("SELECT pg_logical_emit_message(true, 'inside', 'héllo')");
                List<PgOutputMessage> got = Repl.readUntil(s, m -> m instanceof Commit, Duration.ofSeconds(20));
                List<PgOutputMessage.Message> msgs = Repl.only(got, PgOutputMessage.Message.class);
                assertThat(msgs).hasSize(2);
                assertThat(msgs.get(0).transactional()).isFalse();
                assertThat(msgs.get(0).prefix()).isEqualTo("outside");
                assertThat(msgs.get(0).text()).isEqualTo("now");
                assertThat(msgs.get(1).transactional()).isTrue();
                assertThat(msgs.get(1).prefix()).isEqualTo("inside");
                assertThat(msgs.get(1).text()).isEqualTo("héllo");
                assertThat(got.get(got.indexOf(msgs.get(1)) - 1)).isInstanceOf(Begin.class);
            }
        }
    }
}
